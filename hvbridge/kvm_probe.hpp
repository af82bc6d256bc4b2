// What /dev/kvm offers here, and how fast: `nido hv check` asks, and
// `hv run --accel=auto` uses the answer.
//
// The speed probe boots a one-page guest through the KVM API: a few bytes of
// real-mode code count a loop down and halt. Real mode runs at the guest's
// kernel privilege, where a Linux guest spends its boot: with VT-x or AMD-V
// it runs on the CPU at full speed; under a software hypervisor that lacks
// them (a nested set-up such as PVM) it is emulated, thousands of times
// slower. The run is timed and classified; it takes under ~50 ms.
#pragma once

#include <string>

namespace nido::hv {

enum class KvmSpeed { Fast, Slow, Unusable };

struct KvmReport {
    bool present = false;     // /dev/kvm exists
    std::string node;         // e.g. "crw-rw---- root:kvm"
    bool accessible = false;  // opened read-write
    std::string problem;      // why KVM cannot be used, when it cannot
    int apiVersion = -1;      // KVM_GET_API_VERSION, 12 on every kernel since 2.6.22
    KvmSpeed speed = KvmSpeed::Unusable;
    double instructionsPerSecond = 0;  // of the probe's guest code
    double probeMs = 0;                // the whole probe, VM creation included
};

KvmReport probeKvm();

const char* kvmSpeedName(KvmSpeed s);

}  // namespace nido::hv
