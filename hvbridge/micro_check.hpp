// The micro-VM part of `nido hv check`: /dev/kvm, the static runtime, and a
// trial run of the runtime in a micro-VM (`nido-static --version`), which is
// the only proof that this KVM (stock, nested or PVM) takes the micro-VM's
// CPU set-up.
#pragma once

#include <string>

namespace nido::hv {

struct MicroCheck {
    bool works = false;
    std::string why;  // one line: what worked, or what failed
};

// Prints its rows on stdout.
MicroCheck checkMicro();

}  // namespace nido::hv
