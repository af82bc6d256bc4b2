// The virtual file table and the permission checks on host paths.
#include "file_table.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>

namespace nido::hv::vmm {

namespace {

constexpr size_t kMaxFds = 1024;
constexpr size_t kKernelTermiosBytes = 36;  // struct termios as the kernel copies it (not glibc's)
constexpr int kOpenFlagsPassed = O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW | O_PATH;

// Lexically normalises an absolute path: no ".", "..", or repeated slashes.
std::string normalize(const std::string& path) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos) j = path.size();
        std::string part = path.substr(i, j - i);
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        i = j + 1;
    }
    std::string out;
    for (const std::string& p : parts) out += "/" + p;
    return out.empty() ? "/" : out;
}

bool underPrefix(const std::string& path, const std::string& prefix) {
    if (prefix == "/") return true;
    return path == prefix ||
           (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '/');
}

// The host's canonical form of a path that may not exist yet (its parent must).
std::string canonical(const std::string& path) {
    char buffer[PATH_MAX];
    if (realpath(path.c_str(), buffer)) return buffer;
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return path;
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    if (!realpath(parent.c_str(), buffer)) return path;
    return normalize(std::string(buffer) + path.substr(slash));
}

void syntheticStat(struct stat& st, mode_t mode, uint64_t size) {
    st = {};
    st.st_mode = mode;
    st.st_nlink = 1;
    st.st_size = static_cast<off_t>(size);
    st.st_blksize = 4096;
    st.st_blocks = static_cast<blkcnt_t>((size + 511) / 512);
}

}  // namespace

struct FileTable::OpenFile {
    int hostFd = -1;
    bool ownsHostFd = false;
    std::shared_ptr<const std::string> bytes;  // a file held in memory
    bool virtualDir = false;
    std::vector<std::string> dirEntries;
    uint64_t offset = 0;  // into bytes, or the next entry of a virtual directory
    std::string guestPath;

    ~OpenFile() {
        if (ownsHostFd) ::close(hostFd);
    }
};

struct FileTable::Resolved {
    enum class Kind { Host, Memory, VirtualDir } kind = Kind::Host;
    std::string hostPath;
    std::shared_ptr<const std::string> bytes;
    std::vector<std::string> entries;
};

FileTable::FileTable(const MicroVmConfig& config, Generator generator)
    : config_(config), generator_(std::move(generator)) {
    char buffer[PATH_MAX];
    cwd_ = getcwd(buffer, sizeof buffer) ? buffer : "/";
    for (int fd : {config.stdinFd, config.stdoutFd, config.stderrFd}) {
        auto file = std::make_shared<OpenFile>();
        file->hostFd = fd;
        file->guestPath = "/dev/stdio";
        fds_.push_back(file);
    }
}

FileTable::~FileTable() = default;

FileTable::OpenFile* FileTable::find(int fd) {
    if (fd < 0 || static_cast<size_t>(fd) >= fds_.size()) return nullptr;
    return fds_[fd].get();
}

uint64_t FileTable::openDescriptors() const {
    uint64_t mask = 0;
    for (size_t fd = 0; fd < std::min<size_t>(fds_.size(), 64); ++fd)
        if (fds_[fd]) mask |= uint64_t{1} << fd;
    return mask;
}

int FileTable::install(std::shared_ptr<OpenFile> file, int minFd) {
    for (size_t fd = static_cast<size_t>(std::max(minFd, 0)); fd < kMaxFds; ++fd) {
        if (fd >= fds_.size()) fds_.resize(fd + 1);
        if (!fds_[fd]) {
            fds_[fd] = std::move(file);
            return static_cast<int>(fd);
        }
    }
    return -EMFILE;
}

std::string FileTable::absolute(int dirFd, const std::string& path) {
    std::string full;
    if (!path.empty() && path[0] == '/') {
        full = normalize(path);
    } else {
        std::string base = cwd_;
        if (dirFd != AT_FDCWD) {
            OpenFile* dir = find(dirFd);
            base = dir ? dir->guestPath : "/nonexistent";
        }
        full = normalize(base + "/" + path);
    }
    // /proc/self/fd/N/... is the path descriptor N was opened as (a runtime
    // reopens an O_PATH descriptor this way); permissions are checked on that.
    constexpr std::string_view kProcFd = "/proc/self/fd/";
    if (full.compare(0, kProcFd.size(), kProcFd) == 0) {
        size_t end = full.find('/', kProcFd.size());
        std::string number = full.substr(kProcFd.size(), end - kProcFd.size());
        char* stop = nullptr;
        long fd = std::strtol(number.c_str(), &stop, 10);
        OpenFile* f = !number.empty() && *stop == 0 ? find(static_cast<int>(fd)) : nullptr;
        if (f) return normalize(f->guestPath + (end == std::string::npos ? "" : full.substr(end)));
    }
    return full;
}

