// The guest's CPUID: the table KVM supports, reshaped so that a static glibc
// program learns the same features and cache sizes from fewer `cpuid`
// instructions. On PVM each `cpuid` in the guest is a trip through KVM of
// ~35 us, and glibc's start-up asks ~70 questions (2.3 ms of a 3 ms first
// entry for a static C hello), most of them walking leaf 4 once per cache
// property.
#pragma once

#include <linux/kvm.h>

#include <cstdint>

namespace nido::hv::vmm {

// Rewrites `entries` in place:
// - leaf 2 lists one legacy descriptor per cache (the largest that does not
//   exceed the size leaf 4 reports) instead of 0xff, "see leaf 4", so that
//   glibc's cacheinfo reads each of its 12 properties from one `cpuid`
//   instead of walking leaf 4 for it; leaf 4 itself is kept;
// - the highest basic leaf is 0xc: the guest has no kernel to use leaf 0xd's
//   XSAVE layout (XCR0 enables only x87, SSE and AVX, whose layout is fixed;
//   glibc sizes its lazy-binding save area from it, which a static program
//   never uses), nor the trace, SGX and later leaves; glibc reads 0xd seven
//   times at start-up.
// Measured on a static C hello: the first KVM_RUN (to its first system call)
// fell from 2.85 to 1.6 ms with the descriptors and to 1.23 ms with the cap.
void shapeGuestCpuid(kvm_cpuid_entry2* entries, uint32_t count);

}  // namespace nido::hv::vmm
