// --stats for a micro-VM run: the exits by kind (system calls by name,
// paravirtual calls, faults and interrupts) with the host time spent in
// each, so emulated (--pv=off) and paravirtual I/O compare on one program.
#pragma once

#include <string>

#include "hvbridge/hv_run.hpp"
#include "hvbridge/vmm/vmm.hpp"

namespace nido::hv {

std::string microStatsReport(const vmm::MicroVmResult& r, const HvRunOptions& o);

}  // namespace nido::hv
