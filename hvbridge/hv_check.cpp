// The `nido hv check` report (hv_check.hpp).
#include "hvbridge/hv_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "hvbridge/cpu_features.hpp"
#include "hvbridge/guest_kernel.hpp"
#include "hvbridge/hv_run.hpp"
#include "hvbridge/kvm_probe.hpp"
#include "hvbridge/micro_check.hpp"
#include "hvbridge/qemu.hpp"

namespace nido::hv {

namespace {

void row(std::string_view name, std::string_view value) { fmt::print("  {:<15}{}\n", name, value); }

std::string yesNo(bool b) { return b ? "yes" : "no"; }

std::string kvmSpeedLine(const KvmReport& k) {
    if (!k.accessible || k.apiVersion < 0) return "not measured";
    if (!k.problem.empty() && k.instructionsPerSecond == 0) return fmt::format("unusable: {}", k.problem);
    std::string what = k.speed == KvmSpeed::Fast   ? "hardware-assisted: guest kernel code runs on the CPU"
                       : k.speed == KvmSpeed::Slow ? "nested or emulated: guest kernel code is interpreted in software"
                                                   : "far too slow to boot a kernel";
    return fmt::format("{} ({:.1f} M instructions/s of real-mode guest code, probe {:.0f} ms): {}",
                       kvmSpeedName(k.speed), k.instructionsPerSecond / 1e6, k.probeMs, what);
}

}  // namespace

int hvCheck(AccelRequest request, const std::string& kernelPath, std::optional<GuestKind> guest) {
    bool ready = true;
    fmt::print("nido hv check: can this machine run `nido hv run`?\n");
    CpuFeatures cpu = readCpuFeatures();
    row("CPU", fmt::format("{} {}", cpu.vendor, cpu.model));
    row("extensions", fmt::format("vmx (Intel VT-x): {}, svm (AMD-V): {}", yesNo(cpu.vmx), yesNo(cpu.svm)));
    row("this machine", cpu.isGuest ? fmt::format("a guest itself: hypervisor flag set, CPUID 0x40000000 says \"{}\"",
                                                  cpu.hypervisorVendor)
                                    : std::string("no hypervisor flag: bare metal, as far as the CPU says"));

    KvmReport kvm;
    if (request != AccelRequest::Tcg) kvm = probeKvm();
    if (request == AccelRequest::Tcg) {
        row("/dev/kvm", "not probed (--accel=tcg)");
    } else if (!kvm.present) {
        row("/dev/kvm", kvm.problem);
    } else {
        row("/dev/kvm", fmt::format("present, {}, {}", kvm.node,
                                    kvm.accessible ? "opened read-write" : "cannot open: " + kvm.problem));
        if (kvm.accessible) row("KVM API", fmt::format("version {}", kvm.apiVersion));
        row("KVM speed", kvmSpeedLine(kvm));
    }

    MicroCheck micro;
    if (guest != GuestKind::Linux) micro = checkMicro();
    if (guest == GuestKind::Micro) {
        fmt::print("verdict: --guest=micro {}: {}\n", micro.works ? "works" : "cannot work", micro.why);
        return micro.works ? 0 : 1;
    }

    std::string error;
    auto qemu = findQemu(error);
    row("QEMU", qemu ? fmt::format("{}: {}", qemu->path, qemu->version) : error);
    ready = ready && qemu;

    std::string path = kernelPath.empty() ? cachedKernelPath() : kernelPath;
    if (kernelPath.empty() && ::access(path.c_str(), F_OK) != 0) {
        row("guest kernel", fmt::format("missing: {} (scripts/setup fetches it)", path));
        ready = false;
    } else if (auto kernel = openGuestKernel(path, error)) {
        row("guest kernel",
            fmt::format("{}: {}, {:.1f} MB", kernel->path, kernel->version, double(kernel->bytes) / 1e6));
    } else {
        row("guest kernel", error);
        ready = false;
    }

    std::string runtime = staticRuntimePath();
    struct stat st;
    if (::stat(runtime.c_str(), &st) == 0) {
        row("static runtime", fmt::format("{}, {:.1f} MB", runtime, double(st.st_size) / 1e6));
    } else {
        row("static runtime", fmt::format("missing: {} (sanitizer builds have none)", runtime));
        ready = false;
    }

    AccelChoice accel = chooseAccel(request, request == AccelRequest::Tcg ? nullptr : &kvm);
    ready = ready && accel.ok;
    if (guest != GuestKind::Linux) {
        fmt::print("verdict: --guest=micro {}: {}\n", micro.works ? "works" : "cannot work", micro.why);
    }
    if (!accel.ok) {
        fmt::print("verdict: --guest=linux cannot work: {}\n", accel.reason);
    } else if (!ready) {
        fmt::print("verdict: --guest=linux cannot work yet: see the missing parts above (accelerator would be {})\n",
                   accel.accel == Accel::Kvm ? "KVM" : "TCG");
    } else {
        fmt::print("verdict: --guest=linux would use {}: {}\n",
                   accel.accel == Accel::Kvm ? "KVM (hardware-assisted)" : "TCG (QEMU's emulator)", accel.reason);
    }
    if (guest) return ready ? 0 : 1;
    fmt::print("default: hv run uses --guest={} here (micro where /dev/kvm works)\n",
               defaultGuest() == GuestKind::Micro ? "micro" : "linux");
    return ready || micro.works ? 0 : 1;
}

}  // namespace nido::hv
