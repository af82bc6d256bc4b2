#include "cli/run_flags.hpp"

#include <fmt/core.h>

#include <utility>

#include "cli/flag_values.hpp"
#include "vm/isolation.hpp"
#include "vm/limit_options.hpp"
#include "vm/option_values.hpp"

namespace nido::cli {

namespace {

// The smallest frame limit accepted: below it even the prelude's error
// construction could not run.
constexpr uint32_t kMinFrames = 100;
constexpr uint32_t kMaxFrames = 10'000'000;

// --allow-KIND grants everything of that kind; --allow-KIND=A,B grants A and B.
bool parseGrant(std::string_view flag, std::string_view kind, bool& all, std::vector<std::string>& list,
                std::string& error) {
    std::string prefix = fmt::format("--allow-{}", kind);
    if (flag == prefix) {
        all = true;
        return true;
    }
    auto items = vm::parseList(flag.substr(prefix.size() + 1));
    if (!items) {
        error = fmt::format("bad value in '{}': expected a comma-separated list", flag);
        return false;
    }
    list.insert(list.end(), items->begin(), items->end());
    return true;
}

FlagParse bad(std::string& error, std::string message) {
    error = std::move(message);
    return FlagParse::Bad;
}

// "--KEY=VALUE" as KEY and VALUE; KEY empty when arg has no '='.
std::pair<std::string_view, std::string_view> keyAndValue(std::string_view arg) {
    size_t eq = arg.find('=');
    if (!arg.starts_with("--") || eq == std::string_view::npos) return {};
    return {arg.substr(2, eq - 2), arg.substr(eq + 1)};
}

}  // namespace

FlagParse parseRunFlag(std::string_view a, vm::RunOptions& opts, std::string& error) {
    vm::Permissions& perms = opts.permissions;
    if (a == "--trace") {
        opts.trace = true;
    } else if (a == "--stats") {
        opts.stats = true;
    } else if (a.starts_with("--jit=")) {
        std::string_view mode = a.substr(6);
        if (mode == "off") {
            opts.jit = vm::JitMode::Off;
        } else if (mode == "on") {
            opts.jit = vm::JitMode::On;
        } else if (mode == "eager") {
            opts.jit = vm::JitMode::Eager;
        } else {
            return bad(error, fmt::format("bad value in '{}': expected off, on or eager", a));
        }
    } else if (a.starts_with("--max-frames=")) {
        auto n = vm::parseNumber(a.substr(13));
        if (!n || *n < kMinFrames || *n > kMaxFrames)
            return bad(error,
                       fmt::format("bad value in '{}': expected a number from {} to {}", a, kMinFrames, kMaxFrames));
        opts.maxFrames = uint32_t(*n);
    } else if (auto [key, value] = keyAndValue(a); vm::isLimitOption(key)) {
        std::string expected;
        if (!vm::parseLimitOption(key, value, opts, expected))
            return bad(error, fmt::format("bad value in '{}': expected {}", a, expected));
    } else if (a.starts_with("--audit=")) {
        std::string_view path = a.substr(8);
        if (path.empty() || path.find('\0') != std::string_view::npos)
            return bad(error, fmt::format("bad value in '{}': expected a file name", a));
        opts.auditPath = std::string(path);
    } else if (a == "--learn") {
        opts.learn = true;
    } else if (a.starts_with("--isolate=")) {
        if (!vm::parseIsolate(a.substr(10), opts.isolation))
            return bad(error, fmt::format("bad value in '{}': expected merged, writecopy or full, "
                                          "or MODE:PATH,...",
                                          a));
    } else if (a.starts_with("--isolate-app=")) {
        opts.isolation.appName = a.substr(14);
        if (!vm::validAppName(opts.isolation.appName))
            return bad(error, fmt::format("bad value in '{}': expected a name without '/', not '.' or '..'", a));
    } else if (a.starts_with("--isolate-dir=")) {
        opts.isolation.sandboxDir = a.substr(14);
        if (opts.isolation.sandboxDir.empty())
            return bad(error, fmt::format("bad value in '{}': expected a folder", a));
    } else if (a == "--allow-all" || a == "-A") {
        perms.readAll = perms.writeAll = perms.envAll = true;
    } else if (hasFlag(a, "--allow-read")) {
        if (!parseGrant(a, "read", perms.readAll, perms.readPaths, error)) return FlagParse::Bad;
    } else if (hasFlag(a, "--allow-write")) {
        if (!parseGrant(a, "write", perms.writeAll, perms.writePaths, error)) return FlagParse::Bad;
    } else if (hasFlag(a, "--allow-env")) {
        if (!parseGrant(a, "env", perms.envAll, perms.envNames, error)) return FlagParse::Bad;
    } else {
        return FlagParse::NotARunFlag;
    }
    return FlagParse::Parsed;
}

}  // namespace nido::cli
