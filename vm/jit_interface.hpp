// The boundary between the VM and the JIT plugin (jit/, built as
// libnido_jit.so and opened with dlopen the first time a function gets hot,
// so that a run that never gets hot never loads LLVM: decision 8).
//
// Compiled code follows the interpreter's frame protocol. Its caller (the
// interpreter's call, callFunction or another compiled function through
// jitCall) has pushed its Frame, with the arguments in the frame's first
// slots. The code keeps its slots in machine registers, writes Frame::ip
// before anything that may throw or call (traces read it), stores its
// result through Frame::ret, pops its own frame (Vm::depth) and returns
// true; or returns false with the error pending after popping it, when no
// handler of its own caught the error. Runtime work (allocation, calls,
// errors) goes through the helpers below, which keep the VM's invariants.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "vm/object.hpp"

namespace nido::vm {

struct Vm;
struct Frame;
struct RtClass;
struct RtFunction;
struct LinkedProgram;
struct Instance;
struct Map;

// entry: -1 for a call; for on-stack replacement code (JitRequest::osrEntry)
// its loop header, where it continues an interpreted frame (the frame's
// slots are read from the VM stack).
using NativeCode = bool (*)(Vm* vm, Frame* frame, int32_t entry);

// RtFunction::native is written once, by whichever thread compiled the
// function (vm/compile_thread.hpp), while the program thread runs and
// reads it: a release store and acquire loads, so that a thread that sees
// the pointer also sees the code and data behind it. On x86-64 both are
// plain moves.
inline NativeCode loadNative(NativeCode& slot) {
    return std::atomic_ref<NativeCode>(slot).load(std::memory_order_acquire);
}
inline void publishNative(NativeCode& slot, NativeCode code) {
    std::atomic_ref<NativeCode>(slot).store(code, std::memory_order_release);
}

// Functions compiled code calls, by name in the JIT's symbol table. Each
// returns false (or nullptr) with an error pending when it threw.
struct JitHelpers {
    // Pushes a frame for fn with its arguments at args, runs it (natively or
    // in the interpreter) and pops it; the result, if any, is left in args[0].
    bool (*call)(Vm* vm, const RtFunction* fn, Closure* closure, Value* args);
    bool (*callVirtual)(Vm* vm, uint32_t cls, uint32_t slot, Value* args);
    bool (*callInterface)(Vm* vm, const RtFunction* caller, uint32_t cache, uint32_t method, Value* args);
    bool (*callClosure)(Vm* vm, uint32_t funcType, Value* args);
    bool (*callBuiltin)(Vm* vm, uint32_t builtin, Value* args);
    void (*throwError)(Vm* vm, uint32_t kind, const char* message);
    void (*throwIndex)(Vm* vm, int64_t index, int64_t length);
    void (*throwNullField)(Vm* vm, uint32_t cls, uint32_t field);
    void (*throwValue)(Vm* vm, Obj* error);  // THROW: NullError when null
    bool (*instanceOf)(Vm* vm, Obj* o, uint32_t cls);
    bool (*cast)(Vm* vm, Obj* o, uint32_t cls);  // CastError unless null or an instance
    Obj* (*newInstance)(Vm* vm, uint32_t cls);   // refills the instance free list first
    // A recursive leaf's (jit/leaf.hpp): from a refilled free list, or
    // nullptr with nothing thrown when the heap is full.
    Obj* (*leafNewInstance)(Vm* vm, uint32_t cls);
    Obj* (*newArray)(Vm* vm, uint32_t type, const Value* elems, uint32_t n);
    Obj* (*newArrayFill)(Vm* vm, uint32_t type, int64_t n, Value fill);
    Obj* (*newMap)(Vm* vm, uint32_t type, const Value* pairs, uint32_t n);
    Obj* (*newBox)(Vm* vm, Value v);
    Obj* (*makeClosure)(Vm* vm, uint32_t fn, const Value* captures);
    Obj* (*concat)(Vm* vm, Obj* a, Obj* b);
    bool (*mapGet)(Vm* vm, Obj* map, Value key, Value* out);
    bool (*mapSet)(Vm* vm, Obj* map, Value key, Value v);
    bool (*stringsEqual)(Obj* a, Obj* b);
    int64_t (*compareStrings)(Obj* a, Obj* b);  // only non-null strings
    double (*fmod)(double a, double b);
    void (*caught)(Vm* vm, Obj* error);  // a handler of compiled code caught error
    void (*outOfBudget)(Vm* vm);         // Vm::fuel reached 0: ends the run, never returns
};

// Compiled code allocates instances of up to this many fields itself,
// from Vm::Refs::instanceFreeLists.
constexpr uint32_t kInlineInstanceSlots = 8;

// Byte offsets compiled code reads and writes directly.
struct JitLayout {
    size_t frameSize, frameBase, frameRet, frameIp, frameClosure;
    size_t vmDepth, vmPending, vmFrames, vmStackEnd, vmMaxFrames, vmNativeStackLimit, vmFuel;
    size_t functionNative;
    size_t instanceFields, closureCaptures, boxValue;
    size_t arrayLen, arrayData, stringLen, stringBytes;
    size_t instanceClass;  // the RtClass* of an instance
    size_t vmInstanceFreeLists, vmRecursiveLeavesOff;
    uint64_t instanceHeader;  // the first word of a new instance: its kind, number 0
};

struct BuiltinEntry;

struct JitRequest {
    const LinkedProgram* program;
    const RtFunction* fn;
    const BuiltinEntry* builtins;
    const JitHelpers* helpers;
    const JitLayout* layout;
    // -1: the code for calls. Else the instruction index of a loop header:
    // code for on-stack replacement that continues a frame there, its only
    // way in (the entry argument is then ignored), so that LLVM sees the
    // loops as natural ones.
    int32_t osrEntry = -1;
    // The run has --fuel or --timeout: the code spends Vm::fuel at every
    // loop back-edge and call, as the interpreter does (spendFuel,
    // interpreter.hpp). Without a limit it spends nothing, and the count is
    // not observable.
    bool budgeted = false;
    // When set, called before the compile returns with the relocatable
    // object file LLVM made (its addresses of the run are symbols,
    // jit_refs.hpp) and the name of the code's function in it, for the
    // code cache (code_cache.hpp) to keep.
    void (*keepObject)(void* context, const char* entry, const uint8_t* object, size_t size) = nullptr;
    void* keepContext = nullptr;
};

// The plugin's one entry point, looked up with dlsym: compiles fn and
// returns its code, or nullptr with why in error (a NUL-terminated string
// of at most errorSize bytes; plain C across the boundary, as the plugin
// and nido may each carry their own C++ runtime). The function then stays
// interpreted. Called from one thread at a time (the compile thread once
// it runs); everything the request points at is immutable while the
// program runs, except InterfaceCache::cls/target, which codegen must
// not read.
using JitCompileFn = NativeCode (*)(const JitRequest* request, char* error, size_t errorSize);
constexpr const char* kJitCompileSymbol = "nidoJitCompile";

}  // namespace nido::vm
