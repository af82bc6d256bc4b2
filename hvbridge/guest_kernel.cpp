// Finding and checking the guest kernel (guest_kernel.hpp).
#include "hvbridge/guest_kernel.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace nido::hv {

namespace {

// The x86 boot protocol (Documentation/arch/x86/boot.rst): "HdrS" at 0x202;
// at 0x20E, the offset minus 0x200 of a NUL-terminated version string.
constexpr size_t kHeaderMagicAt = 0x202;
constexpr size_t kVersionOffsetAt = 0x20E;
constexpr size_t kSetupBase = 0x200;
constexpr size_t kMaxVersionBytes = 200;
// The real-mode setup code holding the version string: at most 64 sectors.
constexpr size_t kSetupBytes = 64 * 512 + 512;

}  // namespace

std::string cachedKernelPath() {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    std::string base =
        cache && *cache ? cache : fmt::format("{}/.cache", std::getenv("HOME") ? std::getenv("HOME") : "");
    return base + "/nido/kernel/vmlinuz";
}

std::optional<GuestKernel> openGuestKernel(const std::string& path, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        error = fmt::format("cannot read kernel '{}': {}", path, std::strerror(errno));
        if (fd >= 0) ::close(fd);
        return std::nullopt;
    }
    std::string buffer(kSetupBytes, '\0');
    char* header = buffer.data();
    ssize_t n = S_ISREG(st.st_mode) ? ::pread(fd, header, buffer.size(), 0) : -1;
    ::close(fd);
    if (n < ssize_t(kVersionOffsetAt + 2) || std::memcmp(header + kHeaderMagicAt, "HdrS", 4) != 0) {
        error = fmt::format("'{}' is not a Linux kernel for x86 (no bzImage header)", path);
        return std::nullopt;
    }
    GuestKernel k;
    k.path = path;
    k.bytes = uint64_t(st.st_size);
    size_t at = kSetupBase + (uint8_t(header[kVersionOffsetAt]) | size_t(uint8_t(header[kVersionOffsetAt + 1])) << 8);
    if (at < size_t(n))
        k.version = std::string(header + at, strnlen(header + at, std::min(kMaxVersionBytes, size_t(n) - at)));
    k.release = k.version.substr(0, k.version.find(' '));
    return k;
}

}  // namespace nido::hv
