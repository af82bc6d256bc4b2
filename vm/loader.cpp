#include "vm/loader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "vm/module_file.hpp"
#include "vm/verifier.hpp"

namespace nido::vm {

bool loadModuleFile(const std::string& path, Program& out, std::string& error) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error = path + ": is a directory";
        return false;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        error = path + ": read error";
        return false;
    }
    std::string why;
    if (!readProgram(bytes.data(), bytes.size(), out, why)) {
        error = path + ": " + why;
        return false;
    }
    if (!verifyProgram(out, why)) {
        error = path + ": verification failed: " + why;
        return false;
    }
    return true;
}

bool checkCompiledProgram(const std::string& path, const Program& p, std::string& error) {
    std::string why;
    if (verifyProgram(p, why)) return true;
    error = path + ": internal compiler error, generated code failed verification: " + why;
    return false;
}

}  // namespace nido::vm
