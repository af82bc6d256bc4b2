// Leaves: functions the JIT compiles without a VM frame, as plain LLVM
// functions of their arguments that the optimiser inlines into callers.
// A call of a leaf can neither throw, allocate nor call, so no trace, no
// collection and no handler can ever see its frame; its caller still makes
// the interpreter's stack-depth check first, so StackOverflowError is
// thrown at the same call either way.
//
// A recursive leaf may also call itself (fib): no frame at any depth. Its
// caller hands it how many frames deeper the interpreter would still have
// room for; a call past that, or past the native stack's limit, abandons
// the whole leaf call, and the caller makes it again with frames, which
// throws StackOverflowError where the interpreter does. It gives up the
// same way at a field of a null object, a division by zero or a heap too
// full to allocate (binarytrees' bottomUp allocates), where the call made
// again throws NullError, ArithmeticError or OutOfMemoryError. Nothing
// can see the abandoned work: a recursive leaf writes no module variable
// and no field but those of instances it made, and a collection during it
// finds those in the native stack and registers, which Boehm scans.
#pragma once

#include "vm/linker.hpp"

namespace nido::jit {

enum class LeafKind { None, Plain, Recursive };

// Small functions with a fixed set of instructions: moves, constants,
// module variables, int and float arithmetic and comparisons, branches,
// returns; a division only by a constant other than 0; a field read or
// written only of a method's receiver (never null once called, when the
// method never assigns it: a constructor that only sets fields is a
// leaf); for a recursive leaf, calls of itself (a function, not a
// method), fields of any object read, divisions by anything, instances
// allocated (of up to kInlineInstanceSlots fields, constructed by a leaf
// that writes no module variable), and no module variable written. In a
// budgeted run
// (JitRequest::budgeted) a leaf has no loop and no call either: back-edges
// and calls spend the budget, which lives in the VM.
LeafKind leafKind(const vm::RtFunction& fn, const vm::LinkedProgram& program, bool budgeted);

// The largest frame the interpreter would push for a recursive leaf fn or
// a constructor it calls: what each frame of its depth is counted as.
uint32_t leafFrameSize(const vm::RtFunction& fn, const vm::LinkedProgram& program);

}  // namespace nido::jit
