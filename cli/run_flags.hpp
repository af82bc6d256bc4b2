// The flags that shape a program run (`nido run`, and what a package's
// manifest may fix): JIT, limits, permissions. One parser, so every command
// that starts a run spells them the same way.
#pragma once

#include <string>
#include <string_view>

#include "vm/runtime.hpp"

namespace nido::cli {

enum class FlagParse { NotARunFlag, Parsed, Bad };

// Parses arg into opts if it is a run flag. Bad sets error to a one-line
// message naming the flag and what it expects.
FlagParse parseRunFlag(std::string_view arg, vm::RunOptions& opts, std::string& error);

}  // namespace nido::cli
