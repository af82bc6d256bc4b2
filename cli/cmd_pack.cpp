// `nido pack [flags] DIR|FILE.nd [-o OUT]`: an app into one .ndar package
// (docs/package.md), or with --exe into one executable (the static runtime
// with the package attached). Flags are parsed here; the contents are
// gathered in app_folder.cpp and laid out by vm/package.cpp.
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/app_folder.hpp"
#include "cli/attached_package.hpp"
#include "cli/commands.hpp"
#include "cli/flag_values.hpp"
#include "hvbridge/hv_run.hpp"
#include "vm/package.hpp"
#include "vm/package_load.hpp"

namespace nido::cli {

namespace {

// Writes bytes to path through a temporary file beside it, renamed into
// place, so a failed pack leaves no half-written package. Returns the
// command's status.
int writeOutput(const std::string& path, const std::vector<uint8_t>& bytes, mode_t mode) {
    std::string temp = path + ".tmp-nido-pack";
    // HOST: open(2), write(2), fsync(2), rename(2) of the pack's own output.
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return fail(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    size_t done = 0;
    int err = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        done += size_t(n);
    }
    if (!err && ::fchmod(fd, mode) != 0) err = errno;
    if (!err && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && !err) err = errno;
    if (!err && ::rename(temp.c_str(), path.c_str()) != 0) err = errno;
    if (err) {
        ::unlink(temp.c_str());
        return fail(fmt::format("cannot write '{}': {}", path, std::strerror(err)));
    }
    return 0;
}

// The static runtime with the package and its trailer after it; 0, or 2
// after the error.
int attachToRuntime(std::vector<uint8_t>& package) {
    std::string runtimePath = hv::staticRuntimePath();
    std::vector<uint8_t> exe;
    std::string error;
    if (!vm::readBoundedFile(runtimePath, exe, error))
        return fail(
            fmt::format("--exe needs the static runtime: {} (build the nido-static target; sanitizer "
                        "builds cannot link it)",
                        error));
    uint64_t offset = exe.size();
    if (!markAttachedPackage(exe, offset))
        return fail(fmt::format("'{}' is not a runtime --exe can attach a package to", runtimePath));
    std::vector<uint8_t> trailer = vm::exeTrailer(offset, package.size());
    exe.insert(exe.end(), package.begin(), package.end());
    exe.insert(exe.end(), trailer.begin(), trailer.end());
    package = std::move(exe);
    return 0;
}

}  // namespace

int cmdPack(const Args& args) {
    PackRequest request;
    bool exe = false;
    std::string error;
    for (size_t i = 0; i < args.size(); i++) {
        const std::string& a = args[i];
        if (a == "--exe") {
            exe = true;
        } else if (valueFlag(args, i, "-o", request.outputPath, error) ||
                   valueFlag(args, i, "--output", request.outputPath, error) ||
                   valueFlag(args, i, "--name", request.name, error) ||
                   valueFlag(args, i, "--version", request.version, error)) {
            if (!error.empty()) return fail(error);
        } else if (isManifestFlag(a)) {
            request.runFlags.push_back(a);
        } else if (a.starts_with("-")) {
            return fail(fmt::format("unknown flag '{}' for pack (see 'nido help pack')", a));
        } else if (!request.input.empty()) {
            return fail(fmt::format("pack takes one app, got '{}' and '{}'", request.input, a));
        } else {
            request.input = a;
        }
    }
    if (request.input.empty()) return fail("pack needs an app folder or a .nd file (see 'nido help pack')");
    if (request.outputPath.empty()) return fail("pack needs -o OUT (see 'nido help pack')");
    if (!exe && !vm::isPackageFile(request.outputPath))
        return fail(fmt::format("a package's name ends in .ndar, not '{}' (or give --exe)", request.outputPath));

    vm::PackageContents contents;
    if (!collectApp(request, contents)) return 2;
    std::vector<uint8_t> bytes = vm::writePackage(contents);
    if (bytes.size() > vm::kMaxPackageBytes)
        return fail(fmt::format("the package would be {} bytes, more than the largest ({})", bytes.size(),
                                vm::kMaxPackageBytes));
    if (int status = exe ? attachToRuntime(bytes) : 0) return status;
    return writeOutput(request.outputPath, bytes, exe ? 0755 : 0644);
}

}  // namespace nido::cli
