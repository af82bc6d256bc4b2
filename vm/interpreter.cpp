// The dispatch loop (design in interpreter.hpp).
//
// Dispatch is computed goto (GCC/Clang labels as values) with a switch
// fallback; define NIDO_SWITCH_DISPATCH to force the switch. Both are
// expanded from exec_ops.def. The loop keeps ip, locals and the frame in
// locals so the compiler can hold them in registers; every instruction is
// one fixed-size Insn whose operands need no decoding, and ip points at it
// while it runs.
//
// Where a frame stopped is written to Frame::ip only when it matters: at
// calls (the resume point) and before anything throws (one past the
// instruction). Either way Frame::ip - 1 is the instruction, whose pc is
// the bytecode offset that handler ranges and line tables are matched
// against.
#include "vm/interpreter.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/disasm.hpp"
#include "vm/exceptions.hpp"
#include "vm/host.hpp"
#include "vm/map.hpp"
#include "vm/tiering.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && !defined(NIDO_SWITCH_DISPATCH)
#define NIDO_COMPUTED_GOTO 1
#else
#define NIDO_COMPUTED_GOTO 0
#endif

namespace nido::vm {
namespace {

// Value-stack slots reserved per allowed frame. Typical frames use a few
// dozen; the reservation is virtual memory, committed only when touched,
// so room for big frames costs nothing until used. A program that fills it
// anyway gets StackOverflowError.
constexpr size_t kSlotsPerFrame = 256;
constexpr size_t kMinStackSlots = size_t(1) << 20;

inline String* str(Value v) { return static_cast<String*>(v.ref); }

// Root source callback: the live part of the value stack, the frame
// records (which hold the running closures) and the Vm's own references.
void pushVmRoots(void* ctx) {
    const Vm* vm = static_cast<const Vm*>(ctx);
    if (vm->depth > 0) {
        const Frame& top = vm->frames[vm->depth - 1];
        gcPushRange(vm->stackBase, top.base + top.fn->frameSize);
    }
    gcPushRange(vm->frames, vm->frames + vm->depth);
    gcPushRange(&vm->refs, &vm->refs + 1);
}

[[gnu::cold]] void traceInstruction(Vm& vm, const Frame* frame, const Insn* ip) {
    const RtFunction* fn = frame->fn;
    uint16_t height = fn->exec->heights[size_t(ip - fn->code)];
    std::string insn = disassembleInstruction(vm.program, *fn->desc, ip->pc);
    hostWrite(HostStream::Err, fmt::format("{:>5} {:>3}  {:<24} {}\n", vm.depth, height, fn->desc->name, insn));
}

// A null string argument to a builtin that needs one: NullError.
[[gnu::cold]] bool nullStringArg(Vm& vm, const BuiltinEntry& b, const Value* args) {
    for (int i = 0; i < b.nargs; i++) {
        if ((b.stringArgs >> i & 1) && !args[i].ref) {
            throwError(vm, ErrorKind::Null, fmt::format("null argument to \"{}\"", b.name));
            return true;
        }
    }
    return false;
}

// Runs the innermost frame until it returns (true; the result is at its
// Frame::ret) or an error unwinds past it (false; the error is pending).
template <bool kTrace>
bool run(Vm& vm) {
    const uint32_t entryDepth = vm.depth;
    const uint32_t maxFrames = vm.options.maxFrames;
    const Value* const stackEnd = vm.stackEnd;
    const BuiltinEntry* const builtins = builtinTable();
    const Value* const consts = vm.linked.constants;
    Value* const globals = vm.linked.globals;
    const RtClass* const classes = vm.linked.classes.data();
    const RtFunction* const functions = vm.linked.functions.data();
    const TypeKinds* const types = vm.linked.types.data();

    Frame* frame = &vm.frames[vm.depth - 1];
    Value* locals = frame->base;
    NativeCode osrCode = nullptr;  // BRANCH's find, for osr below
    const Insn* ip = frame->fn->code;

#define TRACE()                                                \
    do {                                                       \
        if constexpr (kTrace) traceInstruction(vm, frame, ip); \
    } while (0)
#if NIDO_COMPUTED_GOTO
    static const void* const kLabels[] = {
#define EXEC(name, doc) &&L_##name,
#include "vm/exec_ops.def"
#undef EXEC
    };
#define DISPATCH()                  \
    do {                            \
        TRACE();                    \
        goto* kLabels[int(ip->op)]; \
    } while (0)
#define CASE(name) L_##name:
#else
#define DISPATCH() goto dispatch
#define CASE(name) case XOp::name:
#endif
#define NEXT()      \
    do {            \
        ip++;       \
        DISPATCH(); \
    } while (0)
#define R(x) locals[ip->x]
    // Throws from the running instruction: `call` sets the pending error.
#define THROW(call)         \
    do {                    \
        frame->ip = ip + 1; \
        call;               \
        goto unwind;        \
    } while (0)
#define CHECK_ALLOC(ok)                         \
    do {                                        \
        if (!(ok)) THROW(throwOutOfMemory(vm)); \
    } while (0)
    // Pushes a frame for callee, whose arguments start at base_; its result
    // will go to retSlot.
#define ENTER(callee, argBase, retSlot, clo)                                                  \
    do {                                                                                      \
        const RtFunction* callee_ = (callee);                                                 \
        Value* base_ = (argBase);                                                             \
        frame->ip = ip + 1;                                                                   \
        spendFuel(vm);                                                                        \
        if (vm.depth >= maxFrames || base_ + callee_->frameSize > stackEnd) {                 \
            throwStackOverflow(vm);                                                           \
            goto unwind;                                                                      \
        }                                                                                     \
        Frame* next_ = frame + 1;                                                             \
        *next_ = Frame{callee_, base_, (retSlot), callee_->code, (clo)};                      \
        /* The collector may read the frame as soon as depth counts it. */                    \
        std::atomic_signal_fence(std::memory_order_seq_cst);                                  \
        vm.depth++;                                                                           \
        NativeCode native_ = loadNative(callee_->native);                                     \
        if (!native_ && ++callee_->hotness >= vm.jitThreshold) native_ = tierUp(vm, callee_); \
        if (native_) {                                                                        \
            /* Compiled code pops its frame and stores the result. */                         \
            if (!runNative(vm, native_, next_, -1)) goto unwind;                              \
            NEXT();                                                                           \
        }                                                                                     \
        frame = next_;                                                                        \
        locals = base_;                                                                       \
        for (uint32_t i_ = callee_->nparams; i_ < callee_->nlocals; i_++) {                   \
            base_[i_].i = 0;                                                                  \
        }                                                                                     \
        ip = callee_->code;                                                                   \
        DISPATCH();                                                                           \
    } while (0)
    // A taken branch. A backward one (a loop's back-edge; offset 0 is the
    // loop `while true {}`) spends fuel, counts toward tiering, and once
    // the function is hot moves into the code compiled for this loop as
    // soon as there is some.
#define BRANCH()                                                                        \
    do {                                                                                \
        int32_t offset_ = ip->k;                                                        \
        ip += offset_;                                                                  \
        if (offset_ <= 0) {                                                             \
            spendFuel(vm);                                                              \
            const RtFunction* fn_ = frame->fn;                                          \
            if (++fn_->hotness >= vm.jitThreshold &&                                    \
                (osrCode = tierUpLoop(vm, fn_, uint32_t(ip - fn_->code))) != nullptr) { \
                goto osr;                                                               \
            }                                                                           \
        }                                                                               \
        DISPATCH();                                                                     \
    } while (0)
#define BRANCH_IF(cond)     \
    do {                    \
        if (cond) BRANCH(); \
        NEXT();             \
    } while (0)
    // Bodies of the binary instructions; each use is a case block of its own.
#define BINARY_INT(expr)            \
    int64_t a = R(b).i, b = R(c).i; \
    R(a).i = (expr);                \
    NEXT()
#define BINARY_FLOAT(expr)         \
    double a = R(b).f, b = R(c).f; \
    R(a).f = (expr);               \
    NEXT()
#define COMPARE_FLOAT(op)          \
    double a = R(b).f, b = R(c).f; \
    R(a).i = a op b;               \
    NEXT()
#define COMPARE_STRING(op)                                                        \
    String *a = str(R(b)), *b = str(R(c));                                        \
    if (!a || !b) THROW(throwError(vm, ErrorKind::Null, "comparison with null")); \
    R(a).i = compareStrings(a, b) op 0;                                           \
    NEXT()
#define WRAP(expr) int64_t(expr)
#define U(x) uint64_t(x)

#if NIDO_COMPUTED_GOTO
    DISPATCH();
#else
dispatch:
    TRACE();
    switch (ip->op) {
#endif

    // Moves and constants.
    CASE(NOP) { NEXT(); }
    CASE(MOVE) {
        R(a) = R(b);
        NEXT();
    }
    CASE(LOADI) {
        R(a).i = ip->k;
        NEXT();
    }
    CASE(LOADK) {
        R(a) = consts[ip->k];
        NEXT();
    }
    CASE(LOADG) {
        R(a) = globals[ip->k];
        NEXT();
    }
    CASE(STOREG) {
        globals[ip->k] = R(a);
        NEXT();
    }
    CASE(LOADCAP) {
        R(a) = frame->closure->captures[ip->b];
        NEXT();
    }
    CASE(BOX_NEW) {
        Box* box = newBox(R(b));
        CHECK_ALLOC(box);
        R(a).ref = box;
        NEXT();
    }
    // A Box-typed local is null until its BOX_NEW, and MAKE_CLOSURE accepts
    // null captures: the verifier cannot exclude a null box.
    CASE(BOX_GET) {
        Box* box = static_cast<Box*>(R(b).ref);
        if (!box) THROW(throwError(vm, ErrorKind::Null, "null box"));
        R(a) = box->value;
        NEXT();
    }
    CASE(BOX_SET) {
        Box* box = static_cast<Box*>(R(a).ref);
        if (!box) THROW(throwError(vm, ErrorKind::Null, "null box"));
        box->value = R(b);
        NEXT();
    }
    CASE(GET_FIELD) {
        Obj* o = R(b).ref;
        if (!o) THROW(throwNullField(vm, classes[ip->k].fields[ip->c]->name));
        R(a) = static_cast<Instance*>(o)->fields[ip->c];
        NEXT();
    }
    CASE(SET_FIELD) {
        Obj* o = R(a).ref;
        if (!o) THROW(throwNullField(vm, classes[ip->k].fields[ip->c]->name));
        static_cast<Instance*>(o)->fields[ip->c] = R(b);
        NEXT();
    }

    // Int arithmetic: wrapping through uint64_t.
    CASE(IADD) { BINARY_INT(WRAP(U(a) + U(b))); }
    CASE(IADDI) {
        R(a).i = WRAP(U(R(b).i) + U(int64_t(ip->k)));
        NEXT();
    }
    CASE(ISUB) { BINARY_INT(WRAP(U(a) - U(b))); }
    CASE(IMUL) { BINARY_INT(WRAP(U(a) * U(b))); }
    CASE(IDIV) {
        int64_t a = R(b).i, b = R(c).i;
        if (b == 0) THROW(throwError(vm, ErrorKind::Arithmetic, "division by zero"));
        R(a).i = b == -1 ? WRAP(0 - U(a)) : a / b;  // MIN / -1 is MIN
        NEXT();
    }
    CASE(IREM) {
        int64_t a = R(b).i, b = R(c).i;
        if (b == 0) THROW(throwError(vm, ErrorKind::Arithmetic, "division by zero"));
        R(a).i = b == -1 ? 0 : a % b;
        NEXT();
    }
    CASE(INEG) {
        R(a).i = WRAP(0 - U(R(b).i));
        NEXT();
    }
    CASE(IAND) { BINARY_INT(a & b); }
    CASE(IOR) { BINARY_INT(a | b); }
    CASE(IXOR) { BINARY_INT(a ^ b); }
    CASE(ISHL) { BINARY_INT(WRAP(U(a) << (b & 63))); }
    CASE(ISHR) { BINARY_INT(a >> (b & 63)); }
    CASE(IUSHR) { BINARY_INT(WRAP(U(a) >> (b & 63))); }
    CASE(INOT) {
        R(a).i = ~R(b).i;
        NEXT();
    }

    // Float arithmetic.
    CASE(FADD) { BINARY_FLOAT(a + b); }
    CASE(FSUB) { BINARY_FLOAT(a - b); }
    CASE(FMUL) { BINARY_FLOAT(a * b); }
    CASE(FDIV) { BINARY_FLOAT(a / b); }
    CASE(FREM) { BINARY_FLOAT(std::fmod(a, b)); }
    CASE(FNEG) {
        R(a).f = -R(b).f;
        NEXT();
    }
    CASE(I2F) {
        R(a).f = double(R(b).i);
        NEXT();
    }
    CASE(FSQRT) {
        R(a).f = std::sqrt(R(b).f);
        NEXT();
    }

    // Comparisons.
    CASE(IEQ) { BINARY_INT(a == b); }
    CASE(INE) { BINARY_INT(a != b); }
    CASE(ILT) { BINARY_INT(a < b); }
    CASE(ILE) { BINARY_INT(a <= b); }
    CASE(IGT) { BINARY_INT(a > b); }
    CASE(IGE) { BINARY_INT(a >= b); }
    CASE(FEQ) { COMPARE_FLOAT(==); }
    CASE(FNE) { COMPARE_FLOAT(!=); }
    CASE(FLT) { COMPARE_FLOAT(<); }
    CASE(FLE) { COMPARE_FLOAT(<=); }
    CASE(FGT) { COMPARE_FLOAT(>); }
    CASE(FGE) { COMPARE_FLOAT(>=); }
    CASE(SEQ) {
        R(a).i = stringsEqual(str(R(b)), str(R(c)));
        NEXT();
    }
    CASE(SNE) {
        R(a).i = !stringsEqual(str(R(b)), str(R(c)));
        NEXT();
    }
    CASE(SLT) { COMPARE_STRING(<); }
    CASE(SLE) { COMPARE_STRING(<=); }
    CASE(SGT) { COMPARE_STRING(>); }
    CASE(SGE) { COMPARE_STRING(>=); }
    CASE(REQ) {
        R(a).i = R(b).ref == R(c).ref;
        NEXT();
    }
    CASE(RNE) {
        R(a).i = R(b).ref != R(c).ref;
        NEXT();
    }
    CASE(NOT) {
        R(a).i = !R(b).i;
        NEXT();
    }
    CASE(CONCAT) {
        String* s = concat(str(R(b)), str(R(c)));
        CHECK_ALLOC(s);
        R(a).ref = s;
        NEXT();
    }

    // Control flow.
    CASE(JUMP) { BRANCH(); }
    CASE(JUMP_IF_TRUE) { BRANCH_IF(R(a).i); }
    CASE(JUMP_IF_FALSE) { BRANCH_IF(!R(a).i); }
    CASE(JUMP_IF_IEQ) { BRANCH_IF(R(a).i == R(b).i); }
    CASE(JUMP_IF_INE) { BRANCH_IF(R(a).i != R(b).i); }
    CASE(JUMP_IF_ILT) { BRANCH_IF(R(a).i < R(b).i); }
    CASE(JUMP_IF_ILE) { BRANCH_IF(R(a).i <= R(b).i); }
    CASE(JUMP_IF_IGT) { BRANCH_IF(R(a).i > R(b).i); }
    CASE(JUMP_IF_IGE) { BRANCH_IF(R(a).i >= R(b).i); }
    CASE(JUMP_UNLESS_FEQ) { BRANCH_IF(!(R(a).f == R(b).f)); }
    CASE(JUMP_UNLESS_FNE) { BRANCH_IF(!(R(a).f != R(b).f)); }
    CASE(JUMP_UNLESS_FLT) { BRANCH_IF(!(R(a).f < R(b).f)); }
    CASE(JUMP_UNLESS_FLE) { BRANCH_IF(!(R(a).f <= R(b).f)); }
    CASE(JUMP_UNLESS_FGT) { BRANCH_IF(!(R(a).f > R(b).f)); }
    CASE(JUMP_UNLESS_FGE) { BRANCH_IF(!(R(a).f >= R(b).f)); }
    CASE(JUMP_IF_REQ) { BRANCH_IF(R(a).ref == R(b).ref); }
    CASE(JUMP_IF_RNE) { BRANCH_IF(R(a).ref != R(b).ref); }

    // Objects, arrays and maps.
    CASE(IS) {
        Obj* o = R(b).ref;
        R(a).i = o && o->kind == ObjKind::Instance && instanceOf(static_cast<Instance*>(o)->cls, &classes[ip->k]);
        NEXT();
    }
    CASE(AS) {
        Obj* o = R(b).ref;
        const RtClass* target = &classes[ip->k];
        if (o && !(o->kind == ObjKind::Instance && instanceOf(static_cast<Instance*>(o)->cls, target))) {
            THROW(throwCastError(vm, o, target));
        }
        R(a).ref = o;
        NEXT();
    }
    CASE(NEW) {
        const RtClass* c = &classes[ip->k];
        Instance* o = newInstance(c, c->slotCount);
        CHECK_ALLOC(o);
        R(a).ref = o;
        NEXT();
    }
    CASE(NEW_ARRAY) {
        uint16_t n = ip->c;
        Array* arr = newArray(types[ip->k].elem, n, n);
        CHECK_ALLOC(arr);
        std::memcpy(arr->data, &R(b), n * sizeof(Value));
        R(a).ref = arr;
        NEXT();
    }
    CASE(NEW_ARRAY_FILL) {
        int64_t n = R(b).i;
        if (n < 0) THROW(throwError(vm, ErrorKind::Value, fmt::format("negative array size {}", n)));
        Array* arr = newArray(types[ip->k].elem, n, n);
        CHECK_ALLOC(arr);
        std::fill_n(arr->data, n, R(c));
        R(a).ref = arr;
        NEXT();
    }
    CASE(NEW_MAP) {
        uint16_t n = ip->c;
        const TypeKinds& t = types[ip->k];
        Map* m = newMap(t.key, t.value, n);
        CHECK_ALLOC(m);
        const Value* pairs = &R(b);
        for (uint32_t i = 0; i < n; i++) CHECK_ALLOC(mapSet(m, pairs[2 * i], pairs[2 * i + 1]));
        R(a).ref = m;
        NEXT();
    }
    CASE(ARRAY_GET) {
        Array* arr = static_cast<Array*>(R(b).ref);
        int64_t i = R(c).i;
        if (!arr) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(arr->len)) THROW(throwIndexError(vm, i, arr->len));
        R(a) = arr->data[i];
        NEXT();
    }
    CASE(ARRAY_SET) {
        Array* arr = static_cast<Array*>(R(a).ref);
        int64_t i = R(b).i;
        if (!arr) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(arr->len)) THROW(throwIndexError(vm, i, arr->len));
        arr->data[i] = R(c);
        NEXT();
    }
    CASE(MAP_GET) {
        Map* m = static_cast<Map*>(R(b).ref);
        if (!m) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        Value* v = mapFind(m, R(c));
        if (!v) THROW(throwKeyError(vm, m, R(c)));
        R(a) = *v;
        NEXT();
    }
    CASE(MAP_SET) {
        Map* m = static_cast<Map*>(R(a).ref);
        if (!m) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        CHECK_ALLOC(mapSet(m, R(b), R(c)));
        NEXT();
    }
    CASE(STRING_GET) {
        String* s = str(R(b));
        int64_t i = R(c).i;
        if (!s) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(s->len)) THROW(throwIndexError(vm, i, s->len));
        R(a).i = uint8_t(s->bytes[i]);
        NEXT();
    }

