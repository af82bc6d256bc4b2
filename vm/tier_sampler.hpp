// --stats: where the program thread's CPU time goes, interpreter or
// native code. A timer on the thread's own CPU clock sends it SIGPROF
// about every millisecond of CPU it uses (the compile thread's time does
// not count); the handler reads Vm::tier and counts a sample for that
// tier. Armed only under --stats: other runs pay nothing for it.
#pragma once

#include <ctime>

namespace nido::vm {

struct Vm;

// The calling thread's CPU time in seconds: what the thread cost, whether
// or not it had a core to itself (compile times are measured with it).
double threadCpuSeconds();

class TierSampler {
public:
    // Samples vm on the calling thread, the program thread, when on.
    TierSampler(Vm& vm, bool on);
    ~TierSampler();
    TierSampler(const TierSampler&) = delete;
    TierSampler& operator=(const TierSampler&) = delete;

    // Stops sampling and writes the figures into vm.jitStats.
    void stop();

private:
    Vm& vm_;
    bool armed_ = false;
    timer_t timer_{};
    double startCpu_ = 0;
};

}  // namespace nido::vm
