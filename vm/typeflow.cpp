// Operand-stack type flow for ARRAY_FILL call sites (see typeflow.hpp). The
// function is verified, so this pass checks nothing: it only follows types.
// States are kept at join points (pc 0, branch and handler targets) and
// merged as the verifier merges them (null joins any reference type).
#include "vm/typeflow.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "vm/opcodes.hpp"
#include "vm/signature.hpp"

namespace nido::vm {
namespace {

uint16_t readU16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t readU32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

using Stack = std::vector<uint32_t>;  // canonical type ids, bottom first

class FillFlow {
public:
    FillFlow(const Program& p, TypeModel& t, const std::vector<RtClass>& classes, RtFunction& fn, std::string& error)
        : p_(p), t_(t), classes_(classes), fn_(fn), code_(fn.desc->code), error_(error) {}

    bool run() {
        joins_.assign(code_.size(), false);
        for (uint32_t pc = 0; pc < code_.size(); pc += instructionLength(Op(code_[pc]))) {
            if (code_[pc] >= kOpCount) return fail(pc, "unknown opcode");
            Op op = Op(code_[pc]);
            if (op == Op::JUMP || op == Op::JUMP_IF_FALSE || op == Op::JUMP_IF_TRUE) {
                joins_[pc + int32_t(readU32(&code_[pc + 1]))] = true;
            }
        }
        flowTo(0, {});
        for (const Handler& h : fn_.desc->handlers) {
            uint32_t cls = h.catchClass == kNone ? errorClass() : h.catchClass;
            joins_[h.target] = true;
            flowTo(h.target, {t_.classType(cls)});
        }
        while (!work_.empty()) {
            uint32_t pc = work_.back();
            work_.pop_back();
            if (!block(pc)) return false;
        }
        std::sort(fn_.fillKinds.begin(), fn_.fillKinds.end());
        return true;
    }

private:
    uint32_t errorClass() const {
        for (const RtClass& c : classes_) {
            if (c.isError && !c.super) return c.index;
        }
        return 0;
    }

    bool fail(uint32_t pc, std::string_view what) {
        error_ = fmt::format("in {} at byte {}: {}", fn_.desc->name, pc, what);
        return false;
    }

    // Merges s into the state at join point pc; queues pc when it changed.
    void flowTo(uint32_t pc, const Stack& s) {
        auto [it, added] = entry_.emplace(pc, s);
        bool changed = added;
        if (!added && it->second.size() == s.size()) {
            for (size_t i = 0; i < s.size(); i++) {
                if (it->second[i] == kTypeNull && s[i] != kTypeNull) {
                    it->second[i] = s[i];
                    changed = true;
                }
            }
        }
        if (changed) work_.push_back(pc);
    }

    bool block(uint32_t pc) {
        stack_ = entry_.at(pc);
        while (pc < code_.size()) {
            bool fallsThrough = true;
            if (!step(pc, fallsThrough)) return false;
            if (!fallsThrough) return true;
            pc += instructionLength(Op(code_[pc]));
            if (pc < code_.size() && joins_[pc]) {
                flowTo(pc, stack_);
                return true;
            }
        }
        return true;
    }

    uint32_t pop() {
        if (stack_.empty()) return kNone;
        uint32_t t = stack_.back();
        stack_.pop_back();
        return t;
    }
    void popN(size_t n) { stack_.resize(stack_.size() - std::min(n, stack_.size())); }
    void pushResult(uint32_t t) {
        if (t != kTypeVoid) stack_.push_back(t);
    }
    uint32_t elemOf(uint32_t t) const { return t == kNone ? kNone : t_.node(t).elem; }
    uint32_t valueOf(uint32_t t) const { return t == kNone ? kNone : t_.node(t).value; }

    // A builtin signature's type variables, bound on first occurrence.
    struct Bindings {
        uint32_t var[4] = {kNone, kNone, kNone, kNone};
        uint32_t& operator[](char c) { return var[c == 'T' ? 0 : c == 'U' ? 1 : c == 'K' ? 2 : 3]; }
    };

