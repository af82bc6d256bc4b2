// What the CPU says about virtualisation, asked with the CPUID instruction:
// its vendor, whether it offers hardware-assisted virtualisation (Intel
// VT-x, flag "vmx"; AMD-V, flag "svm"), and whether this machine is itself
// a guest (the "hypervisor" flag, and the hypervisor's name in leaf
// 0x40000000, e.g. "KVMKVMKVM", "Microsoft Hv", "VMwareVMware").
#pragma once

#include <string>

namespace nido::hv {

struct CpuFeatures {
    std::string vendor;  // "GenuineIntel", "AuthenticAMD", ...
    std::string model;   // the brand string
    bool vmx = false;    // Intel VT-x
    bool svm = false;    // AMD-V
    bool isGuest = false;
    std::string hypervisorVendor;  // empty unless isGuest
};

CpuFeatures readCpuFeatures();

}  // namespace nido::hv
