// The KVM presence and speed probe (kvm_probe.hpp).
#include "hvbridge/kvm_probe.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace nido::hv {

namespace {

constexpr const char* kKvmPath = "/dev/kvm";
constexpr size_t kGuestBytes = 0x2000;  // the code page at 0x1000 and the page below it
constexpr uint64_t kCodeAddress = 0x1000;
// Two instructions per iteration. Emulated (about 1.2 M instructions/s)
// the loop takes ~17 ms; on the CPU, microseconds.
constexpr uint32_t kIterations = 10'000;
// Past this the probe stops the guest: KVM is unusable here.
constexpr int kProbeLimitMs = 500;
// Classification: hardware-assisted guests run billions of instructions a
// second, emulated ones about a million.
constexpr double kFastIps = 200e6;
constexpr double kSlowIps = 100e3;

// An owned file descriptor.
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

// An owned mapping.
struct Mapping {
    void* addr = MAP_FAILED;
    size_t bytes = 0;
    ~Mapping() {
        if (addr != MAP_FAILED) ::munmap(addr, bytes);
    }
};

void onAlarm(int) {}  // only interrupts KVM_RUN

// Arms a one-shot SIGALRM for the probe and puts everything back after.
class ProbeAlarm {
public:
    ProbeAlarm() {
        struct sigaction sa {};
        sa.sa_handler = onAlarm;  // no SA_RESTART: KVM_RUN returns EINTR
        ::sigaction(SIGALRM, &sa, &previous_);
        itimerval t{};
        t.it_value.tv_sec = kProbeLimitMs / 1000;
        t.it_value.tv_usec = (kProbeLimitMs % 1000) * 1000;
        ::setitimer(ITIMER_REAL, &t, &previousTimer_);
    }
    ~ProbeAlarm() {
        ::setitimer(ITIMER_REAL, &previousTimer_, nullptr);
        ::sigaction(SIGALRM, &previous_, nullptr);
    }

private:
    struct sigaction previous_ {};
    itimerval previousTimer_{};
};

// The name for id in /etc/passwd or /etc/group ("name:x:id:..."), or the
// number. Read directly: getpwuid would make the static runtime, which
// links this file too, depend on glibc's NSS libraries.
std::string accountName(const char* file, unsigned id) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        size_t first = line.find(':');
        size_t second = first == std::string::npos ? first : line.find(':', first + 1);
        if (second == std::string::npos) continue;
        if (std::atol(line.c_str() + second + 1) == long(id) && line[second + 1] != ':') return line.substr(0, first);
    }
    return std::to_string(id);
}

std::string nodeDescription(const struct stat& st) {
    char perms[11] = "c---------";
    const char* bits = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
        if (st.st_mode & (0400 >> i)) perms[i + 1] = bits[i];
    }
    return fmt::format("{} {}:{}", perms, accountName("/etc/passwd", st.st_uid), accountName("/etc/group", st.st_gid));
}

// One vCPU in real mode at kCodeAddress, counting `iterations` down and
// halting. Returns the time inside KVM_RUN in seconds, or -1 with problem set.
double timeLoop(int vcpu, kvm_run* run, uint8_t* code, uint32_t iterations, std::string& problem) {
    // mov ecx, iterations / back: dec ecx / jnz back / hlt (16-bit code,
    // 0x66 selects 32-bit operands).
    const uint8_t program[] = {0x66,
                               0xB9,
                               uint8_t(iterations),
                               uint8_t(iterations >> 8),
                               uint8_t(iterations >> 16),
                               uint8_t(iterations >> 24),
                               0x66,
                               0x49,
                               0x75,
                               0xFC,
                               0xF4};
    std::memcpy(code, program, sizeof program);
    kvm_sregs sregs{};
    kvm_regs regs{};
    // SAFETY: KVM_GET/SET_SREGS and KVM_SET_REGS copy these structs, sized
    // by the ioctl numbers, to and from the vCPU.
    if (::ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
        problem = fmt::format("KVM_GET_SREGS failed: {}", std::strerror(errno));
        return -1;
    }
    sregs.cs.base = 0;
    sregs.cs.selector = 0;
    regs.rip = kCodeAddress;
    regs.rflags = 0x2;  // bit 1 is always set
    if (::ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0 || ::ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
        problem = fmt::format("cannot set the vCPU's registers: {}", std::strerror(errno));
        return -1;
    }
    auto start = std::chrono::steady_clock::now();
    int rc = ::ioctl(vcpu, KVM_RUN, 0);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (rc < 0) {
        problem = errno == EINTR ? fmt::format("the probe guest did not finish within {} ms", kProbeLimitMs)
                                 : fmt::format("KVM_RUN failed: {}", std::strerror(errno));
        return -1;
    }
    if (run->exit_reason != KVM_EXIT_HLT) {
        problem = fmt::format("the probe guest stopped for exit reason {}, not HLT", run->exit_reason);
        return -1;
    }
    return seconds;
}

