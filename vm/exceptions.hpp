// Throwing Nido errors from the VM, stack traces, and the report of an
// uncaught error.
//
// Throwing sets Vm::refs.pending; the interpreter then unwinds (see
// interpreter.hpp). The trace is recorded when an error object is thrown
// for the first time and kept on rethrow; it lives in a hidden slot after
// the fields of every Error class (the linker reserves it), as an atomic
// block of (function, line) pairs, innermost frame first.
//
// Before any of these is called, the innermost frame's ip must point one
// past the start of the throwing instruction (see Frame::ip).
#pragma once

#include <string_view>

#include "vm/interpreter.hpp"
#include "vm/map.hpp"

namespace nido::vm {

// A new instance of the prelude class kind with the given message, not yet
// thrown; nullptr when out of memory.
Instance* newError(Vm& vm, ErrorKind kind, std::string_view message);

// Throws a new instance of the prelude class kind.
void throwError(Vm& vm, ErrorKind kind, std::string_view message);
void throwOutOfMemory(Vm& vm);
void throwStackOverflow(Vm& vm);
// KeyError for key, which is not in m: `key "abc" not found`.
void throwKeyError(Vm& vm, const Map* m, Value key);
// IndexError `index 5 out of range for length 3`.
void throwIndexError(Vm& vm, int64_t index, int64_t length);
// NullError `method "len" called on null`.
void throwNullMethod(Vm& vm, std::string_view method);
// NullError `field "name" of null`.
void throwNullField(Vm& vm, std::string_view field);
// CastError `cannot cast Circle to Square`.
void throwCastError(Vm& vm, const Obj* o, const RtClass* target);

// Throws err, recording its stack trace if this is its first throw.
void throwObject(Vm& vm, Instance* err);

// Prints `ClassName: message` and one `  at name (file:line)` line per
// frame of err's trace to stderr.
void reportUncaught(Vm& vm, Instance* err);

}  // namespace nido::vm
