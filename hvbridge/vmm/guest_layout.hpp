// Where things live in the guest. Guest-virtual equals guest-physical for all
// of RAM (one identity map), so a guest pointer is an offset into RAM.
//
//   0x000000            null page, not mapped
//   0x001000-0x0fffff   VMM structures (page tables, GDT, IDT, TSS, stubs),
//                       supervisor-only except the system-call entry page
//   0x200000-0x3fffff   not mapped: Boehm's start-up probe must fault there
//                       (NOTES.md, "Virtualisation here")
//   0x400000-...        the executable, then brk, then mmap (top down)
//   top - 10 MiB        2 MiB guard, not mapped: a stack overflow faults
//   top - 8 MiB - top   the initial stack
#pragma once

#include <cstdint>

#include "syscall_entry_abi.h"

namespace nido::hv::vmm::layout {

constexpr uint64_t kPageSize = 0x1000;
constexpr uint64_t kLargePage = 0x200000;

constexpr uint64_t kPml4 = 0x1000;
constexpr uint64_t kPdpt = 0x2000;
constexpr uint64_t kLowPageTable = 0x3000;  // 4 KiB pages of the first 2 MiB
constexpr uint64_t kPageDirectories = 0x4000;
constexpr uint64_t kMaxGigabytes = 64;  // one page directory each, 0x4000-0x43fff
constexpr uint64_t kGdt = 0x50000;
constexpr uint64_t kIdt = 0x51000;
constexpr uint64_t kTss = 0x52000;  // 104 bytes + 8 KiB I/O bitmap + 1: three pages
constexpr uint64_t kTssPages = 3;
constexpr uint64_t kSyscallEntry = 0x55000;  // LSTAR; user-readable (NOTES.md: PVM stays at CPL3)
constexpr uint64_t kFaultStubs = 0x56000;    // IDT targets, CPL0
// Data the entry page's fast paths use (syscall_entry_abi.h); guest-writable,
// as the signal mask is changed there.
constexpr uint64_t kSharedPage = NIDO_VMM_SHARED_PAGE;
constexpr uint64_t kIstStack = 0x60000;  // exception stack, 32 KiB
constexpr uint64_t kIstStackTop = 0x68000;

constexpr uint64_t kProbeHoleStart = 0x200000;        // the unmapped 2 MiB
constexpr uint64_t kUserStart = NIDO_VMM_USER_START;  // lowest address the guest may own

constexpr uint64_t kStackBytes = 8ull << 20;
constexpr uint64_t kStackGuard = kLargePage;

// Hypercall ports. Only kSyscallPort is open to CPL3 in the TSS I/O bitmap.
constexpr uint16_t kSyscallPort = NIDO_VMM_SYSCALL_PORT;
constexpr uint16_t kFaultPort = 0x81;

// GDT selectors, laid out as Linux does so that STAR's fields line up.
constexpr uint16_t kKernelCode = 0x10;
constexpr uint16_t kKernelData = 0x18;
constexpr uint16_t kUserCode32 = 0x23;
constexpr uint16_t kUserData = 0x2b;
constexpr uint16_t kUserCode = 0x33;
constexpr uint16_t kTssSelector = 0x40;

}  // namespace nido::hv::vmm::layout
