// Long-mode CPU state for a guest with no kernel.
#include "cpu_state.hpp"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "cpuid_model.hpp"
#include "guest_layout.hpp"

// The system-call entry page (syscall_entry.S).
extern "C" const uint8_t nido_vmm_entry_start[], nido_vmm_entry_end[];

namespace nido::hv::vmm {

namespace {

using namespace layout;

constexpr uint64_t kCr0 = 0x80050033;                      // PG | WP | NE | ET | MP | PE
constexpr uint64_t kCr4 = 0x20 | 0x200 | 0x400 | 0x40000;  // PAE | OSFXSR | OSXMMEXCPT | OSXSAVE
constexpr uint64_t kEfer = 0x1 | 0x100 | 0x400;            // SCE | LME | LMA
constexpr uint64_t kXcr0 = 7;                              // x87 | SSE | AVX: glibc's AVX code needs it (NOTES.md)

constexpr uint32_t kMsrStar = 0xC0000081, kMsrLstar = 0xC0000082, kMsrCstar = 0xC0000083, kMsrSfmask = 0xC0000084;
constexpr uint32_t kMsrFsBase = 0xC0000100, kMsrGsBase = 0xC0000101, kMsrKernelGsBase = 0xC0000102;
constexpr uint32_t kMsrPat = 0x277, kMsrMtrrDefType = 0x2ff;
constexpr uint64_t kPatDefault = 0x0007040600070406;  // entry 0: write-back
// MTRRs on, default type write-back. At reset the default type is uncachable,
// and PVM honours it: guest code then ran 8-10x slower than native.
constexpr uint64_t kMtrrWriteBack = (1u << 11) | 6;
constexpr uint64_t kSyscallFlagMask = 0x47700;  // TF | DF | IF | IOPL | NT | AC, as Linux

// kvm_msrs, like kvm_cpuid2, ends in a flexible array that <linux/kvm.h>
// wraps in an empty struct (cpuid_model.hpp says why that is wrong in C++):
// the C layout, spelt out, with the ioctl numbers for an 8-byte header.
constexpr uint32_t kMsrCount = 9;
struct MsrTable {
    uint32_t nmsrs, pad;
    kvm_msr_entry entries[kMsrCount];
};
constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, uint64_t);
constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, uint64_t);

constexpr uint64_t kFaultCommonOffset = 32 * 16;
constexpr uint64_t kTssIoBitmapOffset = 104;
constexpr uint64_t kTssLimit = kTssIoBitmapOffset + 8192;  // bitmap plus its trailing 0xff byte, minus one

bool hasErrorCode(int vector) {
    return vector == 8 || vector == 10 || vector == 11 || vector == 12 || vector == 13 || vector == 14 ||
           vector == 17 || vector == 21 || vector == 29 || vector == 30;
}

void writeGdt(GuestMemory& memory) {
    // SAFETY: the GDT page is inside RAM and 8-byte aligned.
    auto* gdt = reinterpret_cast<uint64_t*>(memory.raw(kGdt, kPageSize));
    gdt[kKernelCode >> 3] = 0x00af9a000000ffff;
    gdt[kKernelData >> 3] = 0x00cf92000000ffff;
    gdt[kUserCode32 >> 3] = 0x00cffa000000ffff;
    gdt[kUserData >> 3] = 0x00cff2000000ffff;
    gdt[kUserCode >> 3] = 0x00affa000000ffff;
    uint64_t base = kTss, limit = kTssLimit;
    gdt[kTssSelector >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x8bull << 40) |
                             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[(kTssSelector >> 3) + 1] = base >> 32;
}

void writeTss(GuestMemory& memory) {
    uint8_t* tss = memory.raw(kTss, kTssPages * kPageSize);
    uint64_t stackTop = kIstStackTop;
    std::memcpy(tss + 4, &stackTop, 8);   // RSP0
    std::memcpy(tss + 36, &stackTop, 8);  // IST1
    uint16_t ioBase = kTssIoBitmapOffset;
    std::memcpy(tss + 102, &ioBase, 2);
    uint8_t* bitmap = tss + kTssIoBitmapOffset;
    std::memset(bitmap, 0xff, 8192 + 1);
    bitmap[kSyscallPort / 8] &= static_cast<uint8_t>(~(1u << (kSyscallPort % 8)));
}

// Each vector's stub pushes an error code (unless the CPU did) and the vector,
// then the common tail exits through the fault port and returns with iretq.
void writeIdtAndStubs(GuestMemory& memory) {
    uint8_t* stubs = memory.raw(kFaultStubs, kPageSize);
    // SAFETY: the IDT page is inside RAM and 8-byte aligned.
    auto* idt = reinterpret_cast<uint64_t*>(memory.raw(kIdt, kPageSize));
    for (int v = 0; v < 32; ++v) {
        uint8_t* s = stubs + v * 16;
        size_t n = 0;
        if (!hasErrorCode(v)) s[n++] = 0x6a, s[n++] = 0;  // push 0
        s[n++] = 0x6a, s[n++] = static_cast<uint8_t>(v);  // push v
        int32_t rel = static_cast<int32_t>(kFaultCommonOffset - (v * 16 + n + 5));
        s[n++] = 0xe9;  // jmp common
        std::memcpy(s + n, &rel, 4);
        uint64_t target = kFaultStubs + v * 16;
        idt[v * 2] = (target & 0xffff) | (uint64_t{kKernelCode} << 16) | (1ull << 32) /* IST1 */ |
                     (0x8eull << 40) /* present, DPL0, interrupt gate */ | (((target >> 16) & 0xffff) << 48);
        idt[v * 2 + 1] = target >> 32;
    }
    const uint8_t common[] = {0xe6, kFaultPort,              // out kFaultPort, al
                              0x48, 0x83,       0xc4, 0x10,  // add rsp, 16
                              0x48, 0xcf};                   // iretq
    std::memcpy(stubs + kFaultCommonOffset, common, sizeof common);
}

