// The micro-VM: a static Linux x86-64 executable (the Nido runtime) run in a
// KVM guest with no guest kernel. Its code runs at CPL3 and each system call
// becomes one port-I/O exit that this VMM answers (the Hyperlight, Solo5 and
// gVisor-KVM design). This is the one public header of hvbridge/vmm.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nido::hv::vmm {

// Host paths a guest may open: all of them, or those under the prefixes.
struct PathPermission {
    bool all = false;
    std::vector<std::string> prefixes;
};

// A file that exists in the guest because the host gave it: read from
// hostPath when that is set, else the bytes themselves.
struct VirtualFile {
    std::string hostPath;
    std::string bytes;
};

struct MicroVmConfig {
    std::string elfPath;                       // the static executable (non-PIE or static-pie)
    std::vector<std::string> argv;             // argv[0] included
    std::vector<std::string> envp;             // "NAME=value"
    uint64_t memBytes = 1ull << 30;            // guest RAM; touched lazily, so size costs little
    double timeoutSeconds = 0;                 // 0: none
    std::map<std::string, VirtualFile> files;  // guest absolute path -> contents
    PathPermission allowRead, allowWrite;      // checked here, outside the guest
    int stdinFd = 0, stdoutFd = 1, stderrFd = 2;
    // Offer the paravirtual channel (pv_abi.hpp): a guest that registers an
    // output ring writes through it; off, its hypercalls get -ENOSYS.
    bool paravirtual = true;
};

// Count and time of one kind of exit (a system call by name, a fault, ...).
struct ExitStat {
    uint64_t count = 0;
    uint64_t nanoseconds = 0;  // host time from the exit to the next KVM_RUN
};

struct MicroVmResult {
    enum class Outcome { Exited, Fault, Timeout, Error };
    Outcome outcome = Outcome::Error;
    int status = 1;       // the guest's exit status; 1 after a fault or error
    std::string message;  // one line for Fault, Timeout and Error
    uint64_t exits = 0;   // every return from KVM_RUN
    // Wall time building the VM, running it, and destroying it (freeing the
    // VM costs milliseconds on PVM).
    uint64_t setupNanoseconds = 0, runNanoseconds = 0, teardownNanoseconds = 0;
    // Of runNanoseconds, the time inside KVM_RUN: the guest's own work plus the
    // cost of each exit and re-entry (the rest is the VMM answering exits).
    uint64_t insideKvmRunNanoseconds = 0;
    // The set-up's steps in order (guest RAM, ELF, KVM objects, ...) with
    // their wall time, and the first KVM_RUN's (the hypervisor's first entry).
    std::vector<std::pair<std::string, uint64_t>> setupSteps;
    uint64_t firstRunNanoseconds = 0;
    std::map<std::string, ExitStat> syscalls;  // answered by the VMM, by name
    std::map<std::string, ExitStat> other;     // faults, signals, unexpected exits
    std::map<std::string, uint64_t> enosys;    // calls refused with -ENOSYS, by name
    // Hypercalls are in `other` ("pv: ..."); these count what went through the ring.
    uint64_t pvRecords = 0, pvBytes = 0;
};

// Runs the executable to completion in a fresh micro-VM on the calling thread
// (one vCPU, one guest thread). Never throws for a guest's behaviour: a fault
// ends the run with Outcome::Fault and status 1, --timeout with
// Outcome::Timeout and status 124, host-side setup failures with
// Outcome::Error. With a timeout, the thread gets a SIGRTMIN+4 handler.
MicroVmResult runMicroVm(const MicroVmConfig& config);

}  // namespace nido::hv::vmm
