// The bytecode emitter of one function: appends instructions, tracks the
// operand stack depth (for maxStack), resolves labels by back-patching,
// and records the line table and the exception handlers.
//
// Reachability: after JUMP, RETURN, RETURN_VOID or THROW the emitter is
// unreachable and drops whatever is emitted until a label that some jump
// targets (or a handler entry) is bound. So the code it produces never
// holds dead instructions, and the caller can ask reachable() to know
// whether control can fall through (a void function's final RETURN_VOID).
#pragma once

#include <cstdint>
#include <vector>

#include "vm/opcodes.hpp"
#include "vm/program.hpp"

namespace nido::compiler {

class Emitter {
public:
    using Label = uint32_t;

    uint32_t pc() const { return uint32_t(code_.size()); }
    bool reachable() const { return reachable_; }

    // Emits op with up to two operands laid out per its format. The stack
    // effect comes from opcodes.def; ops whose effect is VAR there (calls,
    // NEW_ARRAY, NEW_MAP, MAKE_CLOSURE) must pass pops and pushes.
    void emit(vm::Op op, uint32_t a = 0, uint32_t b = 0, int pops = -1, int pushes = -1);

    Label newLabel();
    // JUMP, JUMP_IF_FALSE or JUMP_IF_TRUE to l.
    void jump(vm::Op op, Label l);
    // Places l here; control arrives from its jumps and, if reachable, by
    // falling through.
    void bind(Label l);
    // Places a handler entry here: reachable, the stack holding just the error.
    void bindHandler(Label l);
    uint32_t labelPc(Label l) const { return uint32_t(labels_[l].pos); }

    // Marks the following instructions as coming from source line `line`.
    void line(uint32_t line);
    void addHandler(const vm::Handler& h) { handlers_.push_back(h); }

    // Moves the code, handlers, line table and maxStack into fn. All labels
    // that are jumped to must be bound by now.
    void finish(vm::FunctionDesc& fn);

private:
    struct LabelInfo {
        int64_t pos = -1;                // bound position, -1 until bound
        int depth = -1;                  // stack depth on arrival
        std::vector<uint32_t> branches;  // pcs of forward branches to patch
    };

    void setDepth(int d);
    void write32(uint32_t at, uint32_t v);

    std::vector<uint8_t> code_;
    std::vector<LabelInfo> labels_;
    std::vector<vm::LineEntry> lines_;
    std::vector<vm::Handler> handlers_;
    int depth_ = 0;
    int maxDepth_ = 0;
    bool reachable_ = true;
};

}  // namespace nido::compiler
