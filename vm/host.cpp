// The host layer: standard streams, files, environment, arguments, clocks
// and exit (see host.hpp). File operations check the sandbox first and open
// through it (sandbox.hpp), so the decision holds for what is opened.
//
// Only the thread that runs the program calls in here, and flushes after
// the run. No locks are needed.
#include "vm/host.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "vm/audit.hpp"
#include "vm/host_files.hpp"
#include "vm/isolated_files.hpp"
#include "vm/limits.hpp"
#include "vm/package_vfs.hpp"
#include "vm/pv_channel.hpp"
#include "vm/sandbox.hpp"

namespace nido::vm {

struct HostRun::State {
    Sandbox sandbox;
    IsolatedFiles isolation;
    std::vector<std::string> args;
    HostWatch watch;
    uint64_t outputWritten = 0;                   // the program's bytes so far, for --max-output
    bool ended = false;                           // HostRun::end has run
    const PackageResources* resources = nullptr;  // a package's files under /app, when a package runs
};

namespace {

// 64 KiB pieces keep system calls rare (a million short lines cost a few
// hundred writes) without holding much output back.
constexpr size_t kOutBufferBytes = 64 * 1024;
// Standard input and files of unknown size are read in pieces of this size.
constexpr size_t kInChunkBytes = 64 * 1024;
// Attempts at a fresh temporary name before writeFile gives up.
constexpr int kTempAttempts = 100;

HostFds gFds;
int gOutIsTty = -1;      // -1 until first asked
std::string gOutBuffer;  // pending standard output
std::string gIn;         // standard input read but not yet consumed: gIn[gInPos, end)
size_t gInPos = 0;
uint64_t gStdoutWrites = 0;
HostCapture* gCapture = nullptr;
HostRun::State* gRun = nullptr;
void (*gRaceHook)(const std::string&) = nullptr;

const Sandbox& sandbox() {
    static const Sandbox denyAll;
    return gRun ? gRun->sandbox : denyAll;
}

IsolatedFiles& isolation() {
    static IsolatedFiles allMerged;
    return gRun ? gRun->isolation : allMerged;
}

// HOST: isatty(3), asked once: per-line flushing for a terminal.
bool outIsTerminal() {
    if (gOutIsTty < 0) gOutIsTty = ::isatty(gFds.out) ? 1 : 0;
    return gOutIsTty == 1;
}

// HOST: waits until fd is ready, for descriptors someone made non-blocking
// (a terminal or pipe shared with another process).
void waitReady(int fd, short events) {
    pollfd p{fd, events, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

// HOST: write(2) all of bytes to fd, through short writes, EINTR and
// EAGAIN. Returns 0 or the errno of the failure. counter, if given,
// counts the write calls (the test hook for standard output).
int writeAll(int fd, std::string_view bytes, uint64_t* counter = nullptr) {
    while (!bytes.empty()) {
        if (counter) ++*counter;
        ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                waitReady(fd, POLLOUT);
                continue;
            }
            return errno;
        }
        if (n == 0) return EIO;  // no progress and no error: do not spin
        bytes.remove_prefix(size_t(n));
    }
    return 0;
}

// Standard output is gone. A closed pipe is the reader saying it has
// enough (`| head`): end quietly, as a Unix user expects, with status 1
// since the output was not all delivered. Anything else (disk full, stdout
// closed) is reported like the Unix tools do.
[[noreturn]] void stdoutFailed(int err) {
    if (err != EPIPE) {
        writeAll(gFds.err, fmt::format("nido: cannot write to standard output: {}\n", std::strerror(err)));
    }
    ::_exit(1);  // HOST: no flushing left to do; skip static destructors
}

void writeOut(std::string_view bytes) {
    if (pv::active()) return pv::write(1, bytes);  // in a micro-VM: the shared ring, no exit
    if (int err = writeAll(gFds.out, bytes, &gStdoutWrites)) stdoutFailed(err);
}

// HOST: read(2) of at most n bytes into buf, through EINTR and EAGAIN.
// Returns the bytes read (0 at end of input) or -errno.
ssize_t readSome(int fd, char* buf, size_t n) {
    while (true) {
        ssize_t got = ::read(fd, buf, n);
        if (got >= 0) return got;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            waitReady(fd, POLLIN);
            continue;
        }
        return -errno;
    }
}

// Reads go through this fixed buffer and are appended from it, so that a
// large input costs linear time (no zero-filling of growing strings).
char gReadBuffer[kInChunkBytes];

// Reads more of standard input onto the end of gIn: the number of bytes
// read (0 at end of input), or -errno.
ssize_t fillInput() {
    if (gCapture) {
        std::string_view rest = std::string_view(gCapture->in).substr(std::min(gCapture->inPos, gCapture->in.size()));
        rest = rest.substr(0, kInChunkBytes);
        gIn.append(rest);
        gCapture->inPos += rest.size();
        return ssize_t(rest.size());
    }
    hostFlush();  // the prompt must show before we wait
    ssize_t n = readSome(gFds.in, gReadBuffer, sizeof gReadBuffer);
    if (n > 0) gIn.append(gReadBuffer, size_t(n));
    return n;
}

// Drops the consumed part of gIn.
void compactInput() {
    gIn.erase(0, gInPos);
    gInPos = 0;
}

HostResult stdinFailed(ssize_t negErr) {
    return {HostStatus::Failed, fmt::format("cannot read standard input: {}", std::strerror(int(-negErr)))};
}

// The string with NUL bytes shown as \0, for messages.
std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) c == '\0' ? out += "\\0" : out += c;
    return out;
}

