// The `nido` command: picks a subcommand and hands it the remaining
// arguments. Subcommands and flags only; the work is done in vm/ and
// compiler/ (ARCHITECTURE.md, cli/).
#include <fmt/core.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/attached_package.hpp"
#include "cli/commands.hpp"
#include "hvbridge/guest_init.hpp"

namespace {

// TEST-ONLY: NIDO_TEST_GUEST_FAULT set makes `nido run` write to an
// unmapped address before anything else, so tests/hv/run_micro.py can check
// that a fault inside a micro-VM ends the run with one clear host-side line.
// `nido hv run` passes the variable into its micro-VM guest; never set it
// otherwise (a plain `nido run` dies of SIGSEGV).
void faultIfTesting() {
    if (!std::getenv("NIDO_TEST_GUEST_FAULT")) return;
    volatile uintptr_t address = 0x10;  // the null page: never mapped, in a process or a micro-VM
    // SAFETY: deliberately unsound: the fault is the point.
    *reinterpret_cast<volatile int*>(address) = 1;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace nido::cli;
    // The same binary, linked statically, is PID 1 of `nido hv run`'s guest.
    if (nido::hv::isGuestInit(argv[0])) nido::hv::guestInitMain();
    // A `nido pack --exe` executable runs its package and nothing else.
    if (auto status = runAttachedPackage(argc, argv)) return *status;
    Args args(argv + 1, argv + argc);
    if (args.empty()) {
        cmdHelp({});
        return 2;
    }
    std::string cmd = args.front();
    Args rest(args.begin() + 1, args.end());
    if (cmd == "run") {
        faultIfTesting();
        return cmdRun(rest);
    }
    if (cmd == "build") return cmdBuild(rest);
    if (cmd == "pack") return cmdPack(rest);
    if (cmd == "check") return cmdCheck(rest);
    if (cmd == "disasm") return cmdDisasm(rest);
    if (cmd == "hv") return cmdHv(rest);
    if (cmd == "sandbox") return cmdSandbox(rest);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") return cmdHelp(rest);
    if (cmd == "version" || cmd == "--version") {
        if (!rest.empty()) return fail(fmt::format("{} takes no arguments, got '{}'", cmd, rest.front()));
        fmt::print("nido {}\n", NIDO_VERSION);
        return 0;
    }
    return fail(fmt::format("unknown command '{}' (see 'nido help')", cmd));
}

namespace nido::cli {

int fail(const std::string& message) {
    fmt::print(stderr, "nido: {}\n", message);
    return 2;
}

}  // namespace nido::cli