    // Calls.
    CASE(CALL) { ENTER(&functions[ip->k], &R(b), &R(a), nullptr); }
    CASE(CALL_VIRTUAL) {
        Obj* receiver = R(b).ref;
        if (!receiver) THROW(throwNullMethod(vm, classes[ip->k].vtable[ip->c]->shortName));
        ENTER(static_cast<Instance*>(receiver)->cls->vtable[ip->c], &R(b), &R(a), nullptr);
    }
    CASE(CALL_INTERFACE) {
        InterfaceCache& cache = frame->fn->exec->caches[size_t(ip->k)];
        Obj* receiver = R(b).ref;
        if (!receiver) THROW(throwNullMethod(vm, classes[cache.iface].vtable[ip->c]->shortName));
        ENTER(interfaceTarget(cache, static_cast<Instance*>(receiver)->cls, ip->c), &R(b), &R(a), nullptr);
    }
    CASE(CALL_CLOSURE) {
        auto* c = static_cast<Closure*>(R(b).ref);
        if (!c) THROW(throwError(vm, ErrorKind::Null, "call of null function"));
        ENTER(c->fn, &R(b) + 1, &R(a), c);
    }
    CASE(CALL_BUILTIN) {
        frame->ip = ip + 1;  // the resume point: re-entrant calls and traces read it
        if (!invokeBuiltin(vm, uint32_t(ip->k), &R(b))) goto unwind;
        if (builtins[ip->k].hasResult) R(a) = R(b);
        NEXT();
    }
    CASE(MAKE_CLOSURE) {
        const RtFunction* f = &functions[ip->k];
        uint32_t n = f->ncaptures;
        Closure* c = newClosure(f, n);
        CHECK_ALLOC(c);
        std::memcpy(c->captures, &R(b), n * sizeof(Value));
        R(a).ref = c;
        NEXT();
    }
    CASE(RETURN) {
        *frame->ret = R(a);
        if (--vm.depth < entryDepth) return true;
        frame--;
        locals = frame->base;
        ip = frame->ip;
        DISPATCH();
    }
    CASE(RETURN_VOID) {
        if (--vm.depth < entryDepth) return true;
        frame--;
        locals = frame->base;
        ip = frame->ip;
        DISPATCH();
    }
    CASE(THROW) {
        Obj* e = R(a).ref;
        if (!e) THROW(throwError(vm, ErrorKind::Null, "throw of null"));
        THROW(throwObject(vm, static_cast<Instance*>(e)));
    }

#if !NIDO_COMPUTED_GOTO
}
#endif

