// The bytecode half of the verifier: decoding and the data-flow check of one
// function's code. verifier.cpp checks the tables first and calls in here
// only once every index a function header holds is known to be good.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vm/program.hpp"
#include "vm/type_rules.hpp"

namespace nido::vm {

// Largest code array a function may have. Branch offsets are i32, and the
// bound keeps verifier state per function well under a gigabyte.
constexpr size_t kMaxCodeSize = size_t(16) << 20;

// What the code check needs from the table checks.
struct CodeContext {
    const Program& program;
    TypeModel& types;
    uint32_t errorClass;                  // prelude's Error
    const std::vector<uint32_t>& layout;  // per class: inherited field count (own fields follow)
};

// Checks the code of the non-abstract function fn (its header already
// verified). On failure sets error to "in <fn> at byte <pc>: <what>".
bool verifyCode(const CodeContext& ctx, uint32_t fn, std::string& error);

}  // namespace nido::vm
