// The bytecode check of one function: decode every instruction, then run a
// data-flow pass over the operand stack. Locals need no tracking: each has a
// declared type and every store is checked against it, so the only state is
// the stack of value types.
//
// Stacks are interned as linked nodes (below, type): a push is one hash
// lookup, a stack is one id, and two stacks are equal exactly when their ids
// are. States are stored only at join points (pc 0, branch and handler
// targets); straight-line code between them carries the current stack along.
#include "vm/verifier_code.hpp"

#include <unordered_map>

#include <fmt/format.h>

#include "vm/opcodes.hpp"
#include "vm/signature.hpp"

namespace nido::vm {
namespace {

constexpr uint8_t kStart = 1;  // an instruction begins at this byte
constexpr uint8_t kJoin = 2;   // ... and control may arrive from elsewhere

uint16_t readU16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t readU32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

bool isBranch(Op op) { return op == Op::JUMP || op == Op::JUMP_IF_FALSE || op == Op::JUMP_IF_TRUE; }

// Type variables of builtin signatures (T U K V), bound on first occurrence.
struct Bindings {
    uint32_t var[4] = {kNone, kNone, kNone, kNone};
    uint32_t& operator[](char c) { return var[c == 'T' ? 0 : c == 'U' ? 1 : c == 'K' ? 2 : 3]; }
};

class CodeVerifier {
public:
    CodeVerifier(const CodeContext& ctx, uint32_t f, std::string& error)
        : p_(ctx.program), t_(ctx.types), ctx_(ctx), fn_(ctx.program.functions[f]), error_(error) {}

    bool run() {
        slots_.push_back({kNone, kNone, 0});  // id 0: the empty stack
        if (!decode()) return false;
        entry_.emplace(0, 0);
        work_.push_back(0);
        for (size_t h = 0; h < fn_.handlers.size(); h++) {
            const Handler& hd = fn_.handlers[h];
            uint32_t cls = hd.catchClass == kNone ? ctx_.errorClass : hd.catchClass;
            pc_ = hd.target;
            if (!flowTo(hd.target, pushed(0, t_.classType(cls)))) return false;
        }
        while (!work_.empty()) {
            uint32_t pc = work_.back();
            work_.pop_back();
            if (!block(pc)) return false;
        }
        return true;
    }

private:
    struct Slot {
        uint32_t below, type, depth;
    };

    bool fail(std::string_view what) {
        error_ = fmt::format("in {} at byte {}: {}", printable(fn_.name), pc_, what);
        return false;
    }
    const char* opName() const { return opInfo(op_).name; }
    std::string typeName(uint32_t id) const { return t_.name(id); }

    // Marks instruction starts and join points; checks opcodes, operand
    // lengths, branch targets and handler offsets.
    bool decode() {
        const size_t size = fn_.code.size();
        marks_.assign(size, 0);
        std::vector<std::pair<uint32_t, int64_t>> branches;
        for (uint32_t pc = 0; pc < size;) {
            pc_ = pc;
            marks_[pc] = kStart;
            uint8_t byte = fn_.code[pc];
            if (byte >= kOpCount) return fail(fmt::format("unknown opcode 0x{:02X}", byte));
            Op op = Op(byte);
            uint32_t len = instructionLength(op);
            if (size - pc < len) return fail(fmt::format("{} operand runs past the end of the code", opInfo(op).name));
            if (isBranch(op)) branches.push_back({pc, int64_t(pc) + int32_t(readU32(&fn_.code[pc + 1]))});
            pc += len;
        }
        auto isStart = [&](int64_t at) { return at >= 0 && at < int64_t(size) && (marks_[at] & kStart); };
        for (auto [pc, target] : branches) {
            pc_ = pc;
            if (!isStart(target)) return fail(fmt::format("jump target {} is not an instruction start", target));
            marks_[target] |= kJoin;
        }
        marks_[0] |= kJoin;
        for (size_t h = 0; h < fn_.handlers.size(); h++) {
            const Handler& hd = fn_.handlers[h];
            pc_ = hd.start;
            if (!isStart(hd.start) || !(hd.end == size || isStart(hd.end)) || !isStart(hd.target)) {
                return fail(fmt::format("handler {} offsets are not instruction starts", h));
            }
            marks_[hd.target] |= kJoin;
        }
        return true;
    }

