// The guest's initramfs: everything the Linux guest has besides its kernel.
//
//   /init             the static Nido runtime (nido-static), PID 1
//   /dev/console, /dev/ttyS0, /dev/null   device nodes (no devtmpfs needed)
//   /proc             mounted by /init
//   /nido/app.ndc     the app, compiled and verified on the host
//   /nido/app.ndar    or the app's package, checked on the host
//   /nido/args        its arguments, each ended by a NUL byte
//   /nido/stdin       the host's standard input, read up front
//   /app/...          files given with --file; the app's working directory
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nido::hv {

constexpr const char* kGuestAppPath = "/nido/app.ndc";
constexpr const char* kGuestPackagePath = "/nido/app.ndar";
constexpr const char* kGuestArgsPath = "/nido/args";
constexpr const char* kGuestStdinPath = "/nido/stdin";
constexpr const char* kGuestWorkDir = "/app";

// A --file HOST[:GUEST]: GUEST relative to /app, or absolute.
struct GuestFile {
    std::string hostPath;
    std::string guestPath;  // absolute and normalised
};

// Parses "HOST[:GUEST]" (GUEST defaults to HOST's file name under /app).
// Refuses empty parts, ".." and the paths /init, /nido, /dev and /proc.
std::optional<GuestFile> parseGuestFile(const std::string& spec, std::string& error);

struct GuestImageSpec {
    std::string runtimePath;      // the static runtime that becomes /init
    std::vector<uint8_t> module;  // .ndc bytes, or .ndar bytes when package is set
    bool package = false;
    std::vector<std::string> args;
    std::string stdinBytes;
    std::vector<GuestFile> files;
};

// Builds the newc cpio archive; false with error ("cannot read 'PATH': ...").
bool buildInitramfs(const GuestImageSpec& spec, std::string& out, std::string& error);

}  // namespace nido::hv
