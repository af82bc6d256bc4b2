// The implementations behind builtins.def, and what the interpreter needs
// to call them.
//
// A builtin receives its arguments in place on the caller's operand stack
// (receiver first for methods) and writes its result, if any, to args[0].
// To fail it throws (exceptions.hpp) and returns; the interpreter sees the
// pending error. The interpreter has already checked a method's receiver
// and every string argument for null (see BuiltinEntry), so builtins do not.
// Implementations are grouped by receiver: builtins_global.cpp,
// builtins_string.cpp, builtins_array.cpp, builtins_map.cpp.
#pragma once

#include <cstdint>

#include "vm/builtins.hpp"
#include "vm/interpreter.hpp"

namespace nido::vm {

using BuiltinFn = void (*)(Vm& vm, Value* args);

#define BUILTIN(id, recv, name, sig) void builtin_##id(Vm& vm, Value* args);
#include "vm/builtins.def"
#undef BUILTIN

struct BuiltinEntry {
    BuiltinFn fn;
    uint8_t nargs;
    bool hasResult;
    bool isMethod;       // args[0] is a receiver: NullError when null
    uint8_t stringArgs;  // bit i: argument i is a string that must not be null
    const char* name;
};

// Indexed by BuiltinId, built from the signatures on first use.
const BuiltinEntry* builtinTable();

inline String* asString(Value v) { return static_cast<String*>(v.ref); }
inline Array* asArray(Value v) { return static_cast<Array*>(v.ref); }
inline Map* asMap(Value v) { return static_cast<Map*>(v.ref); }

// Whether 0 <= start <= end <= length; else throws IndexError
// `slice 2..5 out of range for length 3`.
bool checkSlice(Vm& vm, int64_t start, int64_t end, int64_t length);

// Every builtin that allocates checks for nullptr (object.hpp) and throws
// OutOfMemoryError, through these helpers or throwOutOfMemory directly.
// Scratch in malloc memory (std::string, std::vector) may throw
// std::bad_alloc instead: CALL_BUILTIN turns that into OutOfMemoryError
// too (guardNativeAllocation), but a builtin should not build anything in
// malloc memory that the heap limit would refuse (size it first, as join
// and replace do, and allocate the result directly).
//
// Stores s as the result, or throws OutOfMemoryError when s is null.
void returnString(Vm& vm, Value* args, String* s);
void returnArray(Vm& vm, Value* args, Array* a);

}  // namespace nido::vm
