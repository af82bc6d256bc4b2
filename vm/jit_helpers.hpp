// The VM's half of the JIT boundary: the helper table and the layout that
// compiled code is given (jit_interface.hpp).
#pragma once

#include "vm/interpreter.hpp"
#include "vm/jit_interface.hpp"

namespace nido::vm {

const JitHelpers& jitHelpers();
const JitLayout& jitLayout();

}  // namespace nido::vm
