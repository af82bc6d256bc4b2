// System calls as hypercalls: each guest `syscall` reaches the VMM as one
// port-I/O exit on layout::kSyscallPort, with the number in RAX and the
// arguments in RDI, RSI, RDX, R10, R8, R9 as on Linux. The calls are grouped
// by concern (memory, files, process); any other returns -ENOSYS and is counted.
#pragma once

#include <cstdint>

namespace nido::hv::vmm {

struct Machine;

// Answers the call in the vCPU's registers and resumes the guest after its
// `syscall`, or ends the run (exit_group, a fatal condition).
void handleSyscall(Machine& m);

// Each group answers the calls it knows in `result` and returns true; false
// means "not mine".
bool memorySyscall(Machine& m, uint64_t number, const uint64_t* args, int64_t& result);
bool fileSyscall(Machine& m, uint64_t number, const uint64_t* args, int64_t& result);
bool processSyscall(Machine& m, uint64_t number, const uint64_t* args, int64_t& result);

// The break and the mmap pool are shared with the entry page, which serves
// brk, mmap and munmap inside memory already given (syscall_entry_abi.h). At
// set-up, gives the first stretch above the executable and the first pool;
// at every exit, takes back the guest's break, what it took from the pool
// and the ranges it unmapped, so that /proc/self/maps and the calls see them.
void startGuestMemory(Machine& m);
void adoptGuestMemory(Machine& m);

// Tells the entry page which descriptors are open (syscall_entry_abi.h): at
// set-up and after every file system call.
void publishOpenDescriptors(Machine& m);

}  // namespace nido::hv::vmm
