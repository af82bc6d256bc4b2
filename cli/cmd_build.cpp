// `nido build FILE.nd [-o OUT.ndc]`: compile to one module file.
#include <fmt/core.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/module_file.hpp"

namespace nido::cli {

namespace {

// Writes through a temporary file and a rename, so an interrupted build
// never leaves a half-written module where the old one was.
bool writeFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, std::string& error) {
    std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) {
        error = fmt::format("cannot write '{}': {}", path, std::strerror(errno));
        return false;
    }
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        error = fmt::format("cannot write '{}': {}", path, std::strerror(errno));
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace

int cmdBuild(const Args& args) {
    std::string input, output;
    for (size_t i = 0; i < args.size(); i++) {
        const std::string& a = args[i];
        if (a == "-o") {
            if (++i == args.size()) return fail("-o needs a file name (see 'nido help build')");
            output = args[i];
        } else if (a.starts_with("-")) {
            return fail(fmt::format("unknown flag '{}' (see 'nido help build')", a));
        } else if (input.empty()) {
            input = a;
        } else {
            return fail(fmt::format("build takes one file, got '{}' too (see 'nido help build')", a));
        }
    }
    if (input.empty()) return fail("build needs a file (see 'nido help build')");
    if (isModuleFile(input)) return fail(fmt::format("'{}' is already a module file", input));
    if (output.empty()) output = (input.ends_with(".nd") ? input.substr(0, input.size() - 3) : input) + ".ndc";
    auto program = loadProgram(input);
    if (!program) return 2;
    std::string error;
    if (!writeFileAtomically(output, vm::writeProgram(*program), error)) return fail(error);
    return 0;
}

}  // namespace nido::cli
