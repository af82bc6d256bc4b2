// A self-contained executable (`nido pack --exe`): the static runtime with a
// package attached after it and a trailer at its very end (package.hpp).
// So that a plain nido pays nothing at start-up, --exe also sets a mark in
// the runtime's data (the package's offset); only a runtime whose mark is
// set reads its own file.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace nido::cli {

// When this executable carries a package: runs it with every argument
// after argv[0] as the program's (no nido flags: the manifest alone decides)
// and returns the run's status; 2 after one line for a damaged package.
// nullopt for a plain nido, after reading one variable.
std::optional<int> runAttachedPackage(int argc, char** argv);

// Sets the mark in runtime (the bytes of a static runtime) to the offset
// its package will have. False when the mark is not found exactly once.
bool markAttachedPackage(std::vector<uint8_t>& runtime, uint64_t packageOffset);

}  // namespace nido::cli