HostResult failed(std::string_view verb, std::string_view path, int err) {
    return {HostStatus::Failed, fmt::format("cannot {} \"{}\": {}", verb, path, std::strerror(err))};
}

PermissionLog* permissionLog() { return gRun ? gRun->watch.log : nullptr; }

const char* opName(Access a) { return a == Access::Read ? "read" : "write"; }

// Records a permission decision in the run's log, if it has one.
// granting() names the flag that allowed it, asked only then.
template <typename Granting>
void logDecision(std::string_view op, std::string_view target, bool allowed, Granting granting) {
    PermissionLog* log = permissionLog();
    if (!log) return;
    std::string rule = !allowed ? "default deny" : log->learning() ? "--learn" : granting();
    log->record({op, target, allowed, rule});
}

// THE permission decision for files: whether the run may access resolved
// (absolute, resolved) as a. The sandbox's later checks of what is really
// opened (sandbox.hpp) only ever narrow it; their denials are logged in
// openFailed. Environment variables are decided in hostEnv.
HostResult decide(Access a, std::string_view resolved) {
    PermissionLog* log = permissionLog();
    if (log && a == Access::Write && log->isAuditFile(resolved)) {
        log->record({"write", resolved, false, "audit file"});
        return {HostStatus::Denied, fmt::format("write access to \"{}\" denied (it is the --audit file)", resolved)};
    }
    bool allowed = sandbox().allows(a, resolved);
    logDecision(opName(a), resolved, allowed, [&] { return grantingFlag(sandbox(), a, resolved); });
    if (!allowed) return {HostStatus::Denied, Sandbox::denial(a, resolved)};
    return {};
}

// The result for a sandboxed open that did not give a descriptor.
HostResult openFailed(const SandboxOpen& o, Access a, std::string_view verb, std::string_view resolved) {
    if (!o.deniedPath.empty()) {
        logDecision(opName(a), o.deniedPath, false, [] { return std::string(); });
        return {HostStatus::Denied, Sandbox::denial(a, o.deniedPath)};
    }
    if (!o.reason.empty()) return {HostStatus::Failed, fmt::format("cannot {} \"{}\": {}", verb, resolved, o.reason)};
    return failed(verb, resolved, o.err);
}

// The permission check every file operation starts with, before anything
// opens the path: rejects NUL bytes and empty paths, resolves the path,
// and refuses it unless the sandbox grants access a.
HostResult checkPath(std::string_view path, Access a, bool followLast, std::string_view verb, std::string& resolved) {
    if (path.find('\0') != std::string_view::npos) {
        return {HostStatus::Invalid, fmt::format("path \"{}\" contains a NUL byte", printable(path))};
    }
    if (path.empty()) return failed(verb, path, ENOENT);
    if (!path.starts_with('/') && sandbox().cwd().empty()) {
        return {HostStatus::Failed, fmt::format("cannot {} \"{}\": the working directory is unknown", verb, path)};
    }
    resolved = isolation().resolve(sandbox(), path, followLast);
    if (HostResult r = decide(a, resolved); !r.ok()) return r;
    if (gRaceHook) gRaceHook(resolved);
    return {};
}

