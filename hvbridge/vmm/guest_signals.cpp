// Guest signal handlers and fault delivery, with the x86-64 Linux rt_sigframe
// layout so that glibc's and Boehm's handlers read what they expect.
#include "guest_signals.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include "cpu_state.hpp"
#include "guest_layout.hpp"
#include "machine.hpp"

namespace nido::hv::vmm {

namespace {

constexpr uint64_t kRedZone = 128;
constexpr uint64_t kSigsetBytes = 8;
// rt_sigframe: return address, ucontext (flags, link, stack_t, sigcontext, mask), siginfo.
constexpr uint64_t kUcontextOffset = 8;
constexpr uint64_t kGregsOffset = kUcontextOffset + 8 + 8 + 24;
constexpr uint64_t kGregCount = 32;  // 23 registers, fpstate pointer, 8 reserved: struct sigcontext
constexpr uint64_t kSigmaskOffset = kGregsOffset + kGregCount * 8;
constexpr uint64_t kSiginfoOffset = kSigmaskOffset + kSigsetBytes;
constexpr uint64_t kSiginfoBytes = 128;
constexpr uint64_t kFrameBytes = kSiginfoOffset + kSiginfoBytes;
// The flags a user context may set on return (Linux's FIX_EFLAGS).
constexpr uint64_t kUserFlags = 0x254dd5;

enum Greg {
    R8,
    R9,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    RDI,
    RSI,
    RBP,
    RBX,
    RDX,
    RAX,
    RCX,
    RSP,
    RIP,
    EFL,
    CSGSFS,
    ERR,
    TRAPNO,
    OLDMASK,
    CR2
};

uint64_t bit(int signal) { return 1ull << (signal - 1); }

uint64_t actionAddress(int signal) {
    static_assert(sizeof(KernelSigaction) == NIDO_VMM_SIGACTION_BYTES);
    static_assert(NIDO_VMM_SHARED_SIGACTIONS + 64 * NIDO_VMM_SIGACTION_BYTES <= layout::kPageSize);
    return layout::kSharedPage + NIDO_VMM_SHARED_SIGACTIONS + (signal - 1) * uint64_t{NIDO_VMM_SIGACTION_BYTES};
}

}  // namespace

uint64_t GuestSignals::mask(Machine& m) { return m.memory.sharedWord(NIDO_VMM_SHARED_SIGMASK); }

void GuestSignals::setMask(Machine& m, uint64_t value) {
    value &= ~(bit(SIGKILL) | bit(SIGSTOP));
    m.memory.setSharedWord(NIDO_VMM_SHARED_SIGMASK, value);
}

// SAFETY: `signal` is 1..64 (checked by every caller), so the entry lies
// inside the shared page, which is inside RAM (guest_layout.hpp).
KernelSigaction GuestSignals::loadAction(Machine& m, int signal) {
    KernelSigaction a;
    std::memcpy(&a, m.memory.raw(actionAddress(signal), sizeof a), sizeof a);
    return a;
}

// SAFETY: as for loadAction.
void GuestSignals::storeAction(Machine& m, int signal, const KernelSigaction& a) {
    std::memcpy(m.memory.raw(actionAddress(signal), sizeof a), &a, sizeof a);
}

int64_t GuestSignals::action(Machine& m, int signal, uint64_t newAction, uint64_t oldAction, uint64_t setSize) {
    if (signal < 1 || signal > 64 || setSize != kSigsetBytes) return -EINVAL;
    KernelSigaction a{};
    if (newAction) {
        if (signal == SIGKILL || signal == SIGSTOP) return -EINVAL;
        if (!m.memory.read(newAction, a)) return -EFAULT;
    }
    // Read before write, as Linux does, so that act == oact swaps.
    if (oldAction && !m.memory.write(oldAction, loadAction(m, signal))) return -EFAULT;
    if (newAction) storeAction(m, signal, a);
    return 0;
}

int64_t GuestSignals::procMask(Machine& m, int how, uint64_t newSet, uint64_t oldSet, uint64_t setSize) {
    if (setSize != kSigsetBytes) return -EINVAL;
    uint64_t set = 0;
    if (newSet && !m.memory.read(newSet, set)) return -EFAULT;
    uint64_t old = mask(m);
    if (newSet && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return -EINVAL;
    if (oldSet && !m.memory.write(oldSet, old)) return -EFAULT;
    if (newSet) setMask(m, how == SIG_BLOCK ? old | set : how == SIG_UNBLOCK ? old & ~set : set);
    return 0;
}

bool GuestSignals::deliver(Machine& m, FaultFrame& frame, int signal, int code, uint64_t address) {
    if (signal < 1 || signal > 64) return false;
    KernelSigaction a = loadAction(m, signal);
    if (a.handler == reinterpret_cast<uint64_t>(SIG_DFL) || a.handler == reinterpret_cast<uint64_t>(SIG_IGN) ||
        (mask(m) & bit(signal)))
        return false;
    uint64_t sp = ((frame.rsp - kRedZone - kFrameBytes) & ~uint64_t{15}) - 8;
    uint8_t* out = m.memory.user(sp, kFrameBytes);
    if (!out) return false;

    kvm_regs& r = m.vm.regs();
    uint64_t gregs[kGregCount] = {};
    const uint64_t values[] = {r.r8,
                               r.r9,
                               r.r10,
                               r.r11,
                               r.r12,
                               r.r13,
                               r.r14,
                               r.r15,
                               r.rdi,
                               r.rsi,
                               r.rbp,
                               r.rbx,
                               r.rdx,
                               r.rax,
                               r.rcx,
                               frame.rsp,
                               frame.rip,
                               frame.rflags,
                               frame.cs | (frame.ss << 48),
                               frame.errorCode,
                               frame.vector,
                               mask(m),
                               address};
    std::memcpy(gregs, values, sizeof values);
    std::memset(out, 0, kFrameBytes);
    std::memcpy(out, &a.restorer, 8);
    std::memcpy(out + kGregsOffset, gregs, sizeof gregs);
    uint64_t blocked = mask(m);
    std::memcpy(out + kSigmaskOffset, &blocked, 8);
    int32_t info[4] = {signal, 0, code, 0};
    std::memcpy(out + kSiginfoOffset, info, sizeof info);
    std::memcpy(out + kSiginfoOffset + 16, &address, 8);

    frame.rip = a.handler;
    frame.rsp = sp;
    frame.rflags &= ~uint64_t{0x100 | 0x400};  // TF, DF
    r.rdi = static_cast<uint64_t>(signal);
    r.rsi = sp + kSiginfoOffset;
    r.rdx = sp + kUcontextOffset;
    r.rax = 0;
    setMask(m, blocked | a.mask | ((a.flags & SA_NODEFER) ? 0 : bit(signal)));
    if (a.flags & SA_RESETHAND) {
        a.handler = reinterpret_cast<uint64_t>(SIG_DFL);
        storeAction(m, signal, a);
    }
    return true;
}

bool GuestSignals::sigreturn(Machine& m) {
    kvm_regs& r = m.vm.regs();
    uint64_t frame = r.rsp - 8;  // the handler's `ret` popped the return address
    uint64_t g[kGregCount];
    const uint8_t* in = m.memory.user(frame, kFrameBytes);
    if (!in) return false;
    std::memcpy(g, in + kGregsOffset, sizeof g);
    uint64_t restored;
    std::memcpy(&restored, in + kSigmaskOffset, 8);
    setMask(m, restored);
    r.r8 = g[R8], r.r9 = g[R9], r.r10 = g[R10], r.r11 = g[R11], r.r12 = g[R12], r.r13 = g[R13];
    r.r14 = g[R14], r.r15 = g[R15], r.rdi = g[RDI], r.rsi = g[RSI], r.rbp = g[RBP], r.rbx = g[RBX];
    r.rdx = g[RDX], r.rax = g[RAX], r.rcx = g[RCX], r.rsp = g[RSP];
    m.resumeUser(g[RIP], (g[EFL] & kUserFlags) | 0x2);
    return true;
}

}  // namespace nido::hv::vmm
