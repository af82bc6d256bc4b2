// A package's manifest: who the app is and the run options it asks for
// (docs/package.md, "Manifest"). The manifest is the ceiling of a run:
// with no flags the app gets exactly what it asks for; flags may narrow
// that and are refused when they ask for more.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vm/runtime.hpp"

namespace nido::vm {

struct Manifest {
    std::string name;     // names the app and its sandbox folder: validAppName (vm/isolation.hpp)
    std::string version;  // validVersion
    std::string entry;    // the source file the program was compiled from, for people
    // Only the fields a manifest carries are used: permissions, isolation
    // (defaultMode and rules), fuel, timeoutSeconds, maxOutputBytes and
    // maxHeapBytes.
    RunOptions run;
};

// One line of manifest text: "key = value", spaces around both trimmed.
// Empty lines and lines starting with '#' are not lines.
struct ManifestLine {
    size_t number = 0;  // from 1, counting every line of the text
    std::string_view key, value;
    bool hasEquals = false;
};
// The lines of text (an app.manifest or a package's manifest), viewing it.
std::vector<ManifestLine> manifestLines(std::string_view text);

// The first value of m that manifest text cannot hold as it is (a path with
// a newline or comma would read back as something else), or "".
std::string unwritableValue(const Manifest& m);

// The manifest as text, one "key = value" line each, in a fixed order.
std::string writeManifest(const Manifest& m);

// Parses manifest text. An unknown key, a repeated single-valued key or a
// bad value is an error (one line naming the line number): a reader must
// not run an app whose demands it does not understand.
bool readManifest(const std::string& text, Manifest& out, std::string& error);

// Whether version can be a package's version: 1 to 64 bytes, no spaces or
// control characters.
bool validVersion(std::string_view version);

// "a, b" as "a,b": people write lists with spaces; the flags have none.
std::string listWithoutSpaces(std::string_view value);

// The options of a run of the package label with manifest m, given the
// run flags (parsed into flags) and the working directory the grants are
// resolved against: flags' own settings (JIT, trace, ...) with the
// manifest's permissions, isolation and limits, narrowed by whatever of
// those the flags give. A flag asking for more than the manifest sets
// error ("--allow-read=/etc asks for more than app.ndar's manifest grants
// (read: /tmp/data)") and returns false.
bool applyManifest(const std::string& label, const Manifest& m, const RunOptions& flags, const std::string& cwd,
                   RunOptions& out, std::string& error);

}  // namespace nido::vm
