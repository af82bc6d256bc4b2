// Instruction encoding, stack-depth tracking and label patching for one
// function (see codegen_emitter.hpp).
#include "compiler/codegen_emitter.hpp"

#include <algorithm>

namespace nido::compiler {

using vm::Op;
using vm::OperandFormat;

void Emitter::setDepth(int d) {
    depth_ = d;
    maxDepth_ = std::max(maxDepth_, depth_);
}

void Emitter::write32(uint32_t at, uint32_t v) {
    for (int i = 0; i < 4; i++) code_[at + i] = uint8_t(v >> (8 * i));
}

void Emitter::emit(Op op, uint32_t a, uint32_t b, int pops, int pushes) {
    if (!reachable_) return;
    const vm::OpInfo& info = vm::opInfo(op);
    if (info.pops != vm::VAR) pops = info.pops;
    if (info.pushes != vm::VAR) pushes = info.pushes;
    code_.push_back(uint8_t(op));
    auto put = [&](uint32_t v, int bytes) {
        for (int i = 0; i < bytes; i++) code_.push_back(uint8_t(v >> (8 * i)));
    };
    switch (info.format) {
    case OperandFormat::NONE: break;
    case OperandFormat::U16: put(a, 2); break;
    case OperandFormat::U32:
    case OperandFormat::I32: put(a, 4); break;
    case OperandFormat::U32_U16:
        put(a, 4);
        put(b, 2);
        break;
    case OperandFormat::U32_U32:
        put(a, 4);
        put(b, 4);
        break;
    }
    setDepth(depth_ - pops + pushes);
    if (op == Op::RETURN || op == Op::RETURN_VOID || op == Op::THROW || op == Op::JUMP) reachable_ = false;
}

Emitter::Label Emitter::newLabel() {
    labels_.emplace_back();
    return Label(labels_.size() - 1);
}

void Emitter::jump(Op op, Label l) {
    if (!reachable_) return;
    uint32_t at = pc();
    emit(op, 0);
    LabelInfo& info = labels_[l];
    info.depth = depth_;
    if (info.pos >= 0)
        write32(at + 1, uint32_t(int32_t(info.pos - int64_t(at))));
    else
        info.branches.push_back(at);
    // emit() already made an unconditional JUMP unreachable.
}

void Emitter::bind(Label l) {
    LabelInfo& info = labels_[l];
    info.pos = pc();
    for (uint32_t at : info.branches) write32(at + 1, uint32_t(int32_t(int64_t(info.pos) - at)));
    if (!info.branches.empty()) {
        if (!reachable_) depth_ = info.depth;
        reachable_ = true;
    }
    info.branches.clear();
}

void Emitter::bindHandler(Label l) {
    labels_[l].pos = pc();
    reachable_ = true;
    setDepth(1);
}

void Emitter::line(uint32_t line) {
    if (!reachable_ || line == 0) return;
    if (!lines_.empty() && lines_.back().line == line) return;
    if (!lines_.empty() && lines_.back().pc == pc())
        lines_.back().line = line;
    else
        lines_.push_back({pc(), line});
}

void Emitter::finish(vm::FunctionDesc& fn) {
    fn.code = std::move(code_);
    fn.handlers = std::move(handlers_);
    fn.lines = std::move(lines_);
    fn.maxStack = uint32_t(maxDepth_);
}

}  // namespace nido::compiler