kvm_segment userSegment(uint16_t selector, bool code) {
    kvm_segment s{};
    s.base = 0;
    s.limit = 0xffffffff;
    s.selector = selector;
    s.type = code ? 11 : 3;
    s.present = 1;
    s.dpl = 3;
    s.db = code ? 0 : 1;
    s.s = 1;
    s.l = code ? 1 : 0;
    s.g = 1;
    return s;
}

bool setCpuid(KvmVm& vm, SupportedCpuid& cpuid, std::string& error) {
    const CpuidTable* table = cpuid.guestTable(error);
    if (!table) return false;
    // SAFETY: a complete table holding nent valid entries, which the kernel only reads.
    if (ioctl(vm.vcpuFd(), kSetCpuid2, table) < 0)
        return error = std::string("KVM_SET_CPUID2: ") + strerror(errno), false;
    return true;
}

bool setMsrs(KvmVm& vm, std::string& error) {
    const std::pair<uint32_t, uint64_t> values[kMsrCount] = {
        {kMsrStar, (uint64_t{kUserCode32} << 48) | (uint64_t{kKernelCode} << 32)},
        {kMsrLstar, kSyscallEntry},
        {kMsrCstar, kSyscallEntry},
        {kMsrSfmask, kSyscallFlagMask},
        {kMsrFsBase, 0},
        {kMsrGsBase, 0},
        {kMsrKernelGsBase, 0},
        {kMsrPat, kPatDefault},
        {kMsrMtrrDefType, kMtrrWriteBack},
    };
    MsrTable msrs{};
    msrs.nmsrs = kMsrCount;
    for (uint32_t i = 0; i < kMsrCount; ++i)
        msrs.entries[i].index = values[i].first, msrs.entries[i].data = values[i].second;
    // SAFETY: msrs holds the nmsrs entries it declares; the result is the count set.
    if (ioctl(vm.vcpuFd(), kSetMsrs, &msrs) != static_cast<int>(kMsrCount))
        return error = "KVM_SET_MSRS: the syscall MSRs were refused", false;
    return true;
}

void writeEntryPage(GuestMemory& memory) {
    uint8_t* page = memory.raw(kSyscallEntry, kPageSize);
    std::memset(page, 0xcc, kPageSize);  // int3 around the code
    std::memcpy(page, nido_vmm_entry_start, static_cast<size_t>(nido_vmm_entry_end - nido_vmm_entry_start));
}

}  // namespace

uint64_t syscallReturnStub() { return kSyscallEntry + NIDO_VMM_SLOW_PATH_OFFSET + 2; }

uint64_t faultStubResume() { return kFaultStubs + kFaultCommonOffset + 2; }

void setUserSegments(kvm_sregs& sregs) {
    sregs.cs = userSegment(kUserCode, true);
    sregs.ss = userSegment(kUserData, false);
}

bool setUpCpu(KvmVm& vm, GuestMemory& memory, SupportedCpuid& cpuid, uint64_t entry, uint64_t stackPointer,
              std::string& error) {
    memory.buildPageTables(memory.size() - kStackBytes - kStackGuard);
    writeGdt(memory);
    writeTss(memory);
    writeIdtAndStubs(memory);
    writeEntryPage(memory);

    if (!setCpuid(vm, cpuid, error)) return false;

    kvm_sregs sregs{};
    if (!vm.getSregs(sregs)) return error = std::string("KVM_GET_SREGS: ") + strerror(errno), false;
    sregs.cr0 = kCr0;
    sregs.cr3 = kPml4;
    sregs.cr4 = kCr4;
    sregs.efer = kEfer;
    sregs.ds = sregs.es = sregs.fs = sregs.gs = userSegment(kUserData, false);
    setUserSegments(sregs);
    sregs.gdt.base = kGdt;
    sregs.gdt.limit = 0xffff & (kPageSize - 1);
    sregs.idt.base = kIdt;
    sregs.idt.limit = 32 * 16 - 1;
    sregs.tr = kvm_segment{};
    sregs.tr.base = kTss;
    sregs.tr.limit = kTssLimit;
    sregs.tr.selector = kTssSelector;
    sregs.tr.type = 11;  // busy 64-bit TSS
    sregs.tr.present = 1;
    sregs.ldt = kvm_segment{};
    sregs.ldt.unusable = 1;
    if (!vm.setSregs(sregs)) return error = std::string("KVM_SET_SREGS: ") + strerror(errno), false;

    kvm_xcrs xcrs{};
    xcrs.nr_xcrs = 1;
    xcrs.xcrs[0].xcr = 0;
    xcrs.xcrs[0].value = kXcr0;
    // SAFETY: xcrs is a complete kvm_xcrs naming one register.
    if (ioctl(vm.vcpuFd(), KVM_SET_XCRS, &xcrs) < 0)
        return error = std::string("KVM_SET_XCRS: ") + strerror(errno), false;

    if (!setMsrs(vm, error)) return false;

    kvm_regs& regs = vm.regs();
    regs = kvm_regs{};
    regs.rip = entry;
    regs.rsp = stackPointer;
    regs.rflags = 0x2;
    vm.markRegsDirty();
    return true;
}

}  // namespace nido::hv::vmm
