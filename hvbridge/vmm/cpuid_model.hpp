// The guest's CPUID: the table KVM supports, reshaped so that a static glibc
// program learns the same features and cache sizes from fewer `cpuid`
// instructions. On PVM each `cpuid` in the guest is a trip through KVM of
// ~35 us, and glibc's start-up asks ~70 questions (2.3 ms of a 3 ms first
// entry for a static C hello), most of them walking leaf 4 once per cache
// property.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

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

// kvm_cpuid2 ends in a flexible array that <linux/kvm.h> wraps in an empty
// struct, which C++ sizes as one byte: in C++ its entries sit at the wrong
// offset and the ioctl numbers encode the wrong size (EINVAL). So this is the
// C layout, spelt out, with room for KVM's maximum.
constexpr uint32_t kMaxCpuidEntries = 256;  // KVM_MAX_CPUID_ENTRIES
struct CpuidTable {
    uint32_t nent, padding;
    kvm_cpuid_entry2 entries[kMaxCpuidEntries];
};

// KVM_GET_SUPPORTED_CPUID, asked on a thread of its own from construction
// while the VM is built: it needs only /dev/kvm and takes ~0.65 ms here (the
// nested host runs each `cpuid` slowly); the VM's set-up fell by ~0.7 ms.
class SupportedCpuid {
public:
    SupportedCpuid();
    ~SupportedCpuid();
    SupportedCpuid(const SupportedCpuid&) = delete;
    SupportedCpuid& operator=(const SupportedCpuid&) = delete;

    // Waits for the answer; the table shaped for the guest, or null with
    // `error` set.
    const CpuidTable* guestTable(std::string& error);

private:
    void query();

    std::unique_ptr<CpuidTable> table_ = std::make_unique<CpuidTable>();
    std::string error_;
    std::thread thread_;
};

}  // namespace nido::hv::vmm