    void bind(const SigType& s, uint32_t got, Bindings& b) {
        if (got == kNone) return;
        const TypeNode& n = t_.node(got);
        switch (s.kind) {
        case SigKind::Var:
            if (b[s.var] == kNone || b[s.var] == kTypeNull) b[s.var] = got;
            break;
        case SigKind::Array:
            if (n.kind == TypeKind::Array) bind(s.args[0], n.elem, b);
            break;
        case SigKind::Map:
            if (n.kind == TypeKind::Map) {
                bind(s.args[0], n.elem, b);
                bind(s.args[1], n.value, b);
            }
            break;
        case SigKind::Func:
            if (n.kind == TypeKind::Func && n.params.size() + 1 == s.args.size()) {
                for (size_t i = 0; i < n.params.size(); i++) bind(s.args[i], n.params[i], b);
                bind(s.args.back(), n.elem, b);
            }
            break;
        default: break;
        }
    }

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
        default: return kNone;
        }
    }

    bool callBuiltin(uint32_t pc, uint16_t id) {
        const Signature& sig = builtinSignature(BuiltinId(id));
        Stack args(sig.params.size(), kNone);
        for (size_t i = args.size(); i-- > 0;) args[i] = pop();
        if (BuiltinId(id) == BuiltinId::ARRAY_FILL) {
            uint32_t t = args[1];
            if (t == kNone) return fail(pc, "cannot infer the element type of array()");
            TypeKind k = t_.kind(t);
            ValKind kind = k == TypeKind::Int     ? ValKind::Int
                           : k == TypeKind::Float ? ValKind::Float
                           : k == TypeKind::Bool  ? ValKind::Bool
                                                  : ValKind::Ref;
            auto site =
                std::find_if(fn_.fillKinds.begin(), fn_.fillKinds.end(), [&](const auto& e) { return e.first == pc; });
            if (site == fn_.fillKinds.end()) {
                fn_.fillKinds.push_back({pc, kind});
            } else if (site->second != kind) {
                return fail(pc, "array() element type differs between paths");
            }
        }
        Bindings b;
        for (size_t i = 0; i < args.size(); i++) bind(sig.params[i], args[i], b);
        pushResult(substitute(sig.result, b));
        return true;
    }

