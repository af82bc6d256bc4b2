// Which accelerator QEMU uses for the guest: KVM (hardware-assisted: the
// CPU runs guest code itself) or TCG (QEMU's emulator: guest code is
// translated to host code). --accel=auto asks the KVM probe.
#pragma once

#include <string>

#include "hvbridge/kvm_probe.hpp"
#include "hvbridge/qemu.hpp"

namespace nido::hv {

enum class AccelRequest { Auto, Kvm, Tcg };

struct AccelChoice {
    bool ok = true;
    Accel accel = Accel::Tcg;
    std::string reason;  // why this accelerator, one clause; or why none (ok false)
};

// probe may be null for --accel=tcg (no probe needed).
AccelChoice chooseAccel(AccelRequest request, const KvmReport* probe);

}  // namespace nido::hv
