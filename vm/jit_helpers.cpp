// The runtime functions compiled code calls (JitHelpers in
// jit_interface.hpp) and the layout it reads: each does what the
// interpreter's instruction of the same meaning does, errors included.
#include "vm/jit_helpers.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/map.hpp"

namespace nido::vm {
namespace {

// Every call helper spends the call's fuel, as the interpreter's call
// instructions do, after their null checks and before the stack checks.
bool call(Vm* vm, const RtFunction* fn, Closure* closure, Value* args) {
    spendFuel(*vm);
    return callFunction(*vm, fn, closure, args, fn->nparams, args);
}

bool callVirtual(Vm* vm, uint32_t cls, uint32_t slot, Value* args) {
    auto* receiver = static_cast<Instance*>(args[0].ref);
    if (!receiver) {
        throwNullMethod(*vm, vm->linked.classes[cls].vtable[slot]->shortName);
        return false;
    }
    return call(vm, receiver->cls->vtable[slot], nullptr, args);
}

bool callInterface(Vm* vm, const RtFunction* caller, uint32_t cache, uint32_t method, Value* args) {
    InterfaceCache& c = caller->exec->caches[cache];
    auto* receiver = static_cast<Instance*>(args[0].ref);
    if (!receiver) {
        throwNullMethod(*vm, vm->linked.classes[c.iface].vtable[method]->shortName);
        return false;
    }
    return call(vm, interfaceTarget(c, receiver->cls, uint16_t(method)), nullptr, args);
}

bool callClosureAt(Vm* vm, uint32_t funcType, Value* args) {
    auto* c = static_cast<Closure*>(args[0].ref);
    if (c) spendFuel(*vm);  // a null closure throws NullError first
    return callClosure(*vm, c, args + 1, vm->linked.types[funcType].arity, args);
}

bool callBuiltin(Vm* vm, uint32_t builtin, Value* args) { return invokeBuiltin(*vm, builtin, args); }

void throwErrorKind(Vm* vm, uint32_t kind, const char* message) { throwError(*vm, ErrorKind(kind), message); }

void throwIndex(Vm* vm, int64_t index, int64_t length) { throwIndexError(*vm, index, length); }

void throwNullFieldOf(Vm* vm, uint32_t cls, uint32_t field) {
    throwNullField(*vm, vm->linked.classes[cls].fields[field]->name);
}

void throwValue(Vm* vm, Obj* error) {
    if (!error) {
        throwError(*vm, ErrorKind::Null, "throw of null");
        return;
    }
    throwObject(*vm, static_cast<Instance*>(error));
}

bool isInstance(Vm* vm, Obj* o, uint32_t cls) {
    return o && o->kind == ObjKind::Instance && instanceOf(static_cast<Instance*>(o)->cls, &vm->linked.classes[cls]);
}

bool cast(Vm* vm, Obj* o, uint32_t cls) {
    if (!o || isInstance(vm, o, cls)) return true;
    throwCastError(*vm, o, &vm->linked.classes[cls]);
    return false;
}

// An allocation's result, or nullptr with OutOfMemoryError pending.
template <typename T>
Obj* allocated(Vm* vm, T* obj) {
    if (!obj) throwOutOfMemory(*vm);
    return obj;
}

// Compiled code found the free list for cls's size empty: a batch from
// the collector refills it, and the first one is this instance; nullptr
// when the collector has none.
Obj* fromRefilledList(Vm* vm, uint32_t cls) {
    const RtClass* c = &vm->linked.classes[cls];
    void*& list = vm->refs.instanceFreeLists[c->slotCount];
    if (!list) list = gcAllocScannedBatch(instanceBytes(c->slotCount));
    void* memory = list;
    if (!memory) return nullptr;
    list = *static_cast<void**>(memory);
    return initInstance(memory, c, c->slotCount);
}

Obj* newInstanceOf(Vm* vm, uint32_t cls) {
    const RtClass* c = &vm->linked.classes[cls];
    if (c->slotCount <= kInlineInstanceSlots) {
        if (Obj* o = fromRefilledList(vm, cls)) return o;
    }
    return allocated(vm, newInstance(c, c->slotCount));
}

Obj* newArrayOf(Vm* vm, uint32_t type, const Value* elems, uint32_t n) {
    Array* a = newArray(vm->linked.types[type].elem, n, n);
    if (a) std::memcpy(a->data, elems, n * sizeof(Value));
    return allocated(vm, a);
}

Obj* newArrayFill(Vm* vm, uint32_t type, int64_t n, Value fill) {
    if (n < 0) {
        throwError(*vm, ErrorKind::Value, fmt::format("negative array size {}", n));
        return nullptr;
    }
    Array* a = newArray(vm->linked.types[type].elem, n, n);
    if (a) std::fill_n(a->data, n, fill);
    return allocated(vm, a);
}

Obj* newMapOf(Vm* vm, uint32_t type, const Value* pairs, uint32_t n) {
    const TypeKinds& t = vm->linked.types[type];
    Map* m = newMap(t.key, t.value, n);
    for (uint32_t i = 0; m && i < n; i++) {
        if (!mapSet(m, pairs[2 * i], pairs[2 * i + 1])) m = nullptr;
    }
    return allocated(vm, m);
}

Obj* newBoxOf(Vm* vm, Value v) { return allocated(vm, newBox(v)); }

Obj* makeClosure(Vm* vm, uint32_t fn, const Value* captures) {
    const RtFunction* f = &vm->linked.functions[fn];
    Closure* c = newClosure(f, f->ncaptures);
    if (c) std::memcpy(c->captures, captures, f->ncaptures * sizeof(Value));
    return allocated(vm, c);
}

Obj* concatStrings(Vm* vm, Obj* a, Obj* b) {
    return allocated(vm, concat(static_cast<String*>(a), static_cast<String*>(b)));
}

bool mapGet(Vm* vm, Obj* map, Value key, Value* out) {
    auto* m = static_cast<Map*>(map);
    Value* v = mapFind(m, key);
    if (!v) {
        throwKeyError(*vm, m, key);
        return false;
    }
    *out = *v;
    return true;
}

bool mapPut(Vm* vm, Obj* map, Value key, Value v) {
    if (mapSet(static_cast<Map*>(map), key, v)) return true;
    throwOutOfMemory(*vm);
    return false;
}

bool equalStrings(Obj* a, Obj* b) { return stringsEqual(static_cast<String*>(a), static_cast<String*>(b)); }

int64_t compare(Obj* a, Obj* b) { return compareStrings(static_cast<String*>(a), static_cast<String*>(b)); }

double floatRemainder(double a, double b) { return std::fmod(a, b); }

void caught(Vm* vm, Obj* error) { clearDeadStackAfter(*vm, static_cast<Instance*>(error)); }

void budgetSpent(Vm* vm) { outOfBudget(*vm); }

}  // namespace

const JitHelpers& jitHelpers() {
    static const JitHelpers helpers{
        call,           callVirtual,   callInterface,    callClosureAt,  callBuiltin,
        throwErrorKind, throwIndex,    throwNullFieldOf, throwValue,     isInstance,
        cast,           newInstanceOf, fromRefilledList, newArrayOf,     newArrayFill,
        newMapOf,       newBoxOf,      makeClosure,      concatStrings,  mapGet,
        mapPut,         equalStrings,  compare,          floatRemainder, caught,
        budgetSpent,
    };
    return helpers;
}

// offsetof on these non-standard-layout types is conditionally supported;
// GCC and Clang give the real offsets.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
static_assert(offsetof(Frame, fn) == 0, "compiled code writes Frame::fn at the frame's address");
static_assert(offsetof(Obj, kind) == 0 && offsetof(Instance, number) + sizeof(uint32_t) <= sizeof(uint64_t) &&
                  offsetof(Instance, cls) == sizeof(uint64_t),
              "compiled code writes an instance's kind and number as one word, JitLayout::instanceHeader");

const JitLayout& jitLayout() {
    static const JitLayout layout{
        sizeof(Frame),
        offsetof(Frame, base),
        offsetof(Frame, ret),
        offsetof(Frame, ip),
        offsetof(Frame, closure),
        offsetof(Vm, depth),
        offsetof(Vm, refs) + offsetof(Vm::Refs, pending),
        offsetof(Vm, frames),
        offsetof(Vm, stackEnd),
        offsetof(Vm, options) + offsetof(RunOptions, maxFrames),
        offsetof(Vm, nativeStackLimit),
        offsetof(Vm, fuel),
        offsetof(RtFunction, native),
        offsetof(Instance, fields),
        offsetof(Closure, captures),
        offsetof(Box, value),
        offsetof(Array, len),
        offsetof(Array, data),
        offsetof(String, len),
        offsetof(String, bytes),
        offsetof(Instance, cls),
        offsetof(Vm, refs) + offsetof(Vm::Refs, instanceFreeLists),
        offsetof(Vm, recursiveLeavesOff),
        uint64_t(ObjKind::Instance),
    };
    return layout;
}
#pragma GCC diagnostic pop

}  // namespace nido::vm
