// Leaves: functions the JIT compiles without a VM frame, as plain LLVM
// functions of their arguments that the optimiser inlines into callers.
// A call of a leaf can neither throw, allocate nor call, so no trace, no
// collection and no handler can ever see its frame; its caller still makes
// the interpreter's stack-depth check first, so StackOverflowError is
// thrown at the same call either way.
#pragma once

#include "vm/linker.hpp"

namespace nido::jit {

// Small functions with a fixed set of instructions: moves, constants,
// module variables, int and float arithmetic and comparisons, branches,
// returns; a division only by a constant other than 0; a field read only
// of a method's receiver (never null once called, when the method never
// assigns it). In a budgeted run (JitRequest::budgeted) a leaf has no
// loop either: a back-edge spends the budget, which lives in the VM.
bool isLeaf(const vm::RtFunction& fn, const vm::LinkedProgram& program, bool budgeted);

}  // namespace nido::jit
