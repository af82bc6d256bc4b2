// Standard-library modules written in Nido, compiled into the binary so that
// `nido` needs no files beside it. The prelude is the module named "prelude".
#pragma once

#include <string_view>

namespace nido::stdlib {

// The source of the embedded module `name`, or nullptr if there is none.
const char* embeddedModuleSource(std::string_view name);

}  // namespace nido::stdlib