std::string resourcePath(const std::string& inner) {
    return inner.empty() ? std::string(kResourceRoot) : fmt::format("{}/{}", kResourceRoot, inner);
}

// While a package runs, paths under /app are its resources (package_vfs.hpp),
// answered from memory before any permission check: the app may read its
// own files (access a Read), and nothing may change them. No flag decides
// that, but the audit shows it, with the rule "package resource", so the
// log holds every file the app touched.
const PackageResources* resourcesAt(std::string_view path, Access a, std::string& inner) {
    if (!gRun || !gRun->resources || path.find('\0') != std::string_view::npos) return nullptr;
    auto in = PackageResources::inside(path, sandbox().cwd());
    if (!in) return nullptr;
    inner = std::move(*in);
    if (PermissionLog* log = permissionLog())
        log->record({opName(a), resourcePath(inner), a == Access::Read, "package resource"});
    return gRun->resources;
}

HostResult resourceReadOnly(std::string_view verb, const std::string& inner) {
    return {HostStatus::Failed,
            fmt::format("cannot {} \"{}\": the package's files are read-only", verb, resourcePath(inner))};
}

// HOST: getcwd(3), the base for relative paths; "" when it has none.
std::string currentDirectory() {
    std::string buf(PATH_MAX, '\0');
    while (::getcwd(buf.data(), buf.size()) == nullptr) {
        if (errno != ERANGE || buf.size() > (1 << 20)) return "";
        buf.resize(buf.size() * 2);
    }
    buf.resize(std::strlen(buf.c_str()));
    return buf;
}

// HOST: fcntl(2) and open(2). If the process started with stdin, stdout or
// stderr closed, the next file opened would take that number and
// println would write into it. Each closed one gets /dev/null, opened so
// that using the stream still fails (EBADF), as it would have.
void reserveStandardFds() {
    for (int fd = 0; fd <= 2; fd++) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int got = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
        if (got >= 0 && got != fd) ::close(got);
    }
}

// A name for writeFile's temporary file that no one can predict, hidden,
// and of fixed length so a long target name cannot push it past NAME_MAX.
std::string tempName() {
    uint64_t r = 0;
    // HOST: getrandom(2); if it fails the clock still makes collisions rare,
    // and O_EXCL makes them harmless.
    if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != ssize_t(sizeof r)) {
        r = uint64_t(hostClockNs()) * 0x9E3779B97F4A7C15u ^ uint64_t(::getpid());
    }
    return fmt::format(".nido-{:016x}.tmp", r);
}

// Whether path names a folder by its form ("x/", "x/."), as it does for
// the kernel. Resolving drops that form, so the file operations check it.
bool namesFolder(std::string_view path) { return path.ends_with('/') || path.ends_with("/.") || path.ends_with("/.."); }

}  // namespace

// ---- standard streams ----------------------------------------------------

namespace {

void finishRun(HostRun::State& run) {
    hostFlush();
    if (run.ended) return;
    run.ended = true;
    PermissionLog* log = run.watch.log;
    if (log && log->learning()) hostWrite(HostStream::Err, log->learnedReport());
}

}  // namespace

void hostWrite(HostStream stream, std::string_view bytes) {
    if (stream == HostStream::Out) {
        if (gCapture) {
            gCapture->out.append(bytes);
            return;
        }
        if (bytes.size() >= kOutBufferBytes) {  // large: no point copying it through the buffer
            hostFlush();
            writeOut(bytes);
            return;
        }
        gOutBuffer.append(bytes);
        if (gOutBuffer.size() >= kOutBufferBytes || (outIsTerminal() && bytes.find('\n') != std::string_view::npos)) {
            hostFlush();
        }
        return;
    }
    if (gCapture) {
        gCapture->err.append(bytes);
        return;
    }
    hostFlush();
    // HOST: standard error is unbuffered; if it is gone there is nowhere
    // to report that, so its errors are dropped. In a micro-VM the ring
    // reaches the host at the next exit of any kind, which keeps the order.
    if (pv::active()) return pv::write(2, bytes);
    writeAll(gFds.err, bytes);
}

