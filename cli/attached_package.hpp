// A self-contained executable (`nido pack --exe`): the static runtime with a
// package attached after it and a trailer at its very end (package.hpp).
// At start-up the runtime looks at the end of its own file; a plain nido
// finds no trailer and goes on as usual.
#pragma once

#include <optional>

namespace nido::cli {

// When this executable carries a package: runs it with every argument
// after argv[0] as the program's (no nido flags: the manifest alone decides)
// and returns the run's status; 2 after one line for a damaged package.
// nullopt for a plain nido. Costs one open, fstat, pread and close.
std::optional<int> runAttachedPackage(int argc, char** argv);

}  // namespace nido::cli
