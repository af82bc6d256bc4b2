// Command-line flags that take values, read the same way by every
// subcommand (the values themselves: vm/option_values.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nido::cli {

// A flag that takes a value as "--name=VALUE" or "--name VALUE" (args[i]
// and args[i + 1], i then moved past the value). Returns false when args[i]
// is not this flag; sets error when its value is missing or empty.
bool valueFlag(const std::vector<std::string>& args, size_t& i, std::string_view name, std::string& value,
               std::string& error);

// Whether arg is the flag name, bare or as "name=VALUE".
bool hasFlag(std::string_view arg, std::string_view name);

}  // namespace nido::cli