osr : {
    // Continue the running frame in its compiled code at ip, a block start,
    // then carry on as after its return (or its error).
    bool ok = runNative(vm, osrCode, frame, int32_t(ip - frame->fn->code));
    if (vm.depth < entryDepth) return ok;
    frame--;
    locals = frame->base;
    if (!ok) goto unwind;
    ip = frame->ip;
    DISPATCH();
}

unwind :
    // Find a handler in the innermost frame whose range holds where it
    // stopped, else pop the frame; stop at the frame this loop entered with.
    for (Instance* err = vm.refs.pending;;) {
    const RtFunction* f = frame->fn;
    uint32_t pc = frame->ip > f->code ? (frame->ip - 1)->pc : 0;
    const std::vector<Handler>& handlers = f->desc->handlers;
    for (size_t h = 0; h < handlers.size(); h++) {
        const Handler& hd = handlers[h];
        if (pc < hd.start || pc >= hd.end) continue;
        if (hd.catchClass != kNone && !instanceOf(err->cls, &classes[hd.catchClass])) continue;
        vm.refs.pending = nullptr;
        locals = frame->base;
        locals[f->nlocals].ref = err;
        // The rest of the frame's reach is scanned as roots (pushVmRoots)
        // and still holds the unwound frames' locals: clear it, so that
        // what they referenced can be collected (a program recovering
        // from OutOfMemoryError needs that room back).
        std::fill(locals + f->nlocals + 1, locals + f->frameSize, Value{.i = 0});
        clearDeadStackAfter(vm, err);
        ip = f->code + f->exec->handlerTargets[h];
        DISPATCH();
    }
    if (--vm.depth < entryDepth) return false;
    frame--;
}