    bool step(uint32_t pc, bool& fallsThrough) {
        const uint8_t* o = &code_[pc + 1];
        switch (Op(code_[pc])) {
        case Op::NOP: break;
        case Op::CONST: {
            ConstKind k = p_.constants[readU32(o)].kind;
            stack_.push_back(k == ConstKind::Int ? kTypeInt : k == ConstKind::Float ? kTypeFloat : kTypeString);
            break;
        }
        case Op::PUSH_INT: stack_.push_back(kTypeInt); break;
        case Op::PUSH_NULL: stack_.push_back(kTypeNull); break;
        case Op::PUSH_TRUE:
        case Op::PUSH_FALSE: stack_.push_back(kTypeBool); break;
        case Op::POP: pop(); break;
        case Op::DUP: {
            uint32_t t = pop();
            stack_.insert(stack_.end(), {t, t});
            break;
        }
        case Op::LOAD_LOCAL: stack_.push_back(t_.of(fn_.desc->locals[readU16(o)])); break;
        case Op::LOAD_GLOBAL: stack_.push_back(t_.of(p_.globals[readU32(o)].type)); break;
        case Op::LOAD_CAPTURE: stack_.push_back(t_.of(fn_.desc->captures[readU16(o)])); break;
        case Op::STORE_LOCAL:
        case Op::STORE_GLOBAL:
        case Op::JUMP_IF_FALSE:
        case Op::JUMP_IF_TRUE: pop(); break;
        case Op::BOX_NEW:
            pop();
            stack_.push_back(t_.of(readU32(o)));
            break;
        case Op::BOX_GET: stack_.push_back(elemOf(pop())); break;
        case Op::BOX_SET:
        case Op::SET_FIELD: popN(2); break;
        case Op::MAP_GET:
            pop();
            stack_.push_back(valueOf(pop()));
            break;
        case Op::GET_FIELD:
            pop();
            stack_.push_back(t_.of(classes_[readU32(o)].fields[readU16(o + 4)]->type));
            break;
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
        case Op::IUSHR:
            popN(2);
            stack_.push_back(kTypeInt);
            break;
        case Op::INEG:
        case Op::INOT:
            pop();
            stack_.push_back(kTypeInt);
            break;
        case Op::FADD:
        case Op::FSUB:
        case Op::FMUL:
        case Op::FDIV:
        case Op::FREM:
            popN(2);
            stack_.push_back(kTypeFloat);
            break;
        case Op::FNEG:
        case Op::I2F:
            pop();
            stack_.push_back(kTypeFloat);
            break;
        case Op::IEQ:
        case Op::INE:
        case Op::ILT:
        case Op::ILE:
        case Op::IGT:
        case Op::IGE:
        case Op::FEQ:
        case Op::FNE:
        case Op::FLT:
        case Op::FLE:
        case Op::FGT:
        case Op::FGE:
        case Op::SEQ:
        case Op::SNE:
        case Op::SLT:
        case Op::SLE:
        case Op::SGT:
        case Op::SGE:
        case Op::REQ:
        case Op::RNE:
            popN(2);
            stack_.push_back(kTypeBool);
            break;
        case Op::NOT:
        case Op::IS:
            pop();
            stack_.push_back(kTypeBool);
            break;
        case Op::CONCAT:
            popN(2);
            stack_.push_back(kTypeString);
            break;
        case Op::JUMP: fallsThrough = false; break;
        case Op::AS:
            pop();
            stack_.push_back(t_.classType(readU32(o)));
            break;
        case Op::NEW: stack_.push_back(t_.classType(readU32(o))); break;
        case Op::NEW_ARRAY:
            popN(readU32(o + 4));
            stack_.push_back(t_.of(readU32(o)));
            break;
        case Op::NEW_MAP:
            popN(size_t(readU32(o + 4)) * 2);
            stack_.push_back(t_.of(readU32(o)));
            break;
        case Op::ARRAY_GET:
            pop();
            stack_.push_back(elemOf(pop()));
            break;
        case Op::ARRAY_SET:
        case Op::MAP_SET: popN(3); break;
        case Op::STRING_GET:
            popN(2);
            stack_.push_back(kTypeInt);
            break;
        case Op::CALL:
        case Op::CALL_VIRTUAL:
        case Op::CALL_INTERFACE: {
            Op op = Op(code_[pc]);
            uint32_t f = op == Op::CALL ? readU32(o) : p_.classes[readU32(o)].methods[readU16(o + 4)];
            popN(p_.functions[f].params.size());
            pushResult(t_.of(p_.functions[f].ret));
            break;
        }
        case Op::CALL_CLOSURE: {
            const TypeNode& ft = t_.node(t_.of(readU32(o)));
            uint32_t ret = ft.elem;
            popN(ft.params.size() + 1);
            pushResult(ret);
            break;
        }
        case Op::CALL_BUILTIN: return callBuiltin(pc, readU16(o));
        case Op::MAKE_CLOSURE: {
            const FunctionDesc& target = p_.functions[readU32(o)];
            popN(target.captures.size());
            std::vector<uint32_t> params;
            for (uint32_t q : target.params) params.push_back(t_.of(q));
            stack_.push_back(t_.funcOf(params, t_.of(target.ret)));
            break;
        }
        case Op::RETURN:
        case Op::RETURN_VOID:
        case Op::THROW: fallsThrough = false; break;
        }
        if (Op(code_[pc]) == Op::JUMP || Op(code_[pc]) == Op::JUMP_IF_FALSE || Op(code_[pc]) == Op::JUMP_IF_TRUE) {
            flowTo(pc + int32_t(readU32(o)), stack_);
        }
        return true;
    }

    const Program& p_;
    TypeModel& t_;
    const std::vector<RtClass>& classes_;
    RtFunction& fn_;
    const std::vector<uint8_t>& code_;
    std::string& error_;
    std::vector<bool> joins_;
    std::unordered_map<uint32_t, Stack> entry_;
    std::vector<uint32_t> work_;
    Stack stack_;
};

}  // namespace

bool inferFillKinds(const Program& p, TypeModel& types, const std::vector<RtClass>& classes, RtFunction& fn,
                    std::string& error) {
    return FillFlow(p, types, classes, fn, error).run();
}

}  // namespace nido::vm
