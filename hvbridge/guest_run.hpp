// The host side of a boot: starts QEMU, turns the frames from the guest's
// serial port back into the app's stdout and stderr, and waits for the end
// under the time limits.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nido::hv {

struct RunLimits {
    double timeoutSeconds = 0;       // --timeout, the whole run; 0 for none
    double bootTimeoutSeconds = 60;  // until /init says hello: a kernel that hangs
};

enum class GuestEnd {
    Reported,     // /init sent the app's status
    PortOnly,     // the exit port was written but no status frame arrived
    Timeout,      // --timeout passed; QEMU was killed
    BootTimeout,  // /init never started; QEMU was killed
    Silent,       // QEMU ended without a status (kernel panic, reset)
    QemuFailed,   // QEMU could not start the machine
};

struct GuestRunResult {
    GuestEnd end = GuestEnd::Silent;
    int status = 1;                 // the app's, when end is Reported or PortOnly
    double bootSeconds = -1;        // QEMU start to /init's hello, on the host clock
    double guestUptimeAtInit = -1;  // the guest kernel's own clock at /init
    double appSeconds = -1;         // the app's run, measured by /init
    double vmSeconds = 0;           // QEMU start to QEMU exit
    uint64_t noiseBytes = 0;        // serial bytes outside frames
    int qemuStatus = -1;
    std::string qemuErrors;  // what QEMU wrote on its stderr
};

// Runs argv (a QEMU command line from qemuCommand) to the end, writing
// the app's output to this process's stdout and stderr.
GuestRunResult runGuest(const std::vector<std::string>& argv, const RunLimits& limits);

}  // namespace nido::hv
