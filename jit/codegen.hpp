// The JIT's code generator: one function's execution form (vm/exec_code.hpp)
// to LLVM IR. Slots become allocas of i64 (floats bitcast, references as
// integers) that mem2reg/SROA turn into registers; every check the
// interpreter makes (null, bounds, division, casts) is made here too, and
// errors take the same handler ranges. The function has the NativeCode
// signature of vm/jit_interface.hpp: code for calls, or on-stack
// replacement code entered at one loop header (JitRequest::osrEntry).
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/Module.h>

#include <string>

#include "vm/jit_interface.hpp"

namespace nido::jit {

// nullptr when request.osrEntry is not the start of a block.
llvm::Function* emitFunction(const vm::JitRequest& request, llvm::Module& module, const std::string& name);

}  // namespace nido::jit
