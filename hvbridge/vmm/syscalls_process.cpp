// Process, thread, signal, clock and randomness system calls. The guest is
// one process with one thread (pid and tid 1) on one CPU, so Boehm starts
// no marker threads (NOTES.md); clone is refused with -ENOSYS.
#include <linux/futex.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "machine.hpp"
#include "syscall_entry_abi.h"
#include "syscalls.hpp"

namespace nido::hv::vmm {

namespace {

constexpr int64_t kPid = 1;
constexpr uint64_t kArchSetGs = 0x1001, kArchSetFs = 0x1002, kArchGetFs = 0x1003, kArchGetGs = 0x1004;
constexpr uint64_t kMaxRandomBytes = 1 << 20;

int64_t archPrctl(Machine& m, uint64_t code, uint64_t addr) {
    kvm_sregs sregs;
    if (!m.vm.getSregs(sregs)) return -EIO;
    switch (code) {
    case kArchSetFs:
    case kArchSetGs: (code == kArchSetFs ? sregs.fs : sregs.gs).base = addr; return m.vm.setSregs(sregs) ? 0 : -EIO;
    case kArchGetFs:
    case kArchGetGs: return m.memory.write(addr, code == kArchGetFs ? sregs.fs.base : sregs.gs.base) ? 0 : -EFAULT;
    default: return -EINVAL;
    }
}

int64_t prlimit(Machine& m, uint64_t resource, uint64_t oldAddr) {
    if (!oldAddr) return 0;
    rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    if (resource == RLIMIT_STACK) limit.rlim_cur = NIDO_VMM_STACK_LIMIT;
    if (resource == RLIMIT_NOFILE) limit = {NIDO_VMM_FILE_LIMIT, NIDO_VMM_FILE_LIMIT};
    return m.memory.write(oldAddr, limit) ? 0 : -EFAULT;
}

int64_t sigaltstack(Machine& m, uint64_t oldAddr) {
    stack_t none{};
    none.ss_flags = SS_DISABLE;
    return !oldAddr || m.memory.write(oldAddr, none) ? 0 : -EFAULT;
}

// One CPU: Boehm then starts no parallel markers.
int64_t schedGetaffinity(Machine& m, uint64_t len, uint64_t maskAddr) {
    if (len < 8) return -EINVAL;
    uint8_t* p = m.memory.user(maskAddr, len);
    if (!p) return -EFAULT;
    std::memset(p, 0, len);
    p[0] = 1;
    return 8;
}

int64_t uname(Machine& m, uint64_t addr) {
    utsname u{};
    std::strcpy(u.sysname, "Linux");
    std::strcpy(u.nodename, "nido-microvm");
    std::strcpy(u.release, "6.1.0");
    std::strcpy(u.version, "#1 nido-vmm");
    std::strcpy(u.machine, "x86_64");
    return m.memory.write(addr, u) ? 0 : -EFAULT;
}

int64_t clockGettime(Machine& m, uint64_t clock, uint64_t addr, bool resolution) {
    timespec ts;
    // HOST: the host's clocks, which the guest may always read.
    int r = resolution ? clock_getres(static_cast<clockid_t>(clock), &ts)
                       : clock_gettime(static_cast<clockid_t>(clock), &ts);
    if (r < 0) return -errno;
    return !addr || m.memory.write(addr, ts) ? 0 : -EFAULT;
}

int64_t gettimeofday(Machine& m, uint64_t addr) {
    timeval tv;
    ::gettimeofday(&tv, nullptr);
    return !addr || m.memory.write(addr, tv) ? 0 : -EFAULT;
}

int64_t time(Machine& m, uint64_t addr) {
    int64_t now = ::time(nullptr);
    if (addr && !m.memory.write(addr, now)) return -EFAULT;
    return now;
}

// Sleeps on the host; the timeout's signal interrupts it (-EINTR ends the run).
int64_t sleep(Machine& m, uint64_t clock, uint64_t flags, uint64_t requestAddr) {
    timespec request;
    if (!m.memory.read(requestAddr, request)) return -EFAULT;
    int r = clock_nanosleep(static_cast<clockid_t>(clock), static_cast<int>(flags), &request, nullptr);
    return -r;
}

int64_t getrandom(Machine& m, uint64_t addr, uint64_t len, uint64_t flags) {
    len = std::min(len, kMaxRandomBytes);
    uint8_t* p = m.memory.user(addr, len);
    if (!p) return len == 0 ? 0 : -EFAULT;
    ssize_t n = ::getrandom(p, len, static_cast<unsigned>(flags & GRND_NONBLOCK));
    return n < 0 ? -errno : n;
}

// One thread: a wait whose value matches would never be woken.
int64_t futex(Machine& m, uint64_t addr, uint64_t op, uint64_t value, uint64_t timeout) {
    switch (op & FUTEX_CMD_MASK) {
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: return 0;
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint32_t current;
        if (!m.memory.read(addr, current)) return -EFAULT;
        if (current != static_cast<uint32_t>(value)) return -EAGAIN;
        if (timeout) return -ETIMEDOUT;
        m.end(MicroVmResult::Outcome::Error, 1, "guest deadlock: futex wait with no other thread to wake it");
        return 0;
    }
    default: return -ENOSYS;
    }
}

// The guest's RAM as the machine's memory, one process, no swap.
int64_t sysinfo(Machine& m, uint64_t addr) {
    struct sysinfo info {};
    timespec up;
    clock_gettime(CLOCK_BOOTTIME, &up);
    info.uptime = up.tv_sec;
    info.totalram = m.memory.size();
    info.freeram = m.memory.size() / 2;
    info.procs = 1;
    info.mem_unit = 1;
    return m.memory.write(addr, info) ? 0 : -EFAULT;
}

// kill/tgkill aimed at the guest itself (abort() raises SIGABRT): the run ends.
int64_t killSelf(Machine& m, uint64_t signal) {
    if (signal == 0) return 0;
    m.end(MicroVmResult::Outcome::Fault, 1,
          "guest killed by signal " + std::to_string(signal) + " (" + strsignal(static_cast<int>(signal)) + ")");
    return 0;
}

}  // namespace

