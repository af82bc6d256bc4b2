// `nido run [flags] FILE [args...]`: compile or load, verify, run.
#include <fmt/core.h>

#include <charconv>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/runtime.hpp"

namespace nido::cli {

namespace {

// The smallest frame limit accepted: below it even the prelude's error
// construction could not run.
constexpr uint32_t kMinFrames = 100;
constexpr uint32_t kMaxFrames = 10'000'000;

bool parseFrames(std::string_view text, uint32_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() && out >= kMinFrames && out <= kMaxFrames;
}

}  // namespace

int cmdRun(const Args& args) {
    vm::RunOptions opts;
    size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); i++) {
        const std::string& a = args[i];
        if (a == "--trace") {
            opts.trace = true;
        } else if (a.starts_with("--max-frames=")) {
            if (!parseFrames(std::string_view(a).substr(13), opts.maxFrames))
                return fail(
                    fmt::format("bad value in '{}': expected a number from {} to {}", a, kMinFrames, kMaxFrames));
        } else {
            return fail(fmt::format("unknown flag '{}' (see 'nido help run')", a));
        }
    }
    if (i == args.size()) return fail("run needs a file (see 'nido help run')");
    const std::string& path = args[i];
    auto program = loadProgram(path);
    if (!program) return 2;
    Args programArgs(args.begin() + i + 1, args.end());
    return vm::runProgram(*program, programArgs, opts);
}

}  // namespace nido::cli
