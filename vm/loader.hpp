// Loading a module file from disk: read, parse, verify. Every .ndc that
// reaches the linker passes through here (architecture decision 2).
#pragma once

#include <string>

#include "vm/program.hpp"

namespace nido::vm {

// Reads and verifies the .ndc file at path. On failure returns false with a
// one-line error that names the file, e.g.
//   "app.ndc: verification failed: in main at byte 12: stack underflow".
bool loadModuleFile(const std::string& path, Program& out, std::string& error);

// Verifies a program the compiler produced in memory, with the same error
// form; a failure here is a compiler bug, reported rather than run.
bool checkCompiledProgram(const std::string& path, const Program& p, std::string& error);

}  // namespace nido::vm
