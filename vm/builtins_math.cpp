// The math module's native functions (LANGUAGE.md section 8): thin wrappers
// over the C library, IEEE-754 throughout, no errors. PI and E are
// constants in stdlib/math.nd.
#include <cmath>

#include "vm/builtin_impl.hpp"

namespace nido::vm {

void builtin_MATH_SQRT(Vm&, Value* args) { args[0].f = std::sqrt(args[0].f); }
void builtin_MATH_SIN(Vm&, Value* args) { args[0].f = std::sin(args[0].f); }
void builtin_MATH_COS(Vm&, Value* args) { args[0].f = std::cos(args[0].f); }
void builtin_MATH_TAN(Vm&, Value* args) { args[0].f = std::tan(args[0].f); }
void builtin_MATH_ATAN2(Vm&, Value* args) { args[0].f = std::atan2(args[0].f, args[1].f); }
void builtin_MATH_EXP(Vm&, Value* args) { args[0].f = std::exp(args[0].f); }
void builtin_MATH_LOG(Vm&, Value* args) { args[0].f = std::log(args[0].f); }
void builtin_MATH_POW(Vm&, Value* args) { args[0].f = std::pow(args[0].f, args[1].f); }
void builtin_MATH_FLOOR(Vm&, Value* args) { args[0].f = std::floor(args[0].f); }
void builtin_MATH_CEIL(Vm&, Value* args) { args[0].f = std::ceil(args[0].f); }
// std::round takes halves away from zero, as LANGUAGE.md asks.
void builtin_MATH_ROUND(Vm&, Value* args) { args[0].f = std::round(args[0].f); }
void builtin_MATH_IS_NAN(Vm&, Value* args) { args[0].i = std::isnan(args[0].f) ? 1 : 0; }

}  // namespace nido::vm
