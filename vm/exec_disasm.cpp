// Execution-form listing (see exec_disasm.hpp). Operands print as slots:
// L<n> for local n, S<d> for the operand-stack entry at depth d.
#include "vm/exec_disasm.hpp"

#include <fmt/format.h>

namespace nido::vm {
namespace {

struct Printer {
    const RtFunction& fn;

    std::string slot(uint16_t s) const {
        return s < fn.nlocals ? fmt::format("L{}", s) : fmt::format("S{}", s - fn.nlocals);
    }

    // The operands of insn, at index i, in the form its exec_ops.def text uses.
    std::string operands(const Insn& in, size_t i) const {
        const std::string a = slot(in.a), b = slot(in.b), c = slot(in.c);
        const std::string target = fmt::format("-> {:04}", int64_t(i) + in.k);
        switch (in.op) {
        case XOp::NOP:
        case XOp::RETURN_VOID: return "";
        case XOp::MOVE: return fmt::format("{} = {}", a, b);
        case XOp::LOADI: return fmt::format("{} = {}", a, in.k);
        case XOp::LOADK: return fmt::format("{} = constant #{}", a, in.k);
        case XOp::LOADG: return fmt::format("{} = global #{}", a, in.k);
        case XOp::STOREG: return fmt::format("global #{} = {}", in.k, a);
        case XOp::LOADCAP: return fmt::format("{} = capture {}", a, in.b);
        case XOp::IADDI: return fmt::format("{} = {} + {}", a, b, in.k);
        case XOp::GET_FIELD: return fmt::format("{} = {}.field{}", a, b, in.c);
        case XOp::SET_FIELD: return fmt::format("{}.field{} = {}", a, in.c, b);
        case XOp::BOX_SET:
        case XOp::ARRAY_SET:
        case XOp::MAP_SET: return fmt::format("{} {} {}", a, b, c);
        case XOp::JUMP: return target;
        case XOp::JUMP_IF_TRUE:
        case XOp::JUMP_IF_FALSE: return fmt::format("{} {}", a, target);
        case XOp::NEW: return fmt::format("{} = class #{}", a, in.k);
        case XOp::NEW_ARRAY:
        case XOp::NEW_MAP: return fmt::format("{} = {} x{} type #{}", a, b, in.c, in.k);
        case XOp::CALL:
        case XOp::CALL_BUILTIN:
        case XOp::MAKE_CLOSURE:
        case XOp::CALL_CLOSURE: return fmt::format("{} = #{} args from {}", a, in.k, b);
        case XOp::CALL_VIRTUAL:
        case XOp::CALL_INTERFACE: return fmt::format("{} = #{}.{} args from {}", a, in.k, in.c, b);
        case XOp::RETURN:
        case XOp::THROW: return a;
        default: break;
        }
        if (in.op >= XOp::JUMP_IF_IEQ && in.op <= XOp::JUMP_IF_RNE) return fmt::format("{} {} {}", a, b, target);
        if (in.op == XOp::BOX_NEW || in.op == XOp::IS || in.op == XOp::AS)
            return fmt::format("{} = {} #{}", a, b, in.k);
        if (in.op == XOp::NEW_ARRAY_FILL) return fmt::format("{} = {} x {}", a, b, c);
        // The rest read b, and c when binary.
        bool unary = in.op == XOp::INEG || in.op == XOp::INOT || in.op == XOp::FNEG || in.op == XOp::I2F ||
                     in.op == XOp::FSQRT || in.op == XOp::NOT || in.op == XOp::BOX_GET;
        return unary ? fmt::format("{} = {}", a, b) : fmt::format("{} = {} {}", a, b, c);
    }
};

}  // namespace

std::string disassembleExecFunction(const RtFunction& fn) {
    std::string out = fmt::format("fun #{} {}   ; {} instructions from {} bytecode bytes, {} locals\n", fn.index,
                                  fn.desc->name, fn.exec->code.size(), fn.desc->code.size(), fn.nlocals);
    Printer p{fn};
    for (size_t i = 0; i < fn.exec->code.size(); i++) {
        const Insn& in = fn.exec->code[i];
        out += fmt::format("  {:04}  {:<16} {:<28} ; pc {:04}\n", i, xopName(in.op), p.operands(in, i), in.pc);
    }
    return out;
}

std::string disassembleExec(const LinkedProgram& lp) {
    std::string out;
    for (const RtFunction& fn : lp.functions) {
        if (!fn.exec) continue;
        out += disassembleExecFunction(fn);
        out += '\n';
    }
    return out;
}

}  // namespace nido::vm
