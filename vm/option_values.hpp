// Values of run options, parsed the same way wherever they are written: a
// command-line flag (cli/run_flags.cpp, cli/cmd_hv.cpp) or a package's
// manifest (vm/package_manifest.cpp). Each returns nullopt for text that is
// not wholly a valid value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nido::vm {

// The longest --timeout: far beyond any run, small enough for any clock.
constexpr double kMaxDurationSeconds = 7 * 24 * 3600;

// A decimal number of digits only.
std::optional<uint64_t> parseNumber(std::string_view text);

// "64M", "512K", "2G" or plain bytes, at most 16 TiB.
std::optional<uint64_t> parseSize(std::string_view text);

// "a,b,c" into its entries; an empty entry is an error.
std::optional<std::vector<std::string>> parseList(std::string_view text);

// A wall-clock duration in seconds, above 0 and at most a week: "10",
// "2.5" or "2.5s" (seconds), "500ms", "5m", "1h".
std::optional<double> parseDuration(std::string_view text);

}  // namespace nido::vm
