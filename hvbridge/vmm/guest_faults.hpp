// CPU exceptions raised by guest code. The IDT stubs (cpu_state.cpp) exit
// through layout::kFaultPort with the exception frame on the IST stack; a
// fault becomes a signal for a handler the guest registered, or ends the run
// with one line naming the fault and the guest address.
#pragma once

#include <string>

namespace nido::hv::vmm {

struct Machine;

// Handles the exit of a fault stub; returns the statistics key ("fault: page fault").
std::string handleFault(Machine& m);

}  // namespace nido::hv::vmm
