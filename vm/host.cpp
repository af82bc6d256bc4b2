// The host layer: standard streams and exit (see host.hpp).
#include "vm/host.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace nido::vm {
namespace {

// Flushing in 64 KiB pieces keeps system calls rare without holding much.
constexpr size_t kOutBufferBytes = 64 * 1024;

std::string gOutBuffer;  // only the program thread writes while a program runs
HostCapture* gCapture = nullptr;

// HOST: write(2) to fd, retrying partial writes and EINTR. Errors such as a
// closed pipe drop the output: the program has no way to report them yet.
void writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        bytes.remove_prefix(size_t(n));
    }
}

}  // namespace

void hostWrite(HostStream stream, std::string_view bytes) {
    if (stream == HostStream::Out) {
        if (gCapture) {
            gCapture->out.append(bytes);
            return;
        }
        gOutBuffer.append(bytes);
        if (gOutBuffer.size() >= kOutBufferBytes) hostFlush();
        return;
    }
    if (gCapture) {
        gCapture->err.append(bytes);
        return;
    }
    hostFlush();
    writeAll(STDERR_FILENO, bytes);
}

void hostFlush() {
    if (gOutBuffer.empty()) return;
    writeAll(STDOUT_FILENO, gOutBuffer);
    gOutBuffer.clear();
}

void hostExit(int status) {
    hostFlush();
    std::fflush(nullptr);
    // HOST: _exit skips static destructors, which might run while the
    // program thread still uses the heap.
    ::_exit(status);
}

HostCapture::HostCapture() { gCapture = this; }

HostCapture::~HostCapture() { gCapture = nullptr; }

}  // namespace nido::vm
