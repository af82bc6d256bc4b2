// QEMU discovery and command line (qemu.hpp).
#include "hvbridge/qemu.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "hvbridge/guest_protocol.hpp"

extern char** environ;

namespace nido::hv {

namespace {

constexpr const char* kQemuName = "qemu-system-x86_64";
// Used when /proc/cpuinfo gives no clock rate.
constexpr long kDefaultTscKhz = 2'000'000;

// HOST: the first line a command prints on stdout, "" on failure.
std::string firstOutputLine(const std::vector<std::string>& argv) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return "";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while (rc == 0 && (n = ::read(fds[0], buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        out.append(buf, size_t(n));
    }
    ::close(fds[0]);
    if (rc == 0) ::waitpid(pid, nullptr, 0);
    return out.substr(0, out.find('\n'));
}

// The TSC rate in kHz from the host's /proc/cpuinfo ("cpu MHz : 2299.998").
// microvm has no HPET for the guest to calibrate the TSC against; without
// tsc_early_khz the guest kernel sometimes hangs in calibration.
long hostTscKhz() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("cpu MHz")) continue;
        size_t colon = line.find(':');
        if (colon == std::string::npos) break;
        double mhz = std::atof(line.c_str() + colon + 1);
        if (mhz > 0) return long(mhz * 1000);
    }
    return kDefaultTscKhz;
}

}  // namespace

const char* accelName(Accel a) { return a == Accel::Kvm ? "kvm" : "tcg"; }

std::optional<QemuInfo> findQemu(std::string& error) {
    const char* path = std::getenv("PATH");
    std::string dirs = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t at = 0;
    while (at <= dirs.size()) {
        size_t colon = dirs.find(':', at);
        if (colon == std::string::npos) colon = dirs.size();
        std::string dir = dirs.substr(at, colon - at);
        at = colon + 1;
        std::string candidate = (dir.empty() ? "." : dir) + "/" + kQemuName;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return QemuInfo{candidate, firstOutputLine({candidate, "--version"})};
        }
    }
    error = fmt::format("{} is not on PATH (scripts/setup installs Debian's qemu-system-x86)", kQemuName);
    return std::nullopt;
}

std::string kernelCommandLine(bool framed) {
    // quiet loglevel=0: no kernel messages; no console= at all, so nothing
    // but /init writes to ttyS0. panic=-1 reboot=t with QEMU's -no-reboot:
    // a panic ends QEMU at once. cryptomgr.notests skips ~0.45 s of self
    // tests under emulation; nokaslr, mitigations=off and audit=0 trim the
    // boot further (nothing in this guest needs them).
    std::string line = fmt::format(
        "quiet loglevel=0 panic=-1 reboot=t tsc_early_khz={} cryptomgr.notests 8250.nr_uarts=1 nokaslr "
        "random.trust_cpu=on mitigations=off audit=0 rdinit=/init",
        hostTscKhz());
    if (framed) line += fmt::format(" {}", kFramedParam);
    return line;
}

std::vector<std::string> qemuCommand(const BootConfig& c) {
    std::vector<std::string> argv = {c.qemu, "-accel", accelName(c.accel)};
    // -cpu host only under KVM: TCG cannot emulate "the host's CPU".
    if (c.accel == Accel::Kvm) argv.insert(argv.end(), {"-cpu", "host"});
    argv.insert(argv.end(), {"-M",
                             "microvm,pit=on,rtc=on",
                             "-m",
                             fmt::format("{}M", c.memMiB),
                             "-smp",
                             std::to_string(c.cpus),
                             "-nodefaults",
                             "-no-user-config",
                             "-display",
                             "none",
                             "-no-reboot",
                             "-serial",
                             "stdio",
                             "-device",
                             fmt::format("isa-debug-exit,iobase={:#x},iosize=0x04", kExitPort),
                             "-kernel",
                             c.kernel,
                             "-initrd",
                             c.initramfs,
                             "-append",
                             kernelCommandLine(c.framed)});
    return argv;
}

std::string shellQuote(const std::string& word) {
    bool plain = !word.empty() && word.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789_-+=/.,:@%") == std::string::npos;
    if (plain) return word;
    std::string out = "'";
    for (char ch : word) {
        if (ch == '\'') {
            out += "'\\''";
        } else {
            out.push_back(ch);
        }
    }
    return out + "'";
}

}  // namespace nido::hv
