// `nido hv run` (hv_run.hpp): image, accelerator, boot, report.
#include "hvbridge/hv_run.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "hvbridge/cpu_features.hpp"
#include "hvbridge/explain.hpp"
#include "hvbridge/guest_kernel.hpp"
#include "hvbridge/guest_protocol.hpp"
#include "hvbridge/guest_run.hpp"
#include "hvbridge/kvm_probe.hpp"
#include "hvbridge/micro_run.hpp"
#include "hvbridge/qemu.hpp"

namespace nido::hv {

namespace {

namespace fs = std::filesystem;

constexpr const char* kInitramfsName = "initramfs.cpio";
constexpr const char* kKernelName = "vmlinuz";
constexpr const char* kBootScriptName = "boot.sh";

int fail(const std::string& message, int status = 2) {
    fmt::print(stderr, "nido: {}\n", message);
    return status;
}

// HOST: the host's standard input, read to its end up front: the guest
// has no way back to ask for more. A terminal gives none (it would wait for
// Ctrl-D); pipe or redirect the input instead.
bool readHostStdin(std::string& out, std::string& error) {
    if (::isatty(0)) return true;
    char buf[64 * 1024];
    while (true) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EBADF) return true;  // no stdin at all: empty input
        if (n < 0) {
            error = fmt::format("cannot read standard input: {}", std::strerror(errno));
            return false;
        }
        if (n == 0) return true;
        out.append(buf, size_t(n));
    }
}

// HOST: writes data to path through a temporary name.
bool writeFile(const std::string& path, std::string_view data, mode_t mode, std::string& error) {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    bool ok = fd >= 0;
    while (ok && !data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) data.remove_prefix(size_t(n));
    }
    int err = errno;
    if (fd >= 0 && ::close(fd) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        error = fmt::format("cannot write '{}': {}", path, std::strerror(err));
    }
    return ok;
}

// A folder for the image: --keep-image DIR (created if missing), or a
// fresh temporary one that the run removes.
struct ImageDir {
    std::string path;
    bool temporary = false;
    ~ImageDir() {
        std::error_code ec;
        if (temporary && !path.empty()) fs::remove_all(path, ec);
    }
};

