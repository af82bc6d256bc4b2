// The translator: verified bytecode to the execution form (exec_code.hpp).
//
// Verified code has a known operand-stack height at every instruction, so
// each stack entry has a frame slot of its own (nlocals + depth) and every
// instruction can name its operands as slots. The translator walks each
// function once, keeping a symbolic stack: an entry is a value already in
// its slot, a local not yet copied (LOAD_LOCAL emits nothing) or a small
// int not yet loaded. An instruction reads the locals and constants it
// uses directly, writes its result to its stack slot, and a STORE_LOCAL
// right after retargets that write to the local. Pending entries are
// written to their slots wherever code could observe the difference:
// before a store to the local they read, before branches and at every
// branch or handler target (where the stack is all in slots), and for
// calls and array, map and closure literals, which take their operands as
// a run of slots.
//
// With fuse off (--trace), each bytecode instruction becomes exactly one
// instruction (NOP where it has no effect), so the trace shows the
// bytecode as it is.
#pragma once

#include <string>

#include "vm/exec_code.hpp"
#include "vm/linker.hpp"

namespace nido::vm {

// Translates every function with code; sets RtFunction::code and ::exec.
// Fails only when a frame needs more than 65,535 slots.
bool translateProgram(LinkedProgram& lp, bool fuse, std::string& error);

// One function, for tests: fn must have code.
bool translateFunction(const LinkedProgram& lp, const RtFunction& fn, bool fuse, ExecCode& out, std::string& error);

}  // namespace nido::vm
