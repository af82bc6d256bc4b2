// Tiering (decision 7): the interpreter counts calls and loop back-edges
// per function; when a function's count reaches the threshold it is
// compiled by the JIT plugin (vm/jit_interface.hpp), later calls run the
// native code, and a loop running in the interpreter moves into it at its
// next back-edge (on-stack replacement).
//
// With --jit=on the compile runs on the compile thread (compile_thread.hpp)
// and the interpreter keeps running the function until its code is
// published. --jit=eager, runs where no thread may start
// (RunOptions::jitThreadAllowed) and processes confined to one CPU
// compile on the program thread before going on.
#pragma once

#include <cstdint>
#include <string>

#include "vm/jit_interface.hpp"

namespace nido::vm {

struct Vm;
struct RtFunction;

enum class JitMode : uint8_t {
    Off,    // interpreter only
    On,     // compile what gets hot (the default)
    Eager,  // compile every function before its first call
};

// Calls plus loop back-edges after which a function is compiled.
constexpr uint32_t kHotThreshold = 2000;

// What the program thread is running, for --stats (tier_sampler.hpp):
// the interpreter (builtins it calls included), native code (compiled
// code and the runtime helpers it calls), or a synchronous compile.
enum class Tier : uint8_t { Interpreter, Native, Compiler };
constexpr int kTierCount = 3;

// What --stats reports about one run.
struct JitStats {
    uint32_t compiled = 0, failed = 0;
    uint32_t cached = 0;           // taken from the code cache, not compiled (code_cache.hpp)
    uint32_t unfinished = 0;       // queued or compiling when the run ended
    double compileSeconds = 0;     // CPU time of every compile (or cache load), on either thread
    double backgroundSeconds = 0;  // of which on the compile thread while the program ran on
    std::string firstFailure;      // "function: why"
    // The program thread's CPU time and where its samples fell, by Tier.
    double cpuSeconds = 0;
    uint64_t samples[kTierCount] = {};
};

// One compile a run asked for: fn's code for calls (osrEntry -1), or its
// OSR code for the loop at header osrEntry.
struct HotRequest {
    uint32_t fn;
    int32_t osrEntry;
    bool operator==(const HotRequest&) const = default;
};

// The threshold a run uses (UINT32_MAX: never).
uint32_t jitThreshold(JitMode mode);

// Called as a run starts, once vm.jitThreshold is set: with a code cache
// and --jit=on, asks for what the program's last run asked for (its hot
// list, code_cache.hpp), so that code the cache holds is there from the
// first call rather than after the function has got hot again.
void startTiering(Vm& vm);

// Called when fn's hotness reaches the threshold; asks for fn's code once.
// Returns the code when fn has some now (a synchronous compile), else
// nullptr: fn stays interpreted, for good when the plugin or LLVM is
// missing or fn cannot be compiled, else until the compile thread
// publishes its code.
NativeCode tierUp(Vm& vm, const RtFunction* fn);

// Called at a loop back-edge to header in an interpreted frame of fn once
// fn is hot: fn's OSR code for that loop, asked for once, or nullptr while
// there is none (yet).
NativeCode tierUpLoop(Vm& vm, const RtFunction* fn, uint32_t header);

// Ends the run's compiles (compile_thread.hpp: endCompiles) and adds
// their figures to vm.jitStats; a run with a code cache first gives them
// part of ranSeconds, how long it ran, to finish, and keeps what it asked
// for as the program's hot list (code_cache.hpp). True when a compile is
// still running, only with abandon.
bool endTiering(Vm& vm, bool abandon, double ranSeconds);

// What --stats prints: functions compiled and failed, compile time, and
// the split of the program thread's time between the tiers.
std::string jitStatsReport(const JitStats& stats);

}  // namespace nido::vm
