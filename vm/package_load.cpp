#include "vm/package_load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "vm/host.hpp"
#include "vm/module_file.hpp"
#include "vm/package.hpp"
#include "vm/verifier.hpp"

namespace nido::vm {

bool isPackageFile(const std::string& path) { return path.size() > 5 && path.ends_with(".ndar"); }

bool loadPackage(const std::string& label, const uint8_t* data, size_t size, LoadedPackage& out, std::string& error) {
    PackageContents contents;
    std::string why;
    if (!readPackage(data, size, contents, why)) {
        error = fmt::format("{}: damaged package: {}", label, why);
        return false;
    }
    if (!readManifest(contents.manifest, out.manifest, why)) {
        error = fmt::format("{}: damaged package: {}", label, why);
        return false;
    }
    if (!readProgram(contents.program.data(), contents.program.size(), out.program, why)) {
        error = fmt::format("{}: damaged package: program {}: {}", label, contents.programName, why);
        return false;
    }
    if (!verifyProgram(out.program, why)) {
        error = fmt::format("{}: verification failed: {}", label, why);
        return false;
    }
    out.resources = std::make_unique<PackageResources>(std::move(contents.resources));
    return true;
}

int runPackage(const std::string& label, const std::vector<uint8_t>& bytes, const RunOptions& flags,
               const std::vector<std::string>& args, const std::string& cwd) {
    LoadedPackage package;
    RunOptions opts;
    std::string error;
    if (!loadPackage(label, bytes.data(), bytes.size(), package, error) ||
        !applyManifest(label, package.manifest, flags, cwd, opts, error)) {
        hostWrite(HostStream::Err, fmt::format("nido: {}\n", error));
        return 2;
    }
    opts.resources = package.resources.get();
    return runProgram(package.program, args, opts);
}

bool readFileRange(int fd, uint64_t offset, uint64_t size, std::vector<uint8_t>& bytes, std::string& error) {
    bytes.resize(size);
    uint64_t got = 0;
    while (got < size) {
        // HOST: pread(2) of the package's bytes.
        ssize_t n = ::pread(fd, bytes.data() + got, size - got, off_t(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? std::strerror(errno) : "the file is shorter than it was";
            return false;
        }
        got += uint64_t(n);
    }
    return true;
}

bool readBoundedFile(const std::string& path, std::vector<uint8_t>& bytes, std::string& error) {
    auto failed = [&](const std::string& why) {
        error = fmt::format("cannot read '{}': {}", path, why);
        return false;
    };
    // HOST: open(2) and fstat(2); only a regular file has a size to trust.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failed(std::strerror(errno));
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0;
    std::string why = ok ? "" : std::strerror(errno);
    if (ok && !S_ISREG(st.st_mode)) {
        ok = false;
        why = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    } else if (ok && uint64_t(st.st_size) > kMaxPackageBytes) {
        ok = false;
        why = fmt::format("{} bytes, more than the largest package ({} bytes)", st.st_size, kMaxPackageBytes);
    }
    if (ok) ok = readFileRange(fd, 0, uint64_t(st.st_size), bytes, why);
    ::close(fd);
    return ok || failed(why);
}

}  // namespace nido::vm