#undef TRACE
#undef DISPATCH
#undef CASE
#undef NEXT
#undef R
#undef THROW
#undef CHECK_ALLOC
#undef ENTER
#undef BRANCH
#undef BRANCH_IF
#undef BINARY_INT
#undef BINARY_FLOAT
#undef COMPARE_FLOAT
#undef COMPARE_STRING
#undef WRAP
#undef U
}

}  // namespace

// The run ends here, like sys.exit, with a status of its own so that a
// caller can tell it from the program's errors.
void outOfBudget(Vm& vm) {
    if (vm.watchdog.fired()) vm.watchdog.endRun();
    hostWrite(HostStream::Err, outOfFuelMessage(vm.options.fuel));
    hostExit(kExitOutOfFuel);
}

String* concat(const String* a, const String* b) {
    std::string_view x = a ? view(a) : "null", y = b ? view(b) : "null";
    String* s = newStringUninit(int64_t(x.size() + y.size()));
    if (!s) return nullptr;
    std::memcpy(s->bytes, x.data(), x.size());
    std::memcpy(s->bytes + x.size(), y.data(), y.size());
    return s;
}

const RtFunction* interfaceTarget(InterfaceCache& cache, const RtClass* cls, uint16_t method) {
    if (cache.cls != cls) {
        cache.target = itableFor(cls, cache.iface).methods[method];
        cache.cls = cls;
    }
    return cache.target;
}

