// The vCPU's 64-bit long-mode state, prepared by the VMM so the guest starts
// directly at CPL3: GDT with kernel and user segments, TSS (IST stack and an
// I/O bitmap that opens only the hypercall port), IDT with exception stubs,
// the system-call entry page, syscall MSRs, CPUID, CR4/XCR0 for SSE and AVX.
#pragma once

#include <cstdint>
#include <string>

#include "cpuid_model.hpp"
#include "guest_memory.hpp"
#include "kvm_vm.hpp"

namespace nido::hv::vmm {

// Address of the `sysretq` that follows the hypercall in the entry page: used
// only where SYSCALL really enters CPL0 (stock KVM), never on PVM.
uint64_t syscallReturnStub();

// Writes the descriptor tables and stubs into guest memory and loads the vCPU
// so that its next KVM_RUN starts at `entry` with `stackPointer` in user mode.
bool setUpCpu(KvmVm& vm, GuestMemory& memory, SupportedCpuid& cpuid, uint64_t entry, uint64_t stackPointer,
              std::string& error);

// Where a fault stub continues after its hypercall (add rsp, 16; iretq).
uint64_t faultStubResume();

// Loads the user code and data segments into `sregs` (CS/SS at CPL3).
void setUserSegments(kvm_sregs& sregs);

// The layout of the exception frame the fault stubs leave on the IST stack
// when they exit through the fault port: vector, error code, then the CPU's own.
struct FaultFrame {
    uint64_t vector, errorCode, rip, cs, rflags, rsp, ss;
};

}  // namespace nido::hv::vmm
