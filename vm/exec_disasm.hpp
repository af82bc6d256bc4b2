// Listing of the execution form the interpreter runs (nido disasm --exec):
// what the translator made of each function's bytecode.
#pragma once

#include <string>

#include "vm/linker.hpp"

namespace nido::vm {

// Every translated function of lp: its instructions with their operands
// and the bytecode instruction each came from.
std::string disassembleExec(const LinkedProgram& lp);

// One function, e.g. "0003  IADDI  L16 = L16 + 1  ; pc 0271".
std::string disassembleExecFunction(const RtFunction& fn);

}  // namespace nido::vm
