#include "cli/attached_package.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/package.hpp"
#include "vm/package_load.hpp"

namespace nido::cli {

namespace {

// The mark: a magic that --exe finds in the runtime's file, then the
// package's offset, 0 in every runtime that has no package. volatile: read
// from memory, never folded to the 0 it starts as.
struct AttachedMark {
    char magic[16];
    uint64_t packageOffset;
};
volatile AttachedMark gAttachedMark = {{'\x7F', 'N', 'D', 'A', 'R', '-', 'A', 'T', 'T', 'A', 'C', 'H', 'E', 'D', 0, 0},
                                       0};

}  // namespace

bool markAttachedPackage(std::vector<uint8_t>& runtime, uint64_t packageOffset) {
    uint8_t magic[sizeof gAttachedMark.magic];
    for (size_t i = 0; i < sizeof magic; i++) magic[i] = uint8_t(gAttachedMark.magic[i]);
    auto at = std::search(runtime.begin(), runtime.end(), magic, magic + sizeof magic);
    if (at == runtime.end() || std::search(at + 1, runtime.end(), magic, magic + sizeof magic) != runtime.end())
        return false;
    size_t offset = size_t(at - runtime.begin()) + sizeof magic;
    if (offset + 8 > runtime.size()) return false;
    for (int i = 0; i < 8; i++) runtime[offset + size_t(i)] = uint8_t(packageOffset >> (8 * i));
    return true;
}

std::optional<int> runAttachedPackage(int argc, char** argv) {
    if (gAttachedMark.packageOffset == 0) return std::nullopt;
    // HOST: open(2), fstat(2) and pread(2) of this executable's own file.
    int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;  // no /proc: no package can be found either
    struct stat st {};
    uint8_t trailer[vm::kExeTrailerBytes];
    bool found = ::fstat(fd, &st) == 0 && uint64_t(st.st_size) > vm::kExeTrailerBytes &&
                 ::pread(fd, trailer, sizeof trailer, st.st_size - off_t(sizeof trailer)) == ssize_t(sizeof trailer);
    uint64_t offset = 0, size = 0;
    std::string error;
    std::string label = argc > 0 ? argv[0] : "nido";
    if (!found || !vm::readExeTrailer(trailer, uint64_t(st.st_size), offset, size, error)) {
        ::close(fd);
        return fail(label + ": damaged package: the executable has lost its package's trailer");
    }
    std::vector<uint8_t> bytes;
    if (error.empty() && offset != gAttachedMark.packageOffset)
        error = "the trailer and the runtime disagree on where the package starts";
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
