#include "vm/loader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "vm/module_file.hpp"
#include "vm/verifier.hpp"

namespace nido::vm {

namespace {

// HOST: reads the whole file with open(2) and read(2), not a stream: the
// first stream of a run sets up the C++ locale, a start-up cost that
// loading a module file need not pay.
bool readFile(const std::string& path, std::vector<uint8_t>& bytes, std::string& error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    // One byte past the size, so that the read that finds the end needs no
    // room of its own.
    struct stat st {};
    size_t chunk = ::fstat(fd, &st) == 0 && st.st_size > 0 ? size_t(st.st_size) + 1 : 4096;
    size_t used = 0;
    ssize_t n;
    do {
        if (bytes.size() - used < chunk) bytes.resize(used + chunk);
        n = ::read(fd, bytes.data() + used, bytes.size() - used);
        if (n > 0) used += size_t(n);
    } while (n > 0 || (n < 0 && errno == EINTR));
    ::close(fd);
    bytes.resize(used);
    if (n < 0) {
        error = path + ": read error";
        return false;
    }
    return true;
}

}  // namespace

bool loadModuleFile(const std::string& path, Program& out, std::string& error) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        error = path + ": is a directory";
        return false;
    }
    std::vector<uint8_t> bytes;
    if (!readFile(path, bytes, error)) return false;
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
