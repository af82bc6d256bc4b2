// Turning a command-line FILE into a verified Program: compile a .nd file,
// or load and verify a .ndc file.
#pragma once

#include <optional>
#include <string>

#include "vm/program.hpp"

namespace nido::cli {

bool isModuleFile(const std::string& path);

// Compiles or loads path. On failure prints the errors (compile errors in
// full, load errors as one "nido: " line) and returns nullopt.
std::optional<vm::Program> loadProgram(const std::string& path);

}  // namespace nido::cli