void hostAbandon(std::string_view message, int status) {
    // HOST: write(2) and _exit(2), both safe from any thread.
    writeAll(gFds.err, message);
    ::_exit(status);
}

void hostProgramOutput(HostStream stream, std::string_view bytes) {
    uint64_t limit = gRun ? gRun->watch.maxOutputBytes : 0;
    if (limit == 0) return hostWrite(stream, bytes);
    uint64_t room = limit - gRun->outputWritten;
    if (bytes.size() <= room) {
        gRun->outputWritten += bytes.size();
        return hostWrite(stream, bytes);
    }
    hostWrite(stream, bytes.substr(0, room));
    gRun->outputWritten = limit;
    hostWrite(HostStream::Err, outputLimitMessage(limit));
    hostExit(kExitOutputLimit);
}

void hostFlush() {
    if (gOutBuffer.empty()) return;
    // HOST: write(2) of the buffered output.
    writeOut(gOutBuffer);
    gOutBuffer.clear();
}

void hostExit(int status) {
    hostFlush();
    if (gRun) finishRun(*gRun);
    std::fflush(nullptr);
    // HOST: _exit skips static destructors, which might run while other
    // threads (Boehm's markers, the JIT) still use the heap.
    ::_exit(status);
}

HostResult hostReadLine(std::optional<std::string>& line) {
    size_t scan = gInPos;  // gIn[gInPos, scan) holds no newline
    while (true) {
        size_t nl = gIn.find('\n', scan);
        if (nl != std::string::npos) {
            size_t end = nl > gInPos && gIn[nl - 1] == '\r' ? nl - 1 : nl;
            line = gIn.substr(gInPos, end - gInPos);
            gInPos = nl + 1;
            return {};
        }
        compactInput();
        scan = gIn.size();
        ssize_t n = fillInput();
        if (n < 0) return stdinFailed(n);
        if (n == 0) {
            if (gInPos == gIn.size()) {
                line.reset();
            } else {
                line = gIn.substr(gInPos);  // a last line without newline
            }
            gIn.clear();
            gInPos = 0;
            return {};
        }
    }
}

HostResult hostReadAll(std::string& out) {
    compactInput();
    while (true) {
        ssize_t n = fillInput();
        if (n < 0) return stdinFailed(n);
        if (n == 0) break;
    }
    out = std::move(gIn);
    gIn.clear();
    gInPos = 0;
    return {};
}

// ---- files ---------------------------------------------------------------

HostResult hostFailed(std::string_view verb, std::string_view path, int err) { return failed(verb, path, err); }

HostResult readOpened(int fd, std::string_view path, std::string& out) {
    struct stat st;
    // HOST: fstat(2) and read(2) on the verified descriptor.
    if (::fstat(fd, &st) != 0) return failed("read", path, errno);
    if (S_ISDIR(st.st_mode)) return failed("read", path, EISDIR);
    out.clear();
    // A regular file of known size is read straight into place; anything
    // beyond (the file grew, or has no size: /proc, pipes) piece by piece.
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        out.resize(size_t(st.st_size));
        size_t got = 0;
        while (got < out.size()) {
            ssize_t n = readSome(fd, out.data() + got, out.size() - got);
            if (n < 0) return failed("read", path, int(-n));
            if (n == 0) break;
            got += size_t(n);
        }
        out.resize(got);
    }
    while (true) {
        ssize_t n = readSome(fd, gReadBuffer, sizeof gReadBuffer);
        if (n < 0) return failed("read", path, int(-n));
        if (n == 0) return {};
        out.append(gReadBuffer, size_t(n));
    }
}

HostResult hostReadChecked(const std::string& resolved, Access a, std::string& out) {
    SandboxOpen o = sandbox().open(a, resolved, O_RDONLY);
    if (!o.ok()) return openFailed(o, a, "read", resolved);
    return readOpened(o.fd.get(), resolved, out);
}

