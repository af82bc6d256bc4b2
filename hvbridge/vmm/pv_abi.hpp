// The paravirtual channel between the Nido runtime in a micro-VM (the guest
// side is vm/pv_channel.cpp) and the VMM: a shared ring for standard output
// and standard error, and hypercalls. A hypercall is a `syscall` with a
// number no Linux kernel uses, so the same runtime on a real kernel gets
// -ENOSYS and falls back to plain system calls.
//
// The ring lives in the guest's own memory (its .bss); the guest registers
// it once. The guest appends records and rings the doorbell only when the
// ring is full; the VMM also drains it at every other exit (a system call,
// a fault, the end of the run, and a 50 ms flush tick while the guest makes
// no exit), so bytes written before any of them reach the host first, in
// the order written, and nothing is lost when the guest dies. The guest
// stands still while the VMM reads (one vCPU), so the ring needs no atomics.
#pragma once

#include <cstdint>

namespace nido::hv::pv {

// Hypercall numbers (in RAX): "NIDO" in ASCII, then the call.
constexpr uint64_t kHypercallBase = 0x4e49444f00;
// (ring address, ring bytes) -> 0, or -EINVAL for a ring outside guest memory.
constexpr uint64_t kRegisterRing = kHypercallBase + 1;
// () -> 0: the VMM writes out the ring and empties it.
constexpr uint64_t kDoorbell = kHypercallBase + 2;

constexpr bool isHypercall(uint64_t number) { return (number & ~uint64_t(0xff)) == kHypercallBase; }

// The ring: this header, then records of RecordHeader + bytes, packed.
struct RingHeader {
    uint32_t used;      // bytes of records after the header; the VMM sets 0 when drained
    uint32_t capacity;  // bytes after the header, fixed at registration
};

struct RecordHeader {
    uint32_t fd;  // 1 standard output, 2 standard error
    uint32_t length;
};

// The guest's environment carries this variable ("1") when the VMM offers
// the channel (`nido hv run --pv=on`, the default).
constexpr const char* kEnvironmentFlag = "NIDO_HV_PV";

}  // namespace nido::hv::pv
