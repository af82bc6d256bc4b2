// The guest's file descriptors. Nothing exists in the guest unless the host
// gave it: stdin/stdout/stderr, the configured virtual files (and the
// directories that hold them), a few generated /proc files, and host paths
// under the --allow-read/--allow-write prefixes, checked here outside the
// guest's reach. Results are Linux-style: a value, or -errno.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmm.hpp"

namespace nido::hv::vmm {

class FileTable {
public:
    // Contents of a generated file (e.g. /proc/self/maps), or nullopt if `path` is not one.
    using Generator = std::function<std::optional<std::string>(const std::string& path)>;

    FileTable(const MicroVmConfig& config, Generator generator);
    ~FileTable();

    int64_t openAt(int dirFd, const std::string& path, int flags, int mode);
    int64_t close(int fd);
    int64_t read(int fd, uint8_t* buffer, uint64_t len);
    int64_t write(int fd, const uint8_t* buffer, uint64_t len);
    int64_t pread(int fd, uint8_t* buffer, uint64_t len, int64_t offset);
    int64_t pwrite(int fd, const uint8_t* buffer, uint64_t len, int64_t offset);
    int64_t seek(int fd, int64_t offset, int whence);
    int64_t fstat(int fd, struct stat& st);
    int64_t statAt(int dirFd, const std::string& path, bool noFollow, struct stat& st);
    int64_t access(int dirFd, const std::string& path);
    int64_t getdents64(int fd, uint8_t* buffer, uint64_t len);
    int64_t ioctlTcgets(int fd, uint8_t* termios, uint64_t len);
    int64_t dup(int fd, int minFd);
    int64_t dupTo(int fd, int newFd);
    int64_t fcntl(int fd, int cmd, uint64_t arg);
    int64_t mkdirAt(int dirFd, const std::string& path, int mode);
    int64_t unlinkAt(int dirFd, const std::string& path, int flags);
    int64_t renameAt(int oldDirFd, const std::string& oldPath, int newDirFd, const std::string& newPath);
    int64_t readlinkAt(int dirFd, const std::string& path, uint8_t* buffer, uint64_t len);
    int64_t fsync(int fd);
    // The guest path an open descriptor names (for /proc/self/fd/N); -EBADF if none.
    int64_t pathOf(int fd, std::string& path);
    std::string cwd() const { return cwd_; }
    // Bit N set when descriptor N (< 64) is open.
    uint64_t openDescriptors() const;

private:
    struct OpenFile;
    // What a guest path names once resolved against the permissions.
    struct Resolved;

    OpenFile* find(int fd);
    int install(std::shared_ptr<OpenFile> file, int minFd = 0);
    std::string absolute(int dirFd, const std::string& path);
    bool permitted(const PathPermission& permission, const std::string& path) const;
    // What a lookup needs: to read contents, to write them, or only to name
    // the file (stat, O_PATH), which is also allowed on the folders above a
    // permitted path so that a runtime can walk down to it from "/".
    enum class Access { Read, Write, Name };
    int64_t resolve(const std::string& path, Access access, Resolved& out);
    bool aboveAPermittedPath(const std::string& path) const;
    // The host path for changing `path` (mkdir, unlink, rename): --allow-write only.
    int64_t writablePath(int dirFd, const std::string& path, std::string& hostPath);

    const MicroVmConfig& config_;
    Generator generator_;
    std::string cwd_;
    std::vector<std::shared_ptr<OpenFile>> fds_;
};

}  // namespace nido::hv::vmm