namespace {

// What a resolved path names, through the isolation layer where a rule
// covers it.
HostResult kindChecked(const std::string& resolved, Access a, FileKind& out) {
    if (isolation().involves(resolved)) return isolation().kind(resolved, out);
    return hostKindChecked(resolved, a, out);
}

// Reading, writing or appending through a path of folder form fails as the
// kernel's open would: EISDIR at a folder (and, writing, where nothing is),
// ENOTDIR at anything else, ENOENT reading where nothing is.
HostResult folderFormFailure(std::string_view verb, const std::string& resolved, Access a) {
    FileKind kind;
    if (HostResult r = kindChecked(resolved, a, kind); !r.ok()) return r;
    int err = kind == FileKind::File ? ENOTDIR : kind == FileKind::Dir || a == Access::Write ? EISDIR : ENOENT;
    return failed(verb, resolved, err);
}

}  // namespace

HostResult hostReadFile(std::string_view path, std::string& out) {
    std::string resolved;
    if (const PackageResources* res = resourcesAt(path, Access::Read, resolved)) {
        const std::string* file = res->file(resolved);
        if (!file) return failed("read", resourcePath(resolved), res->isDir(resolved) ? EISDIR : ENOENT);
        out = *file;
        return {};
    }
    if (HostResult r = checkPath(path, Access::Read, true, "read", resolved); !r.ok()) return r;
    if (namesFolder(path)) return folderFormFailure("read", resolved, Access::Read);
    if (isolation().involves(resolved)) return isolation().readFile(resolved, out);
    return hostReadChecked(resolved, Access::Read, out);
}