    // Verifies straight-line code from join point pc until control leaves
    // it or reaches the next join point.
    bool block(uint32_t pc) {
        stack_ = entry_.at(pc);
        while (true) {
            pc_ = pc;
            op_ = Op(fn_.code[pc]);
            bool fallsThrough = true;
            if (!step(fn_.code.data() + pc + 1, fallsThrough)) return false;
            if (!fallsThrough) return true;
            pc += instructionLength(op_);
            if (pc == fn_.code.size()) return fail("execution falls off the end of the code");
            if (marks_[pc] & kJoin) return flowTo(pc, stack_);
        }
    }

    // Merges stack into the state at join point target, queueing it when
    // the state is new or changed.
    bool flowTo(uint32_t target, uint32_t stack) {
        auto [it, added] = entry_.emplace(target, stack);
        if (added) {
            work_.push_back(target);
            return true;
        }
        uint32_t merged = merge(it->second, stack);
        if (merged == kNone) {
            return fail(fmt::format("stack {} does not match {} at byte {}", show(stack), show(it->second), target));
        }
        if (merged != it->second) {
            it->second = merged;
            work_.push_back(target);
        }
        return true;
    }

    // Equal stacks merge to themselves; null merges with any reference type
    // into that type; anything else does not merge (kNone).
    uint32_t merge(uint32_t a, uint32_t b) {
        if (a == b) return a;
        if (slots_[a].depth != slots_[b].depth) return kNone;
        std::vector<uint32_t> top;  // merged types above the shared part, top first
        while (a != b) {
            uint32_t ta = slots_[a].type, tb = slots_[b].type;
            if (ta == tb || (ta == kTypeNull && t_.isRef(tb))) {
                top.push_back(tb);
            } else if (tb == kTypeNull && t_.isRef(ta)) {
                top.push_back(ta);
            } else {
                return kNone;
            }
            a = slots_[a].below;
            b = slots_[b].below;
        }
        for (size_t i = top.size(); i-- > 0;) a = pushed(a, top[i]);
        return a;
    }

    uint32_t pushed(uint32_t below, uint32_t type) {
        uint64_t key = uint64_t(below) << 32 | type;
        auto [it, added] = slotIndex_.emplace(key, uint32_t(slots_.size()));
        if (added) slots_.push_back({below, type, slots_[below].depth + 1});
        return it->second;
    }

    // "[int, string]", bottom first; long stacks show their top only.
    std::string show(uint32_t s) const {
        constexpr int kShown = 6;
        std::vector<std::string> names;
        for (; s != 0 && names.size() < kShown; s = slots_[s].below) names.push_back(typeName(slots_[s].type));
        std::string out = s != 0 ? "[..., " : "[";
        for (size_t i = names.size(); i-- > 0;) out += names[i] + (i ? ", " : "");
        return out + "]";
    }

