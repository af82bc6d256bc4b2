// The JIT plugin, libnido_jit.so (jit_interface.hpp): opened lazily, the
// first time a function gets hot, so that a run that never does never
// loads LLVM (decision 8).
#pragma once

#include <string>

#include "vm/jit_interface.hpp"

namespace nido::vm {

struct PluginCompile {
    NativeCode code = nullptr;  // nullptr: not compiled, see why
    double seconds = 0;         // CPU time of the compile, opening the plugin aside
    std::string why;
    bool cached = false;  // the code came from the code cache (code_cache.hpp)
};

// The plugin's file, beside the nido executable; "" when that cannot be
// found.
std::string jitPluginPath();

// Compiles request with the plugin, opening it first if need be. From one
// thread at a time (the plugin's engine is not shared between threads);
// the caller publishes the code.
PluginCompile compileWithPlugin(const JitRequest& request);

}  // namespace nido::vm
