// The --stats sampler of Vm::tier (see tier_sampler.hpp).
#include "vm/tier_sampler.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "vm/interpreter.hpp"

namespace nido::vm {
namespace {

constexpr long kSampleNanoseconds = 1'000'000;

// The run being sampled (one at a time) and its counts by Tier. Atomic:
// the signal handler reads and writes them.
std::atomic<const Vm*> gSampled{nullptr};
std::atomic<uint64_t> gSamples[kTierCount];

// SIGPROF handler, on the program thread. A timer signal that came late
// stands for the periods it missed as well (si_overrun).
void onSample(int, siginfo_t* info, void*) {
    const Vm* vm = gSampled.load(std::memory_order_relaxed);
    if (!vm) return;
    uint64_t periods = 1 + uint64_t(info->si_overrun > 0 ? info->si_overrun : 0);
    gSamples[int(vm->tier.load(std::memory_order_relaxed))].fetch_add(periods, std::memory_order_relaxed);
}

// HOST: the handler stays installed for the rest of the process, so that
// a signal still pending when a timer is deleted never takes SIGPROF's
// default action (ending the process).
bool installHandler() {
    static bool installed = [] {
        struct sigaction action {};
        action.sa_sigaction = onSample;
        action.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&action.sa_mask);
        return sigaction(SIGPROF, &action, nullptr) == 0;
    }();
    return installed;
}

}  // namespace

double threadCpuSeconds() {
    // HOST: the thread's CPU clock.
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) + double(now.tv_nsec) * 1e-9;
}

TierSampler::TierSampler(Vm& vm, bool on) : vm_(vm) {
    if (!on || !installHandler()) return;
    // HOST: a timer on this thread's CPU clock that signals this thread.
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = SIGPROF;
    event._sigev_un._tid = gettid();
    if (timer_create(CLOCK_THREAD_CPUTIME_ID, &event, &timer_) != 0) return;
    for (auto& n : gSamples) n = 0;
    gSampled = &vm;
    startCpu_ = threadCpuSeconds();
    itimerspec period{};
    period.it_interval.tv_nsec = kSampleNanoseconds;
    period.it_value.tv_nsec = kSampleNanoseconds;
    armed_ = timer_settime(timer_, 0, &period, nullptr) == 0;
    if (!armed_) {
        gSampled = nullptr;
        timer_delete(timer_);
    }
}

TierSampler::~TierSampler() { stop(); }

void TierSampler::stop() {
    if (!armed_) return;
    armed_ = false;
    timer_delete(timer_);
    gSampled = nullptr;
    JitStats& stats = vm_.jitStats;
    stats.cpuSeconds = threadCpuSeconds() - startCpu_;
    for (int t = 0; t < kTierCount; t++) stats.samples[t] = gSamples[t];
}

}  // namespace nido::vm