    bool push(uint32_t type) {
        if (slots_[stack_].depth >= fn_.maxStack) {
            return fail(fmt::format("{} pushes beyond maxStack {}", opName(), fn_.maxStack));
        }
        stack_ = pushed(stack_, type);
        return true;
    }
    bool pop(uint32_t& type) {
        if (stack_ == 0) return fail(fmt::format("{} pops from an empty stack", opName()));
        type = slots_[stack_].type;
        stack_ = slots_[stack_].below;
        return true;
    }
    bool mismatch(std::string_view want, uint32_t got, std::string_view role = {}) {
        return fail(fmt::format("{} expects {}{}, found {}", opName(), want, role, typeName(got)));
    }
    // Pops a value assignable to want; role names the operand in messages.
    bool popAs(uint32_t want, std::string_view role = {}) {
        uint32_t got = kNone;
        if (!pop(got)) return false;
        return t_.assignable(got, want) || mismatch(typeName(want), got, role);
    }
    // Pops a value of kind k (an array, a map, a box, a function).
    bool popKind(TypeKind k, const char* what, uint32_t& got) {
        if (!pop(got)) return false;
        return t_.kind(got) == k || mismatch(what, got);
    }
    bool popStringOrNull() {
        uint32_t got = kNone;
        if (!pop(got)) return false;
        return got == kTypeString || got == kTypeNull || mismatch("string", got);
    }
    bool popObjectOrNull() {
        uint32_t got = kNone;
        if (!pop(got)) return false;
        return got == kTypeNull || t_.kind(got) == TypeKind::Class || mismatch("an object", got);
    }
    bool binary(uint32_t operand, uint32_t result) { return popAs(operand) && popAs(operand) && push(result); }

    // Table lookups with range errors.
    bool typeOperand(uint32_t t, TypeKind k, const char* what, uint32_t& id) {
        if (t >= p_.types.size()) return fail(fmt::format("{} type {} out of range", opName(), t));
        id = t_.of(t);
        return t_.kind(id) == k || fail(fmt::format("{} needs {} type, {} is {}", opName(), what, t, typeName(id)));
    }
    bool classOperand(uint32_t c) {
        return c < p_.classes.size() || fail(fmt::format("{} class {} out of range", opName(), c));
    }
    bool functionOperand(uint32_t f) {
        return f < p_.functions.size() || fail(fmt::format("{} function {} out of range", opName(), f));
    }

    // Field f of class c's full layout; sets the class that declares it.
    const FieldDesc* field(uint32_t c, uint32_t f, uint32_t& declaring) {
        if (!classOperand(c)) return nullptr;
        const ClassDesc& cd = p_.classes[c];
        if (cd.flags & kClassInterface) {
            fail(fmt::format("{} on interface {}", opName(), printable(cd.name)));
            return nullptr;
        }
        if (f >= ctx_.layout[c] + cd.fields.size()) {
            fail(fmt::format("{} field {} out of range for class {}", opName(), f, printable(cd.name)));
            return nullptr;
        }
        uint32_t x = c;
        while (f < ctx_.layout[x]) x = p_.classes[x].super;
        declaring = x;
        return &p_.classes[x].fields[f - ctx_.layout[x]];
    }

    // Pops callee's arguments; receiver, if not kNone, replaces params[0]
    // (the static class of a virtual or interface call).
    bool popArgs(const FunctionDesc& callee, uint32_t receiver) {
        for (size_t i = callee.params.size(); i-- > 0;) {
            uint32_t want = i == 0 && receiver != kNone ? receiver : t_.of(callee.params[i]), got = kNone;
            if (!pop(got)) return false;
            if (!t_.assignable(got, want)) {
                return mismatch(typeName(want), got, fmt::format(" for argument {} of {}", i, printable(callee.name)));
            }
        }
        return true;
    }
    bool pushResult(uint32_t ret) { return ret == kTypeVoid || push(ret); }

