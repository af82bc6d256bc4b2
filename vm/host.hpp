// The host layer (architecture decision 6): the one door through which the
// runtime touches the process's environment. Standard output, standard
// error, standard input, files, environment variables, the program's
// arguments, clocks and exit all pass through here, and the sandbox
// (vm/sandbox.hpp) is consulted here and nowhere else. The package VFS and
// the guest mode plug in here too, and so do the isolation modes: a file
// call on a path under a writecopy or full rule is served, once checked, by
// vm/isolated_files.hpp from the app's sandbox folder.
//
// STANDARD OUTPUT is buffered (64 KiB) and flushed when the buffer fills, at
// exit (normal end, sys.exit, uncaught error), before every read of standard
// input (so a prompt shows before the program waits), before anything goes
// to standard error (so the two interleave as the program wrote them), and
// after every line when standard output is a terminal (checked once).
// Standard error is not buffered. If standard output is a closed pipe
// (EPIPE, e.g. `nido run p.nd | head -1`) the program ends quietly with
// status 1, without a signal or message; any other write error ends it with
// status 1 and a one-line message on stderr, like the Unix tools.
//
// A run installs its policy and arguments with HostRun (runtime.cpp). With
// none installed the sandbox denies everything and there are no arguments.
// Every permission decision (files and environment) is made at one point
// in host.cpp and recorded in the run's PermissionLog (audit.hpp), if any.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/isolation.hpp"
#include "vm/permissions.hpp"

namespace nido::vm {

class PackageResources;

enum class HostStream { Out, Err };

void hostWrite(HostStream stream, std::string_view bytes);
// The program's own output (print, println, io.eprint, io.eprintln):
// hostWrite, counted against the run's --max-output. The write that
// crosses the limit goes out up to it; then the run ends with the limit's
// message and status 4. The runtime's own messages (an uncaught error's
// report, --stats) are not counted.
void hostProgramOutput(HostStream stream, std::string_view bytes);
void hostFlush();
// Flushes, ends the run (HostRun::end) and the process with status at once
// (no finally blocks, no destructors), also under HostCapture: unit tests
// cannot call it in-process.
[[noreturn]] void hostExit(int status);
// Ends the process with status from a thread other than the program's
// (the --timeout watchdog): message, if any, straight to standard error,
// then _exit. Standard output still buffered is lost: the program thread
// owns that buffer (a blocked read of standard input flushed it first).
[[noreturn]] void hostAbandon(std::string_view message, int status);

// How a fallible host call ended. The builtins throw the matching Nido
// error with message: Denied PermissionError, Failed IOError, Invalid
// ValueError (an argument no OS call could take, such as a path with a NUL).
enum class HostStatus : uint8_t { Ok, Denied, Failed, Invalid };

struct HostResult {
    HostStatus status = HostStatus::Ok;
    std::string message;
    bool ok() const { return status == HostStatus::Ok; }
};

// Installs a run's sandbox policy (granted paths resolved now, against the
// current working directory), isolation rules (vm/isolated_files.hpp) and
// program arguments for the host calls below; the previous ones come back
// on destruction. Also sets SIGPIPE to be ignored, so that a closed stdout
// is an EPIPE the host handles.
class PermissionLog;

// What the host layer watches in a run besides its permissions.
struct HostWatch {
    uint64_t maxOutputBytes = 0;   // --max-output, 0 for no limit (hostProgramOutput)
    PermissionLog* log = nullptr;  // --audit, --learn: where decisions go; outlives the HostRun
};

class HostRun {
public:
    HostRun(const Permissions& permissions, const std::vector<std::string>& args, const HostWatch& watch = {},
            const Isolation& isolation = {});
    ~HostRun();
    // The run is over: flushes standard output and, under --learn, prints
    // the flags the run needed (once, also when hostExit ends it).
    void end();
    HostRun(const HostRun&) = delete;
    HostRun& operator=(const HostRun&) = delete;
    // A package's files, read-only under /app for this run (package_vfs.hpp).
    void mountResources(const PackageResources* resources);

    // Why the run cannot start ("" when it can): a bad app name or a
    // damaged sandbox folder. The caller reports it, status 2.
    const std::string& startError() const;

    struct State;  // the policy and arguments (host.cpp)

private:
    std::unique_ptr<State> state_;
    State* previous_;
};

// Standard input, read through a buffer of its own. readLine gives the next
// line without "\n" or "\r\n" (a last line without newline too), nullopt at
// end of input; readAll the rest of the input. Failed: `cannot read
// standard input: REASON`.
HostResult hostReadLine(std::optional<std::string>& line);
HostResult hostReadAll(std::string& out);

// Files, each through the sandbox: Denied with the PermissionError message
// (Sandbox::denial), Failed with `cannot read "PATH": REASON` (verbs: read,
// write, list, remove, create), PATH resolved and absolute. A path of
// folder form ("x/", "x/.") names a folder, as it does for the kernel: a
// file there is "Not a directory", and nothing is written through one.
HostResult hostReadFile(std::string_view path, std::string& out);
// Atomic: a temporary file in the same folder (.nido-*.tmp, even when only
// the file itself is granted), written, fsynced and renamed over path,
// keeping an existing file's permission bits; removed again on failure.
HostResult hostWriteFile(std::string_view path, std::string_view data);
HostResult hostAppendFile(std::string_view path, std::string_view data);
// False for a path that cannot be looked up (also "" and a dangling symlink).
HostResult hostExists(std::string_view path, bool& out);
HostResult hostIsDir(std::string_view path, bool& out);
// Entry names sorted bytewise, without "." and "..".
HostResult hostListDir(std::string_view path, std::vector<std::string>& out);
// A file, symlink (not its target) or empty folder.
HostResult hostRemove(std::string_view path);
// The folder and any missing parents (like mkdir -p); each folder created
// needs write permission on itself.
HostResult hostMkdirs(std::string_view path);

// The environment variable name, nullopt if unset. Denied unless granted;
// a name no variable can have (empty, or holding "=") is unset, ungranted too.
HostResult hostEnv(std::string_view name, std::optional<std::string>& out);
// The run's program arguments.
const std::vector<std::string>& hostArgs();

// CLOCK_MONOTONIC in nanoseconds; wall clock in milliseconds since the epoch.
int64_t hostClockNs();
int64_t hostTimeMs();

// Test hook: while one exists, output goes into out and err instead of the
// file descriptors, and standard input is read from in. One at a time.
class HostCapture {
public:
    HostCapture();
    ~HostCapture();
    HostCapture(const HostCapture&) = delete;
    HostCapture& operator=(const HostCapture&) = delete;

    std::string out;
    std::string err;
    std::string in;
    size_t inPos = 0;
};

// Test hooks (tests/unit/test_host.cpp, test_sandbox.cpp).
struct HostFds {
    int in = 0, out = 1, err = 2;
};
// Points the host's standard streams at other descriptors and forgets the
// buffered state and the terminal check (both streams' buffers must be
// flushed first).
void hostSetFdsForTest(HostFds fds);
// write(2) calls made on standard output since the process started.
uint64_t hostStdoutWriteCalls();
// Called with the resolved path after a file operation's permission check
// and before it opens anything: lets a test swap a symlink in.
void hostSetRaceHookForTest(void (*hook)(const std::string& resolved));

}  // namespace nido::vm
