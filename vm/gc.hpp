// Boehm GC glue: start-up and the roots Boehm cannot find by itself.
//
// THE INVARIANT. A reference to a Nido object may live only in
//   1. another object on the Boehm heap (allocated by object.hpp/map.hpp),
//   2. the stack or registers of a thread registered with Boehm (the
//      program thread is created with GC_pthread_create; see runtime.cpp),
//   3. a registered root source: the live part of a VM value stack and its
//      frame records (interpreter.cpp registers them here), or
//   4. an uncollectable Boehm block (the linker's constant table and the
//      globals array), which Boehm scans and never frees.
// malloc/new memory and std containers hold no references that they alone
// keep alive (linker tables hold class and function metadata only).
//
// The value stack is ordinary malloc memory that Boehm does not scan; at
// every collection the root source pushes exactly [stack base, top), where
// top is the top frame's base + locals + maxStack: a bound on everything
// the interpreter may have pushed, so sp need not be written back to memory.
//
// Interior pointers stay enabled (Boehm's default): builtins and the C++
// compiler may hold only a derived pointer (a string's bytes, an element
// slot) across an allocation, and that must keep the object alive.
#pragma once

#include <cstddef>

namespace nido::vm {

// Initialises Boehm once per process (idempotent). Call it first from the
// main thread.
void gcInit();

// Something outside the Boehm heap that holds references: at every
// collection push(ctx) is called and reports its live ranges with
// gcPushRange. The collector holds its lock and the world is stopped.
struct GcRootSource {
    void (*push)(void* ctx) = nullptr;
    void* ctx = nullptr;
    GcRootSource* next = nullptr;
};

void gcAddRootSource(GcRootSource* source);
void gcRemoveRootSource(GcRootSource* source);
// Marks everything [begin, end) may point to; only from a push callback.
void gcPushRange(const void* begin, const void* end);

// An uncollectable, zeroed block: scanned for references, freed only by
// gcFree. For tables the linker keeps outside the VM stack.
void* gcAllocRoot(size_t bytes);
void gcFree(void* p);

}  // namespace nido::vm