    // Builtin signature matching. Top-level parameters take assignable
    // values; inside [ ], { } and function types types must be equal.
    bool matchParam(const SigType& s, uint32_t got, Bindings& b) {
        switch (s.kind) {
        case SigKind::String:
        case SigKind::Stringified: return got == kTypeString || got == kTypeNull;
        case SigKind::AnyRef: return t_.isRefOrNull(got);
        case SigKind::Var:
            if (b[s.var] == kNone) {
                b[s.var] = got;
                return true;
            }
            return t_.assignable(got, b[s.var]);
        default: return matchExact(s, got, b);
        }
    }
    bool matchExact(const SigType& s, uint32_t got, Bindings& b) {
        const TypeNode& n = t_.node(got);
        switch (s.kind) {
        case SigKind::Int: return got == kTypeInt;
        case SigKind::Float: return got == kTypeFloat;
        case SigKind::Bool: return got == kTypeBool;
        case SigKind::String:
        case SigKind::Stringified: return got == kTypeString;
        case SigKind::Void: return got == kTypeVoid;
        case SigKind::AnyRef: return t_.isRefOrNull(got);
        case SigKind::Var:
            if (b[s.var] == kNone) b[s.var] = got;
            return b[s.var] == got;
        case SigKind::Array: return n.kind == TypeKind::Array && matchExact(s.args[0], n.elem, b);
        case SigKind::Map:
            return n.kind == TypeKind::Map && matchExact(s.args[0], n.elem, b) && matchExact(s.args[1], n.value, b);
        case SigKind::Func:
            if (n.kind != TypeKind::Func || n.params.size() + 1 != s.args.size()) return false;
            for (size_t i = 0; i < n.params.size(); i++) {
                if (!matchExact(s.args[i], n.params[i], b)) return false;
            }
            return matchExact(s.args.back(), n.elem, b);
        }
        return false;
    }
    // The result type with variables replaced; kNone if not determined.
    uint32_t substitute(const SigType& s, Bindings& b) {
        switch (s.kind) {
        case SigKind::Int: return kTypeInt;
        case SigKind::Float: return kTypeFloat;
        case SigKind::Bool: return kTypeBool;
        case SigKind::String: return kTypeString;
        case SigKind::Void: return kTypeVoid;
        case SigKind::Var: return b[s.var];
        case SigKind::Array: {
            uint32_t e = substitute(s.args[0], b);
            return e == kNone ? kNone : t_.arrayOf(e);
        }
        case SigKind::Map: {
            uint32_t k = substitute(s.args[0], b), v = substitute(s.args[1], b);
            return k == kNone || v == kNone ? kNone : t_.mapOf(k, v);
        }
        case SigKind::Func: {
            std::vector<uint32_t> params;
            for (const SigType& a : s.args) {
                params.push_back(substitute(a, b));
                if (params.back() == kNone) return kNone;
            }
            uint32_t ret = params.back();
            params.pop_back();
            return t_.funcOf(params, ret);
        }
        default: return kNone;  // R and S describe arguments only
        }
    }
    bool callBuiltin(uint16_t id) {
        if (id >= kBuiltinCount) return fail(fmt::format("builtin {} out of range", id));
        const Signature& sig = builtinSignature(BuiltinId(id));
        const char* name = kBuiltinInfo[id].id;
        std::vector<uint32_t> args(sig.params.size());
        for (size_t i = args.size(); i-- > 0;) {
            if (!pop(args[i])) return false;
        }
        Bindings b;
        for (size_t i = 0; i < args.size(); i++) {
            if (!matchParam(sig.params[i], args[i], b)) {
                return fail(fmt::format("CALL_BUILTIN {} argument {} does not accept {}", name, i, typeName(args[i])));
            }
        }
        uint32_t ret = substitute(sig.result, b);
        if (ret == kNone) return fail(fmt::format("CALL_BUILTIN {} result type cannot be formed", name));
        return pushResult(ret);
    }

    bool step(const uint8_t* o, bool& fallsThrough);

    const Program& p_;
    TypeModel& t_;
    const CodeContext& ctx_;
    const FunctionDesc& fn_;
    std::string& error_;

