// For tests that compile a program from text: writes main.nd and its sibling
// modules into a fresh temporary folder (imports resolve beside the entry
// file) and compiles it there.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "compiler/compiler.hpp"

namespace nido::testing {

// Compiles source as FOLDER/main.nd beside modules (file name -> text), in a
// temporary folder named folder that is emptied first.
inline std::optional<vm::Program> compileInFolder(const std::string& folder, const std::string& source,
                                                  const std::map<std::string, std::string>& modules,
                                                  compiler::Diagnostics& diags) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / folder;
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& [name, text] : modules) std::ofstream(dir / name) << text;
    std::ofstream(dir / "main.nd") << source;
    return compiler::compileSource((dir / "main.nd").string(), source, diags);
}

}  // namespace nido::testing
