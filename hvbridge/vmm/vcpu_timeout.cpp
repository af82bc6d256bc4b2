// The vCPU kick timer.
#include "vcpu_timeout.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace nido::hv::vmm {

namespace {

// The run structure of the vCPU on this thread, and whether its timer fired.
thread_local kvm_run* tRun = nullptr;
thread_local volatile sig_atomic_t tExpired = 0;
thread_local volatile sig_atomic_t tTicked = 0;

// Which timer sent the signal (sigev_value).
constexpr int kTimeoutTimer = 1;
constexpr int kTickTimer = 2;

int kickSignal() { return SIGRTMIN + 4; }

void onKick(int, siginfo_t* info, void*) {
    if (info->si_value.sival_int == kTickTimer) {
        tTicked = 1;
    } else {
        tExpired = 1;
    }
    if (tRun) tRun->immediate_exit = 1;
}

itimerspec interval(double seconds, bool periodic) {
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(seconds);
    spec.it_value.tv_nsec = static_cast<long>((seconds - static_cast<double>(spec.it_value.tv_sec)) * 1e9);
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    if (periodic) spec.it_interval = spec.it_value;
    return spec;
}

// A timer that signals this thread with `which` in the signal's value; the
// handler is installed once per thread's first timer.
bool createTimer(kvm_run* run, int which, timer_t& timer) {
    tRun = run;
    struct sigaction action {};
    action.sa_sigaction = onKick;  // no SA_RESTART: blocked calls must return EINTR
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(kickSignal(), &action, nullptr) < 0) return false;
    sigevent event{};
    event.sigev_notify = SIGEV_THREAD_ID;
    event.sigev_signo = kickSignal();
    event.sigev_value.sival_int = which;
    event._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
    return timer_create(CLOCK_MONOTONIC, &event, &timer) == 0;
}

}  // namespace

VcpuTimeout::~VcpuTimeout() {
    if (armed_) timer_delete(timer_);
    if (tickArmed_) timer_delete(tick_);
    tRun = nullptr;
}

bool VcpuTimeout::start(kvm_run* run, double seconds) {
    tExpired = 0;
    tTicked = 0;
    tRun = run;
    if (seconds <= 0) return true;
    if (!createTimer(run, kTimeoutTimer, timer_)) return false;
    armed_ = true;
    itimerspec spec = interval(seconds, false);
    return timer_settime(timer_, 0, &spec, nullptr) == 0;
}

bool VcpuTimeout::expired() const { return tExpired != 0; }

bool VcpuTimeout::armTick(double seconds) {
    if (!tickArmed_) {
        if (!createTimer(tRun, kTickTimer, tick_)) return false;
        tickArmed_ = true;
    }
    itimerspec spec = interval(seconds, false);
    return timer_settime(tick_, 0, &spec, nullptr) == 0;
}

void VcpuTimeout::disarmTick() {
    if (!tickArmed_) return;
    itimerspec off{};
    timer_settime(tick_, 0, &off, nullptr);
}

bool VcpuTimeout::takeTick() {
    if (!tTicked) return false;
    // With the signal blocked the handler cannot run between the two
    // stores, so a timeout's kick is never cleared by mistake.
    sigset_t kick, previous;
    sigemptyset(&kick);
    sigaddset(&kick, kickSignal());
    pthread_sigmask(SIG_BLOCK, &kick, &previous);
    tTicked = 0;
    if (tRun && !tExpired) tRun->immediate_exit = 0;
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return true;
}

}  // namespace nido::hv::vmm