bool processSyscall(Machine& m, uint64_t number, const uint64_t* a, int64_t& result) {
    switch (number) {
    case SYS_exit:
    case SYS_exit_group: m.end(MicroVmResult::Outcome::Exited, static_cast<int>(a[0] & 0xff), ""); return true;
    case SYS_arch_prctl: result = archPrctl(m, a[0], a[1]); return true;
    case SYS_set_tid_address:
    case SYS_getpid:
    case SYS_gettid: result = kPid; return true;
    case SYS_getppid: result = 0; return true;
    case SYS_getuid: result = getuid(); return true;
    case SYS_geteuid: result = geteuid(); return true;
    case SYS_getgid: result = getgid(); return true;
    case SYS_getegid: result = getegid(); return true;
    case SYS_set_robust_list:
    case SYS_sched_yield:
    case SYS_sched_setaffinity: result = 0; return true;
    case SYS_rseq: result = -ENOSYS; return true;  // glibc runs without it
    case SYS_prlimit64: result = prlimit(m, a[1], a[3]); return true;
    case SYS_getrlimit: result = prlimit(m, a[0], a[1]); return true;
    case SYS_rt_sigaction: result = m.signals.action(m, static_cast<int>(a[0]), a[1], a[2], a[3]); return true;
    case SYS_rt_sigprocmask: result = m.signals.procMask(m, static_cast<int>(a[0]), a[1], a[2], a[3]); return true;
    case SYS_sigaltstack: result = sigaltstack(m, a[1]); return true;
    case SYS_sched_getaffinity: result = schedGetaffinity(m, a[1], a[2]); return true;
    case SYS_uname: result = uname(m, a[0]); return true;
    case SYS_sysinfo: result = sysinfo(m, a[0]); return true;
    case SYS_clock_gettime: result = clockGettime(m, a[0], a[1], false); return true;
    case SYS_clock_getres: result = clockGettime(m, a[0], a[1], true); return true;
    case SYS_gettimeofday: result = gettimeofday(m, a[0]); return true;
    case SYS_time: result = time(m, a[0]); return true;
    case SYS_nanosleep: result = sleep(m, CLOCK_MONOTONIC, 0, a[0]); return true;
    case SYS_clock_nanosleep: result = sleep(m, a[0], a[1], a[2]); return true;
    case SYS_getrandom: result = getrandom(m, a[0], a[1], a[2]); return true;
    case SYS_futex: result = futex(m, a[0], a[1], a[2], a[3]); return true;
    case SYS_kill:
    case SYS_tkill: result = killSelf(m, a[1]); return true;
    case SYS_tgkill: result = killSelf(m, a[2]); return true;
    case SYS_getcpu:
        if (a[0]) m.memory.write(a[0], uint32_t{0});
        if (a[1]) m.memory.write(a[1], uint32_t{0});
        result = 0;
        return true;
    default: return false;
    }
}

}  // namespace nido::hv::vmm
