// Bytecode to execution form (design in translator.hpp).
#include "vm/translator.hpp"

#include <cstring>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/opcodes.hpp"

namespace nido::vm {
namespace {

constexpr int32_t kUnreached = -1;

uint16_t readU16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t readU32(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

bool isCompare(Op op) { return op >= Op::IEQ && op <= Op::RNE; }

// The fused branch for `compare; JUMP_IF_<jumpIf>`, or NOP when there is
// none (float comparisons fuse only with JUMP_IF_FALSE: !(a < b) is not
// a >= b when a value is NaN).
XOp fusedBranch(Op compare, bool jumpIf) {
    switch (compare) {
    case Op::IEQ: return jumpIf ? XOp::JUMP_IF_IEQ : XOp::JUMP_IF_INE;
    case Op::INE: return jumpIf ? XOp::JUMP_IF_INE : XOp::JUMP_IF_IEQ;
    case Op::ILT: return jumpIf ? XOp::JUMP_IF_ILT : XOp::JUMP_IF_IGE;
    case Op::ILE: return jumpIf ? XOp::JUMP_IF_ILE : XOp::JUMP_IF_IGT;
    case Op::IGT: return jumpIf ? XOp::JUMP_IF_IGT : XOp::JUMP_IF_ILE;
    case Op::IGE: return jumpIf ? XOp::JUMP_IF_IGE : XOp::JUMP_IF_ILT;
    case Op::REQ: return jumpIf ? XOp::JUMP_IF_REQ : XOp::JUMP_IF_RNE;
    case Op::RNE: return jumpIf ? XOp::JUMP_IF_RNE : XOp::JUMP_IF_REQ;
    case Op::FEQ: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FEQ;
    case Op::FNE: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FNE;
    case Op::FLT: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FLT;
    case Op::FLE: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FLE;
    case Op::FGT: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FGT;
    case Op::FGE: return jumpIf ? XOp::NOP : XOp::JUMP_UNLESS_FGE;
    default: return XOp::NOP;
    }
}

// The branch taken exactly when op is not, or NOP (a float comparison's
// negation has no instruction of its own).
XOp invertedBranch(XOp op) {
    switch (op) {
    case XOp::JUMP_IF_TRUE: return XOp::JUMP_IF_FALSE;
    case XOp::JUMP_IF_FALSE: return XOp::JUMP_IF_TRUE;
    case XOp::JUMP_IF_IEQ: return XOp::JUMP_IF_INE;
    case XOp::JUMP_IF_INE: return XOp::JUMP_IF_IEQ;
    case XOp::JUMP_IF_ILT: return XOp::JUMP_IF_IGE;
    case XOp::JUMP_IF_IGE: return XOp::JUMP_IF_ILT;
    case XOp::JUMP_IF_ILE: return XOp::JUMP_IF_IGT;
    case XOp::JUMP_IF_IGT: return XOp::JUMP_IF_ILE;
    case XOp::JUMP_IF_REQ: return XOp::JUMP_IF_RNE;
    case XOp::JUMP_IF_RNE: return XOp::JUMP_IF_REQ;
    default: return XOp::NOP;
    }
}

// The execution op of a bytecode op of the same name and meaning, whose
// operands become slots.
XOp sameOp(Op op) {
#define SAME(name) \
    case Op::name: return XOp::name
    switch (op) {
        SAME(IADD);
        SAME(ISUB);
        SAME(IMUL);
        SAME(IDIV);
        SAME(IREM);
        SAME(INEG);
        SAME(IAND);
        SAME(IOR);
        SAME(IXOR);
        SAME(ISHL);
        SAME(ISHR);
        SAME(IUSHR);
        SAME(INOT);
        SAME(FADD);
        SAME(FSUB);
        SAME(FMUL);
        SAME(FDIV);
        SAME(FREM);
        SAME(FNEG);
        SAME(I2F);
        SAME(IEQ);
        SAME(INE);
        SAME(ILT);
        SAME(ILE);
        SAME(IGT);
        SAME(IGE);
        SAME(FEQ);
        SAME(FNE);
        SAME(FLT);
        SAME(FLE);
        SAME(FGT);
        SAME(FGE);
        SAME(SEQ);
        SAME(SNE);
        SAME(SLT);
        SAME(SLE);
        SAME(SGT);
        SAME(SGE);
        SAME(REQ);
        SAME(RNE);
        SAME(NOT);
        SAME(CONCAT);
        SAME(ARRAY_GET);
        SAME(MAP_GET);
        SAME(STRING_GET);
    default: return XOp::NOP;
    }
#undef SAME
}

// The execution op that computes builtin b inline, or NOP: pure builtins
// of one float or int operand whose body is a single machine operation.
XOp inlineBuiltin(uint16_t b) {
    switch (BuiltinId(b)) {
    case BuiltinId::FLOAT_OF_INT: return XOp::I2F;
    case BuiltinId::MATH_SQRT: return XOp::FSQRT;
    default: return XOp::NOP;
    }
}

class Translator {
public:
    Translator(const LinkedProgram& lp, const RtFunction& fn, bool fuse, ExecCode& out)
        : lp_(lp), fn_(fn), d_(*fn.desc), code_(d_.code.data()), fuse_(fuse), out_(out) {}

    bool run(std::string& error) {
        if (fn_.frameSize > 0xFFFF) {
            error = fmt::format("{} needs {} frame slots; at most 65,535 are supported", d_.name, fn_.frameSize);
            return false;
        }
        findDepths();
        translate();
        for (auto [at, target] : fixups_) out_.code[at].k = int32_t(indexAt_[target]) - int32_t(at);
        if (fuse_) rotateLoops();
        for (const Handler& h : d_.handlers) out_.handlerTargets.push_back(indexAt_[h.target]);
        return true;
    }

private:
    // A loop compiles to a test at the top that leaves it and a JUMP back
    // from the bottom. Where that JUMP lands on the test and the exit is
    // the instruction after the JUMP, the JUMP becomes the inverted test
    // branching to the loop body: one dispatch per iteration instead of two.
    void rotateLoops() {
        std::vector<Insn>& code = out_.code;
        for (size_t i = 0; i < code.size(); i++) {
            if (code[i].op != XOp::JUMP) continue;
            size_t test = size_t(int64_t(i) + code[i].k);
            const Insn& t = code[test];
            XOp inverted = invertedBranch(t.op);
            if (inverted == XOp::NOP || int64_t(test) + t.k != int64_t(i) + 1) continue;
            code[i] = Insn{inverted, t.a, t.b, t.c, int32_t(int64_t(test) + 1 - int64_t(i)), code[i].pc};
        }
    }

    enum class Kind : uint8_t { Slot, Local, Int };
    struct Entry {
        Kind kind;
        int32_t v;  // Local: the local; Int: the value
    };

    // What an instruction pops and pushes, with VAR resolved.
    struct Effect {
        uint32_t pops, pushes;
    };

    Effect effect(uint32_t pc) const {
        const uint8_t* p = code_ + pc;
        Op op = Op(*p);
        const OpInfo& info = opInfo(op);
        auto call = [](const RtFunction& f, uint32_t extra) {
            return Effect{f.nparams + extra, f.returnsValue ? 1u : 0u};
        };
        switch (op) {
        case Op::CALL: return call(lp_.functions[readU32(p + 1)], 0);
        case Op::CALL_VIRTUAL:
        case Op::CALL_INTERFACE: return call(*lp_.classes[readU32(p + 1)].vtable[readU16(p + 5)], 0);
        case Op::CALL_CLOSURE: {
            uint32_t t = readU32(p + 1);
            return {lp_.types[t].arity + 1, lp_.program->types[t].elem != kTypeVoid ? 1u : 0u};
        }
        case Op::CALL_BUILTIN: {
            const BuiltinEntry& b = builtinTable()[readU16(p + 1)];
            return {b.nargs, b.hasResult ? 1u : 0u};
        }
        case Op::MAKE_CLOSURE: return {lp_.functions[readU32(p + 1)].ncaptures, 1};
        case Op::NEW_ARRAY: return {readU32(p + 5), 1};
        case Op::NEW_MAP: return {2 * readU32(p + 5), 1};
        default: return {uint32_t(info.pops), uint32_t(info.pushes)};
        }
    }

    // Stack heights at every reachable instruction and the block starts
    // (branch and handler targets), by a walk of the control flow.
    void findDepths() {
        const size_t size = d_.code.size();
        depth_.assign(size, kUnreached);
        blockStart_.assign(size, 0);
        indexAt_.assign(size + 1, 0);
        std::vector<uint32_t> work;
        auto reach = [&](uint32_t pc, int32_t depth) {
            if (depth_[pc] == kUnreached) {
                depth_[pc] = depth;
                work.push_back(pc);
            }
        };
        reach(0, 0);
        for (const Handler& h : d_.handlers) {
            blockStart_[h.target] = 1;
            reach(h.target, 1);
        }
        while (!work.empty()) {
            uint32_t pc = work.back();
            work.pop_back();
            Op op = Op(code_[pc]);
            Effect e = effect(pc);
            int32_t after = depth_[pc] - int32_t(e.pops) + int32_t(e.pushes);
            uint32_t next = pc + uint32_t(instructionLength(op));
            if (op == Op::JUMP || op == Op::JUMP_IF_FALSE || op == Op::JUMP_IF_TRUE) {
                uint32_t target = uint32_t(int64_t(pc) + int32_t(readU32(code_ + pc + 1)));
                blockStart_[target] = 1;
                reach(target, after);
            }
            if (op != Op::JUMP && op != Op::RETURN && op != Op::RETURN_VOID && op != Op::THROW) reach(next, after);
        }
    }

    uint16_t slotAt(size_t depth) const { return uint16_t(fn_.nlocals + depth); }
    uint16_t top() const { return slotAt(stack_.size() - 1); }

    uint32_t emit(XOp op, uint16_t a = 0, uint16_t b = 0, uint16_t c = 0, int32_t k = 0) {
        out_.code.push_back(Insn{op, a, b, c, k, pc_});
        out_.heights.push_back(uint16_t(depth_[pc_]));
        producer_ = kNone;
        return uint32_t(out_.code.size() - 1);
    }

    // Writes stack entry i to its slot.
    void materialize(size_t i) {
        Entry& e = stack_[i];
        if (e.kind == Kind::Local) emit(XOp::MOVE, slotAt(i), uint16_t(e.v));
        if (e.kind == Kind::Int) emit(XOp::LOADI, slotAt(i), 0, 0, e.v);
        e = {Kind::Slot, 0};
    }

    void flush() {
        for (size_t i = 0; i < stack_.size(); i++) materialize(i);
    }

    // The slot holding stack entry i (a local, or its own slot).
    uint16_t use(size_t i) {
        if (stack_[i].kind == Kind::Int) materialize(i);
        return stack_[i].kind == Kind::Local ? uint16_t(stack_[i].v) : slotAt(i);
    }
    uint16_t useFromTop(size_t n) { return use(stack_.size() - 1 - n); }

    // The top n entries in their slots, popped; returns the first slot.
    uint16_t popRun(uint32_t n) {
        size_t first = stack_.size() - n;
        for (size_t i = first; i < stack_.size(); i++) materialize(i);
        pop(n);
        return slotAt(first);
    }

    void pop(size_t n) {
        stack_.resize(stack_.size() - n);
        producer_ = kNone;
    }

    // Emits an instruction writing the new top entry's slot (operand a).
    void produce(XOp op, uint16_t b = 0, uint16_t c = 0, int32_t k = 0) {
        uint32_t at = emit(op, slotAt(stack_.size()), b, c, k);
        stack_.push_back({Kind::Slot, 0});
        producer_ = at;
    }

    void pushDeferred(Kind kind, int32_t v) {
        stack_.push_back({kind, v});
        if (!fuse_) materialize(stack_.size() - 1);
    }

    void branch(XOp op, uint16_t a, uint16_t b, uint32_t target) { fixups_.push_back({emit(op, a, b), target}); }

    uint32_t branchTarget(uint32_t pc) const { return uint32_t(int64_t(pc) + int32_t(readU32(code_ + pc + 1))); }

    void storeLocal(uint16_t x) {
        Entry v = stack_.back();
        uint32_t producer = producer_;
        pop(1);
        bool readers = false;
        for (const Entry& e : stack_) readers |= e.kind == Kind::Local && e.v == x;
        if (fuse_ && v.kind == Kind::Slot && producer != kNone && !readers) {
            out_.code[producer].a = x;  // the value is computed straight into x
            return;
        }
        for (size_t i = 0; i < stack_.size(); i++) {
            if (stack_[i].kind == Kind::Local && stack_[i].v == x) materialize(i);
        }
        if (v.kind == Kind::Int) {
            emit(XOp::LOADI, x, 0, 0, v.v);
        } else {
            uint16_t from = v.kind == Kind::Local ? uint16_t(v.v) : slotAt(stack_.size());
            if (from != x || !fuse_) emit(XOp::MOVE, x, from);
        }
    }

    // A comparison followed by a conditional branch that nothing else
    // jumps to becomes one fused branch; returns whether it did.
    bool fuseCompareBranch(Op op, uint32_t next) {
        if (!fuse_ || next >= d_.code.size() || blockStart_[next]) return false;
        Op branchOp = Op(code_[next]);
        if (branchOp != Op::JUMP_IF_FALSE && branchOp != Op::JUMP_IF_TRUE) return false;
        XOp fused = fusedBranch(op, branchOp == Op::JUMP_IF_TRUE);
        if (fused == XOp::NOP) return false;
        uint16_t a = useFromTop(1), b = useFromTop(0);
        pop(2);
        flush();
        branch(fused, a, b, branchTarget(next));
        skipTo_ = next + uint32_t(instructionLength(branchOp));
        return true;
    }

    void binary(XOp op) {
        uint16_t a = useFromTop(1), b = useFromTop(0);
        pop(2);
        produce(op, a, b);
    }

    void unary(XOp op, int32_t k = 0) {
        uint16_t a = useFromTop(0);
        pop(1);
        produce(op, a, 0, k);
    }

    // x + n and x - n with a small constant n: one IADDI.
    bool addImmediate(Op op) {
        if (!fuse_ || stack_.back().kind != Kind::Int) return false;
        int32_t n = stack_.back().v;
        if (op == Op::ISUB && n == INT32_MIN) return false;
        pop(1);
        unary(XOp::IADDI, op == Op::ISUB ? -n : n);
        return true;
    }

    void translate() {
        bool live = false;  // whether the previous instruction falls through
        for (uint32_t pc = 0; pc < d_.code.size();) {
            Op op = Op(code_[pc]);
            uint32_t next = pc + uint32_t(instructionLength(op));
            if (depth_[pc] == kUnreached || pc < skipTo_) {
                indexAt_[pc] = uint32_t(out_.code.size());
                pc = next;
                continue;
            }
            if (blockStart_[pc] || !live) {
                if (live) flush();
                stack_.assign(size_t(depth_[pc]), Entry{Kind::Slot, 0});
                producer_ = kNone;
            }
            pc_ = pc;
            indexAt_[pc] = uint32_t(out_.code.size());
            size_t before = out_.code.size();
            live = instruction(op, pc, next);
            if (!fuse_ && out_.code.size() == before) emit(XOp::NOP);
            pc = next;
        }
    }

    // Translates the instruction at pc; returns whether it falls through.
    bool instruction(Op op, uint32_t pc, uint32_t next) {
        const uint8_t* p = code_ + pc;
        switch (op) {
        case Op::NOP: return true;
        case Op::CONST: produce(XOp::LOADK, 0, 0, int32_t(readU32(p + 1))); return true;
        case Op::PUSH_INT: pushDeferred(Kind::Int, int32_t(readU32(p + 1))); return true;
        case Op::PUSH_NULL:
        case Op::PUSH_FALSE: pushDeferred(Kind::Int, 0); return true;
        case Op::PUSH_TRUE: pushDeferred(Kind::Int, 1); return true;
        case Op::POP: pop(1); return true;
        case Op::DUP: {
            Entry e = stack_.back();
            if (e.kind == Kind::Slot) {
                emit(XOp::MOVE, slotAt(stack_.size()), top());
                stack_.push_back(e);
            } else {
                pushDeferred(e.kind, e.v);
            }
            return true;
        }
        case Op::LOAD_LOCAL: pushDeferred(Kind::Local, readU16(p + 1)); return true;
        case Op::STORE_LOCAL: storeLocal(readU16(p + 1)); return true;
        case Op::LOAD_GLOBAL: produce(XOp::LOADG, 0, 0, int32_t(readU32(p + 1))); return true;
        case Op::STORE_GLOBAL:
            emit(XOp::STOREG, useFromTop(0), 0, 0, int32_t(readU32(p + 1)));
            pop(1);
            return true;
        case Op::LOAD_CAPTURE: produce(XOp::LOADCAP, readU16(p + 1)); return true;
        case Op::BOX_NEW: unary(XOp::BOX_NEW, int32_t(readU32(p + 1))); return true;
        case Op::BOX_GET: unary(XOp::BOX_GET); return true;
        case Op::BOX_SET: {
            uint16_t box = useFromTop(1), v = useFromTop(0);
            pop(2);
            emit(XOp::BOX_SET, box, v);
            return true;
        }
        case Op::GET_FIELD: {
            uint16_t o = useFromTop(0);
            pop(1);
            produce(XOp::GET_FIELD, o, readU16(p + 5), int32_t(readU32(p + 1)));
            return true;
        }
        case Op::SET_FIELD: {
            uint16_t o = useFromTop(1), v = useFromTop(0);
            pop(2);
            emit(XOp::SET_FIELD, o, v, readU16(p + 5), int32_t(readU32(p + 1)));
            return true;
        }
        case Op::IADD:
        case Op::ISUB:
            if (!addImmediate(op)) binary(sameOp(op));
            return true;
        case Op::INEG:
        case Op::INOT:
        case Op::FNEG:
        case Op::I2F:
        case Op::NOT: unary(sameOp(op)); return true;
        case Op::JUMP:
            flush();
            branch(XOp::JUMP, 0, 0, branchTarget(pc));
            return false;
        case Op::JUMP_IF_FALSE:
        case Op::JUMP_IF_TRUE: {
            uint16_t cond = useFromTop(0);
            pop(1);
            flush();
            branch(op == Op::JUMP_IF_TRUE ? XOp::JUMP_IF_TRUE : XOp::JUMP_IF_FALSE, cond, 0, branchTarget(pc));
            return true;
        }
        case Op::IS: unary(XOp::IS, int32_t(readU32(p + 1))); return true;
        case Op::AS: unary(XOp::AS, int32_t(readU32(p + 1))); return true;
        case Op::NEW: produce(XOp::NEW, 0, 0, int32_t(readU32(p + 1))); return true;
        case Op::NEW_ARRAY: {
            uint32_t n = readU32(p + 5);
            uint16_t first = popRun(n);
            produce(XOp::NEW_ARRAY, first, uint16_t(n), int32_t(readU32(p + 1)));
            return true;
        }
        case Op::NEW_ARRAY_FILL: {
            uint16_t n = useFromTop(1), v = useFromTop(0);
            pop(2);
            produce(XOp::NEW_ARRAY_FILL, n, v, int32_t(readU32(p + 1)));
            return true;
        }
        case Op::NEW_MAP: {
            uint32_t n = readU32(p + 5);
            uint16_t first = popRun(2 * n);
            produce(XOp::NEW_MAP, first, uint16_t(n), int32_t(readU32(p + 1)));
            return true;
        }
        case Op::ARRAY_SET:
        case Op::MAP_SET: {
            uint16_t a = useFromTop(2), i = useFromTop(1), v = useFromTop(0);
            pop(3);
            emit(op == Op::ARRAY_SET ? XOp::ARRAY_SET : XOp::MAP_SET, a, i, v);
            return true;
        }
        case Op::CALL: call(XOp::CALL, lp_.functions[readU32(p + 1)], 0, readU32(p + 1)); return true;
        case Op::CALL_VIRTUAL: {
            uint32_t cls = readU32(p + 1);
            uint16_t slot = readU16(p + 5);
            call(XOp::CALL_VIRTUAL, *lp_.classes[cls].vtable[slot], slot, cls);
            return true;
        }
        case Op::CALL_INTERFACE: {
            uint32_t iface = readU32(p + 1);
            uint16_t m = readU16(p + 5);
            out_.caches.push_back({iface, nullptr, nullptr});
            call(XOp::CALL_INTERFACE, *lp_.classes[iface].vtable[m], m, uint32_t(out_.caches.size() - 1));
            return true;
        }
        case Op::CALL_BUILTIN:
            if (XOp x = inlineBuiltin(readU16(p + 1)); fuse_ && x != XOp::NOP) {
                unary(x);
                return true;
            }
            [[fallthrough]];
        case Op::CALL_CLOSURE:
        case Op::MAKE_CLOSURE: {
            Effect e = effect(pc);
            uint16_t first = popRun(e.pops);
            uint32_t k = op == Op::CALL_BUILTIN ? readU16(p + 1) : readU32(p + 1);
            XOp x = op == Op::CALL_CLOSURE   ? XOp::CALL_CLOSURE
                    : op == Op::CALL_BUILTIN ? XOp::CALL_BUILTIN
                                             : XOp::MAKE_CLOSURE;
            if (e.pushes) {
                produce(x, first, 0, int32_t(k));
            } else {
                emit(x, first, first, 0, int32_t(k));
            }
            return true;
        }
        case Op::RETURN: emit(XOp::RETURN, useFromTop(0)); return false;
        case Op::RETURN_VOID: emit(XOp::RETURN_VOID); return false;
        case Op::THROW: emit(XOp::THROW, useFromTop(0)); return false;
        default:
            if (isCompare(op) && fuseCompareBranch(op, next)) return true;
            binary(sameOp(op));  // the remaining binary operations
            return true;
        }
    }

    // A call whose arguments are the top callee.nparams entries.
    void call(XOp op, const RtFunction& callee, uint16_t c, uint32_t k) {
        uint16_t first = popRun(callee.nparams);
        if (callee.returnsValue) {
            produce(op, first, c, int32_t(k));
        } else {
            emit(op, first, first, c, int32_t(k));
        }
    }

    const LinkedProgram& lp_;
    const RtFunction& fn_;
    const FunctionDesc& d_;
    const uint8_t* code_;
    const bool fuse_;
    ExecCode& out_;

    std::vector<int32_t> depth_;       // per byte: stack height at an instruction start, or kUnreached
    std::vector<uint8_t> blockStart_;  // per byte: a branch or handler target
    std::vector<uint32_t> indexAt_;    // per byte: the first execution instruction of a bytecode instruction
    std::vector<std::pair<uint32_t, uint32_t>> fixups_;  // branch instruction, bytecode target
    std::vector<Entry> stack_;
    uint32_t pc_ = 0;
    uint32_t skipTo_ = 0;        // a fused branch's bytecode ends here
    uint32_t producer_ = kNone;  // the last instruction, when it wrote the top entry's slot
};

}  // namespace

const char* xopName(XOp op) {
    static const char* const kNames[] = {
#define EXEC(name, doc) #name,
#include "vm/exec_ops.def"
#undef EXEC
    };
    return kNames[int(op)];
}

bool translateFunction(const LinkedProgram& lp, const RtFunction& fn, bool fuse, ExecCode& out, std::string& error) {
    return Translator(lp, fn, fuse, out).run(error);
}

bool translateProgram(LinkedProgram& lp, bool fuse, std::string& error) {
    lp.exec.resize(lp.functions.size());
    for (size_t i = 0; i < lp.functions.size(); i++) {
        RtFunction& fn = lp.functions[i];
        if (fn.desc->code.empty()) continue;  // abstract
        if (!translateFunction(lp, fn, fuse, lp.exec[i], error)) return false;
        fn.exec = &lp.exec[i];
        fn.code = lp.exec[i].code.data();
    }
    return true;
}

}  // namespace nido::vm