bool makeImageDir(const HvRunOptions& o, ImageDir& dir, std::string& error) {
    if (o.keepImageDir) {
        std::error_code ec;
        fs::create_directories(*o.keepImageDir, ec);
        if (ec || !fs::is_directory(*o.keepImageDir)) {
            error = fmt::format("cannot make the folder '{}' for --keep-image: {}", *o.keepImageDir,
                                ec ? ec.message() : "not a folder");
            return false;
        }
        dir.path = fs::absolute(*o.keepImageDir).lexically_normal().string();
        return true;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = fmt::format("{}/nido-hv-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!::mkdtemp(templ.data())) {
        error = fmt::format("cannot make a temporary folder: {}", std::strerror(errno));
        return false;
    }
    dir.path = templ;
    dir.temporary = true;
    return true;
}

// --keep-image: the kernel beside the initramfs, and the boot line as a
// script a student can run by hand (plain output, no frames).
bool keepImage(const std::string& dir, const GuestKernel& kernel, BootConfig boot, std::string& error) {
    std::error_code ec;
    std::string kernelCopy = dir + "/" + kKernelName;
    if (fs::absolute(kernel.path, ec).lexically_normal() != fs::path(kernelCopy)) {
        fs::copy_file(kernel.path, kernelCopy, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            error = fmt::format("cannot copy the kernel to '{}': {}", kernelCopy, ec.message());
            return false;
        }
    }
    boot.kernel = kKernelName;
    boot.initramfs = kInitramfsName;
    boot.framed = false;
    std::string line;
    for (const std::string& word : qemuCommand(boot)) line += (line.empty() ? "" : " ") + shellQuote(word);
    std::string script = fmt::format(
        "#!/bin/sh\n"
        "# Boots the guest that `nido hv run` built: Linux ({}) with the Nido\n"
        "# runtime as /init. The app's output appears as plain text on the serial\n"
        "# port; `nido hv run` adds {} to the kernel command line\n"
        "# to get stdout and stderr in separate frames. QEMU's exit status is\n"
        "# 2 * (app status + 1) + 1: 3 means the app returned 0.\n"
        "cd \"$(dirname \"$0\")\" || exit 1\n"
        "exec {}\n",
        kernel.release, kFramedParam, line);
    return writeFile(dir + "/" + kBootScriptName, script, 0755, error);
}

std::string statsReport(const GuestRunResult& r, double imageSeconds, double totalSeconds, Accel accel,
                        uint64_t initramfsBytes, uint64_t kernelBytes) {
    auto secs = [](double s) { return s < 0 ? std::string("-") : fmt::format("{:.3f} s", s); };
    std::string out = "nido hv: stats\n";
    out += fmt::format("  accelerator          {}\n", accelName(accel));
    out += fmt::format("  image build          {}  (compile, verify, initramfs {:.1f} MB; kernel {:.1f} MB)\n",
                       secs(imageSeconds), double(initramfsBytes) / 1e6, double(kernelBytes) / 1e6);
    out += fmt::format("  boot to /init        {}  (QEMU start to the runtime's first word; guest clock {})\n",
                       secs(r.bootSeconds), secs(r.guestUptimeAtInit));
    out += fmt::format("  app run              {}  (in the guest, measured by /init)\n", secs(r.appSeconds));
    out += fmt::format("  QEMU, start to exit  {}\n", secs(r.vmSeconds));
    out += fmt::format("  total                {}\n", secs(totalSeconds));
    if (r.noiseBytes) out += fmt::format("  serial noise         {} bytes outside frames, dropped\n", r.noiseBytes);
    return out;
}

// The last non-empty line QEMU wrote, for a one-line error.
std::string lastLine(const std::string& text) {
    size_t end = text.find_last_not_of("\r\n");
    if (end == std::string::npos) return "";
    size_t start = text.find_last_of('\n', end);
    start = start == std::string::npos ? 0 : start + 1;
    return text.substr(start, end + 1 - start);
}

// The exit status of `hv run` for how the guest ended, with its message.
int reportEnd(const GuestRunResult& r, const HvRunOptions& o, const RunLimits& limits) {
    switch (r.end) {
    case GuestEnd::Reported:
    case GuestEnd::PortOnly: return r.status;
    case GuestEnd::Timeout:
        return fail(fmt::format("the guest did not finish within {} s (--timeout); QEMU was stopped", o.timeoutSeconds),
                    kTimeoutStatus);
    case GuestEnd::BootTimeout:
        return fail(fmt::format("the guest kernel did not start /init within {} s; QEMU was stopped "
                                "(--keep-image DIR keeps boot.sh to boot it by hand)",
                                limits.bootTimeoutSeconds),
                    1);
    case GuestEnd::Silent:
        return fail("the guest stopped without reporting the app's status (a guest kernel panic?)", 1);
    case GuestEnd::QemuFailed: {
        std::string why = lastLine(r.qemuErrors);
        return fail(fmt::format("QEMU failed{}{}", why.empty() ? "" : ": ", why), 2);
    }
    }
    return 1;
}

}  // namespace

std::string staticRuntimePath() {
    char self[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);  // HOST: where this nido lives
    if (n <= 0) return "guest/nido-static";
    std::string path(self, size_t(n));
    return path.substr(0, path.rfind('/') + 1) + "guest/nido-static";
}

GuestKind defaultGuest() {
    std::string why;
    return kvmUsable(why) ? GuestKind::Micro : GuestKind::Linux;
}

// The first flag given that only a Linux guest takes, or "".
std::string linuxOnlyFlag(const HvRunOptions& o) {
    if (o.accel != AccelRequest::Auto) return "--accel";
    if (!o.kernelPath.empty()) return "--kernel";
    if (o.keepImageDir) return "--keep-image";
    if (o.cpus != 1) return "--cpus";
    return "";
}

