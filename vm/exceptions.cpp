// Errors thrown by the VM, traces and the uncaught-error report (see
// exceptions.hpp).
#include "vm/exceptions.hpp"

#include <gc/gc.h>

#include <algorithm>

#include <fmt/format.h>

#include "vm/format.hpp"
#include "vm/host.hpp"

namespace nido::vm {
namespace {

struct TraceEntry {
    uint32_t function;
    uint32_t line;
};

// A recorded stack trace; atomic (it holds indexes, not references).
struct Trace {
    uint32_t count;
    TraceEntry entries[];
};

// The source line of the instruction containing pc in fn (0 if unknown).
uint32_t lineAt(const FunctionDesc& fn, uint32_t pc) {
    auto after = std::upper_bound(fn.lines.begin(), fn.lines.end(), pc,
                                  [](uint32_t at, const LineEntry& e) { return at < e.pc; });
    return after == fn.lines.begin() ? 0 : std::prev(after)->line;
}

Value& traceSlot(Instance* err) { return err->fields[err->cls->fields.size()]; }

// Snapshot of the active frames, innermost first; nullptr when out of
// memory (the error is then thrown without a trace).
Trace* recordTrace(const Vm& vm) {
    auto* t = static_cast<Trace*>(GC_MALLOC_ATOMIC(sizeof(Trace) + vm.depth * sizeof(TraceEntry)));
    if (!t) return nullptr;
    t->count = vm.depth;
    for (uint32_t d = 0; d < vm.depth; d++) {
        const Frame& f = vm.frames[vm.depth - 1 - d];
        uint32_t pc = f.ip > f.fn->code ? uint32_t(f.ip - f.fn->code) - 1 : 0;
        t->entries[d] = {f.fn->index, lineAt(*f.fn->desc, pc)};
    }
    return t;
}

}  // namespace

Instance* newError(Vm& vm, ErrorKind kind, std::string_view message) {
    const RtClass* cls = vm.linked.errors[int(kind)];
    Instance* err = newInstance(cls, cls->slotCount);
    if (!err) return nullptr;
    String* text = newString(message);
    if (!text) return nullptr;
    err->fields[vm.linked.messageField] = refValue(text);
    return err;
}

void throwError(Vm& vm, ErrorKind kind, std::string_view message) {
    Instance* err = newError(vm, kind, message);
    throwObject(vm, err ? err : vm.refs.oomError);
}

void throwOutOfMemory(Vm& vm) { throwObject(vm, vm.refs.oomError); }

void throwStackOverflow(Vm& vm) {
    throwError(vm, ErrorKind::StackOverflow, fmt::format("stack depth exceeded ({} frames)", vm.options.maxFrames));
}

void throwKeyError(Vm& vm, const Map* m, Value key) {
    std::string text;
    switch (m->keyKind) {
    case KeyKind::Int: text = fmt::format("{}", key.i); break;
    case KeyKind::Bool: text = key.i ? "true" : "false"; break;
    case KeyKind::String:
    case KeyKind::Object:
        if (!appendValue(vm, text, key, ValKind::Ref, true)) return;  // toString threw: that error wins
        break;
    }
    throwError(vm, ErrorKind::Key, fmt::format("key {} not found", text));
}

void throwIndexError(Vm& vm, int64_t index, int64_t length) {
    throwError(vm, ErrorKind::Index, fmt::format("index {} out of range for length {}", index, length));
}

void throwNullMethod(Vm& vm, std::string_view method) {
    throwError(vm, ErrorKind::Null, fmt::format("method \"{}\" called on null", method));
}

void throwNullField(Vm& vm, std::string_view field) {
    throwError(vm, ErrorKind::Null, fmt::format("field \"{}\" of null", field));
}

void throwCastError(Vm& vm, const Obj* o, const RtClass* target) {
    std::string_view from;
    switch (o->kind) {
    case ObjKind::Instance: from = static_cast<const Instance*>(o)->cls->desc->name; break;
    case ObjKind::String: from = "string"; break;
    case ObjKind::Array: from = "array"; break;
    case ObjKind::Map: from = "map"; break;
    case ObjKind::Closure: from = "function"; break;
    case ObjKind::Box: from = "box"; break;
    }
    throwError(vm, ErrorKind::Cast, fmt::format("cannot cast {} to {}", from, target->desc->name));
}

void throwObject(Vm& vm, Instance* err) {
    Value& slot = traceSlot(err);
    if (!slot.ref) {
        // SAFETY: the hidden slot is invisible to Nido code; it only keeps
        // the Trace block alive, which Boehm sees as any other pointer.
        slot.ref = reinterpret_cast<Obj*>(recordTrace(vm));
    }
    vm.refs.pending = err;
}

void reportUncaught(Vm& vm, Instance* err) {
    auto* message = static_cast<String*>(err->fields[vm.linked.messageField].ref);
    std::string out = fmt::format("{}: {}\n", err->cls->desc->name, message ? view(message) : "null");
    // SAFETY: throwObject stored a Trace (or nothing) in the hidden slot.
    if (const auto* t = reinterpret_cast<const Trace*>(traceSlot(err).ref)) {
        for (uint32_t i = 0; i < t->count; i++) {
            const RtFunction& f = vm.linked.functions[t->entries[i].function];
            if (t->entries[i].line == 0) {
                out += fmt::format("  at {} ({})\n", f.desc->name, f.file);
            } else {
                out += fmt::format("  at {} ({}:{})\n", f.desc->name, f.file, t->entries[i].line);
            }
        }
    }
    hostWrite(HostStream::Err, out);
}

}  // namespace nido::vm
