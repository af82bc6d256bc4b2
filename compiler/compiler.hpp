// The compiler's public face: source file in, checked Program out.
#pragma once

#include <optional>
#include <string>

#include "compiler/diagnostics.hpp"
#include "vm/program.hpp"

namespace nido::compiler {

// Compiles the program whose entry module is the file at entryPath, with
// every module it imports (same folder first, then the standard library) and
// the prelude. Returns nullopt when any error was reported into diags.
// Deterministic: the same sources give the same Program.
std::optional<vm::Program> compileProgram(const std::string& entryPath, Diagnostics& diags);

// The same from text already in memory (tests); imports resolve relative to
// the folder of path.
std::optional<vm::Program> compileSource(const std::string& path, const std::string& source, Diagnostics& diags);

}  // namespace nido::compiler
