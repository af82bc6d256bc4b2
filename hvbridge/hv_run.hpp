// `nido hv run`: the whole bridge from a verified app to its exit status
// out of a Linux guest. The CLI (cli/cmd_hv.cpp) parses the flags and
// compiles the app; this builds the image, picks the accelerator, boots,
// and reports.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hvbridge/accelerator.hpp"
#include "hvbridge/guest_image.hpp"

namespace nido::hv {

// The kind of guest: a micro-VM with no guest kernel, the runtime at CPL3
// and the VMM (hvbridge/vmm/) as its only "kernel" (micro_run.hpp); or a
// Linux kernel booted by QEMU with the runtime as /init (this module).
enum class GuestKind { Micro, Linux };

// --allow-read / --allow-write as `nido run` takes them: everything, or the
// listed paths (relative ones against the current folder).
struct PathGrant {
    bool all = false;
    std::vector<std::string> paths;
};

// `nido hv run` exits with this when --timeout passes (as timeout(1) does).
constexpr int kTimeoutStatus = 124;

struct HvRunOptions {
    std::optional<GuestKind> guest;   // not given: micro where /dev/kvm works, else linux
    bool paravirtual = true;          // --pv=on|off (micro only)
    PathGrant allowRead, allowWrite;  // micro only: the Linux guest sees no host paths
    AccelRequest accel = AccelRequest::Auto;
    std::string kernelPath;  // empty: the cached kernel
    std::optional<std::string> keepImageDir;
    std::vector<GuestFile> files;
    uint64_t memMiB = 256;
    bool memGiven = false;  // micro-VMs default to 1 GiB (touched lazily)
    int cpus = 1;
    double timeoutSeconds = 0;
    bool stats = false;
    bool explain = false;
    std::chrono::steady_clock::time_point started;  // when the command began, for --stats
};

struct HvApp {
    std::string name;             // as given on the command line
    std::vector<uint8_t> module;  // .ndc bytes, or the .ndar bytes of a package
    std::vector<std::string> args;
    // A package (checked on the host): the guest runs it under its manifest,
    // and a micro-VM's VMM grants the host paths the run may use, the
    // manifest's narrowed by the --allow flags.
    bool package = false;
    PathGrant packageRead, packageWrite;
};

// Returns the exit status of `nido hv run`: the app's, or 1, 2 or 124 with
// a one-line "nido: ..." error on stderr.
int hvRun(const HvRunOptions& options, const HvApp& app);

// The guest when --guest is not given: micro where /dev/kvm works, else linux.
GuestKind defaultGuest();

// The static runtime: guest/nido-static in this nido executable's folder.
std::string staticRuntimePath();

}  // namespace nido::hv
