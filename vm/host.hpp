// The host layer (architecture decision 6): the one door through which the
// runtime touches the process's environment. For now: standard output
// (buffered), standard error, and exit. Files, environment, clock and the
// sandbox policy join here later, and the guest mode plugs in here.
//
// Standard output is flushed when the buffer fills, before anything is
// written to standard error (so the two interleave as the program wrote
// them), and at exit.
#pragma once

#include <string>
#include <string_view>

namespace nido::vm {

enum class HostStream { Out, Err };

void hostWrite(HostStream stream, std::string_view bytes);
void hostFlush();
// Flushes and ends the process with status.
[[noreturn]] void hostExit(int status);

// Test hook: while one exists, output goes into out and err instead of the
// file descriptors. One at a time.
class HostCapture {
public:
    HostCapture();
    ~HostCapture();
    HostCapture(const HostCapture&) = delete;
    HostCapture& operator=(const HostCapture&) = delete;

    std::string out;
    std::string err;
};

}  // namespace nido::vm
