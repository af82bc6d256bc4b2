// `nido hv check`: what this machine offers for running a guest (CPU
// virtualisation extensions, whether it is a guest itself, /dev/kvm and
// its speed, a trial micro-VM, QEMU, the guest kernel, the static runtime)
// and a verdict for each kind of guest, and why.
#pragma once

#include <string>

#include <optional>

#include "hvbridge/accelerator.hpp"
#include "hvbridge/hv_run.hpp"

namespace nido::hv {

// Prints the report on stdout; returns 0 when `hv run` can work with the
// guest asked for (either kind when none is), else 1.
int hvCheck(AccelRequest accel, const std::string& kernelPath, std::optional<GuestKind> guest);

}  // namespace nido::hv
