// What `nido pack` puts in a package: an app folder (its app.manifest, its
// entry module compiled and verified, its resource files) or a single .nd
// file, with the run options the pack flags add (docs/package.md).
#pragma once

#include <string>
#include <vector>

#include "vm/package.hpp"

namespace nido::cli {

constexpr const char* kAppManifestName = "app.manifest";

struct PackRequest {
    std::string input;                  // DIR or FILE.nd
    std::string name, version;          // --name, --version: over the app manifest's
    std::vector<std::string> runFlags;  // --allow-*, --isolate, limits: after the app manifest's
    std::string outputPath;             // never packed as a resource
};

// Whether arg is a run flag a manifest can hold (permissions, isolation,
// limits), as opposed to one that only shapes a run (--jit, --trace...).
bool isManifestFlag(const std::string& arg);

// Builds the package contents. On failure prints the errors (compile errors
// in full, anything else as one "nido: " line) and returns false.
bool collectApp(const PackRequest& request, vm::PackageContents& out);

}  // namespace nido::cli
