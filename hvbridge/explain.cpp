// The --explain text (explain.hpp).
#include "hvbridge/explain.hpp"

#include <fmt/format.h>

namespace nido::hv {

namespace {

std::string megabytes(uint64_t bytes) { return fmt::format("{:.1f} MB", double(bytes) / 1e6); }

// "QEMU emulator version 7.2.22 (Debian ...)" -> "QEMU 7.2.22".
std::string qemuName(const std::string& version) {
    constexpr std::string_view kPrefix = "QEMU emulator version ";
    if (!version.starts_with(kPrefix)) return "QEMU";
    std::string number = version.substr(kPrefix.size());
    return "QEMU " + number.substr(0, number.find(' '));
}

std::string cpuLine(const CpuFeatures& cpu) {
    std::string ext = cpu.vmx ? "Intel VT-x (vmx)" : cpu.svm ? "AMD-V (svm)" : "no VT-x/AMD-V flag";
    std::string line = fmt::format("{} {}, {}", cpu.vendor, cpu.model, ext);
    if (cpu.isGuest) {
        line += fmt::format(
            ";\n                this host is itself a guest of the hypervisor \"{}\" (nested virtualisation)",
            cpu.hypervisorVendor);
    }
    return line;
}

}  // namespace

std::string explainRun(const RunFacts& f) {
    bool kvm = f.accel.accel == Accel::Kvm;
    std::string accel =
        kvm ? "KVM, hardware-assisted virtualisation: the CPU runs the guest's instructions itself in\n"
              "                guest mode and leaves it (a VM exit) only for what the hypervisor must see, such\n"
              "                as port I/O; KVM is the host kernel's module that makes Linux a hypervisor."
            : "TCG, QEMU's Tiny Code Generator: emulated virtualisation (dynamic binary translation).\n"
              "                Each block of guest instructions is translated into host code before it runs;\n"
              "                no CPU support needed, user code runs about 25-30x slower than native.";
    std::string out;
    out += "nido hv: the layers of this run, top to bottom (HOST = this machine, GUEST = the virtual one)\n";
    out +=
        fmt::format("  GUEST app     {}: bytecode ({} bytes) compiled and verified on the host, portable to any VM\n",
                    f.appName, f.moduleBytes);
    out += fmt::format(
        "  GUEST runtime the Nido process VM (nido-static, {}), PID 1 (/init) of the guest: a process\n"
        "                virtual machine gives one program a machine-independent instruction set; it loads,\n"
        "                verifies and interprets the bytecode (no JIT: a static /init cannot load the plugin)\n",
        megabytes(f.runtimeBytes));
    out += fmt::format(
        "  GUEST kernel  Linux {}, the guest operating system, booted from an initramfs of {};\n"
        "                it sees a system virtual machine: {} MiB of RAM, {} vCPU(s), a 16550 serial port\n"
        "                and QEMU's isa-debug-exit port, all emulated devices (the same drivers as on real\n"
        "                hardware, every register access trapped). A paravirtual device (virtio) would\n"
        "                instead be made for VMs: guest and VMM share queues, with far fewer traps.\n",
        f.kernelVersion, megabytes(f.initramfsBytes), f.memMiB, f.cpus);
    out += fmt::format(
        "  HOST VMM      {} (machine microvm), the virtual machine monitor: an ordinary process\n"
        "                on the host OS, which makes it a type 2 (hosted) hypervisor; it emulates the\n"
        "                devices and passes the guest's serial output back to nido, which prints it\n",
        qemuName(f.qemuVersion));
    out += fmt::format("  HOST accel    {}\n", accel);
    out += fmt::format("                chosen because {}\n", f.accel.reason);
    out += fmt::format("  HOST CPU      {}\n", cpuLine(f.cpu));
    return out;
}

}  // namespace nido::hv