void clearDeadStackAfter(const Vm& vm, const Instance* err) {
    if (err->cls == vm.linked.errors[int(ErrorKind::OutOfMemory)]) gcClearDeadStack();
}

bool invokeBuiltin(Vm& vm, uint32_t id, Value* args) {
    const BuiltinEntry& b = builtinTable()[id];
    if (b.isMethod && !args[0].ref) {
        throwNullMethod(vm, b.name);
        return false;
    }
    if (b.stringArgs && nullStringArg(vm, b, args)) return false;
    // std::bad_alloc from a builtin's malloc'd scratch: OutOfMemoryError.
    guardNativeAllocation(vm, [&] { b.fn(vm, args); });
    return !vm.refs.pending;
}

// The counter ends the run when it reaches 0, after opts.fuel back-edges and calls.
Vm::Vm(const LinkedProgram& linked, const RunOptions& opts)
    : program(*linked.program),
      linked(linked),
      options(opts),
      fuel(opts.fuel ? opts.fuel + 1 : UINT64_MAX),
      watchdog(opts.timeoutSeconds, fuel) {
    size_t slots = std::max(kMinStackSlots, size_t(opts.maxFrames) * kSlotsPerFrame);
    // Plain malloc: glibc maps blocks this large lazily, and the stack is a
    // root source rather than GC memory (gc.hpp).
    stackBase = static_cast<Value*>(std::malloc(slots * sizeof(Value)));
    frames = static_cast<Frame*>(std::malloc((size_t(opts.maxFrames) + 1) * sizeof(Frame)));
    stackEnd = stackBase ? stackBase + slots : nullptr;
    roots.push = pushVmRoots;
    roots.ctx = this;
    gcAddRootSource(&roots);
}