HostResult writeAt(int dirfd, const char* name, std::string_view path, std::string_view data) {
    // HOST: fstatat(2), openat(2), write(2), fsync(2), renameat(2),
    // unlinkat(2), all relative to the verified folder. The rename replaces
    // the directory entry itself, so a symlink swapped in as the target is
    // replaced, never followed.
    struct stat st;
    mode_t keepMode = 0;
    bool hadFile = false;
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) return failed("write", path, EISDIR);
        if (S_ISREG(st.st_mode)) {
            hadFile = true;
            keepMode = st.st_mode & 07777;
        }
    }
    std::string temp;
    Fd file;
    for (int attempt = 0; attempt < kTempAttempts && !file.valid(); attempt++) {
        temp = tempName();
        file = Fd(::openat(dirfd, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
        if (!file.valid() && errno != EEXIST) return failed("write", path, errno);
    }
    if (!file.valid()) return failed("write", path, EEXIST);
    int err = 0;
    if (hadFile && ::fchmod(file.get(), keepMode) != 0) err = errno;
    if (!err) err = writeAll(file.get(), data);
    if (!err && ::fsync(file.get()) != 0) err = errno;
    if (!err && ::close(file.release()) != 0) err = errno;
    if (!err && ::renameat(dirfd, temp.c_str(), dirfd, name) != 0) err = errno;
    if (err) {
        ::unlinkat(dirfd, temp.c_str(), 0);
        return failed("write", path, err);
    }
    // The rename is durable once the folder is synced. Best effort: a
    // folder we may write but not read cannot be opened for fsync.
    Fd sync(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (sync.valid()) ::fsync(sync.get());
    return {};
}

HostResult hostWriteFile(std::string_view path, std::string_view data) {
    std::string resolved;
    if (resourcesAt(path, Access::Write, resolved)) return resourceReadOnly("write", resolved);
    if (HostResult r = checkPath(path, Access::Write, true, "write", resolved); !r.ok()) return r;
    if (resolved == "/") return failed("write", resolved, EISDIR);
    if (namesFolder(path)) return folderFormFailure("write", resolved, Access::Write);
    if (isolation().involves(resolved)) return isolation().writeFile(resolved, data);
    SandboxOpen dir = sandbox().openParent(Access::Write, resolved);
    if (!dir.ok()) return openFailed(dir, Access::Write, "write", resolved);
    return writeAt(dir.fd.get(), dir.name.c_str(), resolved, data);
}

HostResult appendAt(int dirfd, const char* name, std::string_view path, std::string_view data) {
    // HOST: openat(2) relative to the verified folder; O_NOFOLLOW refuses
    // a symlink swapped in as the last component.
    Fd file(::openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666));
    if (!file.valid()) return failed("write", path, errno);
    if (int err = writeAll(file.get(), data)) return failed("write", path, err);
    if (::close(file.release()) != 0) return failed("write", path, errno);
    return {};
}

HostResult hostAppendFile(std::string_view path, std::string_view data) {
    std::string resolved;
    if (resourcesAt(path, Access::Write, resolved)) return resourceReadOnly("write", resolved);
    if (HostResult r = checkPath(path, Access::Write, true, "write", resolved); !r.ok()) return r;
    if (resolved == "/") return failed("write", resolved, EISDIR);
    if (namesFolder(path)) return folderFormFailure("write", resolved, Access::Write);
    if (isolation().involves(resolved)) return isolation().appendFile(resolved, data);
    SandboxOpen dir = sandbox().openParent(Access::Write, resolved);
    if (!dir.ok()) return openFailed(dir, Access::Write, "write", resolved);
    return appendAt(dir.fd.get(), dir.name.c_str(), resolved, data);
}

HostResult hostKindChecked(const std::string& resolved, Access a, FileKind& out) {
    out = FileKind::None;
    struct stat st;
    if (resolved == "/") {
        // HOST: stat(2) of the root, which the grants already cover.
        if (::stat("/", &st) == 0) out = FileKind::Dir;
        return {};
    }
    SandboxOpen dir = sandbox().openParent(a, resolved);
    if (!dir.ok()) {
        if (dir.deniedPath.empty() && dir.reason.empty()) return {};  // no such folder: not found
        return openFailed(dir, a, "read", resolved);
    }
    // HOST: fstatat(2) relative to the verified folder, not following a
    // symlink: one there now is dangling or was swapped in since resolving.
    if (::fstatat(dir.fd.get(), dir.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode)) {
        out = S_ISDIR(st.st_mode) ? FileKind::Dir : FileKind::File;
    }
    return {};
}

namespace {

// exists and isDir: what the path is, or FileKind::None when it cannot be
// looked up.
HostResult kindOf(std::string_view path, FileKind& out) {
    std::string resolved;
    out = FileKind::None;
    if (path.empty()) return {};  // names nothing: not there, as a missing file is not
    if (const PackageResources* res = resourcesAt(path, Access::Read, resolved)) {
        out = res->isDir(resolved) ? FileKind::Dir : res->file(resolved) ? FileKind::File : FileKind::None;
        return {};
    }
    if (HostResult r = checkPath(path, Access::Read, true, "read", resolved); !r.ok()) return r;
    HostResult r = kindChecked(resolved, Access::Read, out);
    if (namesFolder(path) && out == FileKind::File) out = FileKind::None;
    return r;
}

}  // namespace

HostResult hostExists(std::string_view path, bool& out) {
    FileKind kind;
    HostResult r = kindOf(path, kind);
    out = kind != FileKind::None;
    return r;
}

HostResult hostIsDir(std::string_view path, bool& out) {
    FileKind kind;
    HostResult r = kindOf(path, kind);
    out = kind == FileKind::Dir;
    return r;
}

HostResult listOpened(Fd fd, std::string_view path, std::vector<std::string>& out) {
    // HOST: readdir(3) on the verified descriptor; fdopendir takes it over.
    DIR* d = ::fdopendir(fd.get());
    if (!d) return failed("list", path, errno);
    fd.release();
    out.clear();
    int err = 0;
    while (true) {
        errno = 0;
        const dirent* e = ::readdir(d);
        if (!e) {
            err = errno;
            break;
        }
        std::string_view name = e->d_name;
        if (name != "." && name != "..") out.emplace_back(name);
    }
    ::closedir(d);
    if (err) return failed("list", path, err);
    std::sort(out.begin(), out.end());  // char_traits<char> compares as unsigned bytes
    return {};
}

HostResult hostListChecked(const std::string& resolved, Access a, std::vector<std::string>& out) {
    SandboxOpen o = sandbox().open(a, resolved, O_RDONLY | O_DIRECTORY);
    if (!o.ok()) return openFailed(o, a, "list", resolved);
    return listOpened(std::move(o.fd), resolved, out);
}

HostResult hostListDir(std::string_view path, std::vector<std::string>& out) {
    std::string resolved;
    if (const PackageResources* res = resourcesAt(path, Access::Read, resolved)) {
        if (res->list(resolved, out)) return {};
        return failed("list", resourcePath(resolved), res->file(resolved) ? ENOTDIR : ENOENT);
    }
    if (HostResult r = checkPath(path, Access::Read, true, "list", resolved); !r.ok()) return r;
    if (isolation().involves(resolved, true)) return isolation().listDir(resolved, out);
    return hostListChecked(resolved, Access::Read, out);
}

HostResult hostParentChecked(const std::string& resolved, Access a, bool& isFolder) {
    isFolder = false;
    if (resolved == "/") return {};
    SandboxOpen dir = sandbox().openParent(a, resolved);
    if (dir.ok() || (dir.deniedPath.empty() && dir.reason.empty())) {
        isFolder = dir.ok();
        return {};
    }
    return openFailed(dir, a, "write", resolved);
}

HostResult hostMkdirChecked(const std::string& resolved) {
    SandboxOpen dir = sandbox().openParent(Access::Write, resolved);
    if (!dir.ok()) return openFailed(dir, Access::Write, "create", resolved);
    // HOST: mkdirat(2) relative to the verified folder.
    if (::mkdirat(dir.fd.get(), dir.name.c_str(), 0777) != 0) return failed("create", resolved, errno);
    return {};
}

HostResult removeAt(int dirfd, const char* name, std::string_view path) {
    // HOST: unlinkat(2) relative to the verified folder: removes the entry
    // itself, never what a symlink there points to.
    if (::unlinkat(dirfd, name, 0) == 0) return {};
    int err = errno;
    struct stat st;
    if ((err == EISDIR || err == EPERM) && ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISDIR(st.st_mode)) {
        if (::unlinkat(dirfd, name, AT_REMOVEDIR) == 0) return {};
        err = errno;
    }
    return failed("remove", path, err);
}

HostResult hostRemove(std::string_view path) {
    std::string resolved;
    if (resourcesAt(path, Access::Write, resolved)) return resourceReadOnly("remove", resolved);
    if (HostResult r = checkPath(path, Access::Write, false, "remove", resolved); !r.ok()) return r;
    if (resolved == "/") return failed("remove", resolved, EBUSY);
    if (namesFolder(path)) {
        FileKind kind;
        if (HostResult r = kindChecked(resolved, Access::Write, kind); !r.ok()) return r;
        if (kind == FileKind::File) return failed("remove", resolved, ENOTDIR);
    }
    if (isolation().involves(resolved)) return isolation().remove(resolved);
    SandboxOpen dir = sandbox().openParent(Access::Write, resolved);
    if (!dir.ok()) return openFailed(dir, Access::Write, "remove", resolved);
    return removeAt(dir.fd.get(), dir.name.c_str(), resolved);
}

HostResult hostMkdirs(std::string_view path) {
    std::string resolved;
    if (resourcesAt(path, Access::Write, resolved)) return resourceReadOnly("create", resolved);
    if (HostResult r = checkPath(path, Access::Write, true, "create", resolved); !r.ok()) return r;
    if (isolation().involves(resolved)) return isolation().mkdirs(sandbox(), resolved);
    // Walk down from the root one component at a time, each opened
    // relative to the last with O_NOFOLLOW, so no symlink is followed on
    // the way; create what is missing, each only after verifying where its
    // parent really is.
    // HOST: open(2), openat(2), mkdirat(2).
    Fd cur(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!cur.valid()) return failed("create", resolved, errno);
    size_t pos = 1;
    while (pos < resolved.size()) {
        size_t slash = resolved.find('/', pos);
        if (slash == std::string::npos) slash = resolved.size();
        std::string comp = resolved.substr(pos, slash - pos);
        bool last = slash == resolved.size();
        pos = slash + 1;
        constexpr int kFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        Fd next(::openat(cur.get(), comp.c_str(), kFlags));
        if (!next.valid() && errno == ENOENT) {
            // Each folder created is a write of its own (and what --learn
            // must grant: the file's path alone would not cover it).
            if (HostResult r = decide(Access::Write, resolved.substr(0, slash)); !r.ok()) return r;
            SandboxOpen v;
            if (!sandbox().verifyAt(Access::Write, cur.get(), comp, v)) {
                return openFailed(v, Access::Write, "create", resolved);
            }
            if (::mkdirat(cur.get(), comp.c_str(), 0777) != 0 && errno != EEXIST) {
                return failed("create", resolved, errno);
            }
            next = Fd(::openat(cur.get(), comp.c_str(), kFlags));
        }
        if (!next.valid()) {
            int err = errno;
            // Something that is not a folder (or a symlink swapped in) is
            // in the way: at the end that is "File exists".
            if (err == ENOTDIR || err == ELOOP) err = last ? EEXIST : ENOTDIR;
            return failed("create", resolved, err);
        }
        cur = std::move(next);
    }
    return {};
}

// ---- environment, arguments, clocks --------------------------------------

HostResult hostEnv(std::string_view name, std::optional<std::string>& out) {
    out.reset();
    if (name.find('\0') != std::string_view::npos) {
        return {HostStatus::Invalid,
                fmt::format("environment variable name \"{}\" contains a NUL byte", printable(name))};
    }
    // No variable has an empty name or "=" in it (glibc's getenv would
    // match "A=B" against the variable A with a value starting "B="): such
    // a name is unset whatever the grants, and no flag could grant it.
    if (name.empty() || name.find('=') != std::string_view::npos) return {};
    bool allowed = sandbox().allowsEnv(name);
    logDecision("env", name, allowed, [&] { return grantingEnvFlag(sandbox(), name); });
    if (!allowed) return {HostStatus::Denied, Sandbox::envDenial(name)};
    // HOST: getenv(3). Nothing in the process sets variables while it runs.
    if (const char* v = std::getenv(std::string(name).c_str())) out = v;
    return {};
}

const std::vector<std::string>& hostArgs() {
    static const std::vector<std::string> none;
    return gRun ? gRun->args : none;
}

int64_t hostClockNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);  // HOST: the monotonic clock
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int64_t hostTimeMs() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);  // HOST: the wall clock
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

