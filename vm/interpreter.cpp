// The dispatch loop (design in interpreter.hpp).
//
// Dispatch is computed goto (GCC/Clang labels as values) with a switch
// fallback; define NIDO_SWITCH_DISPATCH to force the switch. Both are
// expanded from opcodes.def. The loop keeps ip, sp, locals and the frame
// in locals so the compiler can hold them in registers; instructions
// decode their operands in place and advance ip at their end, so while
// an instruction runs ip points at its opcode.
//
// Where a frame stopped is written to Frame::ip only when it matters: at
// calls (the resume point) and before anything throws (one past the
// instruction's first byte). Either way Frame::ip - 1 lies inside the
// instruction, which is what handler ranges and line tables are matched
// against.
#include "vm/interpreter.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/disasm.hpp"
#include "vm/exceptions.hpp"
#include "vm/host.hpp"
#include "vm/map.hpp"
#include "vm/opcodes.hpp"

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

// The --fuel budget ran out: the run ends here, like sys.exit, with its own
// status (3) so that a caller can tell it from the program's errors.
[[noreturn]] void outOfFuel(const Vm& vm) {
    hostWrite(HostStream::Err,
              fmt::format("nido: out of fuel after {} loop iterations and calls (--fuel)\n", vm.options.fuel));
    hostExit(3);
}

// Operands are little-endian (docs/vm-contract.md, module format).
inline uint16_t rd16(const uint8_t* p) {
    if constexpr (std::endian::native == std::endian::little) {
        uint16_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    } else {
        return uint16_t(p[0] | p[1] << 8);
    }
}

inline uint32_t rd32(const uint8_t* p) {
    if constexpr (std::endian::native == std::endian::little) {
        uint32_t v;
        std::memcpy(&v, p, sizeof v);
        return v;
    } else {
        return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
    }
}

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

// a + b for CONCAT, null sides reading "null"; nullptr when out of memory.
String* concat(const String* a, const String* b) {
    std::string_view x = a ? view(a) : "null", y = b ? view(b) : "null";
    String* s = newStringUninit(int64_t(x.size() + y.size()));
    if (!s) return nullptr;
    std::memcpy(s->bytes, x.data(), x.size());
    std::memcpy(s->bytes + x.size(), y.data(), y.size());
    return s;
}

