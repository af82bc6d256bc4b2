// --explain: the layers of one `nido hv run`, from the app down to the CPU,
// named with the terms of a virtualisation course (host and guest, process
// VM and system VM, type 2 hypervisor, hardware-assisted or emulated,
// emulated and paravirtual devices).
#pragma once

#include <cstdint>
#include <string>

#include "hvbridge/accelerator.hpp"
#include "hvbridge/cpu_features.hpp"

namespace nido::hv {

struct RunFacts {
    std::string appName;
    uint64_t moduleBytes = 0;
    uint64_t runtimeBytes = 0;
    uint64_t initramfsBytes = 0;
    std::string kernelVersion;
    std::string qemuVersion;
    uint64_t memMiB = 0;
    int cpus = 1;
    AccelChoice accel;
    CpuFeatures cpu;
};

std::string explainRun(const RunFacts& f);

}  // namespace nido::hv
