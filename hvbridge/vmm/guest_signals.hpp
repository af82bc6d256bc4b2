// Signals in a guest with no kernel: the handlers the guest registers with
// rt_sigaction, its signal mask, and delivery of a CPU fault as SIGSEGV,
// SIGILL, SIGFPE or SIGBUS to a registered handler (Boehm's start-up probe
// needs this: NOTES.md). Without a handler a fault ends the run.
#pragma once

#include <cstdint>

namespace nido::hv::vmm {

struct Machine;
struct FaultFrame;

// struct sigaction as the x86-64 kernel takes it.
struct KernelSigaction {
    uint64_t handler, flags, restorer, mask;
};

class GuestSignals {
public:
    int64_t action(Machine& m, int signal, uint64_t newAction, uint64_t oldAction, uint64_t setSize);
    int64_t procMask(Machine& m, int how, uint64_t newSet, uint64_t oldSet, uint64_t setSize);
    // Delivers `signal` for the fault in `frame` by rewriting the frame to
    // enter the handler; false if the guest has no handler for it.
    bool deliver(Machine& m, FaultFrame& frame, int signal, int code, uint64_t address);
    // rt_sigreturn: restores the context saved by deliver(); false if it is unreadable.
    bool sigreturn(Machine& m);

private:
    // The blocked-signal mask lives in the shared page, where the entry page's
    // rt_sigprocmask fast path changes it without an exit.
    static uint64_t mask(Machine& m);
    static void setMask(Machine& m, uint64_t mask);
    // The handler table lives in the shared page too, where the entry page's
    // rt_sigaction fast path changes it. The guest may write anything there:
    // the VMM only copies a handler and restorer into the guest's own
    // registers and signal frame, never follows them on the host.
    static KernelSigaction loadAction(Machine& m, int signal);
    static void storeAction(Machine& m, int signal, const KernelSigaction& action);
};

}  // namespace nido::hv::vmm