    std::vector<Slot> slots_;
    std::unordered_map<uint64_t, uint32_t> slotIndex_;
    std::vector<uint8_t> marks_;
    std::unordered_map<uint32_t, uint32_t> entry_;  // join point -> stack on entry
    std::vector<uint32_t> work_;                    // join points whose state changed
    uint32_t pc_ = 0;
    Op op_ = Op::NOP;
    uint32_t stack_ = 0;
};

// One instruction's effect on stack_. fallsThrough is cleared after an
// unconditional transfer (JUMP, returns, THROW).
bool CodeVerifier::step(const uint8_t* o, bool& fallsThrough) {
    uint32_t a = 0, b = 0, t = 0;
    switch (op_) {
    case Op::NOP: return true;
    case Op::CONST: {
        uint32_t k = readU32(o);
        if (k >= p_.constants.size()) return fail(fmt::format("constant {} out of range", k));
        ConstKind kind = p_.constants[k].kind;
        return push(kind == ConstKind::Int ? kTypeInt : kind == ConstKind::Float ? kTypeFloat : kTypeString);
    }
    case Op::PUSH_INT: return push(kTypeInt);
    case Op::PUSH_NULL: return push(kTypeNull);
    case Op::PUSH_TRUE:
    case Op::PUSH_FALSE: return push(kTypeBool);
    case Op::POP: return pop(t);
    case Op::DUP: return pop(t) && push(t) && push(t);

    case Op::LOAD_LOCAL:
    case Op::STORE_LOCAL: {
        uint16_t n = readU16(o);
        if (n >= fn_.locals.size()) return fail(fmt::format("local {} out of range", n));
        return op_ == Op::LOAD_LOCAL ? push(t_.of(fn_.locals[n])) : popAs(t_.of(fn_.locals[n]));
    }
    case Op::LOAD_GLOBAL:
    case Op::STORE_GLOBAL: {
        uint32_t g = readU32(o);
        if (g >= p_.globals.size()) return fail(fmt::format("global {} out of range", g));
        return op_ == Op::LOAD_GLOBAL ? push(t_.of(p_.globals[g].type)) : popAs(t_.of(p_.globals[g].type));
    }
    case Op::LOAD_CAPTURE: {
        uint16_t n = readU16(o);
        if (!(fn_.flags & kFnLambda)) return fail("LOAD_CAPTURE outside a lambda");
        if (n >= fn_.captures.size()) return fail(fmt::format("capture {} out of range", n));
        return push(t_.of(fn_.captures[n]));
    }
    case Op::BOX_NEW: return typeOperand(readU32(o), TypeKind::Box, "a box", t) && popAs(t_.node(t).elem) && push(t);
    case Op::BOX_GET: return popKind(TypeKind::Box, "a box", t) && push(t_.node(t).elem);
    case Op::BOX_SET:
        return pop(a) && popKind(TypeKind::Box, "a box", t) &&
               (t_.assignable(a, t_.node(t).elem) || mismatch(typeName(t_.node(t).elem), a, " as box value"));

    case Op::GET_FIELD:
    case Op::SET_FIELD: {
        uint32_t c = readU32(o), declaring = kNone;
        const FieldDesc* f = field(c, readU16(o + 4), declaring);
        if (!f) return false;
        if (op_ == Op::GET_FIELD) return popAs(t_.classType(c), " as receiver") && push(t_.of(f->type));
        if (f->isLet && (!(fn_.flags & kFnConstructor) || fn_.owner != declaring)) {
            return fail(fmt::format("SET_FIELD of let field {} outside the constructor of {}", printable(f->name),
                                    printable(p_.classes[declaring].name)));
        }
        return popAs(t_.of(f->type), " as field value") && popAs(t_.classType(c), " as receiver");
    }

    case Op::IADD:
    case Op::ISUB:
    case Op::IMUL:
    case Op::IDIV:
    case Op::IREM:
    case Op::IAND:
    case Op::IOR:
    case Op::IXOR:
    case Op::ISHL:
    case Op::ISHR:
    case Op::IUSHR: return binary(kTypeInt, kTypeInt);
    case Op::INEG:
    case Op::INOT: return popAs(kTypeInt) && push(kTypeInt);
    case Op::FADD:
    case Op::FSUB:
    case Op::FMUL:
    case Op::FDIV:
    case Op::FREM: return binary(kTypeFloat, kTypeFloat);
    case Op::FNEG: return popAs(kTypeFloat) && push(kTypeFloat);
    case Op::I2F: return popAs(kTypeInt) && push(kTypeFloat);

    case Op::IEQ:
    case Op::INE:
        if (!pop(b) || !pop(a)) return false;
        if (a != b || (a != kTypeInt && a != kTypeBool)) {
            return fail(
                fmt::format("{} expects two ints or two bools, found {} and {}", opName(), typeName(a), typeName(b)));
        }
        return push(kTypeBool);
    case Op::ILT:
    case Op::ILE:
    case Op::IGT:
    case Op::IGE: return binary(kTypeInt, kTypeBool);
    case Op::FEQ:
    case Op::FNE:
    case Op::FLT:
    case Op::FLE:
    case Op::FGT:
    case Op::FGE: return binary(kTypeFloat, kTypeBool);
    case Op::SEQ:
    case Op::SNE:
    case Op::SLT:
    case Op::SLE:
    case Op::SGT:
    case Op::SGE: return popStringOrNull() && popStringOrNull() && push(kTypeBool);
    case Op::REQ:
    case Op::RNE:
        if (!pop(b) || !pop(a)) return false;
        if (!t_.isRefOrNull(a) || !t_.isRefOrNull(b)) {
            return fail(fmt::format("{} expects two references, found {} and {}", opName(), typeName(a), typeName(b)));
        }
        return push(kTypeBool);
    case Op::NOT: return popAs(kTypeBool) && push(kTypeBool);
    case Op::CONCAT: return popStringOrNull() && popStringOrNull() && push(kTypeString);

    case Op::JUMP: fallsThrough = false; return flowTo(pc_ + int32_t(readU32(o)), stack_);
    case Op::JUMP_IF_FALSE:
    case Op::JUMP_IF_TRUE: return popAs(kTypeBool) && flowTo(pc_ + int32_t(readU32(o)), stack_);

    case Op::IS:
    case Op::AS: {
        uint32_t c = readU32(o);
        if (!classOperand(c) || !popObjectOrNull()) return false;
        return push(op_ == Op::IS ? kTypeBool : t_.classType(c));
    }
    case Op::NEW: {
        uint32_t c = readU32(o);
        if (!classOperand(c)) return false;
        if (p_.classes[c].flags & (kClassAbstract | kClassInterface)) {
            return fail(fmt::format("NEW of abstract class or interface {}", printable(p_.classes[c].name)));
        }
        return push(t_.classType(c));
    }
    case Op::NEW_ARRAY: {
        if (!typeOperand(readU32(o), TypeKind::Array, "an array", t)) return false;
        for (uint32_t n = readU32(o + 4); n > 0; n--) {
            if (!popAs(t_.node(t).elem, " as array element")) return false;
        }
        return push(t);
    }
    case Op::NEW_ARRAY_FILL:
        return typeOperand(readU32(o), TypeKind::Array, "an array", t) && popAs(t_.node(t).elem, " as array element") &&
               popAs(kTypeInt, " as count") && push(t);
    case Op::NEW_MAP: {
        if (!typeOperand(readU32(o), TypeKind::Map, "a map", t)) return false;
        for (uint32_t n = readU32(o + 4); n > 0; n--) {
            if (!popAs(t_.node(t).value, " as map value") || !popAs(t_.node(t).elem, " as map key")) return false;
        }
        return push(t);
    }
    case Op::ARRAY_GET:
        return popAs(kTypeInt, " as index") && popKind(TypeKind::Array, "an array", t) && push(t_.node(t).elem);
    case Op::ARRAY_SET:
        return pop(a) && popAs(kTypeInt, " as index") && popKind(TypeKind::Array, "an array", t) &&
               (t_.assignable(a, t_.node(t).elem) || mismatch(typeName(t_.node(t).elem), a, " as array element"));
    case Op::MAP_GET:
        return pop(a) && popKind(TypeKind::Map, "a map", t) &&
               (t_.assignable(a, t_.node(t).elem) || mismatch(typeName(t_.node(t).elem), a, " as map key")) &&
               push(t_.node(t).value);
    case Op::MAP_SET:
        return pop(b) && pop(a) && popKind(TypeKind::Map, "a map", t) &&
               (t_.assignable(a, t_.node(t).elem) || mismatch(typeName(t_.node(t).elem), a, " as map key")) &&
               (t_.assignable(b, t_.node(t).value) || mismatch(typeName(t_.node(t).value), b, " as map value"));
    case Op::STRING_GET: return popAs(kTypeInt, " as index") && popStringOrNull() && push(kTypeInt);

    case Op::CALL: {
        uint32_t f = readU32(o);
        if (!functionOperand(f)) return false;
        const FunctionDesc& callee = p_.functions[f];
        if (callee.flags & (kFnAbstract | kFnInit | kFnLambda)) {
            return fail(
                fmt::format("CALL of {}, which is abstract, an initialiser or a lambda", printable(callee.name)));
        }
        return popArgs(callee, kNone) && pushResult(t_.of(callee.ret));
    }
    case Op::CALL_VIRTUAL:
    case Op::CALL_INTERFACE: {
        uint32_t c = readU32(o), slot = readU16(o + 4);
        if (!classOperand(c)) return false;
        const ClassDesc& cd = p_.classes[c];
        if (bool iface = cd.flags & kClassInterface; iface != (op_ == Op::CALL_INTERFACE)) {
            return fail(
                fmt::format("{} on {}, which {} an interface", opName(), printable(cd.name), iface ? "is" : "is not"));
        }
        if (slot >= cd.methods.size()) {
            return fail(fmt::format("{} method {} out of range for {}", opName(), slot, printable(cd.name)));
        }
        const FunctionDesc& callee = p_.functions[cd.methods[slot]];
        return popArgs(callee, t_.classType(c)) && pushResult(t_.of(callee.ret));
    }
    case Op::CALL_CLOSURE: {
        if (!typeOperand(readU32(o), TypeKind::Func, "a function", t)) return false;
        const TypeNode& ft = t_.node(t);
        for (size_t i = ft.params.size(); i-- > 0;) {
            if (!pop(a)) return false;
            if (!t_.assignable(a, ft.params[i])) {
                return mismatch(typeName(ft.params[i]), a, fmt::format(" for argument {}", i));
            }
        }
        uint32_t ret = ft.elem;
        return popAs(t, " as closure") && pushResult(ret);
    }
    case Op::CALL_BUILTIN: return callBuiltin(readU16(o));
    case Op::MAKE_CLOSURE: {
        uint32_t f = readU32(o);
        if (!functionOperand(f)) return false;
        const FunctionDesc& target = p_.functions[f];
        if (target.flags & (kFnAbstract | kFnInit | kFnConstructor)) {
            return fail(fmt::format("MAKE_CLOSURE of {}, which is abstract, an initialiser or a constructor",
                                    printable(target.name)));
        }
        for (size_t i = target.captures.size(); i-- > 0;) {
            if (!popAs(t_.of(target.captures[i]), " as capture")) return false;
        }
        std::vector<uint32_t> params;
        for (uint32_t q : target.params) params.push_back(t_.of(q));
        t = t_.funcOf(params, t_.of(target.ret));
        return t != kNone ? push(t) : fail("MAKE_CLOSURE function type nested too deeply");
    }
    case Op::RETURN:
        fallsThrough = false;
        if (t_.of(fn_.ret) == kTypeVoid) return fail("RETURN in a void function");
        return popAs(t_.of(fn_.ret), " as result");
    case Op::RETURN_VOID:
        fallsThrough = false;
        return t_.of(fn_.ret) == kTypeVoid || fail("RETURN_VOID in a function returning a value");
    case Op::THROW: fallsThrough = false; return popAs(t_.classType(ctx_.errorClass), " to throw");
    }
    return fail("unhandled opcode");  // unreachable: decode() rejects unknown bytes
}

}  // namespace

bool verifyCode(const CodeContext& ctx, uint32_t fn, std::string& error) { return CodeVerifier(ctx, fn, error).run(); }

}  // namespace nido::vm
