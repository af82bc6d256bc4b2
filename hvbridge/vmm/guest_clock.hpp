// The calibration behind the entry page's clock_gettime fast path: the VMM
// pairs one reading of the guest's TSC with the host clocks and gives the
// tick length; the guest then tells the time with no exit. On PVM the guest
// reads the host's TSC unchanged (RDTSC at CPL3 is neither trapped nor
// offset: NOTES.md, and checked here); stock KVM offsets it, so there the
// guest's value comes from its IA32_TSC MSR.
#pragma once

#include "guest_memory.hpp"
#include "kvm_vm.hpp"

namespace nido::hv::vmm {

// Fills the clock fields of the shared page; leaves the fast path off (every
// clock_gettime exits) when KVM does not report the guest's TSC frequency or
// its TSC cannot be read.
void calibrateGuestClock(KvmVm& vm, GuestMemory& memory, bool guestSeesHostTsc);

}  // namespace nido::hv::vmm
