// The VMM side of the paravirtual channel (pv_abi.hpp): the hypercalls and
// the draining of the guest's output ring.
#pragma once

#include <string>

namespace nido::hv::vmm {

struct Machine;

// Answers one hypercall (RAX is a pv number) and resumes the guest; returns
// the statistics key ("pv: doorbell", ...).
std::string handleHypercall(Machine& m);

// Writes out and empties the guest's ring, if it registered one. Called at
// every exit, before the exit is handled. A hostile ring (bad lengths) ends
// the run as a fault.
void drainPvRing(Machine& m);

}  // namespace nido::hv::vmm
