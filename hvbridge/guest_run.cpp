// Running QEMU and relaying the guest's frames (guest_run.hpp).
#include "hvbridge/guest_run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "hvbridge/guest_protocol.hpp"

extern char** environ;

namespace nido::hv {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// HOST: all of bytes to fd. A reader that went away (EPIPE: `| head`)
// silently gets no more; the guest still runs to its end.
void writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        bytes.remove_prefix(size_t(n));
    }
}

// HOST: starts argv with stdin from /dev/null and stdout, stderr into
// pipes; returns the pid, or -1 with errno set.
pid_t spawnQemu(const std::vector<std::string>& argv, int& outFd, int& errFd) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return -1;
    if (::pipe2(err, O_CLOEXEC) != 0) {
        ::close(out[0]);
        ::close(out[1]);
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        errno = rc;
        return -1;
    }
    outFd = out[0];
    errFd = err[0];
    return pid;
}

// Milliseconds until deadline for poll, at least 0; -1 for no deadline.
int msUntil(Clock::time_point start, double seconds) {
    if (seconds <= 0) return -1;
    double left = seconds - secondsSince(start);
    if (left <= 0) return 0;
    return left * 1000 > INT_MAX ? INT_MAX : int(left * 1000) + 1;
}

}  // namespace

GuestRunResult runGuest(const std::vector<std::string>& argv, const RunLimits& limits) {
    GuestRunResult r;
    // A closed stdout must not kill nido with SIGPIPE before QEMU is reaped.
    ::signal(SIGPIPE, SIG_IGN);
    Clock::time_point start = Clock::now();
    int outFd = -1, errFd = -1;
    pid_t qemu = spawnQemu(argv, outFd, errFd);
    if (qemu < 0) {
        r.end = GuestEnd::QemuFailed;
        r.qemuErrors = std::string("cannot start ") + argv[0] + ": " + std::strerror(errno);
        return r;
    }
    FrameReader reader;
    bool reported = false;
    auto onFrame = [&](FrameKind kind, std::string_view payload) {
        switch (kind) {
        case FrameKind::Hello:
            if (payload.size() >= 8) r.guestUptimeAtInit = double(readU64(payload, 0)) / 1e9;
            r.bootSeconds = secondsSince(start);
            break;
        case FrameKind::Stdout: writeAll(1, payload); break;
        case FrameKind::Stderr: writeAll(2, payload); break;
        case FrameKind::Exit:
            if (payload.size() >= 12) {
                r.status = int(readU32(payload, 0));
                r.appSeconds = double(readU64(payload, 4)) / 1e9;
                reported = true;
            }
            break;
        }
    };

    pollfd fds[2] = {{outFd, POLLIN, 0}, {errFd, POLLIN, 0}};
    int open = 2;
    bool killed = false;
    char buf[64 * 1024];
    while (open > 0) {
        int wait = msUntil(start, limits.timeoutSeconds);
        if (r.bootSeconds < 0) {
            int boot = msUntil(start, limits.bootTimeoutSeconds);
            if (boot >= 0 && (wait < 0 || boot < wait)) wait = boot;
        }
        int ready = ::poll(fds, 2, wait);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) {
            bool bootHung =
                r.bootSeconds < 0 && limits.bootTimeoutSeconds > 0 && secondsSince(start) >= limits.bootTimeoutSeconds;
            r.end = bootHung ? GuestEnd::BootTimeout : GuestEnd::Timeout;
            ::kill(qemu, SIGKILL);
            killed = true;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                open--;
            } else if (i == 0) {
                reader.feed(std::string_view(buf, size_t(n)), onFrame);
            } else {
                r.qemuErrors.append(buf, size_t(n));
            }
        }
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) ::close(p.fd);
    }
    int ws = 0;
    while (::waitpid(qemu, &ws, 0) < 0 && errno == EINTR) {
    }
    r.vmSeconds = secondsSince(start);
    r.noiseBytes = reader.noiseBytes();
    if (killed) return r;
    r.qemuStatus = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    int portStatus = WIFEXITED(ws) ? appStatusFromQemu(r.qemuStatus) : -1;
    if (reported) {
        r.end = GuestEnd::Reported;
    } else if (portStatus >= 0) {
        r.end = GuestEnd::PortOnly;
        r.status = portStatus;
    } else {
        r.end = r.bootSeconds < 0 && r.qemuStatus != 0 ? GuestEnd::QemuFailed : GuestEnd::Silent;
    }
    return r;
}

}  // namespace nido::hv
