// A line diff of two small texts for `nido sandbox diff`: unified-diff hunks
// without context lines ("@@ -3,2 +3,1 @@", then "-old" and "+new" lines).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nido::vm {

// The hunks turning before into after ("" when equal), or nullopt when
// either is not text (a NUL byte) or too large to compare cheaply.
std::optional<std::string> lineDiff(std::string_view before, std::string_view after);

}  // namespace nido::vm
