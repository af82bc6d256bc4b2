// Tiering (decision 7): the interpreter counts calls and loop back-edges
// per function; when a function's count reaches the threshold it is
// compiled by the JIT plugin (vm/jit_interface.hpp), later calls run the
// native code, and a loop running in the interpreter moves into it at its
// next back-edge (on-stack replacement).
#pragma once

#include <cstdint>
#include <string>

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

// The threshold a run uses (UINT32_MAX: never).
uint32_t jitThreshold(JitMode mode);

// Compiles fn (once); true when it now has native code. When the plugin or
// LLVM is missing, or fn cannot be compiled, fn stays interpreted.
bool tierUp(Vm& vm, const RtFunction* fn);

// What --stats prints: functions compiled and failed, compile time.
std::string jitStatsReport(const Vm& vm);

}  // namespace nido::vm
