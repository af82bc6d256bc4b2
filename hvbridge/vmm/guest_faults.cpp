// Fault exits: decode the exception frame, deliver or report.
#include "guest_faults.hpp"

#include <csignal>
#include <cstdio>
#include <cstring>

#include "cpu_state.hpp"
#include "guest_layout.hpp"
#include "machine.hpp"

namespace nido::hv::vmm {

namespace {

struct FaultKind {
    const char* name;
    int signal;  // 0: never delivered, always ends the run
    int code;    // si_code
};

FaultKind classify(uint64_t vector, uint64_t errorCode) {
    switch (vector) {
    case 0: return {"divide error", SIGFPE, FPE_INTDIV};
    case 1: return {"debug trap", SIGTRAP, 0};
    case 3: return {"breakpoint", SIGTRAP, 0};
    case 4: return {"overflow", SIGSEGV, SI_KERNEL};
    case 5: return {"bound range exceeded", SIGSEGV, SI_KERNEL};
    case 6: return {"invalid opcode", SIGILL, ILL_ILLOPN};
    case 7: return {"device not available", 0, 0};
    case 8: return {"double fault", 0, 0};
    case 12: return {"stack-segment fault", SIGBUS, 0};
    case 13: return {"general protection fault", SIGSEGV, SI_KERNEL};
    case 14: return {"page fault", SIGSEGV, (errorCode & 1) ? SEGV_ACCERR : SEGV_MAPERR};
    case 16: return {"x87 floating-point error", SIGFPE, 0};
    case 17: return {"alignment check", SIGBUS, BUS_ADRALN};
    case 19: return {"SIMD floating-point error", SIGFPE, 0};
    default: return {"exception", 0, 0};
    }
}

std::string describe(const Machine& m, const FaultKind& kind, const FaultFrame& f, uint64_t cr2) {
    char text[200];
    auto rip = static_cast<unsigned long long>(f.rip);
    if (f.vector == 14) {
        const char* access = (f.errorCode & 2) ? "write" : (f.errorCode & 16) ? "execute" : "read";
        uint64_t guard = m.memory.size() - layout::kStackBytes - layout::kStackGuard;
        const char* why = (f.errorCode & 1)                                   ? "protection"
                          : cr2 >= guard && cr2 < guard + layout::kStackGuard ? "not mapped: stack overflow"
                                                                              : "not mapped";
        std::snprintf(text, sizeof text, "guest fault: page fault at address 0x%llx (%s, %s), rip 0x%llx",
                      static_cast<unsigned long long>(cr2), access, why, rip);
    } else if (std::strcmp(kind.name, "exception") == 0) {
        std::snprintf(text, sizeof text, "guest fault: exception %llu, rip 0x%llx",
                      static_cast<unsigned long long>(f.vector), rip);
    } else {
        std::snprintf(text, sizeof text, "guest fault: %s, rip 0x%llx", kind.name, rip);
    }
    return text;
}

}  // namespace

std::string handleFault(Machine& m) {
    kvm_regs& r = m.vm.regs();
    FaultFrame f;
    const uint8_t* frame = m.memory.raw(r.rsp, sizeof f);
    kvm_sregs sregs;
    if (!frame || !m.vm.getSregs(sregs)) {
        m.end(MicroVmResult::Outcome::Error, 1, "fault stub exit with an unreadable frame");
        return "fault: unreadable";
    }
    std::memcpy(&f, frame, sizeof f);
    FaultKind kind = classify(f.vector, f.errorCode);
    uint64_t address = f.vector == 14 ? sregs.cr2 : 0;
    if ((f.cs & 3) != 3) {
        m.end(MicroVmResult::Outcome::Error, 1,
              "fault inside the VMM's CPL0 stubs: " + describe(m, kind, f, sregs.cr2));
    } else if (kind.signal && m.signals.deliver(m, f, kind.signal, kind.code, address)) {
        std::memcpy(m.memory.raw(r.rsp, sizeof f), &f, sizeof f);
        r.rip = faultStubResume();
        m.vm.markRegsDirty();
        return std::string("signal: ") + sigabbrev_np(kind.signal);
    } else {
        m.end(MicroVmResult::Outcome::Fault, 1, describe(m, kind, f, sregs.cr2));
    }
    return std::string("fault: ") + kind.name;
}

}  // namespace nido::hv::vmm
