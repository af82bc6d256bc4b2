// The Linux kernel the guest boots: `--kernel PATH`, or the one scripts/setup
// fetched (Debian's linux-image-cloud-amd64) into
// ${XDG_CACHE_HOME:-$HOME/.cache}/nido/kernel/vmlinuz.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nido::hv {

struct GuestKernel {
    std::string path;
    std::string version;  // from the bzImage header, e.g. "6.1.0-56-cloud-amd64 (debian-kernel@...) #1 SMP ..."
    std::string release;  // its first word, "6.1.0-56-cloud-amd64"
    uint64_t bytes = 0;
};

// The cached kernel's path (whether or not it is there).
std::string cachedKernelPath();

// Checks that path is a readable x86 bzImage; nullopt with error
// ("cannot read '...': ...", "'...' is not a Linux kernel (no bzImage header)").
std::optional<GuestKernel> openGuestKernel(const std::string& path, std::string& error);

}  // namespace nido::hv
