// The bytecode verifier (architecture decision 2): the safety line between
// a module file and the interpreter. A program that passes cannot crash the
// VM: every remaining failure is a Nido run-time error.
#pragma once

#include <string>

#include "vm/program.hpp"

namespace nido::vm {

// Checks the whole program. On failure returns false and sets error to one
// line naming the method and byte offset, e.g.
//   "in Square.area at byte 14: GET_FIELD expects an object of class Square, found int"
bool verifyProgram(const Program& p, std::string& error);

}  // namespace nido::vm
