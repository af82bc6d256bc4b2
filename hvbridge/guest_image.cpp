// Building the guest's initramfs (guest_image.hpp).
#include "hvbridge/guest_image.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "hvbridge/cpio.hpp"

namespace nido::hv {

namespace {

// Linux's device numbers (Documentation/admin-guide/devices.txt).
constexpr uint32_t kTtyMajor = 4, kTtyS0Minor = 64;
constexpr uint32_t kConsoleMajor = 5, kConsoleMinor = 1;
constexpr uint32_t kMemMajor = 1, kNullMinor = 3;

constexpr const char* kReserved[] = {"/init", "/nido", "/dev", "/proc"};

// HOST: reads a whole regular file.
bool readHostFile(const std::string& path, std::string& out, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0) {
        error = fmt::format("cannot read '{}': {}", path, std::strerror(errno));
        if (fd >= 0) ::close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        error =
            fmt::format("cannot read '{}': {}", path, S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        return false;
    }
    out.clear();
    char buf[64 * 1024];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = fmt::format("cannot read '{}': {}", path, std::strerror(errno));
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        out.append(buf, size_t(n));
    }
    ::close(fd);
    return true;
}

// "/a/./b//c" -> "/a/b/c"; nullopt for ".." or an empty path.
std::optional<std::string> normaliseAbsolute(const std::string& path) {
    std::string out;
    size_t at = 0;
    while (at <= path.size()) {
        size_t slash = path.find('/', at);
        if (slash == std::string::npos) slash = path.size();
        std::string part = path.substr(at, slash - at);
        at = slash + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") return std::nullopt;
        out += "/" + part;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

}  // namespace

std::optional<GuestFile> parseGuestFile(const std::string& spec, std::string& error) {
    size_t colon = spec.find(':');
    GuestFile f;
    f.hostPath = spec.substr(0, colon);
    std::string guest = colon == std::string::npos ? "" : spec.substr(colon + 1);
    if (f.hostPath.empty() || (colon != std::string::npos && guest.empty())) {
        error = fmt::format("bad value in '--file={}': expected HOST[:GUEST]", spec);
        return std::nullopt;
    }
    if (guest.empty()) {
        size_t slash = f.hostPath.find_last_of('/');
        guest = slash == std::string::npos ? f.hostPath : f.hostPath.substr(slash + 1);
    }
    if (guest.front() != '/') guest = std::string(kGuestWorkDir) + "/" + guest;
    auto normal = normaliseAbsolute(guest);
    if (!normal || *normal == kGuestWorkDir) {
        error = fmt::format("bad guest path in '--file={}': expected a file name without '..'", spec);
        return std::nullopt;
    }
    for (std::string_view reserved : kReserved) {
        if (*normal == reserved || normal->starts_with(std::string(reserved) + "/")) {
            error = fmt::format("bad guest path in '--file={}': {} belongs to the guest's runtime", spec, reserved);
            return std::nullopt;
        }
    }
    f.guestPath = *normal;
    return f;
}

bool buildInitramfs(const GuestImageSpec& spec, std::string& out, std::string& error) {
    std::string runtime;
    if (!readHostFile(spec.runtimePath, runtime, error)) return false;

    CpioWriter cpio;
    cpio.addDirectory("dev");
    cpio.addCharDevice("dev/console", kConsoleMajor, kConsoleMinor);
    cpio.addCharDevice("dev/ttyS0", kTtyMajor, kTtyS0Minor, 0620);
    cpio.addCharDevice("dev/null", kMemMajor, kNullMinor, 0666);
    cpio.addDirectory("proc");
    cpio.addDirectory("tmp", 01777);
    cpio.addFile("init", runtime, 0755);
    cpio.addDirectory("nido");
    cpio.addFile(std::string_view(spec.package ? kGuestPackagePath : kGuestAppPath).substr(1),
                 std::string_view(reinterpret_cast<const char*>(spec.module.data()), spec.module.size()));
    std::string args;
    for (const std::string& a : spec.args) {
        args += a;
        args.push_back('\0');
    }
    cpio.addFile(std::string_view(kGuestArgsPath).substr(1), args);
    cpio.addFile(std::string_view(kGuestStdinPath).substr(1), spec.stdinBytes);

    // Each folder once, parents first; a file given twice: the last wins.
    std::set<std::string> folders{"/dev", "/proc", "/tmp", "/nido"};
    cpio.addDirectory(std::string_view(kGuestWorkDir).substr(1));
    folders.insert(kGuestWorkDir);
    std::vector<const GuestFile*> files;
    for (const GuestFile& f : spec.files) {
        std::erase_if(files, [&](const GuestFile* g) { return g->guestPath == f.guestPath; });
        files.push_back(&f);
    }
    std::set<std::string> filePaths;
    for (const GuestFile* f : files) filePaths.insert(f->guestPath);
    for (const GuestFile* f : files) {
        std::string data;
        if (!readHostFile(f->hostPath, data, error)) return false;
        for (size_t slash = f->guestPath.find('/', 1); slash != std::string::npos;
             slash = f->guestPath.find('/', slash + 1)) {
            std::string folder = f->guestPath.substr(0, slash);
            if (filePaths.count(folder)) {
                error = fmt::format("--file '{}': {} is a file in the guest", f->hostPath, folder);
                return false;
            }
            if (folders.insert(folder).second) cpio.addDirectory(folder.substr(1));
        }
        if (folders.count(f->guestPath)) {
            error = fmt::format("--file '{}': {} is a folder in the guest", f->hostPath, f->guestPath);
            return false;
        }
        cpio.addFile(f->guestPath.substr(1), data);
    }
    out = cpio.finish();
    return true;
}

}  // namespace nido::hv
