// `nido run [flags] FILE [args...]`: compile or load, verify, run.
#include <fmt/core.h>

#include <charconv>
#include <optional>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/runtime.hpp"

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

std::optional<uint64_t> parseNumber(std::string_view text) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
}

// "64M", "512K", "2G" or plain bytes.
std::optional<uint64_t> parseSize(std::string_view text) {
    uint64_t scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 'K':
        case 'k': scale = 1ull << 10; break;
        case 'M':
        case 'm': scale = 1ull << 20; break;
        case 'G':
        case 'g': scale = 1ull << 30; break;
        default: break;
        }
        if (scale != 1) text.remove_suffix(1);
    }
    auto n = parseNumber(text);
    if (!n || *n > (1ull << 44) / scale) return std::nullopt;
    return *n * scale;
}

// "a,b,c" into its entries; an empty entry is an error.
std::optional<std::vector<std::string>> parseList(std::string_view text) {
    std::vector<std::string> out;
    while (true) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        if (item.empty()) return std::nullopt;
        out.emplace_back(item);
        if (comma == std::string_view::npos) return out;
        text.remove_prefix(comma + 1);
    }
}

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

bool hasFlag(std::string_view arg, std::string_view name) {
    return arg == name || (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
}

}  // namespace

int cmdRun(const Args& args) {
    vm::RunOptions opts;
    opts.endsProcess = true;
    vm::Permissions& perms = opts.permissions;
    std::string error;
    size_t i = 0;
    for (; i < args.size() && args[i].starts_with("-"); i++) {
        std::string_view a = args[i];
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
                return fail(fmt::format("bad value in '{}': expected off, on or eager", a));
            }
        } else if (a.starts_with("--max-frames=")) {
            auto n = parseNumber(a.substr(13));
            if (!n || *n < kMinFrames || *n > kMaxFrames)
                return fail(
                    fmt::format("bad value in '{}': expected a number from {} to {}", a, kMinFrames, kMaxFrames));
            opts.maxFrames = uint32_t(*n);
        } else if (a.starts_with("--fuel=")) {
            auto n = parseNumber(a.substr(7));
            if (!n || *n == 0 || *n > kMaxFuel)
                return fail(fmt::format("bad value in '{}': expected a number from 1 to {}", a, kMaxFuel));
            opts.fuel = *n;
        } else if (a.starts_with("--max-heap=")) {
            auto n = parseSize(a.substr(11));
            if (!n || *n < kMinHeap)
                return fail(fmt::format("bad value in '{}': expected a size such as 64M (at least 1M)", a));
            opts.maxHeapBytes = *n;
        } else if (a == "--allow-all" || a == "-A") {
            perms.readAll = perms.writeAll = perms.envAll = true;
        } else if (hasFlag(a, "--allow-read")) {
            if (!parseGrant(a, "read", perms.readAll, perms.readPaths, error)) return fail(error);
        } else if (hasFlag(a, "--allow-write")) {
            if (!parseGrant(a, "write", perms.writeAll, perms.writePaths, error)) return fail(error);
        } else if (hasFlag(a, "--allow-env")) {
            if (!parseGrant(a, "env", perms.envAll, perms.envNames, error)) return fail(error);
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