// ---- runs and test hooks -------------------------------------------------

HostRun::HostRun(const Permissions& permissions, const std::vector<std::string>& args, const HostWatch& watch,
                 const Isolation& isolation)
    : previous_(gRun) {
    std::string cwd = currentDirectory();
    state_ = std::make_unique<State>(State{Sandbox(permissions, cwd), IsolatedFiles(isolation, cwd), args, watch});
    // HOST: with SIGPIPE ignored a closed stdout is an EPIPE from write,
    // which hostWrite turns into a quiet exit instead of death by signal.
    // Left so after the run: the host layer owns stdout for the process.
    ::signal(SIGPIPE, SIG_IGN);
    reserveStandardFds();
    gRun = state_.get();
}

const std::string& HostRun::startError() const { return state_->isolation.startError(); }

HostRun::~HostRun() { gRun = previous_; }

void HostRun::end() { finishRun(*state_); }
void HostRun::mountResources(const PackageResources* resources) { state_->resources = resources; }

HostCapture::HostCapture() {
    gCapture = this;
    gIn.clear();  // input read from the real stdin is not this capture's
    gInPos = 0;
}

HostCapture::~HostCapture() {
    gCapture = nullptr;
    gIn.clear();  // input left over belongs to this capture
    gInPos = 0;
}

void hostSetFdsForTest(HostFds fds) {
    gFds = fds;
    gOutIsTty = -1;
    gOutBuffer.clear();
    gIn.clear();
    gInPos = 0;
}

uint64_t hostStdoutWriteCalls() { return gStdoutWrites; }

void hostSetRaceHookForTest(void (*hook)(const std::string& resolved)) { gRaceHook = hook; }

}  // namespace nido::vm
