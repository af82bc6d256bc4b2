// Static element kinds for `array(n, value)`.
//
// CALL_BUILTIN carries only the builtin's id, so ARRAY_FILL ("i T -> [T]")
// cannot tell at run time whether its value slot holds an int, a float, a
// bool or a reference, yet the array must know (str() prints 1 and 1.0
// differently, and the collector must scan reference arrays). The type is
// known statically: the linker runs this data-flow pass, which tracks the
// operand stack's types like the verifier does, over every function that
// calls ARRAY_FILL and records the value argument's kind per call site.
//
// If the bytecode one day names the element type at the call (an operand or
// a typed variant of the builtin), this pass can go.
#pragma once

#include <string>

#include "vm/linker.hpp"
#include "vm/type_rules.hpp"

namespace nido::vm {

// Fills fn.fillKinds for the verified function fn. On failure sets error to
// "in <fn> at byte <pc>: ..." and returns false.
bool inferFillKinds(const Program& p, TypeModel& types, const std::vector<RtClass>& classes, RtFunction& fn,
                    std::string& error);

}  // namespace nido::vm
