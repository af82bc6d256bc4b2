// Turning a command-line FILE into a verified Program: compile a .nd file,
// load and verify a .ndc file, or load a .ndar package and run it under its
// manifest.
#pragma once

#include <optional>
#include <string>

#include "vm/program.hpp"
#include "vm/runtime.hpp"

namespace nido::cli {

bool isModuleFile(const std::string& path);

// Compiles or loads path. On failure prints the errors (compile errors in
// full, load errors as one "nido: " line) and returns nullopt.
std::optional<vm::Program> loadProgram(const std::string& path);

// vm::runPackage with relative grants resolved against the working directory.
int runPackage(const std::string& label, const std::vector<uint8_t>& bytes, const vm::RunOptions& flags,
               const std::vector<std::string>& args);

}  // namespace nido::cli
