// --timeout for the micro-VM: a POSIX timer that signals the vCPU thread;
// and a periodic tick on the same signal that lets the VMM look at the
// guest's output ring during long stretches without any exit.
// The signal makes KVM_RUN (or a blocking host read done for the guest)
// return EINTR; its handler also sets kvm_run.immediate_exit, so a signal
// that lands just before KVM_RUN is not lost.
#pragma once

#include <linux/kvm.h>
#include <time.h>

namespace nido::hv::vmm {

class VcpuTimeout {
public:
    VcpuTimeout() = default;
    VcpuTimeout(const VcpuTimeout&) = delete;
    VcpuTimeout& operator=(const VcpuTimeout&) = delete;
    ~VcpuTimeout();

    // Arms the timer for the calling thread; seconds <= 0 arms nothing.
    bool start(kvm_run* run, double seconds);
    bool expired() const;
    // The paravirtual ring's flush tick: kicks the vCPU out once `seconds`
    // pass. Armed just before KVM_RUN and disarmed just after, so it never
    // interrupts a blocking host call made for the guest (a read, a sleep).
    // Call after start().
    bool armTick(double seconds);
    void disarmTick();
    // Whether a tick kicked the vCPU since the last call; clears
    // immediate_exit so that the next KVM_RUN enters the guest again.
    bool takeTick();

private:
    timer_t timer_{}, tick_{};
    bool armed_ = false, tickArmed_ = false;
};

}  // namespace nido::hv::vmm