bool FileTable::permitted(const PathPermission& permission, const std::string& path) const {
    if (permission.all) return true;
    std::string real = canonical(path);
    for (const std::string& given : permission.prefixes) {
        std::string prefix = normalize(given[0] == '/' ? given : cwd_ + "/" + given);
        // Both the path as named and the file it really is (symlinks followed)
        // must lie under the prefix, so a link cannot lead outside it.
        if (underPrefix(path, prefix) && underPrefix(real, canonical(prefix))) return true;
    }
    return false;
}

bool FileTable::aboveAPermittedPath(const std::string& path) const {
    for (const PathPermission* permission : {&config_.allowRead, &config_.allowWrite}) {
        for (const std::string& given : permission->prefixes) {
            if (underPrefix(normalize(given[0] == '/' ? given : cwd_ + "/" + given), path)) return true;
        }
    }
    return false;
}

int64_t FileTable::resolve(const std::string& path, Access access, Resolved& out) {
    bool forWrite = access == Access::Write;
    if (std::optional<std::string> generated = generator_(path)) {
        if (forWrite) return -EACCES;
        out.kind = Resolved::Kind::Memory;
        out.bytes = std::make_shared<const std::string>(std::move(*generated));
        return 0;
    }
    if (auto it = config_.files.find(path); it != config_.files.end()) {
        if (forWrite) return -EACCES;
        if (it->second.hostPath.empty()) {
            out.kind = Resolved::Kind::Memory;
            out.bytes = std::make_shared<const std::string>(it->second.bytes);
        } else {
            out.kind = Resolved::Kind::Host;
            out.hostPath = it->second.hostPath;
        }
        return 0;
    }
    bool allowed = access == Access::Write  ? permitted(config_.allowWrite, path)
                   : access == Access::Read ? permitted(config_.allowRead, path)
                                            : permitted(config_.allowRead, path) ||
                                                  permitted(config_.allowWrite, path) || aboveAPermittedPath(path);
    if (allowed) {
        out.kind = Resolved::Kind::Host;
        out.hostPath = path;
        return 0;
    }
    std::set<std::string> children;
    std::string dir = path == "/" ? "/" : path + "/";
    for (const auto& [guestPath, file] : config_.files) {
        if (guestPath.size() > dir.size() && guestPath.compare(0, dir.size(), dir) == 0)
            children.insert(guestPath.substr(dir.size(), guestPath.find('/', dir.size()) - dir.size()));
    }
    if (children.empty()) return -ENOENT;
    if (forWrite) return -EISDIR;
    out.kind = Resolved::Kind::VirtualDir;
    out.entries = {".", ".."};
    out.entries.insert(out.entries.end(), children.begin(), children.end());
    return 0;
}

int64_t FileTable::openAt(int dirFd, const std::string& path, int flags, int mode) {
    std::string guestPath = absolute(dirFd, path);
    int access = flags & O_ACCMODE;
    bool forWrite = access != O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND));
    Resolved resolved;
    Access need = forWrite ? Access::Write : (flags & O_PATH) ? Access::Name : Access::Read;
    if (int64_t r = resolve(guestPath, need, resolved); r < 0) return r;
    if (access == O_RDWR && resolved.kind == Resolved::Kind::Host && !permitted(config_.allowRead, guestPath) &&
        !config_.files.count(guestPath))
        return -EACCES;
    auto file = std::make_shared<OpenFile>();
    file->guestPath = guestPath;
    switch (resolved.kind) {
    case Resolved::Kind::Host: {
        // HOST: opens a file the permissions (or a --file) allow. A create does
        // not follow a final symlink: a dangling one could point outside.
        int hostFlags = (flags & kOpenFlagsPassed) | O_CLOEXEC | ((flags & O_CREAT) ? O_NOFOLLOW : 0);
        int fd = ::open(resolved.hostPath.c_str(), hostFlags, mode);
        if (fd < 0) return -errno;
        file->hostFd = fd;
        file->ownsHostFd = true;
        break;
    }
    case Resolved::Kind::Memory:
        if (flags & O_DIRECTORY) return -ENOTDIR;
        file->bytes = resolved.bytes;
        break;
    case Resolved::Kind::VirtualDir:
        file->virtualDir = true;
        file->dirEntries = std::move(resolved.entries);
        break;
    }
    return install(std::move(file));
}

