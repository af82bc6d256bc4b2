// runMicroVm: build the VM, then the one run loop with its one switch over
// KVM exit reasons. Each exit is counted and timed by kind.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "cpu_state.hpp"
#include "guest_faults.hpp"
#include "guest_layout.hpp"
#include "initial_stack.hpp"
#include "machine.hpp"
#include "proc_files.hpp"
#include "pv_abi.hpp"
#include "pv_channel.hpp"
#include "syscall_names.hpp"
#include "syscalls.hpp"
#include "vcpu_timeout.hpp"
#include "vmm.hpp"

namespace nido::hv::vmm {

namespace {

constexpr uint64_t kMinMemory = 32ull << 20;
constexpr uint64_t kMaxMemory = layout::kMaxGigabytes << 30;
constexpr uint64_t kStackPrefault = 256 << 10;  // the initial stack's pages, touched anyway
constexpr int kTimeoutStatus = 124;             // as timeout(1)
// Output latency of the paravirtual ring when the guest makes no exit: a
// terminal user sees lines within this; it costs one exit per tick.
constexpr double kRingTickSeconds = 0.05;

using Clock = std::chrono::steady_clock;

uint64_t nanosecondsSince(Clock::time_point start) {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
}

// Times the set-up's steps for --stats, each from the end of the one before.
struct StepTimer {
    std::vector<std::pair<std::string, uint64_t>>& steps;
    Clock::time_point last = Clock::now();
    void done(const char* name) {
        steps.emplace_back(name, nanosecondsSince(last));
        last = Clock::now();
    }
};

bool prepare(Machine& m, std::string& error) {
    const MicroVmConfig& c = m.config;
    StepTimer step{m.result.setupSteps};
    SupportedCpuid cpuid;
    uint64_t bytes = (c.memBytes + layout::kLargePage - 1) & ~(layout::kLargePage - 1);
    if (bytes < kMinMemory || bytes > kMaxMemory)
        return error = "guest memory must be between 32 MiB and " + std::to_string(layout::kMaxGigabytes) + " GiB",
               false;
    if (!m.memory.create(bytes, error)) return false;
    step.done("guest RAM");
    if (!loadElf(c.elfPath, m.memory, m.elf, error)) return false;
    step.done("ELF load");
    if (!m.vm.create(m.memory, error)) return false;
    step.done("KVM VM, memory slot, vCPU");
    uint64_t stackBottom = bytes - layout::kStackBytes;
    m.space.init(m.elf.end, stackBottom - layout::kStackGuard);
    startGuestMemory(m);
    m.files = std::make_unique<FileTable>(c, [&m](const std::string& path) { return generatedFile(m, path); });
    publishOpenDescriptors(m);
    m.memory.populate(bytes - kStackPrefault, kStackPrefault);
    uint64_t rsp = buildInitialStack(m.memory, bytes, m.elf, c.argv, c.envp);
    if (rsp == 0) return error = "the arguments and environment are too large for the guest's stack", false;
    step.done("break, pool, stack");
    if (!setUpCpu(m.vm, m.memory, cpuid, m.elf.entry, rsp, error)) return false;
    step.done("page tables, CPU state");
    return true;
}

std::string hex(uint64_t v) {
    char buffer[24];
    std::snprintf(buffer, sizeof buffer, "0x%llx", static_cast<unsigned long long>(v));
    return buffer;
}

// Handles one exit; returns the statistics key, or "" for a system call
// (counted per number by the caller).
std::string handleExit(Machine& m) {
    kvm_run* run = m.vm.run();
    // Output the guest put in the ring comes out before whatever this exit does.
    drainPvRing(m);
    if (m.stop) return "pv: drain";
    adoptGuestMemory(m);
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == layout::kSyscallPort) {
            // The first call must be a system call: it tells how to return to the guest.
            if (pv::isHypercall(m.vm.regs().rax) && m.syscallMode != Machine::SyscallMode::Unknown)
                return handleHypercall(m);
            handleSyscall(m);
            return "";
        }
        if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == layout::kFaultPort) return handleFault(m);
        m.end(MicroVmResult::Outcome::Fault, 1,
              "guest fault: I/O on port " + hex(run->io.port) + ", rip " + hex(m.vm.regs().rip));
        return "fault: port I/O";
    case KVM_EXIT_MMIO:
        m.end(MicroVmResult::Outcome::Fault, 1,
              "guest fault: access to " + hex(run->mmio.phys_addr) + " outside guest memory, rip " +
                  hex(m.vm.regs().rip));
        return "fault: mmio";
    case KVM_EXIT_HLT: m.end(MicroVmResult::Outcome::Fault, 1, "guest halted"); return "fault: hlt";
    case KVM_EXIT_SHUTDOWN:
        m.end(MicroVmResult::Outcome::Fault, 1, "guest shut down (triple fault), rip " + hex(m.vm.regs().rip));
        return "fault: shutdown";
    case KVM_EXIT_FAIL_ENTRY:
        m.end(MicroVmResult::Outcome::Error, 1,
              "KVM could not enter the guest, reason " + hex(run->fail_entry.hardware_entry_failure_reason));
        return "error";
    case KVM_EXIT_INTERNAL_ERROR:
        m.end(MicroVmResult::Outcome::Error, 1,
              "KVM internal error " + std::to_string(run->internal.suberror) + ", rip " + hex(m.vm.regs().rip));
        return "error";
    case KVM_EXIT_INTR: return "interrupted";
    default:
        m.end(MicroVmResult::Outcome::Error, 1, "unexpected KVM exit reason " + std::to_string(run->exit_reason));
        return "error";
    }
}

