// File system calls, answered from the FileTable. Guest buffers are checked to
// lie in guest RAM and then passed to the host calls in place.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <climits>
#include <cstdlib>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

#include "machine.hpp"
#include "syscall_entry_abi.h"
#include "syscalls.hpp"

namespace nido::hv::vmm {

namespace {

constexpr uint64_t kMaxIovecs = 1024;
constexpr uint64_t kTcgets = 0x5401;
constexpr std::string_view kProcFd = "/proc/self/fd/";

int fdArg(uint64_t v) { return static_cast<int>(v); }

int64_t readPath(Machine& m, uint64_t addr, std::string& path) { return m.memory.readString(addr, path) ? 0 : -EFAULT; }

int64_t read(Machine& m, int fd, uint64_t buf, uint64_t len) {
    if (len == 0) return 0;
    uint8_t* p = m.memory.user(buf, len);
    return p ? m.files->read(fd, p, len) : -EFAULT;
}

int64_t write(Machine& m, int fd, uint64_t buf, uint64_t len) {
    if (len == 0) return 0;
    const uint8_t* p = m.memory.user(buf, len);
    return p ? m.files->write(fd, p, len) : -EFAULT;
}

// readv/writev: one host call per vector, stopping at the first short one.
int64_t vectored(Machine& m, int fd, uint64_t iov, uint64_t count, bool writing) {
    if (count > kMaxIovecs) return -EINVAL;
    int64_t total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        iovec v;
        if (!m.memory.read(iov + i * sizeof(iovec), v)) return -EFAULT;
        auto base = reinterpret_cast<uint64_t>(v.iov_base);
        int64_t n = writing ? write(m, fd, base, v.iov_len) : read(m, fd, base, v.iov_len);
        if (n < 0) return total > 0 ? total : n;
        total += n;
        if (static_cast<uint64_t>(n) < v.iov_len) break;
    }
    return total;
}

int64_t openAt(Machine& m, int dirFd, uint64_t pathAddr, uint64_t flags, uint64_t mode) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    return m.files->openAt(dirFd, path, static_cast<int>(flags), static_cast<int>(mode));
}

int64_t statAt(Machine& m, int dirFd, uint64_t pathAddr, uint64_t out, uint64_t flags) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    struct stat st;
    int64_t r = path.empty() && (flags & AT_EMPTY_PATH) ? m.files->fstat(dirFd, st)
                                                        : m.files->statAt(dirFd, path, flags & AT_SYMLINK_NOFOLLOW, st);
    if (r < 0) return r;
    return m.memory.write(out, st) ? 0 : -EFAULT;
}

int64_t fstat(Machine& m, int fd, uint64_t out) {
    struct stat st;
    int64_t r = m.files->fstat(fd, st);
    if (r < 0) return r;
    return m.memory.write(out, st) ? 0 : -EFAULT;
}

int64_t accessAt(Machine& m, int dirFd, uint64_t pathAddr) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    return m.files->access(dirFd, path);
}

int64_t getdents64(Machine& m, int fd, uint64_t buf, uint64_t len) {
    uint8_t* p = m.memory.user(buf, len);
    return p ? m.files->getdents64(fd, p, len) : -EFAULT;
}

int64_t ioctl(Machine& m, int fd, uint64_t request, uint64_t arg) {
    if (request != kTcgets) return -ENOTTY;
    uint8_t* p = m.memory.user(arg, 36);
    return p ? m.files->ioctlTcgets(fd, p, 36) : -EFAULT;
}

int64_t pread(Machine& m, int fd, uint64_t buf, uint64_t len, int64_t offset, bool writing) {
    if (len == 0) return 0;
    uint8_t* p = m.memory.user(buf, len);
    if (!p) return -EFAULT;
    return writing ? m.files->pwrite(fd, p, len, offset) : m.files->pread(fd, p, len, offset);
}

int64_t mkdirAt(Machine& m, int dirFd, uint64_t pathAddr, uint64_t mode) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    return m.files->mkdirAt(dirFd, path, static_cast<int>(mode));
}

int64_t unlinkAt(Machine& m, int dirFd, uint64_t pathAddr, uint64_t flags) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    return m.files->unlinkAt(dirFd, path, static_cast<int>(flags));
}

int64_t renameAt(Machine& m, int oldDirFd, uint64_t oldAddr, int newDirFd, uint64_t newAddr) {
    std::string from, to;
    if (int64_t r = readPath(m, oldAddr, from); r < 0) return r;
    if (int64_t r = readPath(m, newAddr, to); r < 0) return r;
    return m.files->renameAt(oldDirFd, from, newDirFd, to);
}

