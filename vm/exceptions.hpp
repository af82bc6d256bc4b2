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
//
// OUT OF MEMORY. Every allocation failure (gc.hpp) ends in
// throwOutOfMemory, which must work with a full heap: it throws a fresh
// OutOfMemoryError when a collection still finds room for one, else the
// Vm's preallocated one (OutOfMemoryReserve) with its trace re-recorded
// into a buffer outside the heap, sized for the deepest possible stack.
// Errors other than OutOfMemoryError that cannot be allocated become
// OutOfMemoryError; a trace that cannot be allocated is left out.
#pragma once

#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

#include "vm/interpreter.hpp"
#include "vm/map.hpp"

namespace nido::vm {

// A new instance of the prelude class kind with the given message, not yet
// thrown; nullptr when out of memory.
Instance* newError(Vm& vm, ErrorKind kind, std::string_view message);

// Throws a new instance of the prelude class kind.
void throwError(Vm& vm, ErrorKind kind, std::string_view message);
// Throws OutOfMemoryError; needs no memory (see above).
void throwOutOfMemory(Vm& vm);
// The message of OutOfMemoryError: `heap limit of 64 MiB exhausted`, or
// `out of memory` without a limit.
std::string outOfMemoryMessage();

// Creates vm.refs.oomError and its trace buffer, and releases them (the
// buffer is malloc memory) when destroyed; destroy it before the Vm.
class OutOfMemoryReserve {
public:
    explicit OutOfMemoryReserve(Vm& vm);
    ~OutOfMemoryReserve();
    OutOfMemoryReserve(const OutOfMemoryReserve&) = delete;
    OutOfMemoryReserve& operator=(const OutOfMemoryReserve&) = delete;

    // False when the heap could not even hold the reserve: the program
    // cannot start.
    bool ready() const { return trace_ != nullptr; }

private:
    Vm& vm_;
    void* trace_ = nullptr;
};

// Runs body(), turning a C++ allocation failure inside it (std::bad_alloc
// or std::length_error from malloc'd scratch such as std::string) into
// OutOfMemoryError. Interpreter loops that body re-entered and that the
// C++ exception unwound are popped: the frame depth is restored.
template <typename Body>
void guardNativeAllocation(Vm& vm, Body&& body) {
    const uint32_t depth = vm.depth;
    try {
        body();
    } catch (const std::bad_alloc&) {
        vm.depth = depth;
        throwOutOfMemory(vm);
    } catch (const std::length_error&) {
        vm.depth = depth;
        throwOutOfMemory(vm);
    }
}
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
