// The accelerator decision (accelerator.hpp).
#include "hvbridge/accelerator.hpp"

#include <fmt/format.h>

namespace nido::hv {

AccelChoice chooseAccel(AccelRequest request, const KvmReport* probe) {
    AccelChoice c;
    if (request == AccelRequest::Tcg || !probe) {
        c.reason = "asked for with --accel=tcg";
        return c;
    }
    const KvmReport& k = *probe;
    bool usable = k.accessible && k.speed != KvmSpeed::Unusable;
    if (request == AccelRequest::Kvm) {
        if (!usable) {
            c.ok = false;
            c.reason = fmt::format("--accel=kvm cannot work: {}", k.problem);
            return c;
        }
        c.accel = Accel::Kvm;
        c.reason = k.speed == KvmSpeed::Fast ? "asked for with --accel=kvm"
                                             : "asked for with --accel=kvm, though guest kernel code is emulated "
                                               "here (expect minutes to boot)";
        return c;
    }
    if (k.speed == KvmSpeed::Fast) {
        c.accel = Accel::Kvm;
        c.reason = "KVM runs guest kernel code on the CPU (hardware-assisted)";
    } else if (k.speed == KvmSpeed::Slow) {
        c.reason = fmt::format(
            "KVM is here but emulates guest kernel code ({:.1f} M instructions/s: nested or software "
            "virtualisation), slower than TCG for booting Linux",
            k.instructionsPerSecond / 1e6);
    } else {
        c.reason = fmt::format("KVM cannot be used: {}", k.problem);
    }
    return c;
}

}  // namespace nido::hv
