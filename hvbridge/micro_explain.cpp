// The --explain text of a micro-VM run (micro_explain.hpp).
#include "hvbridge/micro_explain.hpp"

#include <sys/stat.h>

#include <fmt/format.h>

#include "hvbridge/cpu_features.hpp"

namespace nido::hv {

std::string explainMicroRun(const HvRunOptions& o, const HvApp& app, const std::string& runtimePath,
                            const std::string& kvmReason) {
    struct stat st {};
    ::stat(runtimePath.c_str(), &st);  // HOST: the runtime's size, for the text only
    CpuFeatures cpu = readCpuFeatures();
    std::string out;
    out +=
        "nido hv: the layers of this run, top to bottom (HOST = this machine, GUEST = the virtual one):\n"
        "  app -> Nido process VM -> hvbridge VMM (the guest's only \"kernel\") -> KVM -> CPU\n";
    out +=
        fmt::format("  GUEST app     {}: bytecode ({} bytes) compiled and verified on the host, portable to any VM\n",
                    app.name, app.module.size());
    out += fmt::format(
        "  GUEST runtime the Nido process VM (nido-static, {:.1f} MB), a static Linux program, runs at\n"
        "                CPL3 (ring 3, user mode) inside the VM; it loads, verifies and interprets the\n"
        "                bytecode (no JIT; Boehm's GC marks on this one thread). There is NO guest kernel:\n"
        "                nothing in the guest runs at CPL0 but a few-instruction fault stub.\n",
        double(st.st_size) / 1e6);
    out += fmt::format(
        "  HOST VMM      hvbridge's micro-VM, inside this nido process: the guest's only \"kernel\".\n"
        "                Each `syscall` the runtime makes lands on an entry page that does one port write:\n"
        "                a HYPERCALL, a deliberate exit to the VMM, which answers it as Linux would (or\n"
        "                refuses it with -ENOSYS), outside the guest's reach. This is PARAVIRTUALISATION\n"
        "                in the Xen PV sense: the guest knows it runs on a hypervisor and calls it\n"
        "                instead of touching emulated hardware; there are no devices at all.\n"
        "                Paravirtual I/O is {}: {}\n",
        o.paravirtual ? "on" : "off (--pv=off)",
        o.paravirtual ? "stdout and stderr go into a ring in guest memory shared with\n"
                        "                the VMM, emptied at every exit; a doorbell hypercall only when it is full."
                      : "every write(2) is one system call, so one exit.");
    out += fmt::format(
        "  HOST KVM      the host kernel's hypervisor module: runs the vCPU and returns to the VMM only at\n"
        "                an exit (here: the hypercall port, a fault); {}\n",
        kvmReason);
    std::string ext = cpu.vmx ? "Intel VT-x (vmx)" : cpu.svm ? "AMD-V (svm)" : "no VT-x/AMD-V flag";
    out += fmt::format(
        "  HOST CPU      {} {}, {}:\n"
        "                the guest's CPL3 instructions run on it directly, at native speed;\n"
        "                {}\n",
        cpu.vendor, cpu.model, ext,
        cpu.isGuest ? fmt::format("this host is itself a guest of \"{}\" (nested: each exit costs tens of us)",
                                  cpu.hypervisorVendor)
                    : std::string("an exit costs microseconds, so the VMM answers few and cheap ones"));
    return out;
}

}  // namespace nido::hv
