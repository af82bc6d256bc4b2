// The KVM API calls that create and run the VM.
#include "kvm_vm.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nido::hv::vmm {

namespace {

std::string failure(const char* what) { return std::string(what) + ": " + strerror(errno); }

}  // namespace

KvmVm::~KvmVm() {
    // SAFETY: run_/runSize_ are the vCPU mapping made in create().
    if (run_) munmap(run_, runSize_);
    if (vcpu_ >= 0) close(vcpu_);
    if (vm_ >= 0) close(vm_);
    if (kvm_ >= 0) close(kvm_);
}

bool KvmVm::create(GuestMemory& memory, std::string& error) {
    kvm_ = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_ < 0) return error = failure("cannot open /dev/kvm"), false;
    // SAFETY: KVM_GET_API_VERSION and KVM_CREATE_VM take no pointer.
    if (ioctl(kvm_, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) return error = "unsupported KVM API version", false;
    vm_ = ioctl(kvm_, KVM_CREATE_VM, 0);
    if (vm_ < 0) return error = failure("KVM_CREATE_VM"), false;

    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = memory.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(memory.hostBase());
    // SAFETY: the region describes GuestMemory's live mapping, which outlives
    // the VM (the caller destroys this object first).
    if (ioctl(vm_, KVM_SET_USER_MEMORY_REGION, &region) < 0)
        return error = failure("KVM_SET_USER_MEMORY_REGION"), false;

    // SAFETY: KVM_CREATE_VCPU and KVM_GET_VCPU_MMAP_SIZE take no pointer.
    vcpu_ = ioctl(vm_, KVM_CREATE_VCPU, 0);
    if (vcpu_ < 0) return error = failure("KVM_CREATE_VCPU"), false;
    int size = ioctl(kvm_, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (size < static_cast<int>(sizeof(kvm_run))) return error = failure("KVM_GET_VCPU_MMAP_SIZE"), false;
    runSize_ = static_cast<size_t>(size);
    // SAFETY: the kernel's shared kvm_run page(s) for this vCPU, of the size it reported.
    void* p = mmap(nullptr, runSize_, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_, 0);
    if (p == MAP_FAILED) return error = failure("mmap of kvm_run"), false;
    run_ = static_cast<kvm_run*>(p);

    // SAFETY: KVM_CHECK_EXTENSION takes an integer.
    int sync = ioctl(kvm_, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
    syncRegs_ = sync > 0 && (sync & KVM_SYNC_X86_REGS);
    if (syncRegs_) run_->kvm_valid_regs = KVM_SYNC_X86_REGS;
    return true;
}

void KvmVm::markRegsDirty() {
    if (syncRegs_) {
        run_->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
    } else {
        regsDirty_ = true;
    }
}

int KvmVm::enter() {
    if (!syncRegs_ && regsDirty_) {
        // SAFETY: regs_ is a complete kvm_regs owned by this object.
        if (ioctl(vcpu_, KVM_SET_REGS, &regs_) < 0) return -1;
        regsDirty_ = false;
    }
    // SAFETY: KVM_RUN takes no pointer; results land in the mapped run_.
    int r = ioctl(vcpu_, KVM_RUN, 0);
    if (!syncRegs_) {
        int saved = errno;
        // SAFETY: regs_ is a kvm_regs owned by this object, filled by the kernel.
        ioctl(vcpu_, KVM_GET_REGS, &regs_);
        errno = saved;
    }
    return r;
}

bool KvmVm::getSregs(kvm_sregs& s) {
    // SAFETY: s is a complete kvm_sregs the kernel fills.
    return ioctl(vcpu_, KVM_GET_SREGS, &s) == 0;
}

bool KvmVm::setSregs(const kvm_sregs& s) {
    // SAFETY: s is a complete kvm_sregs the kernel reads.
    return ioctl(vcpu_, KVM_SET_SREGS, &s) == 0;
}

}  // namespace nido::hv::vmm