// Creates the one-page VM and times the loop: once with a single iteration
// (the cost of entering and leaving the guest), once with kIterations.
void measure(int kvm, KvmReport& r) {
    // Declared first so that it is unmapped last, after the VM is closed.
    Mapping memory;
    Fd vm(::ioctl(kvm, KVM_CREATE_VM, 0));
    if (vm.fd < 0) {
        r.problem = fmt::format("KVM_CREATE_VM failed: {}", std::strerror(errno));
        return;
    }
    memory.bytes = kGuestBytes;
    // SAFETY: private anonymous memory that becomes the guest's RAM; it
    // outlives the VM (destroyed in reverse order of declaration).
    memory.addr = ::mmap(nullptr, kGuestBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory.addr == MAP_FAILED) {
        r.problem = fmt::format("cannot map guest memory: {}", std::strerror(errno));
        return;
    }
    kvm_userspace_memory_region region{};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = kGuestBytes;
    region.userspace_addr = reinterpret_cast<uint64_t>(memory.addr);
    // SAFETY: the region describes the mapping above, page-aligned and sized.
    if (::ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
        r.problem = fmt::format("KVM_SET_USER_MEMORY_REGION failed: {}", std::strerror(errno));
        return;
    }
    Fd vcpu(::ioctl(vm.fd, KVM_CREATE_VCPU, 0));
    int runBytes = ::ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (vcpu.fd < 0 || runBytes <= 0) {
        r.problem = fmt::format("cannot create a vCPU: {}", std::strerror(errno));
        return;
    }
    Mapping runMap;
    runMap.bytes = size_t(runBytes);
    // SAFETY: the vCPU's shared kvm_run structure, of the size KVM reports.
    runMap.addr = ::mmap(nullptr, runMap.bytes, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu.fd, 0);
    if (runMap.addr == MAP_FAILED) {
        r.problem = fmt::format("cannot map the vCPU's run structure: {}", std::strerror(errno));
        return;
    }
    auto* run = static_cast<kvm_run*>(runMap.addr);
    auto* code = static_cast<uint8_t*>(memory.addr) + kCodeAddress;
    ProbeAlarm alarm;
    double empty = timeLoop(vcpu.fd, run, code, 1, r.problem);
    if (empty < 0) return;
    double full = timeLoop(vcpu.fd, run, code, kIterations, r.problem);
    if (full < 0) return;
    double loopSeconds = full - empty;
    r.instructionsPerSecond = loopSeconds > 0 ? 2.0 * (kIterations - 1) / loopSeconds : 1e12;
    r.speed = r.instructionsPerSecond >= kFastIps   ? KvmSpeed::Fast
              : r.instructionsPerSecond >= kSlowIps ? KvmSpeed::Slow
                                                    : KvmSpeed::Unusable;
    if (r.speed == KvmSpeed::Unusable) r.problem = "the probe guest ran too slowly to boot anything";
}

}  // namespace

const char* kvmSpeedName(KvmSpeed s) {
    switch (s) {
    case KvmSpeed::Fast: return "fast";
    case KvmSpeed::Slow: return "slow";
    case KvmSpeed::Unusable: return "unusable";
    }
    return "unusable";
}

KvmReport probeKvm() {
    KvmReport r;
    auto start = std::chrono::steady_clock::now();
    struct stat st;
    if (::stat(kKvmPath, &st) != 0) {
        r.problem = fmt::format("{} is missing (no KVM module loaded, or not passed into this container)", kKvmPath);
        return r;
    }
    r.present = true;
    r.node = nodeDescription(st);
    Fd kvm(::open(kKvmPath, O_RDWR | O_CLOEXEC));
    if (kvm.fd < 0) {
        r.problem = errno == EACCES ? fmt::format("no permission to open {} (join its group, often 'kvm')", kKvmPath)
                                    : fmt::format("cannot open {}: {}", kKvmPath, std::strerror(errno));
        return r;
    }
    r.accessible = true;
    r.apiVersion = ::ioctl(kvm.fd, KVM_GET_API_VERSION, 0);
    if (r.apiVersion != KVM_API_VERSION) {
        r.problem = fmt::format("unexpected KVM API version {} (expected {})", r.apiVersion, KVM_API_VERSION);
        return r;
    }
    measure(kvm.fd, r);
    r.probeMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace nido::hv