void collectStatistics(Machine& m) {
    for (uint64_t n = 0; n < Machine::kSyscallTableSize; ++n) {
        if (m.syscallStats[n].count) m.result.syscalls[syscallName(n)] = m.syscallStats[n];
        if (m.enosysCounts[n]) m.result.enosys[syscallName(n)] = m.enosysCounts[n];
    }
    m.result.other = m.otherStats;
    m.result.pvRecords = m.pvRecords;
    m.result.pvBytes = m.pvBytes;
}

// Runs the guest until something ends it.
void runLoop(Machine& m) {
    VcpuTimeout timeout;
    if (!timeout.start(m.vm.run(), m.config.timeoutSeconds))
        return m.end(MicroVmResult::Outcome::Error, 1, std::string("cannot arm the timeout: ") + strerror(errno));
    while (!m.stop) {
        // Output in the ring reaches the host at the next exit, or after at
        // most kRingTickSeconds of guest work without one.
        bool tick = m.pvRing != 0;
        if (tick && !timeout.armTick(kRingTickSeconds))
            return m.end(MicroVmResult::Outcome::Error, 1,
                         std::string("cannot arm the ring's tick: ") + strerror(errno));
        Clock::time_point entryTime = Clock::now();
        int rc = m.vm.enter();
        int enterErrno = errno;
        Clock::time_point exitTime = Clock::now();
        if (tick) timeout.disarmTick();
        auto inside =
            static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(exitTime - entryTime).count());
        m.result.insideKvmRunNanoseconds += inside;
        if (m.result.exits++ == 0) m.result.firstRunNanoseconds = inside;
        uint64_t number = m.vm.regs().rax;
        std::string key;
        if (rc < 0) {
            key = timeout.takeTick() ? "pv: flush tick" : "interrupted";
            int err = enterErrno;
            drainPvRing(m);
            if (err != EINTR && err != EAGAIN)
                m.end(MicroVmResult::Outcome::Error, 1, std::string("KVM_RUN: ") + strerror(err));
        } else {
            key = handleExit(m);
        }
        if (timeout.expired()) {
            char text[64];
            std::snprintf(text, sizeof text, "timed out after %g s", m.config.timeoutSeconds);
            m.end(MicroVmResult::Outcome::Timeout, kTimeoutStatus, text);
        }
        ExitStat& stat =
            key.empty() ? m.syscallStats[std::min(number, Machine::kSyscallTableSize - 1)] : m.otherStats[key];
        ++stat.count;
        stat.nanoseconds += nanosecondsSince(exitTime);
    }
}

}  // namespace

MicroVmResult runMicroVm(const MicroVmConfig& config) {
    MicroVmResult result;
    Clock::time_point start = Clock::now();
    Clock::time_point teardown;
    {
        Machine m(config);
        std::string error;
        if (!prepare(m, error)) {
            m.end(MicroVmResult::Outcome::Error, 1, error);
        } else {
            m.result.setupNanoseconds = nanosecondsSince(start);
            runLoop(m);
            m.result.runNanoseconds = nanosecondsSince(start) - m.result.setupNanoseconds;
        }
        m.result.outcome = m.stop->outcome;
        m.result.status = m.stop->status;
        m.result.message = m.stop->message;
        collectStatistics(m);
        result = std::move(m.result);
        teardown = Clock::now();
    }
    result.teardownNanoseconds = nanosecondsSince(teardown);
    return result;
}

}  // namespace nido::hv::vmm
