// CPUID queries (cpu_features.hpp).
#include "hvbridge/cpu_features.hpp"

#include <cpuid.h>

#include <cstring>

namespace nido::hv {

namespace {

struct Regs {
    unsigned a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(unsigned leaf) {
    Regs r;
    __cpuid_count(leaf, 0, r.a, r.b, r.c, r.d);
    return r;
}

// Twelve ASCII bytes from three registers, trailing NULs dropped.
std::string regsText(unsigned x, unsigned y, unsigned z) {
    char text[13] = {};
    std::memcpy(text, &x, 4);
    std::memcpy(text + 4, &y, 4);
    std::memcpy(text + 8, &z, 4);
    return std::string(text, strnlen(text, 12));
}

}  // namespace

CpuFeatures readCpuFeatures() {
    CpuFeatures f;
    Regs v = cpuid(0);
    f.vendor = regsText(v.b, v.d, v.c);
    Regs basic = cpuid(1);
    f.vmx = basic.c & (1u << 5);
    f.isGuest = basic.c & (1u << 31);  // reserved for hypervisors to set
    if (cpuid(0x80000000).a >= 0x80000004) {
        f.svm = cpuid(0x80000001).c & (1u << 2);
        std::string brand;
        for (unsigned leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
            Regs r = cpuid(leaf);
            brand += regsText(r.a, r.b, 0) + regsText(r.c, r.d, 0);
        }
        size_t first = brand.find_first_not_of(' ');
        f.model = first == std::string::npos ? "" : brand.substr(first);
    }
    if (f.isGuest) {
        Regs h = cpuid(0x40000000);
        f.hypervisorVendor = regsText(h.b, h.c, h.d);
    }
    return f;
}

}  // namespace nido::hv
