// Values of command-line flags, parsed the same way by every subcommand.
// Each returns nullopt for text that is not wholly a valid value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nido::cli {

// A decimal number of digits only.
std::optional<uint64_t> parseNumber(std::string_view text);

// "64M", "512K", "2G" or plain bytes, at most 16 TiB.
std::optional<uint64_t> parseSize(std::string_view text);

// "a,b,c" into its entries; an empty entry is an error.
std::optional<std::vector<std::string>> parseList(std::string_view text);

// A wall-clock duration in seconds, above 0 and at most a week: "10",
// "2.5" or "2.5s" (seconds), "500ms", "5m", "1h".
std::optional<double> parseDuration(std::string_view text);

// A flag that takes a value as "--name=VALUE" or "--name VALUE" (args[i]
// and args[i + 1], i then moved past the value). Returns false when args[i]
// is not this flag; sets error when its value is missing or empty.
bool valueFlag(const std::vector<std::string>& args, size_t& i, std::string_view name, std::string& value,
               std::string& error);

// Whether arg is the flag name, bare or as "name=VALUE".
bool hasFlag(std::string_view arg, std::string_view name);

}  // namespace nido::cli
