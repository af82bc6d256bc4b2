#include "cli/run_flags.hpp"

#include <fmt/core.h>

#include <optional>

#include "cli/flag_values.hpp"
#include "vm/sandbox_store.hpp"

namespace nido::cli {

namespace {

// The smallest frame limit accepted: below it even the prelude's error
// construction could not run.
constexpr uint32_t kMinFrames = 100;
constexpr uint32_t kMaxFrames = 10'000'000;
// Far beyond any run's length, and small enough that the counter cannot wrap.
constexpr uint64_t kMaxFuel = uint64_t(1) << 62;
// A heap smaller than this cannot hold the runtime's own start-up objects.
constexpr uint64_t kMinHeap = 1 << 20;
// Room for an error message or two: a smaller limit ends nearly any run at once.
constexpr uint64_t kMinOutput = 1 << 10;

// --allow-KIND grants everything of that kind; --allow-KIND=A,B grants A and B.
bool parseGrant(std::string_view flag, std::string_view kind, bool& all, std::vector<std::string>& list,
                std::string& error) {
    std::string prefix = fmt::format("--allow-{}", kind);
    if (flag == prefix) {
        all = true;
        return true;
    }
    auto items = parseList(flag.substr(prefix.size() + 1));
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

std::optional<vm::IsolationMode> parseIsolationMode(std::string_view text) {
    if (text == "merged") return vm::IsolationMode::Merged;
    if (text == "writecopy") return vm::IsolationMode::WriteCopy;
    if (text == "full") return vm::IsolationMode::Full;
    return std::nullopt;
}

// --isolate=MODE sets the mode of every path no rule names;
// --isolate=MODE:PATH,... adds a rule for each path.
FlagParse parseIsolate(std::string_view a, vm::Isolation& iso, std::string& error) {
    std::string_view value = a.substr(std::string_view("--isolate=").size());
    size_t colon = value.find(':');
    auto mode = parseIsolationMode(value.substr(0, colon));
    if (!mode) return bad(error, fmt::format("bad value in '{}': expected merged, writecopy or full", a));
    if (colon == std::string_view::npos) {
        iso.defaultMode = *mode;
        return FlagParse::Parsed;
    }
    auto paths = parseList(value.substr(colon + 1));
    if (!paths) return bad(error, fmt::format("bad value in '{}': expected MODE:PATH,...", a));
    for (std::string& path : *paths) iso.rules.push_back({std::move(path), *mode});
    return FlagParse::Parsed;
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
        auto n = parseNumber(a.substr(13));
        if (!n || *n < kMinFrames || *n > kMaxFrames)
            return bad(error,
                       fmt::format("bad value in '{}': expected a number from {} to {}", a, kMinFrames, kMaxFrames));
        opts.maxFrames = uint32_t(*n);
    } else if (a.starts_with("--fuel=")) {
        auto n = parseNumber(a.substr(7));
        if (!n || *n == 0 || *n > kMaxFuel)
            return bad(error, fmt::format("bad value in '{}': expected a number from 1 to {}", a, kMaxFuel));
        opts.fuel = *n;
    } else if (a.starts_with("--max-heap=")) {
        auto n = parseSize(a.substr(11));
        if (!n || *n < kMinHeap)
            return bad(error, fmt::format("bad value in '{}': expected a size such as 64M (at least 1M)", a));
        opts.maxHeapBytes = *n;
    } else if (a.starts_with("--timeout=")) {
        auto seconds = parseDuration(a.substr(10));
        if (!seconds)
            return bad(error, fmt::format("bad value in '{}': expected a duration such as 10, 2.5s or 500ms "
                                          "(at most a week)",
                                          a));
        opts.timeoutSeconds = *seconds;
    } else if (a.starts_with("--max-output=")) {
        auto n = parseSize(a.substr(13));
        if (!n || *n < kMinOutput)
            return bad(error, fmt::format("bad value in '{}': expected a size such as 64K (at least 1K)", a));
        opts.maxOutputBytes = *n;
    } else if (a.starts_with("--audit=")) {
        std::string_view path = a.substr(8);
        if (path.empty() || path.find('\0') != std::string_view::npos)
            return bad(error, fmt::format("bad value in '{}': expected a file name", a));
        opts.auditPath = std::string(path);
    } else if (a == "--learn") {
        opts.learn = true;
    } else if (a.starts_with("--isolate=")) {
        return parseIsolate(a, opts.isolation, error);
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