int64_t FileTable::close(int fd) {
    if (!find(fd)) return -EBADF;
    fds_[fd].reset();
    return 0;
}

int64_t FileTable::read(int fd, uint8_t* buffer, uint64_t len) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->virtualDir) return -EISDIR;
    if (f->bytes) {
        int64_t n = pread(fd, buffer, len, static_cast<int64_t>(f->offset));
        if (n > 0) f->offset += n;
        return n;
    }
    ssize_t n = ::read(f->hostFd, buffer, len);
    return n < 0 ? -errno : n;
}

int64_t FileTable::write(int fd, const uint8_t* buffer, uint64_t len) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd < 0) return -EBADF;
    ssize_t n = ::write(f->hostFd, buffer, len);
    return n < 0 ? -errno : n;
}

int64_t FileTable::pread(int fd, uint8_t* buffer, uint64_t len, int64_t offset) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (offset < 0) return -EINVAL;
    if (f->virtualDir) return -EISDIR;
    if (f->bytes) {
        uint64_t size = f->bytes->size(), at = static_cast<uint64_t>(offset);
        uint64_t n = at >= size ? 0 : std::min(len, size - at);
        std::memcpy(buffer, f->bytes->data() + at, n);
        return static_cast<int64_t>(n);
    }
    ssize_t n = ::pread(f->hostFd, buffer, len, offset);
    return n < 0 ? -errno : n;
}

int64_t FileTable::pwrite(int fd, const uint8_t* buffer, uint64_t len, int64_t offset) {
    OpenFile* f = find(fd);
    if (!f || f->hostFd < 0) return -EBADF;
    ssize_t n = ::pwrite(f->hostFd, buffer, len, offset);
    return n < 0 ? -errno : n;
}

int64_t FileTable::seek(int fd, int64_t offset, int whence) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd >= 0) {
        off_t r = ::lseek(f->hostFd, offset, whence);
        return r < 0 ? -errno : r;
    }
    int64_t base = whence == SEEK_SET               ? 0
                   : whence == SEEK_CUR             ? static_cast<int64_t>(f->offset)
                   : whence == SEEK_END && f->bytes ? static_cast<int64_t>(f->bytes->size())
                                                    : -1;
    if (base < 0 || base + offset < 0) return -EINVAL;
    f->offset = static_cast<uint64_t>(base + offset);
    return static_cast<int64_t>(f->offset);
}

int64_t FileTable::fstat(int fd, struct stat& st) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd >= 0) return ::fstat(f->hostFd, &st) < 0 ? -errno : 0;
    if (f->virtualDir) {
        syntheticStat(st, S_IFDIR | 0555, 4096);
    } else {
        syntheticStat(st, S_IFREG | 0444, f->bytes->size());
    }
    return 0;
}

int64_t FileTable::statAt(int dirFd, const std::string& path, bool noFollow, struct stat& st) {
    Resolved resolved;
    if (int64_t r = resolve(absolute(dirFd, path), Access::Name, resolved); r < 0) return r;
    switch (resolved.kind) {
    case Resolved::Kind::Host: {
        int r = noFollow ? ::lstat(resolved.hostPath.c_str(), &st) : ::stat(resolved.hostPath.c_str(), &st);
        return r < 0 ? -errno : 0;
    }
    case Resolved::Kind::Memory: syntheticStat(st, S_IFREG | 0444, resolved.bytes->size()); return 0;
    case Resolved::Kind::VirtualDir: syntheticStat(st, S_IFDIR | 0555, 4096); return 0;
    }
    return -ENOENT;
}

int64_t FileTable::access(int dirFd, const std::string& path) {
    struct stat st;
    int64_t r = statAt(dirFd, path, false, st);
    return r < 0 ? r : 0;
}

int64_t FileTable::getdents64(int fd, uint8_t* buffer, uint64_t len) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd >= 0) {
        // HOST: lists a directory the permissions allow; the record layout is the guest's too.
        long n = syscall(SYS_getdents64, f->hostFd, buffer, len);
        return n < 0 ? -errno : n;
    }
    if (!f->virtualDir) return -ENOTDIR;
    uint64_t used = 0;
    while (f->offset < f->dirEntries.size()) {
        const std::string& name = f->dirEntries[f->offset];
        uint64_t reclen = (19 + name.size() + 1 + 7) & ~uint64_t{7};
        if (used + reclen > len) break;
        uint8_t* rec = buffer + used;
        std::memset(rec, 0, reclen);
        uint64_t ino = f->offset + 1, next = f->offset + 1;
        auto reclen16 = static_cast<uint16_t>(reclen);
        std::memcpy(rec, &ino, 8);
        std::memcpy(rec + 8, &next, 8);
        std::memcpy(rec + 16, &reclen16, 2);
        rec[18] = DT_UNKNOWN;
        std::memcpy(rec + 19, name.data(), name.size());
        used += reclen;
        ++f->offset;
    }
    if (used == 0 && f->offset < f->dirEntries.size()) return -EINVAL;
    return static_cast<int64_t>(used);
}

