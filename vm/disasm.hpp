// Human-readable listing of a Program (nido disasm; trace mode uses the
// single-instruction form).
#pragma once

#include <cstdint>
#include <string>

#include "vm/program.hpp"

namespace nido::vm {

// Constants, classes, globals and every function's instructions with lines.
std::string disassemble(const Program& p);

// One instruction at code[pc] of function fn, e.g. "0012  GET_FIELD Square.side".
std::string disassembleInstruction(const Program& p, const FunctionDesc& fn, uint32_t pc);

// A type table entry as Nido source would write it ("[int]", "{string: Shape}").
std::string typeName(const Program& p, uint32_t type);

}  // namespace nido::vm
