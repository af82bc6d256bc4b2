// Parsed builtin signatures (grammar in builtins.def). The type checker and
// the verifier each match argument types against these patterns; the
// checker also resolves intrinsics (intrinsics.def) with them.
#pragma once

#include <vector>

#include "vm/builtins.hpp"

namespace nido::vm {

enum class SigKind : uint8_t {
    Int,
    Float,
    Bool,
    String,
    Void,
    AnyRef,       // R: any reference type
    Stringified,  // S: any value, converted with str() by the compiler
    Var,          // T U K V: a type variable
    Array,        // args[0] = element
    Map,          // args[0] = key, args[1] = value
    Func,         // args = parameters..., then the result last
};

struct SigType {
    SigKind kind = SigKind::Void;
    char var = 0;  // the variable's letter, for Var
    std::vector<SigType> args;
};

struct Signature {
    std::vector<SigType> params;  // the receiver first for methods
    SigType result;
};

// The parsed signature of a builtin or an intrinsic; parsed once, on first
// use.
const Signature& builtinSignature(BuiltinId id);
const Signature& intrinsicSignature(IntrinsicId id);

}  // namespace nido::vm
