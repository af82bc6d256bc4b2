// The `nido` command: picks a subcommand and hands it the remaining
// arguments. Subcommands and flags only; the work is done in vm/ and
// compiler/ (ARCHITECTURE.md, cli/).
#include <fmt/core.h>

#include <string>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
    using namespace nido::cli;
    Args args(argv + 1, argv + argc);
    if (args.empty()) {
        cmdHelp({});
        return 2;
    }
    std::string cmd = args.front();
    Args rest(args.begin() + 1, args.end());
    if (cmd == "run") return cmdRun(rest);
    if (cmd == "build") return cmdBuild(rest);
    if (cmd == "check") return cmdCheck(rest);
    if (cmd == "disasm") return cmdDisasm(rest);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") return cmdHelp(rest);
    if (cmd == "version" || cmd == "--version") {
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
