// The sandbox's path resolution, grant checks and verified opens (see
// sandbox.hpp for the threat model).
#include "vm/sandbox.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

namespace nido::vm {
namespace {

// As many symlinks as Linux follows in one lookup (MAXSYMLINKS): more is a
// loop, and the rest of the path is then taken lexically.
constexpr int kMaxSymlinks = 40;

// Pushes the components of p (no empty ones) onto todo so that the first
// component is popped first.
void pushComponents(std::vector<std::string>& todo, std::string_view p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < p.size()) {
        size_t j = p.find('/', i);
        if (j == std::string_view::npos) j = p.size();
        if (j > i) parts.emplace_back(p.substr(i, j - i));
        i = j + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
}

// Drops the last component of an absolute path kept without trailing
// slash, where "" stands for "/".
void popComponent(std::string& path) { path.resize(path.rfind('/') == std::string::npos ? 0 : path.rfind('/')); }

// HOST: the target of the symlink at path.
std::optional<std::string> readLink(const std::string& path, off_t sizeHint) {
    std::string buf(size_t(std::max<off_t>(sizeHint, 64)) + 1, '\0');
    while (true) {
        ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
        if (n < 0) return std::nullopt;
        if (size_t(n) < buf.size()) {
            buf.resize(size_t(n));
            return buf;
        }
        if (buf.size() > 1 << 20) return std::nullopt;  // changing under us; give up
        buf.resize(buf.size() * 2);
    }
}

}  // namespace

// HOST: lstat and readlink on each component, never open.
std::string resolvePath(std::string_view path, std::string_view cwd, bool followLast) {
    std::vector<std::string> todo;  // components still to walk, next last
    pushComponents(todo, path);
    std::string out;  // the resolved prefix; "" is "/"
    if (!path.starts_with('/')) {
        std::vector<std::string> base;
        pushComponents(base, cwd);
        for (auto it = base.rbegin(); it != base.rend(); ++it) out += "/" + *it;
    }
    bool lexical = false;  // a component could not be looked up: no more lstat
    int links = 0;
    while (!todo.empty()) {
        std::string c = std::move(todo.back());
        todo.pop_back();
        if (c == ".") continue;
        if (c == "..") {
            // out is free of symlinks (or lexical from here), so dropping
            // its last component is what the kernel's ".." does.
            popComponent(out);
            continue;
        }
        std::string next = out + "/" + c;
        if (lexical) {
            out = std::move(next);
            continue;
        }
        struct stat st;
        if (::lstat(next.c_str(), &st) != 0) {
            lexical = true;
            out = std::move(next);
            continue;
        }
        bool last = todo.empty();
        if (S_ISLNK(st.st_mode) && (followLast || !last)) {
            std::optional<std::string> target = ++links <= kMaxSymlinks ? readLink(next, st.st_size) : std::nullopt;
            if (!target || target->empty()) {
                lexical = true;
                out = std::move(next);
                continue;
            }
            if (target->starts_with('/')) out.clear();  // else relative to the link's folder, which is out
            pushComponents(todo, *target);
            continue;
        }
        out = std::move(next);
    }
    return out.empty() ? "/" : out;
}

bool pathWithin(std::string_view path, std::string_view root) {
    if (root == "/") return path.starts_with('/');
    return path.starts_with(root) && (path.size() == root.size() || path[root.size()] == '/');
}

Fd::~Fd() {
    // HOST: close(2). Linux releases the descriptor even on EINTR, so no retry.
    if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);  // HOST: as in the destructor
        fd_ = o.release();
    }
    return *this;
}

Sandbox::Sandbox(const Permissions& p, std::string cwd)
    : cwd_(std::move(cwd)), readAll_(p.readAll), writeAll_(p.writeAll), envAll_(p.envAll), envNames_(p.envNames) {
    auto resolveAll = [&](const std::vector<std::string>& paths, std::vector<std::string>& roots) {
        for (const std::string& path : paths) {
            if (path.empty() || path.find('\0') != std::string::npos) continue;
            if (!path.starts_with('/') && cwd_.empty()) continue;  // no working directory: fail closed
            roots.push_back(resolvePath(path, cwd_));
        }
    };
    resolveAll(p.readPaths, readRoots_);
    resolveAll(p.writePaths, writeRoots_);
}

std::string Sandbox::resolve(std::string_view path, bool followLast) const {
    return resolvePath(path, cwd_, followLast);
}

