// QEMU as the virtual machine monitor (VMM) of `nido hv run --guest=linux`:
// finding qemu-system-x86_64 and writing the command line that boots the
// guest on QEMU's `microvm` machine (no PCI, no firmware menus: a kernel,
// an initramfs, one serial port and the isa-debug-exit device).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nido::hv {

enum class Accel { Kvm, Tcg };

const char* accelName(Accel a);

struct QemuInfo {
    std::string path;
    std::string version;  // "QEMU emulator version 7.2.x (...)"
};

// qemu-system-x86_64 on PATH; nullopt with error when it is missing.
std::optional<QemuInfo> findQemu(std::string& error);

struct BootConfig {
    std::string qemu;  // the executable
    Accel accel = Accel::Tcg;
    std::string kernel;
    std::string initramfs;
    uint64_t memMiB = 256;
    int cpus = 1;
    bool framed = true;  // the guest frames its output (guest_protocol.hpp)
};

// The argument vector (argv[0] included) that boots the guest.
std::vector<std::string> qemuCommand(const BootConfig& c);

// The kernel command line: quiet (no kernel message reaches the serial
// port), fast to boot under emulation, and exits the VM on a panic.
std::string kernelCommandLine(bool framed);

// A word for a POSIX shell: 'single-quoted' unless plainly safe.
std::string shellQuote(const std::string& word);

}  // namespace nido::hv
