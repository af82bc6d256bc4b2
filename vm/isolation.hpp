// Isolation modes for an app's files, as VMware ThinApp defines them: where
// the reads and writes of a path land. Permissions (vm/permissions.hpp)
// decide whether the program may touch a path at all; isolation decides
// whether the touch reaches the host or the app's sandbox folder.
#pragma once

#include <cstdint>
#include <string>
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
    std::vector<IsolationRule> rules;
    std::string appName;     // names the sandbox folder; the program's file stem when empty
    std::string sandboxDir;  // empty: $XDG_DATA_HOME/nido/sandbox/APP (~/.local/share when unset)
};

}  // namespace nido::vm
