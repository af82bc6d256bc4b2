// The guest mode of the runtime: the static Nido binary (nido-static) as
// the first process, /init, of the Linux guest that `nido hv run` boots.
//
// PID 1 mounts /proc, opens the serial port, and runs the app in a child
// process (a fork of itself: the same runtime, no exec). PID 1 must never
// exit, or the kernel panics; and whatever way the app ends (main returns,
// sys.exit, an uncaught error, a crash of the runtime) PID 1 sees it in
// waitpid. It relays the child's stdout and stderr to the host in frames
// (guest_protocol.hpp), then reports the status through QEMU's
// isa-debug-exit port, which ends the virtual machine.
#pragma once

namespace nido::hv {

// True for the process the guest kernel started as /init (PID 1).
bool isGuestInit(const char* argv0);

// Runs the app found in the initramfs and ends the virtual machine.
[[noreturn]] void guestInitMain();

}  // namespace nido::hv
