// The limits of a run as options: what `--KEY=VALUE` on the command line
// (cli/run_flags.cpp) and `KEY = VALUE` in a package's manifest
// (vm/package_manifest.cpp) both set, with one parser and one set of bounds.
// Keys: fuel, timeout, max-output, max-heap.
#pragma once

#include <string>
#include <string_view>

#include "vm/runtime.hpp"

namespace nido::vm {

bool isLimitOption(std::string_view key);

// Sets limit key of opts from value. False with expected set to what the
// value must be ("a number from 1 to ...") when value is not one.
bool parseLimitOption(std::string_view key, std::string_view value, RunOptions& opts, std::string& expected);

}  // namespace nido::vm
