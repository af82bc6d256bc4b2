// The resource limits of a run and how each one ends it (docs/sandbox-limits.md):
// --fuel and --timeout share one budget counter (Vm::fuel), which the
// interpreter and compiled code spend at every loop back-edge and call;
// --max-output is counted by the host layer (host.hpp); --max-heap by the
// collector (gc.hpp). Each ends the run with one line on stderr and an
// exit status of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace nido::vm {

constexpr int kExitOutOfFuel = 3;    // --fuel spent
constexpr int kExitOutputLimit = 4;  // --max-output reached
constexpr int kExitTimeout = 124;    // --timeout reached, as timeout(1) and `nido hv run --timeout`

// "64 KiB", "1 MiB", "1000 bytes": a size as the messages show it.
std::string describeSize(uint64_t bytes);
// "300 ms", "2 s", "2.5 s": a duration as the messages show it.
std::string describeDuration(double seconds);

// The one-line messages, each ending in a newline.
std::string outOfFuelMessage(uint64_t fuel);
std::string timeLimitMessage(double seconds);
std::string outputLimitMessage(uint64_t bytes);

// The --timeout watchdog: a thread that sleeps until the deadline, then
// empties the run's budget counter, so that the program thread ends the
// run at its next back-edge or call (outOfBudget, interpreter.hpp). A
// program stuck where it spends no budget (blocked reading standard input,
// inside one long builtin) is ended by the watchdog itself after
// kTimeoutGrace. No thread starts without a limit. The thread allocates
// nothing from the collected heap, so the collector need not know it.
class Watchdog {
public:
    // How long the program thread has to notice the spent budget.
    static constexpr std::chrono::milliseconds kTimeoutGrace{500};

    // fuel is the counter to empty; it must outlive the watchdog.
    Watchdog(double seconds, uint64_t& fuel);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    bool fired() const { return fired_.load(std::memory_order_acquire); }
    // The program thread found the budget spent after fired(): the
    // message (unless the watchdog already wrote it) and status 124.
    [[noreturn]] void endRun();

private:
    void watch();

    double seconds_;
    uint64_t& fuel_;
    std::atomic<bool> fired_{false};
    std::atomic<bool> reported_{false};  // the message is out (either thread writes it, once)
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    std::thread thread_;
};

}  // namespace nido::vm
