// The system-call entry: dispatch to the groups, -ENOSYS for the rest, and
// the return to user mode.
#include "syscalls.hpp"

#include <sys/syscall.h>

#include <cerrno>

#include "cpu_state.hpp"
#include "guest_clock.hpp"
#include "machine.hpp"
#include "syscall_names.hpp"

namespace nido::hv::vmm {

namespace {

bool canonical(uint64_t address) {
    auto high = static_cast<int64_t>(address) >> 47;
    return high == 0 || high == -1;
}

// On PVM SYSCALL stays at CPL3 and the VMM does SYSRET's work itself; on
// stock KVM it enters CPL0 and the entry page's `sysretq` returns (NOTES.md).
// The first exit tells which, and how the guest's clock reads the TSC; until
// the clock is calibrated, the entry page leaves clock_gettime to the VMM.
void learnSyscallMode(Machine& m) {
    kvm_sregs sregs;
    if (!m.vm.getSregs(sregs)) return m.end(MicroVmResult::Outcome::Error, 1, "KVM_GET_SREGS failed");
    m.syscallMode = (sregs.cs.selector & 3) == 3 ? Machine::SyscallMode::User : Machine::SyscallMode::Kernel;
    calibrateGuestClock(m.vm, m.memory, m.syscallMode == Machine::SyscallMode::User);
}

}  // namespace

void Machine::resumeUser(uint64_t rip, uint64_t rflags) {
    kvm_regs& r = vm.regs();
    if (!canonical(rip)) {
        return end(MicroVmResult::Outcome::Fault, 1,
                   "guest fault: return to a non-canonical address " + std::to_string(rip));
    }
    if (syscallMode == SyscallMode::Kernel) {
        if (rip == r.rcx && rflags == r.r11) {
            r.rip = syscallReturnStub();
            vm.markRegsDirty();
            return;
        }
        kvm_sregs sregs;
        if (!vm.getSregs(sregs)) return end(MicroVmResult::Outcome::Error, 1, "KVM_GET_SREGS failed");
        setUserSegments(sregs);
        if (!vm.setSregs(sregs)) return end(MicroVmResult::Outcome::Error, 1, "KVM_SET_SREGS failed");
    }
    r.rip = rip;
    r.rflags = rflags;
    vm.markRegsDirty();
}

void handleSyscall(Machine& m) {
    if (m.syscallMode == Machine::SyscallMode::Unknown) {
        learnSyscallMode(m);
        if (m.stop) return;
    }
    kvm_regs& r = m.vm.regs();
    uint64_t number = r.rax;
    if (number == SYS_rt_sigreturn) {
        if (!m.signals.sigreturn(m)) m.end(MicroVmResult::Outcome::Fault, 1, "guest fault: bad signal frame");
        return;
    }
    const uint64_t args[6] = {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
    int64_t result = -ENOSYS;
    if (!memorySyscall(m, number, args, result) && !fileSyscall(m, number, args, result) &&
        !processSyscall(m, number, args, result)) {
        if (number < Machine::kSyscallTableSize) {
            ++m.enosysCounts[number];
        } else {
            ++m.result.enosys[syscallName(number)];
        }
    }
    if (m.stop) return;
    r.rax = static_cast<uint64_t>(result);
    m.resumeUser(r.rcx, r.r11);
}

}  // namespace nido::hv::vmm
