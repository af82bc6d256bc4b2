// The interpreter: one dispatch loop over the execution form of linked
// functions (exec_code.hpp), which the translator makes from the bytecode.
//
// Frames live on a VM value stack of untyped slots: a frame owns
// [base, base + locals + maxStack), its locals first (receiver, parameters,
// other locals), then one slot per operand-stack depth. Instructions name
// their operands as slots of the running frame. A call's arguments, laid
// out by the caller in consecutive slots, become the callee's first locals
// in place; its result goes to the slot the call names. Nido-to-Nido calls
// never recurse natively: they push a Frame record and stay in the same
// loop. Builtins that call back into Nido (sort with a comparator, map,
// filter, str() calling toString) enter the loop again through
// callFunction; those frames sit on the same stacks and count toward the
// same depth limit.
//
// Errors use a pending-exception model: whatever throws (an instruction or
// a builtin) records the error in Vm::pending and the loop unwinds through
// the handler tables. A loop entered from native code returns false when an
// error unwinds past its first frame, leaving it pending for the native
// caller, which returns at once. The one C++ exception that may cross the
// loop is std::bad_alloc when malloc itself is exhausted: the nearest
// CALL_BUILTIN (guardNativeAllocation) or runProgram turns it into an
// OutOfMemoryError.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vm/gc.hpp"
#include "vm/limits.hpp"
#include "vm/linker.hpp"
#include "vm/object.hpp"
#include "vm/runtime.hpp"

namespace nido::vm {

struct Frame {
    const RtFunction* fn;
    Value* base;       // local 0
    Value* ret;        // where the result goes; the caller's sp is ret (+1 with a result)
    const Insn* ip;    // suspended frames: the resume point, one past the
                       // instruction that called out or threw
    Closure* closure;  // the running closure, for LOAD_CAPTURE
};

struct Vm {
    Vm(const LinkedProgram& linked, const RunOptions& opts);
    ~Vm();
    Vm(const Vm&) = delete;
    Vm& operator=(const Vm&) = delete;

    // False when the stacks could not be reserved.
    bool ready() const { return stackBase && frames; }

    const Program& program;
    const LinkedProgram& linked;
    const RunOptions options;

    Value* stackBase = nullptr;  // malloc'd, scanned through `roots` (gc.hpp)
    Value* stackEnd = nullptr;
    Frame* frames = nullptr;  // frames[0, depth) are active, innermost last
    uint32_t depth = 0;
    // Back-edges and calls left before the run ends (--fuel); the maximum
    // when there is no limit, so the hot paths need no second test. The
    // --timeout watchdog stores 1 from its thread: only spendFuel and
    // compiled code touch it, with relaxed atomic loads and stores.
    uint64_t fuel;
    Watchdog watchdog;  // --timeout (limits.hpp); after fuel, which it empties

    // References the collector must see, pushed with the stack.
    struct Refs {
        Instance* pending = nullptr;   // the error being thrown, if any
        Instance* oomError = nullptr;  // preallocated: throwing it needs no memory
        // Memory for instances with N fields that compiled code takes
        // without a call, linked through their first word (refilled by the
        // newInstance helper, jit_helpers.cpp).
        void* instanceFreeLists[kInlineInstanceSlots + 1] = {};
    } refs;

    uint32_t jitThreshold = UINT32_MAX;  // hotness at which a function is compiled (tiering.hpp)
    std::vector<bool> jitRequested;      // by function index: compile asked for (tiering.cpp)
    // The program's hot list (code_cache.hpp) as startTiering read it,
    // with a code cache; none without, and after endTiering has kept the
    // new one.
    std::optional<std::vector<HotRequest>> hotList;
    JitStats jitStats;
    // What this thread runs now; a signal handler reads it under --stats.
    std::atomic<Tier> tier{Tier::Interpreter};

    uint32_t nextObjectNumber = 1;  // for ClassName@N
    // Above 0 while compiled code makes again, with frames, a call that a
    // recursive leaf gave up (jit/leaf.hpp): the calls below it then push
    // frames too, rather than each trying the leaf again.
    uint32_t recursiveLeavesOff = 0;
    const char* nativeStackLimit = nullptr;  // below this the native stack is nearly gone

    GcRootSource roots;
};

// Runs native code for frame (entry as NativeCode says), with vm.tier
// saying so meanwhile.
inline bool runNative(Vm& vm, NativeCode code, Frame* frame, int32_t entry) {
    Tier outer = vm.tier.load(std::memory_order_relaxed);
    vm.tier.store(Tier::Native, std::memory_order_relaxed);
    bool ok = code(&vm, frame, entry);
    vm.tier.store(outer, std::memory_order_relaxed);
    return ok;
}

// The budget is spent (Vm::fuel reached 0): ends the run with the
// --timeout message and status 124 if the watchdog fired, else the --fuel
// one and status 3.
[[noreturn]] void outOfBudget(Vm& vm);

// One loop back-edge or call, as the interpreter, compiled code and the
// JIT's call helpers count them: the same program spends the same budget
// in every --jit mode.
inline void spendFuel(Vm& vm) {
    std::atomic_ref<uint64_t> fuel(vm.fuel);
    uint64_t left = fuel.load(std::memory_order_relaxed) - 1;
    fuel.store(left, std::memory_order_relaxed);
    if (left == 0) [[unlikely]]
        outOfBudget(vm);
}

// Calls fn with nargs arguments (receiver first for methods); closure is
// the running closure for lambdas. On success stores the result (if any)
// in *result and returns true; returns false with vm.refs.pending set if
// the call threw.
bool callFunction(Vm& vm, const RtFunction* fn, Closure* closure, const Value* args, uint32_t nargs, Value* result);

// Calls builtin id with its arguments at args (result in args[0]) after the
// null checks its entry asks for; false if it threw.
bool invokeBuiltin(Vm& vm, uint32_t id, Value* args);

// When err, just caught, is OutOfMemoryError: clears the dead part of the
// native stack, so that stale words there do not keep the data the program
// is about to drop alive.
void clearDeadStackAfter(const Vm& vm, const Instance* err);

// a + b for CONCAT, null sides reading "null"; nullptr when out of memory.
String* concat(const String* a, const String* b);

// The method an interface call on an object of class cls resolves to,
// through the call site's cache.
const RtFunction* interfaceTarget(InterfaceCache& cache, const RtClass* cls, uint16_t method);

// Calls the closure (NullError when null).
bool callClosure(Vm& vm, Closure* closure, const Value* args, uint32_t nargs, Value* result);

// Whether re-entrant calls must stop: less than a safety margin of native
// stack is left.
inline bool nativeStackExhausted(const Vm& vm) {
    return static_cast<const char*>(__builtin_frame_address(0)) < vm.nativeStackLimit;
}

}  // namespace nido::vm
