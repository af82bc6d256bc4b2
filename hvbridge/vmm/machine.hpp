// One micro-VM while it runs: its memory, KVM objects, loaded executable,
// address space, files, signal handlers and statistics. The system-call,
// fault and run-loop code all work on this one struct.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>

#include "address_space.hpp"
#include "elf_loader.hpp"
#include "file_table.hpp"
#include "guest_memory.hpp"
#include "guest_signals.hpp"
#include "kvm_vm.hpp"
#include "vmm.hpp"

namespace nido::hv::vmm {

// Why and how a run ends; set once by whatever ends it.
struct Stop {
    MicroVmResult::Outcome outcome;
    int status;
    std::string message;
};

struct Machine {
    explicit Machine(const MicroVmConfig& c) : config(c) {}

    const MicroVmConfig& config;
    GuestMemory memory;
    KvmVm vm;  // after memory: destroyed first, while the slot's memory still exists
    LoadedElf elf;
    AddressSpace space;
    std::unique_ptr<FileTable> files;
    GuestSignals signals;
    // Per system-call number: exits and time; calls refused with -ENOSYS.
    static constexpr uint64_t kSyscallTableSize = 512;
    std::array<ExitStat, kSyscallTableSize> syscallStats{};
    std::array<uint64_t, kSyscallTableSize> enosysCounts{};
    std::map<std::string, ExitStat> otherStats;
    MicroVmResult result;
    std::optional<Stop> stop;
    // Where SYSCALL lands: CPL3 on PVM, CPL0 on stock KVM (NOTES.md); learnt at the first call.
    enum class SyscallMode { Unknown, User, Kernel } syscallMode = SyscallMode::Unknown;
    // The paravirtual output ring (pv_abi.hpp): guest address and size, 0 until registered.
    uint64_t pvRing = 0, pvRingBytes = 0;
    uint64_t pvRecords = 0, pvBytes = 0;

    void end(MicroVmResult::Outcome outcome, int status, std::string message) {
        if (!stop) stop = Stop{outcome, status, std::move(message)};
    }
    // Continues the guest in user mode at `rip` with `rflags` (the general
    // registers are already set): the end of every system call.
    void resumeUser(uint64_t rip, uint64_t rflags);
};

}  // namespace nido::hv::vmm