bool Sandbox::allows(Access a, std::string_view resolved) const {
    if (grantsAll(a)) return true;
    const std::vector<std::string>& rs = roots(a);
    return std::any_of(rs.begin(), rs.end(), [&](const std::string& r) { return pathWithin(resolved, r); });
}

bool Sandbox::allowsEnv(std::string_view name) const {
    return envAll_ || std::find(envNames_.begin(), envNames_.end(), name) != envNames_.end();
}

std::string Sandbox::denial(Access a, std::string_view resolved) {
    const char* kind = a == Access::Read ? "read" : "write";
    return fmt::format("{} access to \"{}\" denied (run with --allow-{}={})", kind, resolved, kind, resolved);
}

std::string Sandbox::envDenial(std::string_view name) {
    return fmt::format("env access to \"{}\" denied (run with --allow-env={})", name, name);
}

std::optional<std::string> fdRealPath(int fd) {
    char link[32];
    *fmt::format_to_n(link, sizeof link - 1, "/proc/self/fd/{}", fd).out = '\0';
    std::string buf(PATH_MAX + 1, '\0');
    ssize_t n = ::readlink(link, buf.data(), buf.size());
    if (n < 0 || size_t(n) >= buf.size()) return std::nullopt;
    buf.resize(size_t(n));
    return buf;
}

bool Sandbox::verifyAt(Access a, int dirfd, std::string_view name, SandboxOpen& out) const {
    if (grantsAll(a)) return true;
    std::optional<std::string> real = fdRealPath(dirfd);
    if (!real) {
        out.reason = "cannot verify the opened path (is /proc mounted?)";
        return false;
    }
    std::string& full = *real;
    if (!name.empty()) {
        if (full.size() > 1) full += '/';  // not after "/"
        full += name;
    }
    if (allows(a, full)) return true;
    out.deniedPath = std::move(full);
    return false;
}

SandboxOpen Sandbox::open(Access a, const std::string& resolved, int flags) const {
    SandboxOpen r;
    if (grantsAll(a)) {
        // HOST: open(2). Everything is granted: nothing to verify.
        r.fd = Fd(::open(resolved.c_str(), flags | O_NOFOLLOW | O_CLOEXEC));
        if (!r.fd.valid()) r.err = errno;
        return r;
    }
    // HOST: open(2) with O_PATH first: it has no side effects (a FIFO does
    // not block, a device is not opened), so nothing happens to an object
    // outside the grants before we know where it is. O_NOFOLLOW: resolved
    // has no symlink as its last component unless one was swapped in since.
    Fd handle(::open(resolved.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC | (flags & O_DIRECTORY)));
    if (!handle.valid()) {
        r.err = errno;
        return r;
    }
    struct stat st;
    if (::fstat(handle.get(), &st) != 0) {
        r.err = errno;
        return r;
    }
    if (S_ISLNK(st.st_mode)) {  // the handle is the symlink itself: refuse, as O_NOFOLLOW would
        r.err = ELOOP;
        return r;
    }
    // A folder on the way may have been swapped for a symlink: judge the
    // object by where the kernel says it is.
    if (!verifyAt(a, handle.get(), "", r)) return r;
    // HOST: open(2) of /proc/self/fd/N reopens exactly the verified object,
    // with no second path lookup to race against.
    char self[32];
    *fmt::format_to_n(self, sizeof self - 1, "/proc/self/fd/{}", handle.get()).out = '\0';
    r.fd = Fd(::open(self, flags | O_CLOEXEC));
    if (!r.fd.valid()) r.err = errno;
    return r;
}

SandboxOpen Sandbox::openParent(Access a, const std::string& resolved) const {
    SandboxOpen r;
    size_t slash = resolved.rfind('/');
    std::string parent = slash == 0 ? "/" : resolved.substr(0, slash);
    r.name = resolved.substr(slash + 1);
    // HOST: open(2) of the folder as a handle for the *at calls. O_PATH
    // needs no read permission on it (a write-only drop folder works);
    // O_NOFOLLOW with O_DIRECTORY refuses a symlink swapped in as the
    // parent's last component.
    r.fd = Fd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!r.fd.valid()) {
        r.err = errno;
        return r;
    }
    if (!verifyAt(a, r.fd.get(), r.name, r)) r.fd = Fd();
    return r;
}

}  // namespace nido::vm
