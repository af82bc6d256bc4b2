// Execution form to LLVM IR, one function at a time (see codegen.hpp):
// the function's entry, its instructions, and its errors and handlers.
// Calls are in calls.cpp.
#include "jit/codegen.hpp"

#include <algorithm>

#include <llvm/IR/Verifier.h>

#include "jit/function_compiler.hpp"
#include "jit/leaf.hpp"
#include "vm/builtin_impl.hpp"
#include "vm/builtins.hpp"

namespace nido::jit {
namespace ir {

llvm::Function* FunctionCompiler::compile(const std::string& name) {
    auto* type = llvm::FunctionType::get(i1_, {ptr_, ptr_, i32_}, false);
    f_ = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
    vm_ = f_->getArg(0);
    frame_ = f_->getArg(1);
    BasicBlock* entry = BasicBlock::Create(ctx_, "entry", f_);
    findBlocks();
    int32_t osr = req_.osrEntry;
    if (osr >= 0 && (size_t(osr) >= code_.size() || !blocks_[size_t(osr)])) {
        f_->eraseFromParent();
        return nullptr;  // not a block start
    }
    emitEntry(entry);
    emitBody();
    return f_;
}

llvm::Function* FunctionCompiler::compileLeaf(const std::string& name, bool recursive) {
    leaf_ = true;
    recursive_ = recursive;
    std::vector<llvm::Type*> params;
    if (recursive) params = {ptr_, i64_, ptr_};
    params.insert(params.end(), fn_.nparams, i64_);
    f_ = llvm::Function::Create(llvm::FunctionType::get(i64_, params, false), llvm::Function::PrivateLinkage, name,
                                module_);
    if (!recursive) f_->addFnAttr(llvm::Attribute::AlwaysInline);
    b_.SetInsertPoint(BasicBlock::Create(ctx_, "entry", f_));
    findBlocks();
    slots_.resize(fn_.frameSize);
    for (auto& s : slots_) s = b_.CreateAlloca(i64_);
    if (recursive && std::any_of(code_.begin(), code_.end(), [](const Insn& in) { return in.op == XOp::NEW; }))
        vm_ = b_.CreateLoad(ptr_, gep(f_->getArg(0), kEscapeVmOffset));  // for allocations
    unsigned first = recursive ? 3 : 0;
    for (uint32_t s = 0; s < fn_.frameSize; s++)
        st(uint16_t(s), s < fn_.nparams ? static_cast<LValue*>(f_->getArg(first + s)) : b_.getInt64(0));
    emitBody();
    return f_;
}

void FunctionCompiler::emitBody() {
    for (size_t i = 0; i < code_.size(); i++) {
        if (BasicBlock* bb = blocks_[i]) {
            if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(bb);
            b_.SetInsertPoint(bb);
        } else if (b_.GetInsertBlock()->getTerminator()) {
            continue;  // unreachable: nothing branches here
        }
        instruction(i);
    }
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateUnreachable();
}

void FunctionCompiler::findBlocks() {
    blocks_.assign(code_.size(), nullptr);
    auto mark = [&](size_t i) {
        if (!blocks_[i]) blocks_[i] = BasicBlock::Create(ctx_, "i" + std::to_string(i), f_);
    };
    for (size_t i = 0; i < code_.size(); i++) {
        XOp op = code_[i].op;
        if (op >= XOp::JUMP && op <= XOp::JUMP_IF_RNE) mark(size_t(int64_t(i) + code_[i].k));
    }
    for (uint32_t t : fn_.exec->handlerTargets) mark(t);
}

void FunctionCompiler::emitEntry(BasicBlock* entry) {
    b_.SetInsertPoint(entry);
    slots_.resize(fn_.frameSize);
    for (auto& s : slots_) s = b_.CreateAlloca(i64_);
    base_ = b_.CreateLoad(ptr_, gep(frame_, lay_.frameBase));
    // This frame is the innermost, so Vm::depth is its index + 1 on entry,
    // after every call and at the return. Derived from the frame's address
    // rather than reloaded from Vm::depth, each push and pop is one store
    // that waits for no earlier one.
    LValue* frames = b_.CreateLoad(ptr_, gep(vm_, lay_.vmFrames));
    LValue* offset = b_.CreateSub(b_.CreatePtrToInt(frame_, i64_), b_.CreatePtrToInt(frames, i64_));
    depth_ =
        b_.CreateAdd(b_.CreateTrunc(b_.CreateExactUDiv(offset, b_.getInt64(lay_.frameSize)), i32_), b_.getInt32(1));
    BasicBlock* body = BasicBlock::Create(ctx_, "body", f_);  // no way in for OSR code
    if (req_.osrEntry < 0) {
        for (uint32_t s = 0; s < fn_.frameSize; s++) {
            LValue* v = s < fn_.nparams ? static_cast<LValue*>(b_.CreateLoad(i64_, gep(base_, 8 * s))) : b_.getInt64(0);
            st(uint16_t(s), v);
        }
        clearReferenceParameters();
        b_.CreateBr(body);
    } else {
        for (uint32_t s = 0; s < fn_.frameSize; s++) st(uint16_t(s), b_.CreateLoad(i64_, gep(base_, 8 * s)));
        clearFrameMemory();
        b_.CreateBr(blocks_[size_t(req_.osrEntry)]);
    }
    b_.SetInsertPoint(body);
}

void FunctionCompiler::clearReferenceParameters() {
    const auto& types = req_.program->program->types;
    for (uint32_t s = 0; s < fn_.nparams; s++) {
        TypeKind kind = types[fn_.desc->params[s]].kind;
        if (kind != TypeKind::Int && kind != TypeKind::Float && kind != TypeKind::Bool) {
            b_.CreateStore(b_.getInt64(0), gep(base_, 8 * s));
        }
    }
}

LValue* FunctionCompiler::toI64(LValue* v) {
    if (v->getType() == f64_) return b_.CreateBitCast(v, i64_);
    if (v->getType() == i1_) return b_.CreateZExt(v, i64_);
    if (v->getType() == ptr_) return b_.CreatePtrToInt(v, i64_);
    return v;
}

void FunctionCompiler::expect(LValue* ok, size_t i) {
    BasicBlock* next = BasicBlock::Create(ctx_, "ok", f_);
    b_.CreateCondBr(ok, next, landing(i));
    b_.SetInsertPoint(next);
}

void FunctionCompiler::throwIf(LValue* bad, size_t i, ErrorKind kind, const char* message) {
    BasicBlock* fail = BasicBlock::Create(ctx_, "throw", f_);
    BasicBlock* next = BasicBlock::Create(ctx_, "ok", f_);
    b_.CreateCondBr(bad, fail, next, unlikely());
    b_.SetInsertPoint(fail);
    setIp(i);
    helper(&JitHelpers::throwError, b_.getVoidTy(), {ptr_, i32_, ptr_},
           {vm_, b_.getInt32(uint32_t(kind)), b_.CreateGlobalString(message)});
    unwind(i);
    b_.SetInsertPoint(next);
}

BasicBlock* FunctionCompiler::landing(size_t i) {
    uint32_t pc = code_[i].pc;
    std::vector<size_t> covering;
    const auto& handlers = fn_.desc->handlers;
    for (size_t h = 0; h < handlers.size(); h++) {
        if (pc >= handlers[h].start && pc < handlers[h].end) covering.push_back(h);
    }
    auto [it, fresh] = landings_.try_emplace(covering, nullptr);
    if (!fresh) return it->second;
    auto saved = b_.saveIP();
    BasicBlock* bb = BasicBlock::Create(ctx_, "landing", f_);
    it->second = bb;
    b_.SetInsertPoint(bb);
    LValue* err = b_.CreateLoad(i64_, gep(vm_, lay_.vmPending));
    for (size_t h : covering) {
        const Handler& hd = handlers[h];
        BasicBlock* take = BasicBlock::Create(ctx_, "catch", f_);
        if (hd.catchClass == kNone) {
            b_.CreateBr(take);
        } else {
            BasicBlock* next = BasicBlock::Create(ctx_, "next_handler", f_);
            LValue* is =
                helper(&JitHelpers::instanceOf, i1_, {ptr_, ptr_, i32_}, {vm_, asPtr(err), b_.getInt32(hd.catchClass)});
            b_.CreateCondBr(is, take, next);
            b_.SetInsertPoint(next);
        }
        auto after = b_.saveIP();
        b_.SetInsertPoint(take);
        b_.CreateStore(b_.getInt64(0), gep(vm_, lay_.vmPending));
        st(uint16_t(fn_.nlocals), err);
        // As the interpreter does: the frame's stack memory still holds
        // what unwound callees referenced.
        b_.CreateMemSet(gep(base_, 8 * (size_t(fn_.nlocals) + 1)), b_.getInt8(0),
                        8 * (uint64_t(fn_.frameSize) - fn_.nlocals - 1), llvm::MaybeAlign(8));
        helper(&JitHelpers::caught, b_.getVoidTy(), {ptr_, ptr_}, {vm_, asPtr(err)});
        b_.CreateBr(blocks_[fn_.exec->handlerTargets[h]]);
        b_.restoreIP(after);
        if (hd.catchClass == kNone) break;
    }
    if (!b_.GetInsertBlock()->getTerminator()) returnFalse();
    b_.restoreIP(saved);
    return bb;
}

void FunctionCompiler::branch(size_t i, LValue* cond) {
    BasicBlock* next = BasicBlock::Create(ctx_, "fall", f_);
    b_.CreateCondBr(cond, jumpTarget(i), next);
    b_.SetInsertPoint(next);
}

BasicBlock* FunctionCompiler::jumpTarget(size_t i) {
    BasicBlock* target = blocks_[size_t(int64_t(i) + code_[i].k)];
    if (!req_.budgeted || code_[i].k > 0) return target;
    auto saved = b_.saveIP();
    BasicBlock* edge = BasicBlock::Create(ctx_, "back_edge", f_);
    b_.SetInsertPoint(edge);
    spendFuel();
    b_.CreateBr(target);
    b_.restoreIP(saved);
    return edge;
}

void FunctionCompiler::spendFuel() {
    if (!req_.budgeted) return;
    LValue* at = gep(vm_, lay_.vmFuel);
    llvm::LoadInst* fuel = b_.CreateAlignedLoad(i64_, at, llvm::MaybeAlign(8));
    fuel->setAtomic(llvm::AtomicOrdering::Monotonic);
    LValue* left = b_.CreateSub(fuel, b_.getInt64(1));
    b_.CreateAlignedStore(left, at, llvm::MaybeAlign(8))->setAtomic(llvm::AtomicOrdering::Monotonic);
    BasicBlock* spent = BasicBlock::Create(ctx_, "out_of_budget", f_);
    BasicBlock* next = BasicBlock::Create(ctx_, "fueled", f_);
    b_.CreateCondBr(isNull(left), spent, next, unlikely());
    b_.SetInsertPoint(spent);
    helper(&JitHelpers::outOfBudget, b_.getVoidTy(), {ptr_}, {vm_});
    b_.CreateUnreachable();
    b_.SetInsertPoint(next);
}

void FunctionCompiler::instruction(size_t i) {
    const Insn& in = code_[i];
    const LinkedProgram& lp = *req_.program;
    auto bin = [&](auto make) { st(in.a, make(ld(in.b), ld(in.c))); };
    auto fbin = [&](auto make) { st(in.a, make(ldf(in.b), ldf(in.c))); };
    switch (in.op) {
    case XOp::NOP: return;
    case XOp::MOVE: st(in.a, ld(in.b)); return;
    case XOp::LOADI: st(in.a, b_.getInt64(uint64_t(int64_t(in.k)))); return;
    case XOp::LOADK:
        st(in.a, lp.program->constants[size_t(in.k)].kind == ConstKind::String
                     ? ref({JitRefKind::Constant, uint32_t(in.k)})
                     : b_.getInt64(uint64_t(lp.constants[in.k].i)));
        return;
    case XOp::LOADG: st(in.a, b_.CreateLoad(i64_, ref({JitRefKind::Global, uint32_t(in.k)}))); return;
    case XOp::STOREG: b_.CreateStore(ld(in.a), ref({JitRefKind::Global, uint32_t(in.k)})); return;
    case XOp::LOADCAP: {
        LValue* closure = b_.CreateLoad(i64_, gep(frame_, lay_.frameClosure));
        st(in.a, load64(closure, lay_.closureCaptures + 8 * size_t(in.b)));
        return;
    }
    case XOp::BOX_NEW: {
        setIp(i);
        LValue* box = helper(&JitHelpers::newBox, ptr_, {ptr_, i64_}, {vm_, ld(in.b)});
        expect(b_.CreateIsNotNull(box), i);
        st(in.a, box);
        return;
    }
    case XOp::BOX_GET: {
        LValue* box = ld(in.b);
        throwIf(isNull(box), i, ErrorKind::Null, "null box");
        st(in.a, load64(box, lay_.boxValue));
        return;
    }
    case XOp::BOX_SET: {
        LValue* box = ld(in.a);
        throwIf(isNull(box), i, ErrorKind::Null, "null box");
        b_.CreateStore(ld(in.b), gep(asPtr(box), lay_.boxValue));
        return;
    }
    case XOp::GET_FIELD:
    case XOp::SET_FIELD: {
        LValue* obj = ld(in.op == XOp::GET_FIELD ? in.b : in.a);
        if (recursive_) {
            giveUpIf(isNull(obj));
        } else if (!leaf_) {  // a plain leaf's is the receiver, which the caller checked
            BasicBlock* fail = BasicBlock::Create(ctx_, "null_field", f_);
            BasicBlock* next = BasicBlock::Create(ctx_, "ok", f_);
            b_.CreateCondBr(isNull(obj), fail, next, unlikely());
            b_.SetInsertPoint(fail);
            setIp(i);
            helper(&JitHelpers::throwNullField, b_.getVoidTy(), {ptr_, i32_, i32_},
                   {vm_, b_.getInt32(uint32_t(in.k)), b_.getInt32(in.c)});
            unwind(i);
            b_.SetInsertPoint(next);
        }
        LValue* field = gep(asPtr(obj), lay_.instanceFields + 8 * size_t(in.c));
        if (in.op == XOp::GET_FIELD) {
            st(in.a, tagged(b_.CreateLoad(i64_, field), Memory::Field));
        } else {
            tagged(b_.CreateStore(ld(in.b), field), Memory::Field);
        }
        return;
    }
    case XOp::IADD: bin([&](LValue* x, LValue* y) { return b_.CreateAdd(x, y); }); return;
    case XOp::IADDI: st(in.a, b_.CreateAdd(ld(in.b), b_.getInt64(uint64_t(int64_t(in.k))))); return;
    case XOp::ISUB: bin([&](LValue* x, LValue* y) { return b_.CreateSub(x, y); }); return;
    case XOp::IMUL: bin([&](LValue* x, LValue* y) { return b_.CreateMul(x, y); }); return;
    case XOp::IDIV:
    case XOp::IREM: {
        LValue *x = ld(in.b), *y = ld(in.c);
        if (recursive_) {
            giveUpIf(isNull(y));
        } else if (!leaf_) {  // a plain leaf's divisor is a constant
            throwIf(isNull(y), i, ErrorKind::Arithmetic, "division by zero");
        }
        LValue* minusOne = b_.CreateICmpEQ(y, b_.getInt64(uint64_t(-1)));
        LValue* safe = b_.CreateSelect(minusOne, b_.getInt64(1), y);  // MIN / -1 would trap
        LValue* r = in.op == XOp::IDIV
                        ? b_.CreateSelect(minusOne, b_.CreateSub(b_.getInt64(0), x), b_.CreateSDiv(x, safe))
                        : b_.CreateSelect(minusOne, b_.getInt64(0), b_.CreateSRem(x, safe));
        st(in.a, r);
        return;
    }
    case XOp::INEG: st(in.a, b_.CreateSub(b_.getInt64(0), ld(in.b))); return;
    case XOp::IAND: bin([&](LValue* x, LValue* y) { return b_.CreateAnd(x, y); }); return;
    case XOp::IOR: bin([&](LValue* x, LValue* y) { return b_.CreateOr(x, y); }); return;
    case XOp::IXOR: bin([&](LValue* x, LValue* y) { return b_.CreateXor(x, y); }); return;
    case XOp::ISHL: bin([&](LValue* x, LValue* y) { return b_.CreateShl(x, b_.CreateAnd(y, 63)); }); return;
    case XOp::ISHR: bin([&](LValue* x, LValue* y) { return b_.CreateAShr(x, b_.CreateAnd(y, 63)); }); return;
    case XOp::IUSHR: bin([&](LValue* x, LValue* y) { return b_.CreateLShr(x, b_.CreateAnd(y, 63)); }); return;
    case XOp::INOT: st(in.a, b_.CreateNot(ld(in.b))); return;
    case XOp::FADD: fbin([&](LValue* x, LValue* y) { return b_.CreateFAdd(x, y); }); return;
    case XOp::FSUB: fbin([&](LValue* x, LValue* y) { return b_.CreateFSub(x, y); }); return;
    case XOp::FMUL: fbin([&](LValue* x, LValue* y) { return b_.CreateFMul(x, y); }); return;
    case XOp::FDIV: fbin([&](LValue* x, LValue* y) { return b_.CreateFDiv(x, y); }); return;
    case XOp::FREM: st(in.a, helper(&JitHelpers::fmod, f64_, {f64_, f64_}, {ldf(in.b), ldf(in.c)})); return;
    case XOp::FNEG: st(in.a, b_.CreateFNeg(ldf(in.b))); return;
    case XOp::I2F: st(in.a, b_.CreateSIToFP(ld(in.b), f64_)); return;
    case XOp::FSQRT: st(in.a, b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, ldf(in.b))); return;
    case XOp::IEQ: st(in.a, b_.CreateICmpEQ(ld(in.b), ld(in.c))); return;
    case XOp::INE: st(in.a, b_.CreateICmpNE(ld(in.b), ld(in.c))); return;
    case XOp::ILT: st(in.a, b_.CreateICmpSLT(ld(in.b), ld(in.c))); return;
    case XOp::ILE: st(in.a, b_.CreateICmpSLE(ld(in.b), ld(in.c))); return;
    case XOp::IGT: st(in.a, b_.CreateICmpSGT(ld(in.b), ld(in.c))); return;
    case XOp::IGE: st(in.a, b_.CreateICmpSGE(ld(in.b), ld(in.c))); return;
    case XOp::FEQ: st(in.a, b_.CreateFCmpOEQ(ldf(in.b), ldf(in.c))); return;
    case XOp::FNE: st(in.a, b_.CreateFCmpUNE(ldf(in.b), ldf(in.c))); return;
    case XOp::FLT: st(in.a, b_.CreateFCmpOLT(ldf(in.b), ldf(in.c))); return;
    case XOp::FLE: st(in.a, b_.CreateFCmpOLE(ldf(in.b), ldf(in.c))); return;
    case XOp::FGT: st(in.a, b_.CreateFCmpOGT(ldf(in.b), ldf(in.c))); return;
    case XOp::FGE: st(in.a, b_.CreateFCmpOGE(ldf(in.b), ldf(in.c))); return;
    case XOp::SEQ:
    case XOp::SNE: {
        LValue* eq = helper(&JitHelpers::stringsEqual, i1_, {ptr_, ptr_}, {asPtr(ld(in.b)), asPtr(ld(in.c))});
        st(in.a, in.op == XOp::SEQ ? eq : b_.CreateNot(eq));
        return;
    }
    case XOp::SLT:
    case XOp::SLE:
    case XOp::SGT:
    case XOp::SGE: {
        LValue *x = ld(in.b), *y = ld(in.c);
        throwIf(b_.CreateOr(isNull(x), isNull(y)), i, ErrorKind::Null, "comparison with null");
        LValue* c = helper(&JitHelpers::compareStrings, i64_, {ptr_, ptr_}, {asPtr(x), asPtr(y)});
        LValue* zero = b_.getInt64(0);
        st(in.a, in.op == XOp::SLT   ? b_.CreateICmpSLT(c, zero)
                 : in.op == XOp::SLE ? b_.CreateICmpSLE(c, zero)
                 : in.op == XOp::SGT ? b_.CreateICmpSGT(c, zero)
                                     : b_.CreateICmpSGE(c, zero));
        return;
    }
    case XOp::REQ: st(in.a, b_.CreateICmpEQ(ld(in.b), ld(in.c))); return;
    case XOp::RNE: st(in.a, b_.CreateICmpNE(ld(in.b), ld(in.c))); return;
    case XOp::NOT: st(in.a, isNull(ld(in.b))); return;
    case XOp::CONCAT: {
        setIp(i);
        LValue* s = helper(&JitHelpers::concat, ptr_, {ptr_, ptr_, ptr_}, {vm_, asPtr(ld(in.b)), asPtr(ld(in.c))});
        expect(b_.CreateIsNotNull(s), i);
        st(in.a, s);
        return;
    }
    case XOp::JUMP: b_.CreateBr(jumpTarget(i)); return;
    case XOp::JUMP_IF_TRUE: branch(i, b_.CreateICmpNE(ld(in.a), b_.getInt64(0))); return;
    case XOp::JUMP_IF_FALSE: branch(i, isNull(ld(in.a))); return;
    case XOp::JUMP_IF_IEQ:
    case XOp::JUMP_IF_REQ: branch(i, b_.CreateICmpEQ(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_IF_INE:
    case XOp::JUMP_IF_RNE: branch(i, b_.CreateICmpNE(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_IF_ILT: branch(i, b_.CreateICmpSLT(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_IF_ILE: branch(i, b_.CreateICmpSLE(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_IF_IGT: branch(i, b_.CreateICmpSGT(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_IF_IGE: branch(i, b_.CreateICmpSGE(ld(in.a), ld(in.b))); return;
    case XOp::JUMP_UNLESS_FEQ: branch(i, b_.CreateNot(b_.CreateFCmpOEQ(ldf(in.a), ldf(in.b)))); return;
    case XOp::JUMP_UNLESS_FNE: branch(i, b_.CreateNot(b_.CreateFCmpUNE(ldf(in.a), ldf(in.b)))); return;
    case XOp::JUMP_UNLESS_FLT: branch(i, b_.CreateNot(b_.CreateFCmpOLT(ldf(in.a), ldf(in.b)))); return;
    case XOp::JUMP_UNLESS_FLE: branch(i, b_.CreateNot(b_.CreateFCmpOLE(ldf(in.a), ldf(in.b)))); return;
    case XOp::JUMP_UNLESS_FGT: branch(i, b_.CreateNot(b_.CreateFCmpOGT(ldf(in.a), ldf(in.b)))); return;
    case XOp::JUMP_UNLESS_FGE: branch(i, b_.CreateNot(b_.CreateFCmpOGE(ldf(in.a), ldf(in.b)))); return;
    case XOp::IS:
        st(in.a, helper(&JitHelpers::instanceOf, i1_, {ptr_, ptr_, i32_},
                        {vm_, asPtr(ld(in.b)), b_.getInt32(uint32_t(in.k))}));
        return;
    case XOp::AS: {
        setIp(i);
        LValue* v = ld(in.b);
        expect(helper(&JitHelpers::cast, i1_, {ptr_, ptr_, i32_}, {vm_, asPtr(v), b_.getInt32(uint32_t(in.k))}), i);
        st(in.a, v);
        return;
    }
    case XOp::NEW: newInstance(i); return;
    case XOp::NEW_ARRAY: {
        setIp(i);
        LValue* elems = spill(in.b, in.c);
        allocation(i, helper(&JitHelpers::newArray, ptr_, {ptr_, i32_, ptr_, i32_},
                             {vm_, b_.getInt32(uint32_t(in.k)), elems, b_.getInt32(in.c)}));
        return;
    }
    case XOp::NEW_ARRAY_FILL:
        setIp(i);
        allocation(i, helper(&JitHelpers::newArrayFill, ptr_, {ptr_, i32_, i64_, i64_},
                             {vm_, b_.getInt32(uint32_t(in.k)), ld(in.b), ld(in.c)}));
        return;
    case XOp::NEW_MAP: {
        setIp(i);
        LValue* pairs = spill(in.b, 2 * uint32_t(in.c));
        allocation(i, helper(&JitHelpers::newMap, ptr_, {ptr_, i32_, ptr_, i32_},
                             {vm_, b_.getInt32(uint32_t(in.k)), pairs, b_.getInt32(in.c)}));
        return;
    }
    case XOp::ARRAY_GET:
    case XOp::ARRAY_SET:
    case XOp::STRING_GET: {
        bool set = in.op == XOp::ARRAY_SET;
        LValue* obj = ld(set ? in.a : in.b);
        LValue* index = ld(set ? in.b : in.c);
        throwIf(isNull(obj), i, ErrorKind::Null, "index into null");
        bool str = in.op == XOp::STRING_GET;
        LValue* len = tagged(load64(obj, str ? lay_.stringLen : lay_.arrayLen), Memory::Header);
        BasicBlock* fail = BasicBlock::Create(ctx_, "bounds", f_);
        BasicBlock* next = BasicBlock::Create(ctx_, "ok", f_);
        b_.CreateCondBr(b_.CreateICmpUGE(index, len), fail, next, unlikely());
        b_.SetInsertPoint(fail);
        setIp(i);
        helper(&JitHelpers::throwIndex, b_.getVoidTy(), {ptr_, i64_, i64_}, {vm_, index, len});
        unwind(i);
        b_.SetInsertPoint(next);
        if (str) {
            LValue* byte =
                b_.CreateLoad(b_.getInt8Ty(), b_.CreateGEP(b_.getInt8Ty(), gep(asPtr(obj), lay_.stringBytes), index));
            st(in.a, b_.CreateZExt(byte, i64_));
            return;
        }
        LValue* data = tagged(b_.CreateLoad(ptr_, gep(asPtr(obj), lay_.arrayData)), Memory::Header);
        LValue* elem = b_.CreateGEP(i64_, data, index);
        if (set) {
            tagged(b_.CreateStore(ld(in.c), elem), Memory::Element);
        } else {
            st(in.a, tagged(b_.CreateLoad(i64_, elem), Memory::Element));
        }
        return;
    }
    case XOp::MAP_GET:
    case XOp::MAP_SET: {
        bool set = in.op == XOp::MAP_SET;
        LValue* map = ld(set ? in.a : in.b);
        throwIf(isNull(map), i, ErrorKind::Null, "index into null");
        setIp(i);
        if (set) {
            expect(helper(&JitHelpers::mapSet, i1_, {ptr_, ptr_, i64_, i64_}, {vm_, asPtr(map), ld(in.b), ld(in.c)}),
                   i);
        } else {
            LValue* out = gep(base_, 8 * size_t(in.a));  // a frame slot's memory as the out-parameter
            expect(helper(&JitHelpers::mapGet, i1_, {ptr_, ptr_, i64_, ptr_}, {vm_, asPtr(map), ld(in.c), out}), i);
            st(in.a, b_.CreateLoad(i64_, out));
        }
        return;
    }
    case XOp::CALL: {
        const RtFunction& callee = lp.functions[size_t(in.k)];
        knownCall(i, callee, [&](LValue* args) {
            return helper(&JitHelpers::call, i1_, {ptr_, ptr_, ptr_, ptr_}, {vm_, functionRef(callee), null(), args});
        });
        return;
    }
    case XOp::CALL_VIRTUAL: {
        const RtFunction& declared = *lp.classes[size_t(in.k)].vtable[in.c];
        auto viaVtable = [&](LValue* args) {
            return helper(&JitHelpers::callVirtual, i1_, {ptr_, i32_, i32_, ptr_},
                          {vm_, b_.getInt32(uint32_t(in.k)), b_.getInt32(in.c), args});
        };
        if (const RtFunction* only = onlyImplementation(*req_.program, uint32_t(in.k), in.c)) {
            knownCall(i, *only, viaVtable);
            return;
        }
        if (auto targets = implementations(*req_.program, uint32_t(in.k), in.c); !targets.empty()) {
            dispatchByClass(i, declared, targets, viaVtable);
            return;
        }
        setIp(i);
        call(i, declared.returnsValue, viaVtable(spill(in.b, declared.nparams)));
        return;
    }
    case XOp::CALL_INTERFACE: {
        uint32_t iface = fn_.exec->caches[size_t(in.k)].iface;
        const RtFunction& declared = *lp.classes[iface].vtable[in.c];
        setIp(i);
        LValue* args = spill(in.b, declared.nparams);
        call(i, declared.returnsValue,
             helper(&JitHelpers::callInterface, i1_, {ptr_, ptr_, i32_, i32_, ptr_},
                    {vm_, functionRef(fn_), b_.getInt32(uint32_t(in.k)), b_.getInt32(in.c), args}));
        return;
    }
    case XOp::CALL_CLOSURE: {
        uint32_t n = lp.types[size_t(in.k)].arity + 1;
        bool result = lp.program->types[size_t(in.k)].elem != kTypeVoid;
        setIp(i);
        LValue* args = spill(in.b, n);
        call(i, result,
             helper(&JitHelpers::callClosure, i1_, {ptr_, i32_, ptr_}, {vm_, b_.getInt32(uint32_t(in.k)), args}));
        return;
    }
    case XOp::CALL_BUILTIN: {
        if (inlineBuiltin(i)) return;
        const BuiltinEntry& bi = req_.builtins[in.k];
        setIp(i);
        LValue* args = spill(in.b, bi.nargs);
        call(i, bi.hasResult,
             helper(&JitHelpers::callBuiltin, i1_, {ptr_, i32_, ptr_}, {vm_, b_.getInt32(uint32_t(in.k)), args}));
        return;
    }
    case XOp::MAKE_CLOSURE: {
        setIp(i);
        LValue* captures = spill(in.b, lp.functions[size_t(in.k)].ncaptures);
        allocation(i, helper(&JitHelpers::makeClosure, ptr_, {ptr_, i32_, ptr_},
                             {vm_, b_.getInt32(uint32_t(in.k)), captures}));
        return;
    }
    case XOp::RETURN: {
        if (leaf_) {
            b_.CreateRet(ld(in.a));
            return;
        }
        LValue* ret = b_.CreateLoad(ptr_, gep(frame_, lay_.frameRet));
        b_.CreateStore(ld(in.a), ret);
        popFrame();
        b_.CreateRet(b_.getTrue());
        return;
    }
    case XOp::RETURN_VOID:
        if (leaf_) {
            b_.CreateRet(b_.getInt64(0));
            return;
        }
        popFrame();
        b_.CreateRet(b_.getTrue());
        return;
    case XOp::THROW:
        setIp(i);
        helper(&JitHelpers::throwValue, b_.getVoidTy(), {ptr_, ptr_}, {vm_, asPtr(ld(in.a))});
        unwind(i);
        return;
    }
}

void FunctionCompiler::newInstance(size_t i) {
    const Insn& in = code_[i];
    const RtClass& cls = req_.program->classes[size_t(in.k)];
    auto viaHelper = [&] {
        if (leaf_) return helper(&JitHelpers::leafNewInstance, ptr_, {ptr_, i32_}, {vm_, b_.getInt32(uint32_t(in.k))});
        setIp(i);
        return helper(&JitHelpers::newInstance, ptr_, {ptr_, i32_}, {vm_, b_.getInt32(uint32_t(in.k))});
    };
    if (cls.slotCount > kInlineInstanceSlots) {
        allocation(i, viaHelper());
        return;
    }
    LValue* list = gep(vm_, lay_.vmInstanceFreeLists + sizeof(void*) * cls.slotCount);
    LValue* head = b_.CreateLoad(ptr_, list);
    BasicBlock* take = BasicBlock::Create(ctx_, "take", f_);
    BasicBlock* refill = BasicBlock::Create(ctx_, "refill", f_);
    BasicBlock* made = BasicBlock::Create(ctx_, "made", f_);
    b_.CreateCondBr(b_.CreateIsNotNull(head), take, refill);
    b_.SetInsertPoint(take);
    b_.CreateStore(b_.CreateLoad(ptr_, head), list);
    b_.CreateStore(b_.getInt64(lay_.instanceHeader), head);
    b_.CreateStore(ref({JitRefKind::Class, cls.index}), gep(head, lay_.instanceClass));
    for (uint32_t f = 0; f < cls.slotCount; f++) b_.CreateStore(b_.getInt64(0), gep(head, lay_.instanceFields + 8 * f));
    b_.CreateBr(made);
    b_.SetInsertPoint(refill);
    LValue* fresh = viaHelper();
    if (leaf_) {
        giveUpIf(b_.CreateIsNull(fresh));  // the heap is full: the call made again throws
    } else {
        expect(b_.CreateIsNotNull(fresh), i);
    }
    BasicBlock* refilled = b_.GetInsertBlock();
    b_.CreateBr(made);
    b_.SetInsertPoint(made);
    llvm::PHINode* obj = b_.CreatePHI(ptr_, 2);
    obj->addIncoming(head, take);
    obj->addIncoming(fresh, refilled);
    st(in.a, obj);
}

}  // namespace ir

llvm::Function* emitFunction(const vm::JitRequest& request, llvm::Module& module, const std::string& name) {
    return ir::FunctionCompiler(request, module).compile(name);
}

}  // namespace nido::jit
