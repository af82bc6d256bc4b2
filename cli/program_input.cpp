#include "cli/program_input.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/commands.hpp"
#include "compiler/compiler.hpp"
#include "vm/loader.hpp"
#include "vm/package_load.hpp"

namespace nido::cli {

bool isModuleFile(const std::string& path) { return path.size() > 4 && path.ends_with(".ndc"); }

namespace {

// HOST: getcwd(3), what relative grants are resolved against; "" when unknown.
std::string workingDirectory() {
    std::error_code ec;
    std::string cwd = std::filesystem::current_path(ec).string();
    return ec ? "" : cwd;
}

// The compiler and loader report bad contents; a file that cannot be opened
// at all is a usage error and gets the plain one-line form.
bool checkReadable(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        fail(fmt::format("cannot read '{}': is a directory", path));
        return false;
    }
    // open(2), not a stream: the first stream of a run sets up the C++
    // locale, which a module file never needs.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
        return false;
    }
    ::close(fd);
    return true;
}

}  // namespace

std::optional<vm::Program> loadProgram(const std::string& path) {
    if (!checkReadable(path)) return std::nullopt;
    if (vm::isPackageFile(path)) {
        fail(fmt::format("'{}' is a package: run it with 'nido run' or 'nido hv run'", path));
        return std::nullopt;
    }
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

int runPackage(const std::string& label, const std::vector<uint8_t>& bytes, const vm::RunOptions& flags,
               const std::vector<std::string>& args) {
    return vm::runPackage(label, bytes, flags, args, workingDirectory());
}

}  // namespace nido::cli
