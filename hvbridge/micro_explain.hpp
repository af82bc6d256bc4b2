// --explain for `nido hv run --guest=micro`: the layers of the run, from
// the app down to the CPU, in the terms of a virtualisation course
// (paravirtualisation, hypercall, Xen-style PV, no guest kernel, CPL3).
#pragma once

#include <string>

#include "hvbridge/hv_run.hpp"

namespace nido::hv {

std::string explainMicroRun(const HvRunOptions& o, const HvApp& app, const std::string& runtimePath,
                            const std::string& kvmReason);

}  // namespace nido::hv