[[gnu::cold]] void traceInstruction(Vm& vm, const Frame* frame, const uint8_t* ip, const Value* sp) {
    const RtFunction* fn = frame->fn;
    long height = long(sp - (frame->base + fn->nlocals));
    std::string insn = disassembleInstruction(vm.program, *fn->desc, uint32_t(ip - fn->code));
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
    Value* sp = locals + frame->fn->nlocals;
    const uint8_t* ip = frame->fn->code;

#define TRACE()                                                    \
    do {                                                           \
        if constexpr (kTrace) traceInstruction(vm, frame, ip, sp); \
    } while (0)
#if NIDO_COMPUTED_GOTO
    static const void* const kLabels[] = {
#define OP(name, fmt, pops, pushes, doc) &&L_##name,
#include "vm/opcodes.def"
#undef OP
    };
#define DISPATCH()          \
    do {                    \
        TRACE();            \
        goto* kLabels[*ip]; \
    } while (0)
#define CASE(name) L_##name:
#else
#define DISPATCH() goto dispatch
#define CASE(name) case Op::name:
#endif
#define NEXT(len)    \
    do {             \
        ip += (len); \
        DISPATCH();  \
    } while (0)
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
    // Pushes a frame for callee, whose nargs arguments are on top of the
    // stack; its result will go to retSlot. len is the call's length.
#define ENTER(callee, nargs, retSlot, clo, len)                               \
    do {                                                                      \
        const RtFunction* callee_ = (callee);                                 \
        Value* base_ = sp - (nargs);                                          \
        frame->ip = ip + (len);                                               \
        if (--vm.fuel == 0) outOfFuel(vm);                                    \
        if (vm.depth >= maxFrames || base_ + callee_->frameSize > stackEnd) { \
            throwStackOverflow(vm);                                           \
            goto unwind;                                                      \
        }                                                                     \
        Frame* next_ = frame + 1;                                             \
        *next_ = Frame{callee_, base_, (retSlot), callee_->code, (clo)};      \
        /* The collector may read the frame as soon as depth counts it. */    \
        std::atomic_signal_fence(std::memory_order_seq_cst);                  \
        vm.depth++;                                                           \
        frame = next_;                                                        \
        locals = base_;                                                       \
        sp = base_ + callee_->nlocals;                                        \
        for (Value* p_ = base_ + (nargs); p_ < sp; p_++) p_->i = 0;           \
        ip = callee_->code;                                                   \
        DISPATCH();                                                           \
    } while (0)
    // A taken branch; a backward one (a loop's back-edge) spends fuel.
#define BRANCH()                                          \
    do {                                                  \
        int32_t offset_ = int32_t(rd32(ip + 1));          \
        if (offset_ < 0 && --vm.fuel == 0) outOfFuel(vm); \
        ip += offset_;                                    \
        DISPATCH();                                       \
    } while (0)
    // Bodies of the binary instructions; each use is a case block of its own.
#define BINARY_INT(expr)                \
    int64_t b = sp[-1].i, a = sp[-2].i; \
    sp--;                               \
    sp[-1].i = (expr);                  \
    NEXT(1)
#define BINARY_FLOAT(expr)             \
    double b = sp[-1].f, a = sp[-2].f; \
    sp--;                              \
    sp[-1].f = (expr);                 \
    NEXT(1)
#define COMPARE_FLOAT(op)              \
    double b = sp[-1].f, a = sp[-2].f; \
    sp--;                              \
    sp[-1].i = a op b;                 \
    NEXT(1)
#define COMPARE_STRING(op)                                                        \
    String *b = str(sp[-1]), *a = str(sp[-2]);                                    \
    if (!a || !b) THROW(throwError(vm, ErrorKind::Null, "comparison with null")); \
    sp--;                                                                         \
    sp[-1].i = compareStrings(a, b) op 0;                                         \
    NEXT(1)
#define WRAP(expr) int64_t(expr)
#define U(x) uint64_t(x)

#if NIDO_COMPUTED_GOTO
    DISPATCH();
#else
dispatch:
    TRACE();
    switch (Op(*ip)) {
#endif

    // Constants and stack shuffling.
    CASE(NOP) { NEXT(1); }
    CASE(CONST) {
        *sp++ = consts[rd32(ip + 1)];
        NEXT(5);
    }
    CASE(PUSH_INT) {
        (sp++)->i = int32_t(rd32(ip + 1));
        NEXT(5);
    }
    CASE(PUSH_NULL) {
        (sp++)->ref = nullptr;
        NEXT(1);
    }
    CASE(PUSH_TRUE) {
        (sp++)->i = 1;
        NEXT(1);
    }
    CASE(PUSH_FALSE) {
        (sp++)->i = 0;
        NEXT(1);
    }
    CASE(POP) {
        sp--;
        NEXT(1);
    }
    CASE(DUP) {
        sp[0] = sp[-1];
        sp++;
        NEXT(1);
    }

    // Variables.
    CASE(LOAD_LOCAL) {
        *sp++ = locals[rd16(ip + 1)];
        NEXT(3);
    }
    CASE(STORE_LOCAL) {
        locals[rd16(ip + 1)] = *--sp;
        NEXT(3);
    }
    CASE(LOAD_GLOBAL) {
        *sp++ = globals[rd32(ip + 1)];
        NEXT(5);
    }
    CASE(STORE_GLOBAL) {
        globals[rd32(ip + 1)] = *--sp;
        NEXT(5);
    }
    CASE(LOAD_CAPTURE) {
        *sp++ = frame->closure->captures[rd16(ip + 1)];
        NEXT(3);
    }
    CASE(BOX_NEW) {
        Box* box = newBox(sp[-1]);
        CHECK_ALLOC(box);
        sp[-1].ref = box;
        NEXT(5);
    }
    // A Box-typed local is null until its BOX_NEW, and MAKE_CLOSURE accepts
    // null captures: the verifier cannot exclude a null box.
    CASE(BOX_GET) {
        Box* box = static_cast<Box*>(sp[-1].ref);
        if (!box) THROW(throwError(vm, ErrorKind::Null, "null box"));
        sp[-1] = box->value;
        NEXT(1);
    }
    CASE(BOX_SET) {
        Box* box = static_cast<Box*>(sp[-2].ref);
        if (!box) THROW(throwError(vm, ErrorKind::Null, "null box"));
        box->value = sp[-1];
        sp -= 2;
        NEXT(1);
    }
    CASE(GET_FIELD) {
        Obj* o = sp[-1].ref;
        uint16_t f = rd16(ip + 5);
        if (!o) THROW(throwNullField(vm, classes[rd32(ip + 1)].fields[f]->name));
        sp[-1] = static_cast<Instance*>(o)->fields[f];
        NEXT(7);
    }
    CASE(SET_FIELD) {
        Obj* o = sp[-2].ref;
        uint16_t f = rd16(ip + 5);
        if (!o) THROW(throwNullField(vm, classes[rd32(ip + 1)].fields[f]->name));
        static_cast<Instance*>(o)->fields[f] = sp[-1];
        sp -= 2;
        NEXT(7);
    }

    // Int arithmetic: wrapping through uint64_t.
    CASE(IADD) { BINARY_INT(WRAP(U(a) + U(b))); }
    CASE(ISUB) { BINARY_INT(WRAP(U(a) - U(b))); }
    CASE(IMUL) { BINARY_INT(WRAP(U(a) * U(b))); }
    CASE(IDIV) {
        int64_t b = sp[-1].i, a = sp[-2].i;
        if (b == 0) THROW(throwError(vm, ErrorKind::Arithmetic, "division by zero"));
        sp--;
        sp[-1].i = b == -1 ? WRAP(0 - U(a)) : a / b;  // MIN / -1 is MIN
        NEXT(1);
    }
    CASE(IREM) {
        int64_t b = sp[-1].i, a = sp[-2].i;
        if (b == 0) THROW(throwError(vm, ErrorKind::Arithmetic, "division by zero"));
        sp--;
        sp[-1].i = b == -1 ? 0 : a % b;
        NEXT(1);
    }
    CASE(INEG) {
        sp[-1].i = WRAP(0 - U(sp[-1].i));
        NEXT(1);
    }
    CASE(IAND) { BINARY_INT(a & b); }
    CASE(IOR) { BINARY_INT(a | b); }
    CASE(IXOR) { BINARY_INT(a ^ b); }
    CASE(ISHL) { BINARY_INT(WRAP(U(a) << (b & 63))); }
    CASE(ISHR) { BINARY_INT(a >> (b & 63)); }
    CASE(IUSHR) { BINARY_INT(WRAP(U(a) >> (b & 63))); }
    CASE(INOT) {
        sp[-1].i = ~sp[-1].i;
        NEXT(1);
    }

    // Float arithmetic.
    CASE(FADD) { BINARY_FLOAT(a + b); }
    CASE(FSUB) { BINARY_FLOAT(a - b); }
    CASE(FMUL) { BINARY_FLOAT(a * b); }
    CASE(FDIV) { BINARY_FLOAT(a / b); }
    CASE(FREM) { BINARY_FLOAT(std::fmod(a, b)); }
    CASE(FNEG) {
        sp[-1].f = -sp[-1].f;
        NEXT(1);
    }
    CASE(I2F) {
        sp[-1].f = double(sp[-1].i);
        NEXT(1);
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
        bool eq = stringsEqual(str(sp[-2]), str(sp[-1]));
        sp--;
        sp[-1].i = eq;
        NEXT(1);
    }
    CASE(SNE) {
        bool eq = stringsEqual(str(sp[-2]), str(sp[-1]));
        sp--;
        sp[-1].i = !eq;
        NEXT(1);
    }
    CASE(SLT) { COMPARE_STRING(<); }
    CASE(SLE) { COMPARE_STRING(<=); }
    CASE(SGT) { COMPARE_STRING(>); }
    CASE(SGE) { COMPARE_STRING(>=); }
    CASE(REQ) {
        bool same = sp[-2].ref == sp[-1].ref;
        sp--;
        sp[-1].i = same;
        NEXT(1);
    }
    CASE(RNE) {
        bool same = sp[-2].ref == sp[-1].ref;
        sp--;
        sp[-1].i = !same;
        NEXT(1);
    }
    CASE(NOT) {
        sp[-1].i = !sp[-1].i;
        NEXT(1);
    }
    CASE(CONCAT) {
        String* s = concat(str(sp[-2]), str(sp[-1]));
        CHECK_ALLOC(s);
        sp--;
        sp[-1].ref = s;
        NEXT(1);
    }

    // Control flow.
    CASE(JUMP) { BRANCH(); }
    CASE(JUMP_IF_FALSE) {
        sp--;
        if (!sp->i) BRANCH();
        NEXT(5);
    }
    CASE(JUMP_IF_TRUE) {
        sp--;
        if (sp->i) BRANCH();
        NEXT(5);
    }

    // Objects, arrays and maps.
    CASE(IS) {
        Obj* o = sp[-1].ref;
        sp[-1].i =
            o && o->kind == ObjKind::Instance && instanceOf(static_cast<Instance*>(o)->cls, &classes[rd32(ip + 1)]);
        NEXT(5);
    }
    CASE(AS) {
        Obj* o = sp[-1].ref;
        const RtClass* target = &classes[rd32(ip + 1)];
        if (o && !(o->kind == ObjKind::Instance && instanceOf(static_cast<Instance*>(o)->cls, target))) {
            THROW(throwCastError(vm, o, target));
        }
        NEXT(5);
    }
    CASE(NEW) {
        const RtClass* c = &classes[rd32(ip + 1)];
        Instance* o = newInstance(c, c->slotCount);
        CHECK_ALLOC(o);
        (sp++)->ref = o;
        NEXT(5);
    }
    CASE(NEW_ARRAY) {
        uint32_t n = rd32(ip + 5);
        Array* a = newArray(types[rd32(ip + 1)].elem, n, n);
        CHECK_ALLOC(a);
        sp -= n;
        std::memcpy(a->data, sp, n * sizeof(Value));
        (sp++)->ref = a;
        NEXT(9);
    }
    CASE(NEW_ARRAY_FILL) {
        int64_t n = sp[-2].i;
        if (n < 0) THROW(throwError(vm, ErrorKind::Value, fmt::format("negative array size {}", n)));
        Array* a = newArray(types[rd32(ip + 1)].elem, n, n);
        CHECK_ALLOC(a);
        std::fill_n(a->data, n, sp[-1]);
        sp--;
        sp[-1].ref = a;
        NEXT(5);
    }
    CASE(NEW_MAP) {
        uint32_t n = rd32(ip + 5);
        const TypeKinds& t = types[rd32(ip + 1)];
        Map* m = newMap(t.key, t.value, n);
        CHECK_ALLOC(m);
        Value* pairs = sp - 2 * size_t(n);
        for (uint32_t i = 0; i < n; i++) CHECK_ALLOC(mapSet(m, pairs[2 * i], pairs[2 * i + 1]));
        sp = pairs;
        (sp++)->ref = m;
        NEXT(9);
    }
    CASE(ARRAY_GET) {
        Array* a = static_cast<Array*>(sp[-2].ref);
        int64_t i = sp[-1].i;
        if (!a) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(a->len)) THROW(throwIndexError(vm, i, a->len));
        sp--;
        sp[-1] = a->data[i];
        NEXT(1);
    }
    CASE(ARRAY_SET) {
        Array* a = static_cast<Array*>(sp[-3].ref);
        int64_t i = sp[-2].i;
        if (!a) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(a->len)) THROW(throwIndexError(vm, i, a->len));
        a->data[i] = sp[-1];
        sp -= 3;
        NEXT(1);
    }
    CASE(MAP_GET) {
        Map* m = static_cast<Map*>(sp[-2].ref);
        if (!m) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        Value* v = mapFind(m, sp[-1]);
        if (!v) THROW(throwKeyError(vm, m, sp[-1]));
        sp--;
        sp[-1] = *v;
        NEXT(1);
    }
    CASE(MAP_SET) {
        Map* m = static_cast<Map*>(sp[-3].ref);
        if (!m) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        CHECK_ALLOC(mapSet(m, sp[-2], sp[-1]));
        sp -= 3;
        NEXT(1);
    }
    CASE(STRING_GET) {
        String* s = str(sp[-2]);
        int64_t i = sp[-1].i;
        if (!s) THROW(throwError(vm, ErrorKind::Null, "index into null"));
        if (U(i) >= U(s->len)) THROW(throwIndexError(vm, i, s->len));
        sp--;
        sp[-1].i = uint8_t(s->bytes[i]);
        NEXT(1);
    }

    // Calls.
    CASE(CALL) {
        const RtFunction* f = &functions[rd32(ip + 1)];
        ENTER(f, f->nparams, sp - f->nparams, nullptr, 5);
    }
    CASE(CALL_VIRTUAL) {
        uint16_t slot = rd16(ip + 5);
        const RtFunction* declared = classes[rd32(ip + 1)].vtable[slot];
        uint32_t n = declared->nparams;
        Obj* receiver = sp[-int64_t(n)].ref;
        if (!receiver) THROW(throwNullMethod(vm, declared->shortName));
        ENTER(static_cast<Instance*>(receiver)->cls->vtable[slot], n, sp - n, nullptr, 7);
    }
    CASE(CALL_INTERFACE) {
        uint32_t iface = rd32(ip + 1);
        uint16_t m = rd16(ip + 5);
        const RtFunction* declared = classes[iface].vtable[m];
        uint32_t n = declared->nparams;
        Obj* receiver = sp[-int64_t(n)].ref;
        if (!receiver) THROW(throwNullMethod(vm, declared->shortName));
        ENTER(itableFor(static_cast<Instance*>(receiver)->cls, iface).methods[m], n, sp - n, nullptr, 7);
    }
    CASE(CALL_CLOSURE) {
        uint32_t n = types[rd32(ip + 1)].arity;
        auto* c = static_cast<Closure*>(sp[-int64_t(n) - 1].ref);
        if (!c) THROW(throwError(vm, ErrorKind::Null, "call of null function"));
        ENTER(c->fn, n, sp - n - 1, c, 5);
    }
    CASE(CALL_BUILTIN) {
        const BuiltinEntry& b = builtins[rd16(ip + 1)];
        Value* args = sp - b.nargs;
        frame->ip = ip + 3;  // the resume point: re-entrant calls and traces read it
        if (b.isMethod && !args[0].ref) {
            throwNullMethod(vm, b.name);
            goto unwind;
        }
        if (b.stringArgs && nullStringArg(vm, b, args)) goto unwind;
        // std::bad_alloc from a builtin's malloc'd scratch: OutOfMemoryError.
        guardNativeAllocation(vm, [&] { b.fn(vm, args); });
        if (vm.refs.pending) goto unwind;
        sp = args + b.hasResult;
        NEXT(3);
    }
    CASE(MAKE_CLOSURE) {
        const RtFunction* f = &functions[rd32(ip + 1)];
        uint32_t n = f->ncaptures;
        Closure* c = newClosure(f, n);
        CHECK_ALLOC(c);
        sp -= n;
        std::memcpy(c->captures, sp, n * sizeof(Value));
        (sp++)->ref = c;
        NEXT(5);
    }
    CASE(RETURN) {
        Value* ret = frame->ret;
        *ret = sp[-1];
        if (--vm.depth < entryDepth) return true;
        sp = ret + 1;
        frame--;
        locals = frame->base;
        ip = frame->ip;
        DISPATCH();
    }
    CASE(RETURN_VOID) {
        Value* ret = frame->ret;
        if (--vm.depth < entryDepth) return true;
        sp = ret;
        frame--;
        locals = frame->base;
        ip = frame->ip;
        DISPATCH();
    }
    CASE(THROW) {
        Obj* e = (--sp)->ref;
        if (!e) THROW(throwError(vm, ErrorKind::Null, "throw of null"));
        THROW(throwObject(vm, static_cast<Instance*>(e)));
    }

