#include "cli/program_input.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/commands.hpp"
#include "compiler/compiler.hpp"
#include "vm/loader.hpp"

namespace nido::cli {

bool isModuleFile(const std::string& path) { return path.size() > 4 && path.ends_with(".ndc"); }

namespace {

// The compiler and loader report bad contents; a file that cannot be opened
// at all is a usage error and gets the plain one-line form.
bool checkReadable(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        fail(fmt::format("cannot read '{}': is a directory", path));
        return false;
    }
    std::ifstream probe(path, std::ios::binary);
    if (!probe) {
        fail(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        return false;
    }
    return true;
}

}  // namespace

std::optional<vm::Program> loadProgram(const std::string& path) {
    if (!checkReadable(path)) return std::nullopt;
    vm::Program program;
    std::string error;
    if (isModuleFile(path)) {
        if (!vm::loadModuleFile(path, program, error)) {
            fail(error);
            return std::nullopt;
        }
        return program;
    }
    compiler::Diagnostics diags;
    auto compiled = compiler::compileProgram(path, diags);
    if (!compiled) {
        fmt::print(stderr, "{}", diags.format());
        return std::nullopt;
    }
    if (!vm::checkCompiledProgram(path, *compiled, error)) {
        fail(error);
        return std::nullopt;
    }
    return compiled;
}

}  // namespace nido::cli
