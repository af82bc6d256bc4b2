// Which functions compile to frameless leaves (see leaf.hpp).
#include "jit/leaf.hpp"

#include <algorithm>

#include "vm/exec_code.hpp"
#include "vm/jit_interface.hpp"
#include "vm/program.hpp"

namespace nido::jit {

namespace {

using vm::Insn;
using vm::XOp;

// More than this and inlining stops paying for the code it copies.
constexpr size_t kMaxLeafInstructions = 48;

bool writesA(XOp op) {
    switch (op) {
    case XOp::NOP:
    case XOp::STOREG:
    case XOp::BOX_SET:
    case XOp::SET_FIELD:
    case XOp::ARRAY_SET:
    case XOp::MAP_SET:
    case XOp::THROW:
    case XOp::RETURN:
    case XOp::RETURN_VOID: return false;
    default: return op < XOp::JUMP || op > XOp::JUMP_IF_RNE;
    }
}

bool jumps(XOp op) { return op >= XOp::JUMP && op <= XOp::JUMP_IF_RNE; }

bool canThrowOrCall(XOp op) {
    switch (op) {
    case XOp::NOP:
    case XOp::MOVE:
    case XOp::LOADI:
    case XOp::LOADK:
    case XOp::LOADG:
    case XOp::STOREG:
    case XOp::IADD:
    case XOp::IADDI:
    case XOp::ISUB:
    case XOp::IMUL:
    case XOp::INEG:
    case XOp::IAND:
    case XOp::IOR:
    case XOp::IXOR:
    case XOp::ISHL:
    case XOp::ISHR:
    case XOp::IUSHR:
    case XOp::INOT:
    case XOp::FADD:
    case XOp::FSUB:
    case XOp::FMUL:
    case XOp::FDIV:
    case XOp::FNEG:
    case XOp::I2F:
    case XOp::FSQRT:
    case XOp::IEQ:
    case XOp::INE:
    case XOp::ILT:
    case XOp::ILE:
    case XOp::IGT:
    case XOp::IGE:
    case XOp::FEQ:
    case XOp::FNE:
    case XOp::FLT:
    case XOp::FLE:
    case XOp::FGT:
    case XOp::FGE:
    case XOp::REQ:
    case XOp::RNE:
    case XOp::NOT:
    case XOp::RETURN:
    case XOp::RETURN_VOID: return false;
    default: return !jumps(op);
    }
}

// in loads an int constant other than 0 (LOADK only ever loads ints and
// floats into a division's operand, and the verifier typed this one int).
bool nonZeroConstant(const Insn& in, const vm::LinkedProgram& program) {
    return (in.op == XOp::LOADI && in.k != 0) || (in.op == XOp::LOADK && program.constants[in.k].i != 0);
}

// The CALL at i constructs an instance this function allocated: its
// receiver was copied from a NEW's result just before, and nothing writes
// it or jumps in between (the bytecode compiler's `C(args)`).
bool constructsNewInstance(const std::vector<Insn>& code, size_t i, const std::vector<bool>& target) {
    uint16_t receiver = code[i].b;
    for (size_t j = i; j-- > 1;) {
        if (target[j + 1]) return false;
        const Insn& in = code[j];
        if (in.op == XOp::MOVE && in.a == receiver) {
            return !target[j] && code[j - 1].op == XOp::NEW && code[j - 1].a == in.b;
        }
        if (writesA(in.op) && in.a == receiver) return false;
    }
    return false;
}

// A call a recursive leaf may make of another function: a constructor of
// an instance it allocated, itself a leaf that writes no module variable,
// so that the call made again after giving up writes only fields of new
// instances.
bool leafConstructor(const vm::LinkedProgram& program, const std::vector<Insn>& code, size_t i,
                     const std::vector<bool>& target, bool budgeted) {
    const Insn& in = code[i];
    if (in.op != XOp::CALL || size_t(in.k) >= program.functions.size()) return false;
    const vm::RtFunction& callee = program.functions[size_t(in.k)];
    if (!(callee.desc->flags & vm::kFnConstructor) || !callee.exec || !constructsNewInstance(code, i, target))
        return false;
    for (const Insn& c : callee.exec->code)  // (no call: this never recurses)
        if (c.op == XOp::STOREG || c.op == XOp::CALL || c.op == XOp::NEW) return false;
    return leafKind(callee, program, budgeted) == LeafKind::Plain;
}

}  // namespace

LeafKind leafKind(const vm::RtFunction& fn, const vm::LinkedProgram& program, bool budgeted) {
    if (!fn.exec || fn.ncaptures != 0) return LeafKind::None;
    const std::vector<Insn>& code = fn.exec->code;
    if (code.size() > kMaxLeafInstructions) return LeafKind::None;
    std::vector<bool> target(code.size(), false);
    bool receiverKept = (fn.desc->flags & vm::kFnMethod) != 0;
    for (size_t i = 0; i < code.size(); i++) {
        if (jumps(code[i].op)) {
            if (budgeted && code[i].k <= 0) return LeafKind::None;
            target[size_t(int64_t(i) + code[i].k)] = true;
        }
        if (writesA(code[i].op) && code[i].a == 0) receiverKept = false;
    }
    bool callsItself = false, writesGlobals = false, mayGiveUp = false, allocates = false;
    for (size_t i = 0; i < code.size(); i++) {
        const Insn& in = code[i];
        writesGlobals = writesGlobals || in.op == XOp::STOREG;
        if (!canThrowOrCall(in.op)) continue;
        // Only a recursive leaf may allocate: a full heap makes it give up,
        // and the call made again throws OutOfMemoryError.
        if (!budgeted && ((in.op == XOp::NEW && program.classes[size_t(in.k)].slotCount <= vm::kInlineInstanceSlots) ||
                          leafConstructor(program, code, i, target, budgeted))) {
            allocates = true;
            continue;
        }
        bool division = in.op == XOp::IDIV || in.op == XOp::IREM;
        bool constantDivisor =
            division && i > 0 && !target[i] && code[i - 1].a == in.c && nonZeroConstant(code[i - 1], program);
        bool receiverField =
            ((in.op == XOp::GET_FIELD && in.b == 0) || (in.op == XOp::SET_FIELD && in.a == 0)) && receiverKept;
        bool selfCall =
            in.op == XOp::CALL && uint32_t(in.k) == fn.index && !budgeted && (fn.desc->flags & vm::kFnMethod) == 0;
        callsItself = callsItself || selfCall;
        if (constantDivisor || receiverField || selfCall) continue;
        // A null object or a zero divisor: a recursive leaf gives up there,
        // and the call made again with frames throws.
        if (in.op != XOp::GET_FIELD && !division) return LeafKind::None;
        mayGiveUp = true;
    }
    if (!callsItself) return mayGiveUp || allocates ? LeafKind::None : LeafKind::Plain;
    return writesGlobals ? LeafKind::None : LeafKind::Recursive;
}

uint32_t leafFrameSize(const vm::RtFunction& fn, const vm::LinkedProgram& program) {
    uint32_t size = fn.frameSize;
    for (const Insn& in : fn.exec->code)
        if (in.op == XOp::CALL) size = std::max(size, program.functions[size_t(in.k)].frameSize);
    return size;
}

}  // namespace nido::jit
