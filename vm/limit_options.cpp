#include "vm/limit_options.hpp"

#include <fmt/format.h>

#include "vm/option_values.hpp"

namespace nido::vm {

namespace {

// Far beyond any run's length, and small enough that the counter cannot wrap.
constexpr uint64_t kMaxFuel = uint64_t(1) << 62;
// A heap smaller than this cannot hold the runtime's own start-up objects.
constexpr uint64_t kMinHeap = 1 << 20;
// Room for an error message or two: a smaller limit ends nearly any run at once.
constexpr uint64_t kMinOutput = 1 << 10;

}  // namespace

bool isLimitOption(std::string_view key) {
    return key == "fuel" || key == "timeout" || key == "max-output" || key == "max-heap";
}

bool parseLimitOption(std::string_view key, std::string_view value, RunOptions& opts, std::string& expected) {
    auto refuse = [&](std::string what) {
        expected = std::move(what);
        return false;
    };
    if (key == "fuel") {
        auto n = parseNumber(value);
        if (!n || *n == 0 || *n > kMaxFuel) return refuse(fmt::format("a number from 1 to {}", kMaxFuel));
        opts.fuel = *n;
    } else if (key == "timeout") {
        auto seconds = parseDuration(value);
        if (!seconds) return refuse("a duration such as 10, 2.5s or 500ms (at most a week)");
        opts.timeoutSeconds = *seconds;
    } else if (key == "max-output") {
        auto n = parseSize(value);
        if (!n || *n < kMinOutput) return refuse("a size such as 64K (at least 1K)");
        opts.maxOutputBytes = *n;
    } else if (key == "max-heap") {
        auto n = parseSize(value);
        if (!n || *n < kMinHeap) return refuse("a size such as 64M (at least 1M)");
        opts.maxHeapBytes = *n;
    } else {
        return refuse("fuel, timeout, max-output or max-heap");
    }
    return true;
}

}  // namespace nido::vm
