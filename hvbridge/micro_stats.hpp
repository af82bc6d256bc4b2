// --stats for a micro-VM run: the exits by kind (system calls by name,
// paravirtual calls, faults and interrupts) with the host time spent in
// each, so emulated (--pv=off) and paravirtual I/O compare on one program.
#pragma once

#include <chrono>
#include <string>

#include "hvbridge/hv_run.hpp"
#include "hvbridge/vmm/vmm.hpp"

namespace nido::hv {

// `vmStarted`: when runMicroVm was called (what came before is the host's
// compile and verify of the app and nido's own start).
std::string microStatsReport(const vmm::MicroVmResult& r, const HvRunOptions& o,
                             std::chrono::steady_clock::time_point vmStarted);

}  // namespace nido::hv
