// The .ndar package file: a manifest, one verified program (.ndc bytes) and
// the app's resource files, each with its SHA-256, and a SHA-256 of the
// whole (byte layout in docs/package.md). This is the container only: what
// the manifest says is package_manifest.hpp, loading and running a package
// is package_load.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nido::vm {

constexpr uint8_t kNdarMagic[4] = {0x7F, 'N', 'D', 'A'};
constexpr uint16_t kNdarVersion = 1;
constexpr size_t kNdarHeaderBytes = 48;
constexpr size_t kNdarRecordBytes = 56;  // an entry record before its name
// Bounds a reader enforces before trusting any count or size.
constexpr uint64_t kMaxPackageBytes = uint64_t(1) << 30;
constexpr uint32_t kMaxPackageEntries = 65536;
constexpr uint32_t kMaxEntryNameBytes = 4096;
constexpr uint64_t kMaxManifestBytes = 64 * 1024;

enum class EntryKind : uint8_t { Manifest = 1, Program = 2, Resource = 3 };

// What a package holds. Resources are (path, bytes) with path relative to
// the app folder ("data/greeting.txt"), sorted bytewise, each valid under
// validResourcePath.
struct PackageContents {
    std::string manifest;          // the manifest text (package_manifest.hpp)
    std::string programName;       // "hello.ndc"
    std::vector<uint8_t> program;  // the .ndc bytes
    std::vector<std::pair<std::string, std::string>> resources;
};

// Serialises c (resources must already be sorted and valid); the same
// contents always give the same bytes.
std::vector<uint8_t> writePackage(const PackageContents& c);

// Checks and parses a package: layout, bounds, every entry's hash and the
// whole package's hash. On damage returns false with a one-line reason
// ("entry 'data/a.txt' does not match its SHA-256"). Never crashes, never
// allocates more than size justifies. Does not verify the program.
bool readPackage(const uint8_t* data, size_t size, PackageContents& out, std::string& error);

// Whether name can be a resource: relative, components separated by single
// slashes, none empty, "." or "..", no NUL, at most kMaxEntryNameBytes.
bool validResourcePath(const std::string& name);

// The trailer `nido pack --exe` appends after the package it attaches to the
// static runtime: u64 package offset, u64 package size, then this magic, at
// the very end of the executable.
constexpr uint8_t kExeTrailerMagic[8] = {0x7F, 'N', 'D', 'A', 'R', 'E', 'X', 'E'};
constexpr size_t kExeTrailerBytes = 24;

std::vector<uint8_t> exeTrailer(uint64_t packageOffset, uint64_t packageSize);
// Parses the last kExeTrailerBytes of a file of fileSize bytes. False when
// there is no trailer magic (a plain runtime); a trailer whose numbers do
// not fit the file sets error.
bool readExeTrailer(const uint8_t* trailer, uint64_t fileSize, uint64_t& offset, uint64_t& size, std::string& error);

}  // namespace nido::vm
