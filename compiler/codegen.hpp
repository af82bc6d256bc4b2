// The code generator: turns a checked program (Semantics plus the annotated
// AST) into a vm::Program that follows docs/vm-contract.md and passes the
// verifier. Run only when the checker reported no errors.
#pragma once

#include "compiler/checker_symbols.hpp"
#include "vm/program.hpp"

namespace nido::compiler {

vm::Program generateProgram(Semantics& sem);

}  // namespace nido::compiler
