#include "cli/attached_package.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/package.hpp"
#include "vm/package_load.hpp"

namespace nido::cli {

std::optional<int> runAttachedPackage(int argc, char** argv) {
    // HOST: open(2), fstat(2) and pread(2) of this executable's own file.
    int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;  // no /proc: no package can be found either
    struct stat st {};
    uint8_t trailer[vm::kExeTrailerBytes];
    bool found = ::fstat(fd, &st) == 0 && uint64_t(st.st_size) > vm::kExeTrailerBytes &&
                 ::pread(fd, trailer, sizeof trailer, st.st_size - off_t(sizeof trailer)) == ssize_t(sizeof trailer);
    uint64_t offset = 0, size = 0;
    std::string error;
    found = found && vm::readExeTrailer(trailer, uint64_t(st.st_size), offset, size, error);
    if (!found) {
        ::close(fd);
        return std::nullopt;
    }
    std::string label = argc > 0 ? argv[0] : "nido";
    std::vector<uint8_t> bytes;
    if (error.empty() && size > vm::kMaxPackageBytes) error = "the attached package is too large";
    bool ok = error.empty() && vm::readFileRange(fd, offset, size, bytes, error);
    ::close(fd);
    if (!ok) return fail(label + ": damaged package: " + error);
    vm::RunOptions flags;
    flags.endsProcess = true;
    flags.jit = vm::JitMode::Off;  // a static executable cannot load the JIT plugin
    return runPackage(label, bytes, flags, std::vector<std::string>(argv + 1, argv + argc));
}

}  // namespace nido::cli
