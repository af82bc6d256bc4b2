// Loading a .ndar package for a run: the container checked (package.hpp),
// its manifest read (package_manifest.hpp), its program parsed and verified
// as any .ndc file is, its resources made ready to serve (package_vfs.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vm/package_manifest.hpp"
#include "vm/package_vfs.hpp"
#include "vm/program.hpp"

namespace nido::vm {

bool isPackageFile(const std::string& path);  // by name: ends in .ndar

struct LoadedPackage {
    Manifest manifest;
    Program program;  // verified
    std::unique_ptr<PackageResources> resources;
};

// Checks and loads the package bytes. label names the package in errors:
//   "app.ndar: damaged package: entry 'hello.ndc' does not match its SHA-256"
//   "app.ndar: verification failed: in main at byte 12: stack underflow"
bool loadPackage(const std::string& label, const uint8_t* data, size_t size, LoadedPackage& out, std::string& error);

// Checks and runs the package bytes with the run flags parsed into flags,
// narrowed by its manifest (applyManifest; relative grants against cwd).
// Returns the run's status, or 2 after a one-line "nido: " error on stderr
// for a damaged package or flags asking for more than the manifest grants.
int runPackage(const std::string& label, const std::vector<uint8_t>& bytes, const RunOptions& flags,
               const std::vector<std::string>& args, const std::string& cwd);

// Reads the whole file at path (a package, or the static runtime that
// --exe attaches one to): a regular file of at most kMaxPackageBytes.
// Error "cannot read 'PATH': REASON".
bool readBoundedFile(const std::string& path, std::vector<uint8_t>& bytes, std::string& error);

// Reads size bytes at offset of the open file fd (the package attached to
// an executable); false with error on a short read.
bool readFileRange(int fd, uint64_t offset, uint64_t size, std::vector<uint8_t>& bytes, std::string& error);

}  // namespace nido::vm