int hvRun(const HvRunOptions& o, const HvApp& app) {
    std::string linuxFlag = linuxOnlyFlag(o);
    // Without --guest, a Linux-only flag says which guest is meant.
    GuestKind guest = o.guest.value_or(linuxFlag.empty() ? defaultGuest() : GuestKind::Linux);
    if (guest == GuestKind::Micro) {
        if (!linuxFlag.empty()) return fail(fmt::format("{} is for --guest=linux (see 'nido help hv')", linuxFlag));
        return microRun(o, app);
    }
    if (o.allowRead.all || o.allowWrite.all || !o.allowRead.paths.empty() || !o.allowWrite.paths.empty()) {
        return fail(
            "--allow-read and --allow-write need --guest=micro: a Linux guest sees no host paths "
            "(give files with --file)");
    }
    if (!o.paravirtual) return fail("--pv is for --guest=micro (see 'nido help hv')");
    std::string error;
    auto qemu = findQemu(error);
    if (!qemu) return fail(error);
    std::string kernelPath = o.kernelPath.empty() ? cachedKernelPath() : o.kernelPath;
    if (o.kernelPath.empty() && ::access(kernelPath.c_str(), F_OK) != 0) {
        return fail(
            fmt::format("no guest kernel at '{}' (scripts/setup fetches it; or give --kernel PATH)", kernelPath));
    }
    auto kernel = openGuestKernel(kernelPath, error);
    if (!kernel) return fail(error);
    GuestImageSpec spec;
    spec.runtimePath = staticRuntimePath();
    if (::access(spec.runtimePath.c_str(), R_OK) != 0) {
        return fail(
            fmt::format("the static runtime '{}' is missing (build the nido-static target; sanitizer "
                        "builds cannot link it)",
                        spec.runtimePath));
    }
    KvmReport probe;
    if (o.accel != AccelRequest::Tcg) probe = probeKvm();
    AccelChoice accel = chooseAccel(o.accel, o.accel == AccelRequest::Tcg ? nullptr : &probe);
    if (!accel.ok) return fail(accel.reason);
    if (o.accel == AccelRequest::Auto && accel.accel == Accel::Tcg) {
        fmt::print(stderr, "nido: hv: using TCG, QEMU's emulator: {}\n", accel.reason);
    }

    spec.module = app.module;
    spec.package = app.package;
    spec.args = app.args;
    spec.files = o.files;
    if (!readHostStdin(spec.stdinBytes, error)) return fail(error);
    std::string initramfs;
    if (!buildInitramfs(spec, initramfs, error)) return fail(error);
    ImageDir dir;
    if (!makeImageDir(o, dir, error)) return fail(error);
    std::string initramfsPath = dir.path + "/" + kInitramfsName;
    if (!writeFile(initramfsPath, initramfs, 0644, error)) return fail(error);
    BootConfig boot{qemu->path, accel.accel, kernel->path, initramfsPath, o.memMiB, o.cpus, true};
    if (o.keepImageDir) {
        if (!keepImage(dir.path, *kernel, boot, error)) return fail(error);
        boot.kernel = dir.path + "/" + kKernelName;
    }
    double imageSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - o.started).count();

    if (o.explain) {
        RunFacts facts;
        facts.appName = app.name;
        facts.moduleBytes = app.module.size();
        facts.initramfsBytes = initramfs.size();
        facts.kernelVersion = kernel->release;
        facts.qemuVersion = qemu->version;
        facts.memMiB = o.memMiB;
        facts.cpus = o.cpus;
        facts.accel = accel;
        facts.cpu = readCpuFeatures();
        struct stat st;
        if (::stat(spec.runtimePath.c_str(), &st) == 0) facts.runtimeBytes = uint64_t(st.st_size);
        fmt::print(stderr, "{}", explainRun(facts));
    }
    RunLimits limits;
    limits.timeoutSeconds = o.timeoutSeconds;
    GuestRunResult result = runGuest(qemuCommand(boot), limits);
    int status = reportEnd(result, o, limits);
    if (o.stats) {
        double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - o.started).count();
        fmt::print(stderr, "{}",
                   statsReport(result, imageSeconds, total, accel.accel, initramfs.size(), kernel->bytes));
    }
    return status;
}

}  // namespace nido::hv
