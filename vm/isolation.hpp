// Isolation modes for an app's files, as VMware ThinApp defines them: where
// the reads and writes of a path land. Permissions (vm/permissions.hpp)
// decide whether the program may touch a path at all; isolation decides
// whether the touch reaches the host or the app's sandbox folder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nido::vm {

enum class IsolationMode : uint8_t {
    Merged,     // reads and writes go to the host path
    WriteCopy,  // reads see the host path until the app writes; writes go to the sandbox
    Full,       // the host path is invisible; only the sandbox exists
};

// A mode for a path and everything below it (the longest matching rule wins).
struct IsolationRule {
    std::string path;  // as given; resolved by the host layer at the start of the run
    IsolationMode mode = IsolationMode::Merged;
};

struct Isolation {
    IsolationMode defaultMode = IsolationMode::Merged;  // for paths no rule names
    bool defaultGiven = false;                          // set by "--isolate=MODE", not left as is
    std::vector<IsolationRule> rules;
    std::string appName;     // names the sandbox folder; the program's file stem when empty
    std::string sandboxDir;  // empty: $XDG_DATA_HOME/nido/sandbox/APP (~/.local/share when unset)
};

// "merged", "writecopy", "full": the modes as flags and manifests spell them.
std::string_view isolationModeName(IsolationMode mode);
std::optional<IsolationMode> parseIsolationMode(std::string_view text);

// The value of --isolate (and of a manifest's "isolate" line) into iso:
// "MODE" sets the mode of every path no rule names, "MODE:PATH[,PATH]" adds
// a rule for each path. False for anything else.
bool parseIsolate(std::string_view value, Isolation& iso);

// The mode of key under rules whose paths are resolved: the longest rule
// containing key wins (the later of two equal ones), else defaultMode.
IsolationMode modeOf(IsolationMode defaultMode, const std::vector<IsolationRule>& rules, std::string_view key);

// Whether name may name an app (a package's manifest name, --isolate-app,
// a program's file stem) and so its sandbox folder: 1 to 255 bytes, no "/",
// NUL or control character, not "." or "..".
bool validAppName(std::string_view name);

}  // namespace nido::vm