Vm::~Vm() {
    gcRemoveRootSource(&roots);
    std::free(stackBase);
    std::free(frames);
}

bool callFunction(Vm& vm, const RtFunction* fn, Closure* closure, const Value* args, uint32_t nargs, Value* result) {
    Value* base = vm.stackBase;
    if (vm.depth > 0) {
        const Frame& top = vm.frames[vm.depth - 1];
        base = top.base + top.fn->frameSize;
    }
    if (vm.depth >= vm.options.maxFrames || base + fn->frameSize > vm.stackEnd || nativeStackExhausted(vm)) {
        throwStackOverflow(vm);
        return false;
    }
    if (nargs > 0) std::memmove(base, args, nargs * sizeof(Value));
    for (uint32_t i = nargs; i < fn->nlocals; i++) base[i].i = 0;
    vm.frames[vm.depth] = Frame{fn, base, base, fn->code, closure};
    std::atomic_signal_fence(std::memory_order_seq_cst);
    vm.depth++;
    NativeCode native = loadNative(fn->native);
    if (!native && ++fn->hotness >= vm.jitThreshold) native = tierUp(vm, fn);
    bool ok;
    if (native) {
        ok = runNative(vm, native, &vm.frames[vm.depth - 1], -1);
    } else {
        Tier outer = vm.tier.load(std::memory_order_relaxed);
        vm.tier.store(Tier::Interpreter, std::memory_order_relaxed);
        ok = vm.options.trace ? run<true>(vm) : run<false>(vm);
        vm.tier.store(outer, std::memory_order_relaxed);
    }
    if (ok && fn->returnsValue && result) *result = *base;
    return ok;
}

bool callClosure(Vm& vm, Closure* closure, const Value* args, uint32_t nargs, Value* result) {
    if (!closure) {
        throwError(vm, ErrorKind::Null, "call of null function");
        return false;
    }
    return callFunction(vm, closure->fn, closure, args, nargs, result);
}

}  // namespace nido::vm
