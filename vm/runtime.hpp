// Running a verified Program: link it into runtime classes and functions,
// run module initialisers in order, then main.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vm/isolation.hpp"
#include "vm/permissions.hpp"
#include "vm/program.hpp"
#include "vm/tiering.hpp"

namespace nido::vm {

class PackageResources;

struct RunOptions {
    bool trace = false;           // print each instruction to stderr as it runs
    uint32_t maxFrames = 20000;   // Nido call depth before StackOverflowError (at least 10,000)
    uint64_t fuel = 0;            // --fuel: loop back-edges and calls allowed, 0 for no limit; then exit status 3
    uint64_t maxHeapBytes = 0;    // --max-heap: GC heap cap, 0 for none; past it allocation throws OutOfMemoryError
    double timeoutSeconds = 0;    // --timeout: wall-clock limit, 0 for none; then exit status 124
    uint64_t maxOutputBytes = 0;  // --max-output: stdout and stderr bytes together, 0 for none; then exit status 4
    Permissions permissions;      // --allow-*: what the program may touch beyond stdio, clocks and args
    Isolation isolation;          // --isolate: where file reads and writes land (host or sandbox folder)
    std::string auditPath;        // --audit=FILE: one JSON line per permission decision, empty for none
    bool learn = false;           // --learn: everything allowed; at exit, print the --allow-* flags the run used
    JitMode jit = JitMode::On;    // --jit; off whatever it says under --trace and --fuel
    bool stats = false;           // --stats: what the JIT did, on stderr at exit
    std::string jitCache;         // the code cache's folder (code_cache.hpp), "" for none
    // A package's resource files, read-only under /app (package_vfs.hpp);
    // null when the program is not a package. Owned by the caller.
    const PackageResources* resources = nullptr;
    // Hot functions compile on a background thread; false keeps every
    // compile on the program thread and starts no thread (tiering.hpp).
    bool jitThreadAllowed = true;
    // The process ends when the run does (the nido command): a compile
    // still running then is abandoned, the run ending with _exit, rather
    // than awaited. Embedders that go on after the run leave it false.
    bool endsProcess = false;
};

// Runs p (already verified) with the given program arguments. Returns the
// process exit status: main's int result, 0 for a void main, 1 after an
// uncaught error (its report already printed to stderr), 2 for link errors.
int runProgram(const Program& p, const std::vector<std::string>& args, const RunOptions& opts);

}  // namespace nido::vm
