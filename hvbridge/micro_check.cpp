// `nido hv check`'s micro-VM rows (micro_check.hpp).
#include "hvbridge/micro_check.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "hvbridge/hv_run.hpp"
#include "hvbridge/micro_run.hpp"
#include "hvbridge/vmm/vmm.hpp"

namespace nido::hv {

namespace {

constexpr double kTrialTimeoutSeconds = 10;
constexpr uint64_t kTrialMemBytes = 256ull << 20;

// HOST: reads what the trial guest wrote (a line; the pipe holds it all).
std::string drain(int fd) {
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    return out;
}

}  // namespace

MicroCheck checkMicro() {
    MicroCheck c;
    std::string runtime = staticRuntimePath();
    if (!kvmUsable(c.why)) {
        fmt::print("  {:<15}cannot run: {}\n", "micro-VM", c.why);
        return c;
    }
    if (::access(runtime.c_str(), R_OK) != 0) {
        c.why = fmt::format("the static runtime is missing: {}", runtime);
        fmt::print("  {:<15}cannot run: {}\n", "micro-VM", c.why);
        return c;
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        c.why = "cannot make a pipe for the trial run";
        return c;
    }
    vmm::MicroVmConfig config;
    config.elfPath = runtime;
    config.argv = {"nido", "--version"};
    config.envp = {"GC_MARKERS=1"};
    config.memBytes = kTrialMemBytes;
    config.timeoutSeconds = kTrialTimeoutSeconds;
    config.stdoutFd = config.stderrFd = pipeFds[1];
    vmm::MicroVmResult r = vmm::runMicroVm(config);
    ::close(pipeFds[1]);
    std::string out = drain(pipeFds[0]);
    ::close(pipeFds[0]);
    double ms = double(r.setupNanoseconds + r.runNanoseconds + r.teardownNanoseconds) / 1e6;
    c.works = r.outcome == vmm::MicroVmResult::Outcome::Exited && r.status == 0 && out.starts_with("nido ");
    if (c.works) {
        c.why = fmt::format("a trial micro-VM ran nido-static --version at CPL3 ({} exits, {:.1f} ms)", r.exits, ms);
    } else {
        c.why = fmt::format("a trial micro-VM failed: {}",
                            r.message.empty() ? "status " + std::to_string(r.status) : r.message);
    }
    fmt::print("  {:<15}{}\n", "micro-VM", c.why);
    return c;
}

}  // namespace nido::hv
