// `nido hv run --guest=micro`: the verified app run by the static runtime
// (nido-static) inside the micro-VM of hvbridge/vmm, in this process, on
// this thread. No guest kernel: the runtime runs at CPL3 and every system
// call it makes is a hypercall answered by the VMM, which gives it only the
// app, the --file files, the standard streams and the --allow-read /
// --allow-write paths (docs/hvbridge.md, "Threat model").
#pragma once

#include <string>

#include "hvbridge/hv_run.hpp"

namespace nido::hv {

// Returns the exit status of the run: the app's; 1 after a guest fault or a
// VMM failure, 124 after --timeout, 2 for bad input, each with one
// "nido: ..." line on stderr.
int microRun(const HvRunOptions& options, const HvApp& app);

// Whether a micro-VM can run here: /dev/kvm opens read-write and speaks
// KVM API 12. Cheap (no guest is run); `why` says what failed.
bool kvmUsable(std::string& why);

}  // namespace nido::hv
