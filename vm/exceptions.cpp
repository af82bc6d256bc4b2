// Errors thrown by the VM, traces and the uncaught-error report (see
// exceptions.hpp).
#include "vm/exceptions.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "vm/format.hpp"
#include "vm/gc.hpp"
#include "vm/host.hpp"

namespace nido::vm {
namespace {

struct TraceEntry {
    uint32_t function;
    uint32_t line;
};

// A recorded stack trace; atomic (it holds indexes, not references). The
// preallocated OutOfMemoryError's lives in malloc memory with room for
// capacity entries; other traces are exactly count long.
struct Trace {
    uint32_t count;
    uint32_t capacity;
    TraceEntry entries[];
};

// The source line of the instruction containing pc in fn (0 if unknown).
uint32_t lineAt(const FunctionDesc& fn, uint32_t pc) {
    auto after = std::upper_bound(fn.lines.begin(), fn.lines.end(), pc,
                                  [](uint32_t at, const LineEntry& e) { return at < e.pc; });
    return after == fn.lines.begin() ? 0 : std::prev(after)->line;
}

Value& traceSlot(Instance* err) { return err->fields[err->cls->fields.size()]; }

// Writes the active frames into t, innermost first, as many as fit.
void fillTrace(const Vm& vm, Trace* t) {
    t->count = std::min(vm.depth, t->capacity);
    for (uint32_t d = 0; d < t->count; d++) {
        const Frame& f = vm.frames[vm.depth - 1 - d];
        uint32_t pc = f.ip > f.fn->code ? (f.ip - 1)->pc : 0;
        t->entries[d] = {f.fn->index, lineAt(*f.fn->desc, pc)};
    }
}

// Snapshot of the active frames; nullptr when out of memory (the error is
// then thrown without a trace).
Trace* recordTrace(const Vm& vm) {
    auto* t = static_cast<Trace*>(gcAllocAtomic(sizeof(Trace) + size_t(vm.depth) * sizeof(TraceEntry)));
    if (!t) return nullptr;
    t->capacity = vm.depth;
    fillTrace(vm, t);
    return t;
}

// "64 MiB", "1536 KiB", "1 GiB", "1000000 bytes".
std::string formatBytes(uint64_t n) {
    if (n % (uint64_t(1) << 30) == 0) return fmt::format("{} GiB", n >> 30);
    if (n % (uint64_t(1) << 20) == 0) return fmt::format("{} MiB", n >> 20);
    if (n % (uint64_t(1) << 10) == 0) return fmt::format("{} KiB", n >> 10);
    return fmt::format("{} bytes", n);
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
    if (!err) {
        throwOutOfMemory(vm);
        return;
    }
    throwObject(vm, err);
}

std::string outOfMemoryMessage() {
    uint64_t limit = gcHeapLimit();
    return limit ? fmt::format("heap limit of {} exhausted", formatBytes(limit)) : "out of memory";
}

void throwOutOfMemory(Vm& vm) {
    // The failed allocation has just collected; small objects may still fit.
    if (Instance* err = newError(vm, ErrorKind::OutOfMemory, outOfMemoryMessage())) {
        if (Trace* t = recordTrace(vm)) {
            // SAFETY: as in throwObject.
            traceSlot(err).ref = reinterpret_cast<Obj*>(t);
            vm.refs.pending = err;
            return;
        }
    }
    Instance* err = vm.refs.oomError;
    // SAFETY: OutOfMemoryReserve stored the malloc'd buffer in the slot.
    fillTrace(vm, reinterpret_cast<Trace*>(traceSlot(err).ref));
    vm.refs.pending = err;
}

OutOfMemoryReserve::OutOfMemoryReserve(Vm& vm) : vm_(vm) {
    if (!vm.ready()) return;
    Instance* err = newError(vm, ErrorKind::OutOfMemory, outOfMemoryMessage());
    // Room for every frame the Vm allows (depth <= maxFrames); malloc
    // commits pages only when a deep trace touches them.
    size_t capacity = size_t(vm.options.maxFrames) + 1;
    auto* t = err ? static_cast<Trace*>(std::malloc(sizeof(Trace) + capacity * sizeof(TraceEntry))) : nullptr;
    if (!t) return;
    t->count = 0;
    t->capacity = uint32_t(capacity);
    // SAFETY: a pointer outside the Boehm heap, which the collector
    // ignores; this object frees it.
    traceSlot(err).ref = reinterpret_cast<Obj*>(t);
    vm.refs.oomError = err;
    trace_ = t;
}

OutOfMemoryReserve::~OutOfMemoryReserve() {
    if (!trace_) return;
    traceSlot(vm_.refs.oomError).ref = nullptr;
    vm_.refs.oomError = nullptr;
    std::free(trace_);
}

void throwStackOverflow(Vm& vm) {
    throwError(vm, ErrorKind::StackOverflow, fmt::format("stack depth exceeded ({} frames)", vm.options.maxFrames));
}

void throwKeyError(Vm& vm, const Map* m, Value key) {
    // The key's text is built in malloc memory and may be large.
    guardNativeAllocation(vm, [&] {
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
    });
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

namespace {

// A run of identical frames (deep recursion) shows its first kShownRepeats
// lines and then one line counting the rest, as Python does, so that a
// StackOverflowError's report stays readable.
constexpr uint32_t kShownRepeats = 3;
constexpr std::string_view kRepeatedLine = "  [previous line repeated {} more times]\n";

template <typename ShowFrame, typename ShowRepeats>
void forEachShownFrame(const Trace* t, uint32_t frames, ShowFrame&& showFrame, ShowRepeats&& showRepeats) {
    uint32_t run = 0;  // equal frames in a row, up to and including frame i
    auto flushRun = [&] {
        if (run > kShownRepeats) showRepeats(run - kShownRepeats);
    };
    for (uint32_t i = 0; i < frames; i++) {
        bool same = i > 0 && t->entries[i].function == t->entries[i - 1].function &&
                    t->entries[i].line == t->entries[i - 1].line;
        if (!same) {
            flushRun();
            run = 1;
        } else {
            run++;
        }
        if (run <= kShownRepeats) showFrame(i);
    }
    flushRun();
}

}  // namespace

void reportUncaught(Vm& vm, Instance* err) {
    auto* message = static_cast<String*>(err->fields[vm.linked.messageField].ref);
    std::string_view name = err->cls->desc->name, text = message ? view(message) : "null";
    // SAFETY: throwObject stored a Trace (or nothing) in the hidden slot.
    const auto* t = reinterpret_cast<const Trace*>(traceSlot(err).ref);
    const uint32_t frames = t ? t->count : 0;
    // "  at NAME (FILE:LINE)\n" for frame i, through out.
    auto formatFrame = [&](uint32_t i, auto&& format) {
        const RtFunction& f = vm.linked.functions[t->entries[i].function];
        uint32_t line = t->entries[i].line;
        return line == 0 ? format(fmt::string_view("  at {} ({}{})\n"), f.desc->name, f.file, "")
                         : format(fmt::string_view("  at {} ({}:{})\n"), f.desc->name, f.file, line);
    };
    try {
        std::string out = fmt::format("{}: {}\n", name, text);
        forEachShownFrame(
            t, frames,
            [&](uint32_t i) {
                formatFrame(i, [&](fmt::string_view f, const auto&... a) {
                    return fmt::vformat_to(std::back_inserter(out), f, fmt::make_format_args(a...));
                });
            },
            [&](uint32_t repeats) { fmt::format_to(std::back_inserter(out), fmt::runtime(kRepeatedLine), repeats); });
        hostWrite(HostStream::Err, out);
        return;
    } catch (const std::bad_alloc&) {
        // No malloc memory either (an exhausted address space): write the
        // report piece by piece from the stack.
    }
    hostWrite(HostStream::Err, name);
    hostWrite(HostStream::Err, ": ");
    hostWrite(HostStream::Err, text);
    hostWrite(HostStream::Err, "\n");
    char line[512];
    forEachShownFrame(
        t, frames,
        [&](uint32_t i) {
            size_t n = formatFrame(i, [&](fmt::string_view f, const auto&... a) {
                return std::min(fmt::vformat_to_n(line, sizeof line, f, fmt::make_format_args(a...)).size, sizeof line);
            });
            hostWrite(HostStream::Err, std::string_view(line, n));
        },
        [&](uint32_t repeats) {
            size_t n =
                std::min(fmt::format_to_n(line, sizeof line, fmt::runtime(kRepeatedLine), repeats).size, sizeof line);
            hostWrite(HostStream::Err, std::string_view(line, n));
        });
}

}  // namespace nido::vm
