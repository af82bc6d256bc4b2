// The guest side of the paravirtual channel (hvbridge/vmm/pv_abi.hpp): when
// the runtime runs in `nido hv run --guest=micro` with --pv=on, the host
// layer (host.cpp) writes standard output and standard error into a ring
// shared with the VMM instead of making one write(2) exit per flush. The
// VMM empties the ring at every exit; the doorbell hypercall is needed only
// when it is full. Anywhere else (a host process, a Linux guest, --pv=off)
// the channel is inactive and the host layer makes plain system calls.
#pragma once

#include <string_view>

namespace nido::vm::pv {

// Whether the ring is in use: decided once, at the first call, from the
// environment flag and the VMM's answer to the registration hypercall.
bool active();

// Appends bytes for fd (1 or 2) to the ring, ringing the doorbell whenever
// it fills. Only when active().
void write(int fd, std::string_view bytes);

}  // namespace nido::vm::pv
