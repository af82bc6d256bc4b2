// What the guest's /init tells the host over the one serial port (ttyS0) of
// QEMU's microvm machine. The app's stdout and stderr share that port, so
// each write travels in a frame that names its stream:
//
//   byte 0      kFrameMagic
//   byte 1      kind: 'h' /init started, 'o' stdout, 'e' stderr, 'x' the end
//   bytes 2-3   payload length, little-endian, at most kMaxFramePayload
//   payload     'h': u64 guest CLOCK_BOOTTIME at /init, in ns
//               'o', 'e': the bytes the app wrote
//               'x': i32 exit status, u64 app run time in ns
//
// Bytes outside a frame (a kernel message that got through despite
// loglevel=0) are dropped by the host. The magic byte 0xF5 never occurs in
// UTF-8 text, so a reader that lost its place finds the next frame. The guest frames only when the kernel
// command line has kFramedParam; without it (a kept image booted by hand)
// the app writes to the port as plain text.
//
// The end is also signalled through QEMU's isa-debug-exit port, which makes
// QEMU exit with status (value << 1) | 1. The guest writes status + 1, so
// that QEMU's own failure status 1 never means "the app returned 0".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nido::hv {

constexpr uint8_t kFrameMagic = 0xF5;
constexpr size_t kFrameHeaderBytes = 4;
constexpr size_t kMaxFramePayload = 4096;

enum class FrameKind : char { Hello = 'h', Stdout = 'o', Stderr = 'e', Exit = 'x' };

constexpr std::string_view kFramedParam = "nido.output=framed";

// isa-debug-exit: its I/O port as given to QEMU, and the status range the
// port can carry (QEMU's status is 8 bits: ((126 + 1) << 1) | 1 = 255).
constexpr uint16_t kExitPort = 0xf4;
constexpr int kMaxPortStatus = 126;

// The status QEMU exits with when the guest wrote `status` to the port,
// and back; -1 for a QEMU status that did not come from the port.
constexpr int qemuStatusForApp(int status) {
    int clamped = status < 0 || status > kMaxPortStatus ? kMaxPortStatus : status;
    return ((clamped + 1) << 1) | 1;
}
constexpr int appStatusFromQemu(int qemuStatus) {
    return qemuStatus >= 3 && (qemuStatus & 1) ? (qemuStatus >> 1) - 1 : -1;
}

// Appends one frame (payload at most kMaxFramePayload bytes) to out.
void appendFrame(std::string& out, FrameKind kind, std::string_view payload);

// Little-endian numbers inside payloads.
void appendU32(std::string& out, uint32_t v);
void appendU64(std::string& out, uint64_t v);
uint32_t readU32(std::string_view bytes, size_t at);
uint64_t readU64(std::string_view bytes, size_t at);

// Splits the host's byte stream from the serial port into frames; feed it
// bytes as they arrive and it calls onFrame for each whole frame.
class FrameReader {
public:
    template <typename OnFrame>
    void feed(std::string_view bytes, OnFrame&& onFrame) {
        pending_.append(bytes);
        size_t at = 0;
        while (true) {
            size_t magic = pending_.find(char(kFrameMagic), at);
            if (magic == std::string::npos) {
                noiseBytes_ += pending_.size() - at;
                at = pending_.size();
                break;
            }
            noiseBytes_ += magic - at;
            at = magic;
            if (pending_.size() - at < kFrameHeaderBytes) break;
            size_t length = uint8_t(pending_[at + 2]) | size_t(uint8_t(pending_[at + 3])) << 8;
            if (length > kMaxFramePayload) {  // not a frame after all: skip the stray magic byte
                noiseBytes_++;
                at++;
                continue;
            }
            if (pending_.size() - at < kFrameHeaderBytes + length) break;
            onFrame(FrameKind(pending_[at + 1]), std::string_view(pending_).substr(at + kFrameHeaderBytes, length));
            at += kFrameHeaderBytes + length;
        }
        pending_.erase(0, at);
    }
    // Bytes seen outside frames (kernel noise), for --stats.
    uint64_t noiseBytes() const { return noiseBytes_; }

private:
    std::string pending_;
    uint64_t noiseBytes_ = 0;
};

}  // namespace nido::hv
