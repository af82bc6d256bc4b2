// The sandbox: the permission checks of the host layer (architecture
// decision 6). Deny by default: a run may use stdio, clocks and its own
// arguments; files and environment variables only as the --allow-* flags
// granted (vm/permissions.hpp). Only the host layer (vm/host.cpp) calls this.
//
// THREAT MODEL. The Nido program is untrusted: it names any path or variable
// it likes. Other processes may change the file system while it runs (swap a
// folder or the last component of a path for a symlink between our check and
// our open). What must hold: every file the program reads, writes, creates,
// lists or removes lies at or below a granted path, judged by where the
// object really is, not by the string the program gave.
//
// HOW. Granted paths are resolved once at the start of the run (resolvePath:
// relative to the working directory, `.`/`..` folded, symlinks followed; a
// missing tail is taken lexically). A program path is resolved the same way
// and checked against them (whole components: /tmp/ab is not below /tmp/a)
// before anything opens it, so a denied program learns nothing from an open.
// Then the check is made to hold for the object actually opened:
//   - reads open the resolved path as a handle (O_PATH | O_NOFOLLOW, which
//     has no side effects), verify the handle's real path (readlink of
//     /proc/self/fd/N) against the grants, and only then open the object
//     itself through /proc/self/fd/N (no second lookup to race against);
//   - writes, creation and removal open the parent folder (O_PATH |
//     O_DIRECTORY | O_NOFOLLOW), verify its real path joined with the last
//     component, and then act relative to that descriptor (openat with
//     O_NOFOLLOW, renameat, unlinkat, mkdirat), so a symlink swapped in as
//     the last component cannot redirect the write.
// A bare flag (grant all of a kind) needs no verification and none is made,
// so those runs do not depend on /proc being mounted. With a list of paths
// and no /proc the sandbox fails closed (IOError).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/permissions.hpp"

namespace nido::vm {

enum class Access : uint8_t { Read, Write };

// The absolute path path names, resolved against cwd (an absolute path
// without symlinks, as getcwd gives): `.` and `..` folded, every existing
// symlink followed (at most 40), from the first component that cannot be
// looked up (missing, unsearchable folder, symlink loop) on taken lexically.
// A trailing slash changes nothing. With followLast false a symlink as the
// final component is kept as it is (remove acts on the link, not its
// target). Touches the file system only with lstat and readlink.
std::string resolvePath(std::string_view path, std::string_view cwd, bool followLast = true);

// Whether path equals root or lies below it, comparing whole components.
// Both are absolute and normalised (no trailing slash except "/").
bool pathWithin(std::string_view path, std::string_view root);

// A file descriptor closed on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
};

// What a sandboxed open produced: a descriptor, or an OS error (err, an
// errno value, or reason when no errno fits), or a denial naming the real
// path that was refused.
struct SandboxOpen {
    Fd fd;
    int err = 0;
    std::string reason;      // set instead of err when the check itself failed
    std::string deniedPath;  // set when the opened object lies outside the grants
    std::string name;        // openParent: the last component, to use with *at calls
    bool ok() const { return fd.valid(); }
};

class Sandbox {
public:
    // Denies everything: the policy when no run is installed.
    Sandbox() = default;
    // Resolves the granted paths against cwd now (flag paths mean what they
    // meant when the run started). With an empty cwd (getcwd failed),
    // relative grants grant nothing.
    Sandbox(const Permissions& p, std::string cwd);

    const std::string& cwd() const { return cwd_; }
    // resolvePath against the run's working directory.
    std::string resolve(std::string_view path, bool followLast = true) const;

    bool grantsAll(Access a) const { return a == Access::Read ? readAll_ : writeAll_; }
    // Whether the resolved absolute path is granted for a.
    bool allows(Access a, std::string_view resolved) const;
    bool allowsEnv(std::string_view name) const;
    bool grantsAllEnv() const { return envAll_; }
    const std::vector<std::string>& roots(Access a) const { return a == Access::Read ? readRoots_ : writeRoots_; }

    // PermissionError messages, exactly:
    //   read access to "/etc/passwd" denied (run with --allow-read=/etc/passwd)
    //   env access to "HOME" denied (run with --allow-env=HOME)
    static std::string denial(Access a, std::string_view resolved);
    static std::string envDenial(std::string_view name);

    // Opens resolved (already allowed) with flags, not following a symlink
    // as its last component, once its real path is verified.
    SandboxOpen open(Access a, const std::string& resolved, int flags) const;
    // Opens resolved's parent folder (O_PATH) and verifies that its real
    // path joined with the last component is allowed; result.name is that
    // component. resolved must not be "/".
    SandboxOpen openParent(Access a, const std::string& resolved) const;
    // Whether the folder open as dirfd, joined with name (empty: the folder
    // itself), is allowed by where the folder really is. On false, sets
    // out.deniedPath (refused) or out.reason (could not tell).
    bool verifyAt(Access a, int dirfd, std::string_view name, SandboxOpen& out) const;

private:
    std::string cwd_;
    bool readAll_ = false, writeAll_ = false, envAll_ = false;
    std::vector<std::string> readRoots_, writeRoots_, envNames_;
};

// HOST: the path the kernel holds for an open descriptor (readlink of
// /proc/self/fd/N); nullopt when /proc is not available.
std::optional<std::string> fdRealPath(int fd);

}  // namespace nido::vm
