// The KVM objects of one micro-VM: the /dev/kvm handle, the VM with its one
// memory slot, and its single vCPU with the shared kvm_run structure.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <string>

#include "guest_memory.hpp"

namespace nido::hv::vmm {

class KvmVm {
public:
    KvmVm() = default;
    KvmVm(const KvmVm&) = delete;
    KvmVm& operator=(const KvmVm&) = delete;
    ~KvmVm();

    // Opens /dev/kvm, creates the VM and vCPU and registers `memory` as slot 0.
    bool create(GuestMemory& memory, std::string& error);

    int kvmFd() const { return kvm_; }
    int vcpuFd() const { return vcpu_; }
    kvm_run* run() const { return run_; }

    // The general registers after an exit. With KVM_CAP_SYNC_REGS they live in
    // kvm_run (22.6 us per exit instead of 29-33 us for GET/SET_REGS: NOTES.md).
    kvm_regs& regs() { return syncRegs_ ? run_->s.regs.regs : regs_; }
    // Says that regs() was changed and must reach the vCPU before it runs again.
    void markRegsDirty();
    // Enters the guest; returns the ioctl's result (-1 with errno EINTR when kicked).
    int enter();

    bool getSregs(kvm_sregs& s);
    bool setSregs(const kvm_sregs& s);

private:
    int kvm_ = -1, vm_ = -1, vcpu_ = -1;
    kvm_run* run_ = nullptr;
    size_t runSize_ = 0;
    bool syncRegs_ = false;
    bool regsDirty_ = false;
    kvm_regs regs_{};
};

}  // namespace nido::hv::vmm
