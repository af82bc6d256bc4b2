// Limit messages and the --timeout watchdog (see limits.hpp).
#include "vm/limits.hpp"

#include <cmath>

#include <fmt/format.h>

#include "vm/host.hpp"

namespace nido::vm {
namespace {

// How often the watchdog stores the empty budget again during the grace:
// the program thread's own load-decrement-store may have overwritten it.
constexpr std::chrono::milliseconds kRestoreEvery{5};

}  // namespace

std::string describeSize(uint64_t bytes) {
    constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    std::string text = fmt::format("{} bytes", bytes);
    uint64_t scale = 1024;
    for (const char* unit : kUnits) {
        if (bytes == 0 || bytes % scale != 0) break;
        text = fmt::format("{} {}", bytes / scale, unit);
        scale *= 1024;
    }
    return text;
}

std::string describeDuration(double seconds) {
    if (seconds < 1) return fmt::format("{} ms", std::llround(seconds * 1000));
    return fmt::format("{:g} s", seconds);
}

std::string outOfFuelMessage(uint64_t fuel) {
    return fmt::format("nido: out of fuel after {} loop iterations and calls (--fuel)\n", fuel);
}

std::string timeLimitMessage(double seconds) {
    return fmt::format("nido: time limit of {} reached (--timeout)\n", describeDuration(seconds));
}

std::string outputLimitMessage(uint64_t bytes) {
    return fmt::format("nido: output limit of {} reached (--max-output)\n", describeSize(bytes));
}

Watchdog::Watchdog(double seconds, uint64_t& fuel) : seconds_(seconds), fuel_(fuel) {
    if (seconds > 0) thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Watchdog::endRun() {
    if (!reported_.exchange(true)) hostWrite(HostStream::Err, timeLimitMessage(seconds_));
    hostExit(kExitTimeout);
}

void Watchdog::watch() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds_);
    std::unique_lock lock(mutex_);
    if (wake_.wait_until(lock, deadline, [&] { return stopping_; })) return;
    fired_.store(true, std::memory_order_release);
    std::atomic_ref<uint64_t> fuel(fuel_);
    auto giveUp = std::chrono::steady_clock::now() + kTimeoutGrace;
    while (std::chrono::steady_clock::now() < giveUp) {
        fuel.store(1, std::memory_order_relaxed);  // the next back-edge or call spends the last unit
        if (wake_.wait_for(lock, kRestoreEvery, [&] { return stopping_; })) return;
    }
    // The program spent nothing for the whole grace: it is blocked.
    bool first = !reported_.exchange(true);
    hostAbandon(first ? timeLimitMessage(seconds_) : "", kExitTimeout);
}

}  // namespace nido::vm
