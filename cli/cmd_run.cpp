// `nido run [flags] FILE [args...]`: compile or load, verify, run; or run a
// package under its manifest.
#include <fmt/core.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "cli/run_flags.hpp"
#include "vm/code_cache.hpp"
#include "vm/package_load.hpp"
#include "vm/runtime.hpp"

namespace nido::cli {

int cmdRun(const Args& args) {
    vm::RunOptions opts;
    opts.endsProcess = true;
    opts.jitCache = vm::defaultCodeCacheFolder();
    std::string error;
    size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); i++) {
        switch (parseRunFlag(args[i], opts, error)) {
        case FlagParse::Parsed: break;
        case FlagParse::Bad: return fail(error);
        case FlagParse::NotARunFlag: return fail(fmt::format("unknown flag '{}' (see 'nido help run')", args[i]));
        }
    }
    if (i == args.size()) return fail("run needs a file (see 'nido help run')");
    const std::string& path = args[i];
    Args programArgs(args.begin() + i + 1, args.end());
    if (vm::isPackageFile(path)) {
        std::vector<uint8_t> bytes;
        if (!vm::readBoundedFile(path, bytes, error)) return fail(error);
        return runPackage(path, bytes, opts, programArgs);
    }
    // The sandbox folder is named after the program unless a flag names it.
    if (opts.isolation.appName.empty()) opts.isolation.appName = std::filesystem::path(path).stem().string();
    auto program = loadProgram(path);
    if (!program) return 2;
    return vm::runProgram(*program, programArgs, opts);
}

}  // namespace nido::cli