// /proc/self/exe names the executable and /proc/self/fd/N what N was opened
// as; other links are read where the permissions allow.
int64_t readlinkAt(Machine& m, int dirFd, uint64_t pathAddr, uint64_t buf, uint64_t len) {
    std::string path;
    if (int64_t r = readPath(m, pathAddr, path); r < 0) return r;
    uint8_t* p = m.memory.user(buf, len);
    if (!p) return -EFAULT;
    std::string target;
    if (path == "/proc/self/exe") {
        char real[PATH_MAX];
        target = realpath(m.config.elfPath.c_str(), real) ? real : m.config.elfPath;
    } else if (path.rfind(kProcFd, 0) == 0) {
        char* end = nullptr;
        long fd = std::strtol(path.c_str() + kProcFd.size(), &end, 10);
        if (*end || end == path.c_str() + kProcFd.size()) return -ENOENT;
        if (int64_t r = m.files->pathOf(static_cast<int>(fd), target); r < 0) return -ENOENT;
    } else {
        return m.files->readlinkAt(dirFd, path, p, len);
    }
    uint64_t n = std::min<uint64_t>(len, target.size());
    std::memcpy(p, target.data(), n);
    return static_cast<int64_t>(n);
}

bool answerFileSyscall(Machine& m, uint64_t number, const uint64_t* a, int64_t& result) {
    switch (number) {
    case SYS_read: result = read(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_write: result = write(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_readv: result = vectored(m, fdArg(a[0]), a[1], a[2], false); return true;
    case SYS_writev: result = vectored(m, fdArg(a[0]), a[1], a[2], true); return true;
    case SYS_pread64: result = pread(m, fdArg(a[0]), a[1], a[2], static_cast<int64_t>(a[3]), false); return true;
    case SYS_pwrite64: result = pread(m, fdArg(a[0]), a[1], a[2], static_cast<int64_t>(a[3]), true); return true;
    case SYS_open: result = openAt(m, AT_FDCWD, a[0], a[1], a[2]); return true;
    case SYS_openat: result = openAt(m, fdArg(a[0]), a[1], a[2], a[3]); return true;
    case SYS_close: result = m.files->close(fdArg(a[0])); return true;
    case SYS_lseek: result = m.files->seek(fdArg(a[0]), static_cast<int64_t>(a[1]), fdArg(a[2])); return true;
    case SYS_fstat: result = fstat(m, fdArg(a[0]), a[1]); return true;
    case SYS_stat: result = statAt(m, AT_FDCWD, a[0], a[1], 0); return true;
    case SYS_lstat: result = statAt(m, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW); return true;
    case SYS_newfstatat: result = statAt(m, fdArg(a[0]), a[1], a[2], a[3]); return true;
    case SYS_access: result = accessAt(m, AT_FDCWD, a[0]); return true;
    case SYS_faccessat:
    case SYS_faccessat2: result = accessAt(m, fdArg(a[0]), a[1]); return true;
    case SYS_getdents64: result = getdents64(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_ioctl: result = ioctl(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_dup: result = m.files->dup(fdArg(a[0]), 0); return true;
    case SYS_dup2:
    case SYS_dup3: result = m.files->dupTo(fdArg(a[0]), fdArg(a[1])); return true;
    case SYS_fcntl: result = m.files->fcntl(fdArg(a[0]), fdArg(a[1]), a[2]); return true;
    case SYS_mkdir: result = mkdirAt(m, AT_FDCWD, a[0], a[1]); return true;
    case SYS_mkdirat: result = mkdirAt(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_unlink: result = unlinkAt(m, AT_FDCWD, a[0], 0); return true;
    case SYS_rmdir: result = unlinkAt(m, AT_FDCWD, a[0], AT_REMOVEDIR); return true;
    case SYS_unlinkat: result = unlinkAt(m, fdArg(a[0]), a[1], a[2]); return true;
    case SYS_rename: result = renameAt(m, AT_FDCWD, a[0], AT_FDCWD, a[1]); return true;
    case SYS_renameat: result = renameAt(m, fdArg(a[0]), a[1], fdArg(a[2]), a[3]); return true;
    case SYS_renameat2: result = a[4] ? -EINVAL : renameAt(m, fdArg(a[0]), a[1], fdArg(a[2]), a[3]); return true;
    case SYS_readlink: result = readlinkAt(m, AT_FDCWD, a[0], a[1], a[2]); return true;
    case SYS_readlinkat: result = readlinkAt(m, fdArg(a[0]), a[1], a[2], a[3]); return true;
    case SYS_fsync:
    case SYS_fdatasync: result = m.files->fsync(fdArg(a[0])); return true;
    case SYS_getcwd: {
        std::string cwd = m.files->cwd();
        if (a[1] < cwd.size() + 1) {
            result = -ERANGE;
        } else {
            uint8_t* p = m.memory.user(a[0], cwd.size() + 1);
            if (p) std::memcpy(p, cwd.c_str(), cwd.size() + 1);
            result = p ? static_cast<int64_t>(cwd.size() + 1) : -EFAULT;
        }
        return true;
    }
    default: return false;
    }
}

}  // namespace

void publishOpenDescriptors(Machine& m) {
    m.memory.setSharedWord(NIDO_VMM_SHARED_OPEN_FDS, m.files->openDescriptors());
}

bool fileSyscall(Machine& m, uint64_t number, const uint64_t* a, int64_t& result) {
    if (!answerFileSyscall(m, number, a, result)) return false;
    publishOpenDescriptors(m);
    return true;
}

}  // namespace nido::hv::vmm
