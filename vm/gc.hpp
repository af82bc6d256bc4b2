// Boehm GC glue: start-up and the roots Boehm cannot find by itself.
//
// THE INVARIANT. A reference to a Nido object may live only in
//   1. another object on the Boehm heap (allocated by object.hpp/map.hpp),
//   2. the stack or registers of a thread Boehm knows (the program runs on
//      the main thread, on a stack whose bounds runtime.cpp tells Boehm),
//   3. a registered root source: the live part of a VM value stack and its
//      frame records (interpreter.cpp registers them here), or
//   4. an uncollectable Boehm block (the linker's constant table and the
//      globals array), which Boehm scans and never frees.
// malloc/new memory and std containers hold no references that they alone
// keep alive (linker tables hold class and function metadata only).
//
// The JIT's compile thread (compile_thread.hpp) is the one thread Boehm
// does not know: it never allocates from the heap and never holds the only
// reference to an object (the constants it bakes into code stay in the
// uncollectable constant table), so collections need neither stop nor
// scan it. Registering it would cost more than it gives: Boehm aborts the
// process when the heap is at its limit (--max-heap) as a thread
// registers, and a registered thread stopped for a collection inside
// dlopen would hold the loader lock the collector needs.
//
// The value stack is ordinary malloc memory that Boehm does not scan; at
// every collection the root source pushes exactly [stack base, top), where
// top is the top frame's base + locals + maxStack: a bound on everything
// the interpreter may have pushed, so sp need not be written back to memory.
//
// Interior pointers stay enabled (Boehm's default): builtins and the C++
// compiler may hold only a derived pointer (a string's bytes, an element
// slot) across an allocation, and that must keep the object alive.
//
// THE HEAP LIMIT (--max-heap). Boehm is told never to grow its heap past
// the limit; an allocation that does not fit even after a full collection
// returns nullptr (never aborts, never prints), and the VM turns that into
// OutOfMemoryError (exceptions.hpp). The limit bounds live data, not the
// total allocated: garbage is collected and its room reused. Without a
// limit the same happens when the operating system refuses more memory.
// Every VM allocation goes through gcAllocScanned/gcAllocAtomic, which
// refuse at once a single request bigger than the heap could ever become
// (the limit, else the machine's RAM plus swap), so no size is passed to
// Boehm or memset that cannot be satisfied.
#pragma once

#include <cstddef>
#include <cstdint>

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

// Caps the heap at bytes (0: no cap) for the program about to run; set
// before linking (runtime.cpp) and lifted after. Heap Boehm already holds
// beyond the cap stays usable: Boehm never shrinks its heap.
void gcSetHeapLimit(uint64_t bytes);
// The cap in force, 0 for none.
uint64_t gcHeapLimit();

// A zeroed block that Boehm scans for references; nullptr when out of
// memory or when bytes exceeds what the heap could ever hold.
void* gcAllocScanned(size_t bytes);
// Scanned objects of bytes each, as many as Boehm hands out at once,
// linked through their first word; nullptr when it has none (the caller
// then uses gcAllocScanned, which collects and tries again).
void* gcAllocScannedBatch(size_t bytes);
// A block Boehm does not scan (strings, number buffers), not zeroed;
// nullptr as above.
void* gcAllocAtomic(size_t bytes);

// Zeroes the native stack just below the caller's frame: the dead frames
// of functions that have returned, whose stale pointers the conservative
// stack scan would take for references. Allocation does this itself
// before its final collection; the interpreter does it when a program
// catches OutOfMemoryError, so that what it drops can be collected.
void gcClearDeadStack();

}  // namespace nido::vm
