// PID 1 of the Linux guest (guest_init.hpp).
#include "hvbridge/guest_init.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hvbridge/guest_image.hpp"
#include "hvbridge/guest_protocol.hpp"
#include "vm/host.hpp"
#include "vm/loader.hpp"
#include "vm/package_load.hpp"
#include "vm/runtime.hpp"

namespace nido::hv {

namespace {

int64_t clockNs(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // the port is gone: nowhere left to report to
        bytes.remove_prefix(size_t(n));
    }
}

bool readFile(const char* path, std::string& out) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    ::close(fd);
    return n == 0;
}

// The serial port to the host, framed or plain (guest_protocol.hpp).
struct HostLink {
    int tty = -1;
    bool framed = false;

    void send(FrameKind kind, std::string_view payload) {
        if (tty < 0) return;
        if (!framed) {
            if (kind == FrameKind::Stdout || kind == FrameKind::Stderr) writeAll(tty, payload);
            return;
        }
        std::string frame;
        appendFrame(frame, kind, payload);
        writeAll(tty, frame);
    }
    void error(std::string_view message) { send(FrameKind::Stderr, fmt::format("nido: {}\n", message)); }
};

// Raw mode: bytes pass unchanged ("\n" stays "\n", 0xF5 is not special).
void makeRaw(int tty) {
    termios t{};
    if (::tcgetattr(tty, &t) != 0) return;
    ::cfmakeraw(&t);
    ::cfsetspeed(&t, B115200);
    ::tcsetattr(tty, TCSANOW, &t);
}

// The child: runs the app with the runtime's ordinary entry point. Inside
// the guest the app may touch every file: the virtual machine is its
// sandbox, and nothing in it reaches the host's disk. A package is the
// exception: it gets what its manifest grants, on the guest's paths. The
// JIT is a shared library that a static /init cannot load, so the
// interpreter runs alone.
[[noreturn]] void runApp() {
    std::string argBytes;
    std::vector<std::string> args;
    if (readFile(kGuestArgsPath, argBytes)) {
        for (size_t at = 0; at < argBytes.size();) {
            size_t end = argBytes.find('\0', at);
            if (end == std::string::npos) end = argBytes.size();
            args.push_back(argBytes.substr(at, end - at));
            at = end + 1;
        }
    }
    vm::Program program;
    std::string error;
    vm::RunOptions options;
    options.jit = vm::JitMode::Off;
    std::vector<uint8_t> package;
    // A package runs under its own manifest, on the guest's paths.
    if (vm::readBoundedFile(kGuestPackagePath, package, error))
        vm::hostExit(vm::runPackage(kGuestPackagePath, package, options, args, kGuestWorkDir));
    if (!vm::loadModuleFile(kGuestAppPath, program, error)) {
        vm::hostWrite(vm::HostStream::Err, fmt::format("nido: {}\n", error));
        vm::hostExit(2);
    }
    options.permissions.readAll = options.permissions.writeAll = options.permissions.envAll = true;
    vm::hostExit(vm::runProgram(program, args, options));
}

// Forks the app with stdin from the initramfs and stdout/stderr on out/err.
pid_t startApp(int out, int err) {
    pid_t pid = ::fork();
    if (pid != 0) return pid;
    int in = ::open(kGuestStdinPath, O_RDONLY);
    if (in < 0) in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (::chdir(kGuestWorkDir) != 0) ::chdir("/");
    runApp();
}

// Copies the app's output pipes into frames until both are closed.
void relay(HostLink& link, int outPipe, int errPipe) {
    pollfd fds[2] = {{outPipe, POLLIN, 0}, {errPipe, POLLIN, 0}};
    const FrameKind kinds[2] = {FrameKind::Stdout, FrameKind::Stderr};
    int open = 2;
    char buf[kMaxFramePayload];
    while (open > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                open--;
                continue;
            }
            link.send(kinds[i], std::string_view(buf, size_t(n)));
        }
    }
}

// The app's exit status; a death by signal (a crash of the runtime) is 1.
int waitForApp(HostLink& link, pid_t app) {
    int ws = 0;
    while (::waitpid(app, &ws, 0) < 0) {
        if (errno != EINTR) {
            link.error(fmt::format("lost the app process: {}", std::strerror(errno)));
            return 1;
        }
    }
    if (WIFEXITED(ws)) return WEXITSTATUS(ws);
    int sig = WTERMSIG(ws);
    // SIGKILL in a guest where nothing else sends signals: the kernel's
    // out-of-memory killer.
    std::string hint = sig == SIGKILL ? "; out of guest memory? (--mem)" : "";
    link.error(fmt::format("the runtime died in the guest: signal {} ({}){}", sig, ::sigdescr_np(sig), hint));
    return 1;
}

// Sends the status and leaves: the port write ends QEMU at once; should
// there be no such device (a kept image booted by another VMM), a reset
// does (reboot=t and QEMU's -no-reboot).
[[noreturn]] void endGuest(HostLink& link, int status, int64_t runNs) {
    std::string payload;
    appendU32(payload, uint32_t(status));
    appendU64(payload, uint64_t(runNs));
    link.send(FrameKind::Exit, payload);
    if (link.tty >= 0) ::tcdrain(link.tty);  // the last bytes must leave the UART before QEMU stops
    // SAFETY: ioperm grants this process the exit port alone; outl there is
    // the isa-debug-exit device, which only stops the virtual machine.
    if (::ioperm(kExitPort, 4, 1) == 0) ::outl(uint32_t(qemuStatusForApp(status) >> 1), kExitPort);
    ::reboot(RB_AUTOBOOT);
    while (true) ::pause();
}

}  // namespace

// The name first: every nido start asks, and only the guest's is "/init".
bool isGuestInit(const char* argv0) { return argv0 && std::string_view(argv0) == "/init" && ::getpid() == 1; }

void guestInitMain() {
    int64_t bootNs = clockNs(CLOCK_BOOTTIME);
    ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    HostLink link;
    link.tty = ::open("/dev/ttyS0", O_RDWR | O_NOCTTY | O_CLOEXEC);
    std::string cmdline;
    link.framed = readFile("/proc/cmdline", cmdline) && cmdline.find(kFramedParam) != std::string::npos;
    if (link.tty >= 0 && link.framed) makeRaw(link.tty);
    std::string hello;
    appendU64(hello, uint64_t(bootNs));
    link.send(FrameKind::Hello, hello);

    int outPipe[2] = {-1, -1}, errPipe[2] = {-1, -1};
    if (link.framed && (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0)) {
        link.error(fmt::format("cannot make pipes in the guest: {}", std::strerror(errno)));
        endGuest(link, 1, 0);
    }
    int64_t start = clockNs(CLOCK_MONOTONIC);
    pid_t app = link.framed ? startApp(outPipe[1], errPipe[1]) : startApp(link.tty, link.tty);
    if (app < 0) {
        link.error(fmt::format("cannot start the app in the guest: {}", std::strerror(errno)));
        endGuest(link, 1, 0);
    }
    if (link.framed) {
        ::close(outPipe[1]);
        ::close(errPipe[1]);
        relay(link, outPipe[0], errPipe[0]);
    }
    int status = waitForApp(link, app);
    endGuest(link, status, clockNs(CLOCK_MONOTONIC) - start);
}

}  // namespace nido::hv