#if !NIDO_COMPUTED_GOTO
}
#endif

unwind :
    // Find a handler in the innermost frame whose range holds where it
    // stopped, else pop the frame; stop at the frame this loop entered with.
    for (Instance* err = vm.refs.pending;;) {
    const RtFunction* f = frame->fn;
    uint32_t pc = uint32_t(frame->ip - f->code) - 1;
    for (const Handler& h : f->desc->handlers) {
        if (pc >= h.start && pc < h.end && (h.catchClass == kNone || instanceOf(err->cls, &classes[h.catchClass]))) {
            vm.refs.pending = nullptr;
            locals = frame->base;
            sp = locals + f->nlocals;
            (sp++)->ref = err;
            // The rest of the frame's reach is scanned as roots (pushVmRoots)
            // and still holds the unwound frames' locals: clear it, so that
            // what they referenced can be collected (a program recovering
            // from OutOfMemoryError needs that room back).
            std::fill(sp, locals + f->frameSize, Value{.i = 0});
            if (err->cls == vm.linked.errors[int(ErrorKind::OutOfMemory)]) gcClearDeadStack();
            ip = f->code + h.target;
            DISPATCH();
        }
    }
    if (--vm.depth < entryDepth) return false;
    frame--;
}

#undef TRACE
#undef DISPATCH
#undef CASE
#undef NEXT
#undef THROW
#undef CHECK_ALLOC
#undef ENTER
#undef BRANCH
#undef BINARY_INT
#undef BINARY_FLOAT
#undef COMPARE_FLOAT
#undef COMPARE_STRING
#undef WRAP
#undef U
}

}  // namespace

Vm::Vm(const LinkedProgram& linked, const RunOptions& opts) : program(*linked.program), linked(linked), options(opts) {
    size_t slots = std::max(kMinStackSlots, size_t(opts.maxFrames) * kSlotsPerFrame);
    // Plain malloc: glibc maps blocks this large lazily, and the stack is a
    // root source rather than GC memory (gc.hpp).
    stackBase = static_cast<Value*>(std::malloc(slots * sizeof(Value)));
    frames = static_cast<Frame*>(std::malloc((size_t(opts.maxFrames) + 1) * sizeof(Frame)));
    stackEnd = stackBase ? stackBase + slots : nullptr;
    if (opts.fuel) fuel = opts.fuel + 1;  // the counter ends the run when it reaches 0
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
    bool ok = vm.options.trace ? run<true>(vm) : run<false>(vm);
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
