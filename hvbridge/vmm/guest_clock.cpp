// TSC calibration for guest clocks.
#include "guest_clock.hpp"

#include <sys/ioctl.h>
#include <x86intrin.h>

#include <cstring>
#include <ctime>

#include "guest_layout.hpp"

namespace nido::hv::vmm {

namespace {

uint64_t nanoseconds(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// kvm_msrs with room for one entry, in C's layout (see cpu_state.cpp for why
// not <linux/kvm.h>'s struct).
struct OneMsr {
    uint32_t nmsrs, pad;
    kvm_msr_entry entry;
};
constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, uint64_t);
constexpr uint32_t kMsrTsc = 0x10;

bool guestTsc(KvmVm& vm, uint64_t& tsc) {
    OneMsr msr{};
    msr.nmsrs = 1;
    msr.entry.index = kMsrTsc;
    // SAFETY: msr holds the one entry it declares; the kernel fills its data.
    if (ioctl(vm.vcpuFd(), kGetMsrs, &msr) != 1) return false;
    tsc = msr.entry.data;
    return true;
}

}  // namespace

void calibrateGuestClock(KvmVm& vm, GuestMemory& memory, bool guestSeesHostTsc) {
    // SAFETY: KVM_GET_TSC_KHZ takes no pointer and returns the frequency.
    int khz = ioctl(vm.vcpuFd(), KVM_GET_TSC_KHZ, 0);
    if (khz <= 0) return;
    uint64_t before = nanoseconds(CLOCK_MONOTONIC);
    uint64_t tsc = __rdtsc();
    if (!guestSeesHostTsc && !guestTsc(vm, tsc)) return;
    uint64_t after = nanoseconds(CLOCK_MONOTONIC);
    uint64_t monotonic = before + (after - before) / 2;
    uint64_t realtime = nanoseconds(CLOCK_REALTIME) - (nanoseconds(CLOCK_MONOTONIC) - monotonic);
    uint64_t boottime = nanoseconds(CLOCK_BOOTTIME) - (nanoseconds(CLOCK_MONOTONIC) - monotonic);
    memory.setSharedWord(NIDO_VMM_SHARED_TSC_BASE, tsc);
    memory.setSharedWord(NIDO_VMM_SHARED_MONOTONIC, monotonic);
    memory.setSharedWord(NIDO_VMM_SHARED_REALTIME, realtime);
    memory.setSharedWord(NIDO_VMM_SHARED_BOOTTIME, boottime);
    // ns per tick as a 32.32 fixed-point number: 10^6 / kHz.
    memory.setSharedWord(NIDO_VMM_SHARED_TSC_MULT, (1000000ull << 32) / static_cast<uint64_t>(khz));
}

}  // namespace nido::hv::vmm
