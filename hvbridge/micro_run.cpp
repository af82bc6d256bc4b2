// `nido hv run --guest=micro` (micro_run.hpp): the VMM's configuration from
// the command line, the run, and its report.
#include "hvbridge/micro_run.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "hvbridge/micro_explain.hpp"
#include "hvbridge/micro_stats.hpp"
#include "hvbridge/vmm/pv_abi.hpp"
#include "hvbridge/vmm/vmm.hpp"

namespace nido::hv {

namespace {

constexpr uint64_t kDefaultMemMiB = 1024;  // guest RAM is touched lazily: size costs little
constexpr int kKvmApiVersion = 12;

// Test-only (tests/hv/run_micro.py): passed into the guest so that the
// runtime makes itself fault there (cli/main.cpp).
constexpr const char* kTestFaultVariable = "NIDO_TEST_GUEST_FAULT";

int fail(const std::string& message, int status = 2) {
    fmt::print(stderr, "nido: {}\n", message);
    return status;
}

// The runtime's own flags for a grant, so that the sandbox inside the guest
// (vm/sandbox.cpp) refuses what the VMM would refuse anyway, with Nido's
// PermissionError instead of a bare "no such file".
// The --file files are the app's to read, wherever they were put.
void addGrantFlag(std::vector<std::string>& argv, const char* flag, const PathGrant& grant,
                  const std::vector<GuestFile>& given = {}) {
    if (grant.all) {
        argv.push_back(flag);
        return;
    }
    std::string list;
    for (const std::string& p : grant.paths) list += (list.empty() ? "" : ",") + p;
    for (const GuestFile& f : given) list += (list.empty() ? "" : ",") + f.guestPath;
    if (!list.empty()) argv.push_back(fmt::format("{}={}", flag, list));
}

vmm::PathPermission permission(const PathGrant& grant) {
    vmm::PathPermission p;
    p.all = grant.all;
    p.prefixes = grant.paths;
    return p;
}

// /app/NAME.ndc for the app given as NAME.nd or NAME.ndc; /app/NAME.ndar
// for a package.
std::string guestModulePath(const HvApp& app) {
    return "/app/" + std::filesystem::path(app.name).stem().string() + (app.package ? ".ndar" : ".ndc");
}

}  // namespace

bool kvmUsable(std::string& why) {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        why = fmt::format("/dev/kvm: {}", std::strerror(errno));
        return false;
    }
    // SAFETY: KVM_GET_API_VERSION takes no argument and only reads.
    int version = ::ioctl(fd, KVM_GET_API_VERSION, 0);
    ::close(fd);
    if (version != kKvmApiVersion) {
        why = fmt::format("/dev/kvm speaks KVM API {}, not {}", version, kKvmApiVersion);
        return false;
    }
    why = "/dev/kvm opens read-write (KVM API 12)";
    return true;
}

int microRun(const HvRunOptions& o, const HvApp& app) {
    vmm::MicroVmConfig config;
    config.elfPath = staticRuntimePath();
    if (::access(config.elfPath.c_str(), R_OK) != 0) {
        return fail(
            fmt::format("the static runtime '{}' is missing (build the nido-static target; sanitizer "
                        "builds cannot link it)",
                        config.elfPath));
    }
    std::string why;
    if (!kvmUsable(why))
        return fail(fmt::format("--guest=micro needs KVM: {} (--guest=linux runs on QEMU's emulator)", why));

    std::string modulePath = guestModulePath(app);
    // A package's runtime gets the flags as given and narrows its manifest
    // with them as the host did (cmd_hv.cpp), which gives the VMM the result;
    // the --file files are not added: they would go past the manifest.
    const PathGrant& vmmRead = app.package ? app.packageRead : o.allowRead;
    const PathGrant& vmmWrite = app.package ? app.packageWrite : o.allowWrite;
    config.files[modulePath].bytes.assign(app.module.begin(), app.module.end());
    for (const GuestFile& f : o.files) {
        if (::access(f.hostPath.c_str(), R_OK) != 0)
            return fail(fmt::format("cannot read '{}' for --file: {}", f.hostPath, std::strerror(errno)));
        if (config.files.count(f.guestPath)) return fail(fmt::format("--file: '{}' is given twice", f.guestPath));
        config.files[f.guestPath].hostPath = f.hostPath;
    }
    // --jit=off: the static runtime cannot load the JIT plugin, and off it
    // never starts a background compile thread (one vCPU, no clone).
    config.argv = {"nido", "run", "--jit=off"};
    addGrantFlag(config.argv, "--allow-read", o.allowRead, app.package ? std::vector<GuestFile>{} : o.files);
    addGrantFlag(config.argv, "--allow-write", o.allowWrite);
    config.argv.push_back(modulePath);
    config.argv.insert(config.argv.end(), app.args.begin(), app.args.end());
    // One vCPU, one guest thread: Boehm must not start parallel markers
    // (it reads GC_MARKERS in GC_init; the VMM refuses clone anyway), and
    // need not count processors in /proc/stat (GC_NPROCS: 3 exits fewer).
    config.envp = {"GC_MARKERS=1", "GC_NPROCS=1"};
    if (o.paravirtual) config.envp.push_back(fmt::format("{}=1", pv::kEnvironmentFlag));
    if (const char* fault = std::getenv(kTestFaultVariable))
        config.envp.push_back(fmt::format("{}={}", kTestFaultVariable, fault));
    config.paravirtual = o.paravirtual;
    config.allowRead = permission(vmmRead);
    config.allowWrite = permission(vmmWrite);
    config.memBytes = (o.memGiven ? o.memMiB : kDefaultMemMiB) << 20;
    config.timeoutSeconds = o.timeoutSeconds;

    if (o.explain) fmt::print(stderr, "{}", explainMicroRun(o, app, config.elfPath, why));
    // HOST: a closed stdout must reach the guest (or the ring's drain) as
    // EPIPE, which ends the app quietly with status 1 as `nido run` does,
    // not kill this process with SIGPIPE. The process ends after the run.
    ::signal(SIGPIPE, SIG_IGN);
    auto vmStarted = std::chrono::steady_clock::now();
    vmm::MicroVmResult r = vmm::runMicroVm(config);
    int status = r.status;
    switch (r.outcome) {
    case vmm::MicroVmResult::Outcome::Exited: break;
    case vmm::MicroVmResult::Outcome::Fault: status = fail("hv: " + r.message, 1); break;
    case vmm::MicroVmResult::Outcome::Timeout:
        status = fail(
            fmt::format("the guest did not finish within {} s (--timeout); the micro-VM was stopped", o.timeoutSeconds),
            kTimeoutStatus);
        break;
    case vmm::MicroVmResult::Outcome::Error: status = fail(fmt::format("hv: micro-VM: {}", r.message), 1); break;
    }
    if (o.stats) fmt::print(stderr, "{}", microStatsReport(r, o, vmStarted));
    return status;
}

}  // namespace nido::hv
