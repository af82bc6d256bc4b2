// The compile thread: compiles hot functions in the background while the
// program keeps running them in the interpreter (tiering.hpp).
//
// One thread per process, started by the first background request (runs
// that never get hot start none). It takes requests in order from a queue
// and publishes each function's code to RtFunction::native or its OSR code (a release
// store, jit_interface.hpp), where the interpreter's next call or loop
// back-edge picks it up. Once it runs, every compile of the process runs
// on it, synchronous ones too, since the plugin's engine is used from one
// thread at a time.
//
// One run at a time per process: a run ends with endCompiles, which drops
// the requests not yet started and waits for the one being compiled, as
// that reads the run's LinkedProgram; or, when the process ends with the
// run, leaves it compiling (the caller then ends the process with _exit:
// static destructors, LLVM's and the plugin's, must not run under it).
// The thread waits for work on state that is never destroyed, so exit's
// destructors may run while it waits.
#pragma once

#include <string>

#include "vm/jit_interface.hpp"
#include "vm/tiering.hpp"

namespace nido::vm {

// All three are called from the program thread.

// Queues request, whose code goes to slot (RtFunction::native or an
// OsrCode's), taken from the code cache in cacheFolder when it is there
// (code_cache.hpp; "" for none); false when the thread could not be
// started (the caller compiles it synchronously).
bool compileInBackground(const JitRequest& request, NativeCode& slot, const std::string& cacheFolder);

// Compiles request before returning, on the compile thread when it runs,
// else on this one, and publishes the code to slot; nullptr when not
// compiled.
NativeCode compileAndWait(const JitRequest& request, NativeCode& slot, const std::string& cacheFolder);

// Ends the run: gives the compiles queued or running up to graceSeconds
// to finish, then drops the requests not started, waits for the compile
// in progress unless abandon, and adds the run's compile figures to
// stats. True when a compile is still running (only with abandon).
bool endCompiles(JitStats& stats, bool abandon, double graceSeconds);

}  // namespace nido::vm