int64_t FileTable::ioctlTcgets(int fd, uint8_t* termios, uint64_t len) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd < 0 || len < kKernelTermiosBytes) return -ENOTTY;
    uint8_t buffer[64];
    // SAFETY: TCGETS writes the kernel's 36-byte termios into a 64-byte buffer.
    if (::ioctl(f->hostFd, TCGETS, buffer) < 0) return -errno;
    std::memcpy(termios, buffer, kKernelTermiosBytes);
    return 0;
}

int64_t FileTable::dup(int fd, int minFd) {
    if (!find(fd)) return -EBADF;
    return install(fds_[fd], minFd);
}

int64_t FileTable::dupTo(int fd, int newFd) {
    if (!find(fd)) return -EBADF;
    if (newFd < 0 || static_cast<size_t>(newFd) >= kMaxFds) return -EBADF;
    if (newFd == fd) return newFd;
    if (static_cast<size_t>(newFd) >= fds_.size()) fds_.resize(newFd + 1);
    fds_[newFd] = fds_[fd];
    return newFd;
}

int64_t FileTable::fcntl(int fd, int cmd, uint64_t arg) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: return dup(fd, static_cast<int>(arg));
    case F_GETFD:
    case F_SETFD:
    case F_SETFL: return 0;
    case F_GETFL: {
        if (f->hostFd < 0) return O_RDONLY;
        int r = ::fcntl(f->hostFd, F_GETFL);
        return r < 0 ? -errno : r;
    }
    default: return -EINVAL;
    }
}

int64_t FileTable::writablePath(int dirFd, const std::string& path, std::string& hostPath) {
    hostPath = absolute(dirFd, path);
    if (generator_(hostPath) || config_.files.count(hostPath)) return -EACCES;
    return permitted(config_.allowWrite, hostPath) ? 0 : -ENOENT;
}

int64_t FileTable::mkdirAt(int dirFd, const std::string& path, int mode) {
    std::string host;
    if (int64_t r = writablePath(dirFd, path, host); r < 0) return r;
    // HOST: creates a folder --allow-write permits.
    return ::mkdir(host.c_str(), static_cast<mode_t>(mode)) < 0 ? -errno : 0;
}

int64_t FileTable::unlinkAt(int dirFd, const std::string& path, int flags) {
    std::string host;
    if (int64_t r = writablePath(dirFd, path, host); r < 0) return r;
    // HOST: removes a file or folder --allow-write permits.
    int r = (flags & AT_REMOVEDIR) ? ::rmdir(host.c_str()) : ::unlink(host.c_str());
    return r < 0 ? -errno : 0;
}

int64_t FileTable::renameAt(int oldDirFd, const std::string& oldPath, int newDirFd, const std::string& newPath) {
    std::string from, to;
    if (int64_t r = writablePath(oldDirFd, oldPath, from); r < 0) return r;
    if (int64_t r = writablePath(newDirFd, newPath, to); r < 0) return r;
    // HOST: renames within what --allow-write permits.
    return ::rename(from.c_str(), to.c_str()) < 0 ? -errno : 0;
}

int64_t FileTable::readlinkAt(int dirFd, const std::string& path, uint8_t* buffer, uint64_t len) {
    Resolved resolved;
    if (int64_t r = resolve(absolute(dirFd, path), Access::Name, resolved); r < 0) return r;
    if (resolved.kind != Resolved::Kind::Host) return -EINVAL;
    // HOST: reads a link the permissions allow (the target's own check comes when it is opened).
    ssize_t n = ::readlink(resolved.hostPath.c_str(), reinterpret_cast<char*>(buffer), len);
    return n < 0 ? -errno : n;
}

int64_t FileTable::pathOf(int fd, std::string& path) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    path = f->guestPath;
    return 0;
}

int64_t FileTable::fsync(int fd) {
    OpenFile* f = find(fd);
    if (!f) return -EBADF;
    if (f->hostFd < 0) return 0;
    return ::fsync(f->hostFd) < 0 ? -errno : 0;
}

}  // namespace nido::hv::vmm
