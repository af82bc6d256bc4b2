// Calls in compiled code (see function_compiler.hpp): leaves inlined or
// recursive, direct calls that push the interpreter's frame, virtual calls
// dispatched on the receiver's class, and builtins computed inline.
#include <algorithm>

#include <llvm/Transforms/InstCombine/InstCombine.h>
#include <llvm/Transforms/Scalar/SROA.h>
#include <llvm/Transforms/Scalar/TailRecursionElimination.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include "jit/analyses.hpp"
#include "jit/function_compiler.hpp"
#include "jit/leaf.hpp"
#include "vm/builtin_impl.hpp"
#include "vm/builtins.hpp"

namespace nido::jit::ir {
namespace {

// A recursive leaf's last call followed only by arithmetic, as in
// fib(n - 1) + fib(n - 2), becomes a loop with an accumulator: LLVM's
// tail-recursion elimination, once SROA has put the slots in registers.
// It sees only calls of a function by itself, so it runs before
// unrollRecursion makes the copies, which then nest their loops in one
// another as gcc's code for fib does.
void loopTailCalls(llvm::Function& leaf) {
    llvm::PassBuilder pb;
    Analyses analyses(pb);
    llvm::FunctionPassManager passes;
    passes.addPass(llvm::SROAPass(llvm::SROAOptions::ModifyCFG));
    passes.addPass(llvm::InstCombinePass());
    passes.addPass(llvm::TailCallElimPass());
    passes.run(leaf, analyses.functions);
}

}  // namespace

void FunctionCompiler::knownCall(size_t i, const RtFunction& callee, SlowPath slowPath) {
    const Insn& in = code_[i];
    if (leaf_) {  // a recursive leaf calls itself and constructors
        leafInnerCall(i, callee);
        return;
    }
    if (Leaf leaf = leafFunction(callee); leaf.fn) {
        leafCall(i, callee, leaf, slowPath);
        return;
    }
    setIp(i);
    LValue* args = spill(in.b, callee.nparams);
    call(i, callee.returnsValue, directCall(callee, args, [&] { return slowPath(args); }));
}

FunctionCompiler::Leaf FunctionCompiler::leafFunction(const RtFunction& callee) {
    LeafKind kind = leafKind(callee, *req_.program, req_.budgeted);
    if (kind == LeafKind::None) return {};
    auto [it, fresh] = leaves_.try_emplace(&callee);
    if (fresh) {
        JitRequest request = req_;
        request.fn = &callee;
        request.osrEntry = -1;
        bool recursive = kind == LeafKind::Recursive;
        FunctionCompiler compiler(request, module_);
        llvm::Function* fn = compiler.compileLeaf("leaf." + std::to_string(callee.index), recursive);
        if (recursive) {
            loopTailCalls(*fn);
            compiler.checkStackOnEntry();
            unrollRecursion(fn);
        }
        it->second = {fn, recursive};
    }
    return it->second;
}

void FunctionCompiler::unrollRecursion(llvm::Function* leaf) {
    constexpr size_t kCopies = 8;
    std::vector<llvm::Function*> ring{leaf};
    for (size_t k = 1; k < kCopies; k++) {
        llvm::ValueToValueMapTy map;
        ring.push_back(llvm::CloneFunction(leaf, map));
    }
    for (size_t k = 0; k + 1 < kCopies; k++)
        for (BasicBlock& block : *ring[k])
            for (llvm::Instruction& insn : block)
                if (auto* call = llvm::dyn_cast<llvm::CallInst>(&insn); call && call->getCalledFunction() == leaf)
                    call->setCalledFunction(ring[k + 1]);
}

void FunctionCompiler::giveUpIf(LValue* bad) {
    if (!givingUp_) {
        auto saved = b_.saveIP();
        givingUp_ = BasicBlock::Create(ctx_, "give_up", f_);
        b_.SetInsertPoint(givingUp_);
        b_.CreateIntrinsic(llvm::Intrinsic::eh_sjlj_longjmp, {}, {f_->getArg(0)});
        b_.CreateUnreachable();
        b_.restoreIP(saved);
    }
    BasicBlock* next = BasicBlock::Create(ctx_, "ok", f_);
    b_.CreateCondBr(bad, givingUp_, next, unlikely());
    b_.SetInsertPoint(next);
}

void FunctionCompiler::checkStackOnEntry() {
    BasicBlock* entry = &f_->getEntryBlock();
    BasicBlock* body = entry->splitBasicBlock(entry->getFirstNonPHIOrDbgOrAlloca(), "body");
    entry->getTerminator()->eraseFromParent();
    b_.SetInsertPoint(entry);
    giveUpIf(b_.CreateICmpULT(stackPointer(), f_->getArg(2)));
    b_.CreateBr(body);
}

void FunctionCompiler::leafInnerCall(size_t i, const RtFunction& callee) {
    const Insn& in = code_[i];
    LValue *escape = f_->getArg(0), *frames = f_->getArg(1), *nativeLimit = f_->getArg(2);
    giveUpIf(b_.CreateICmpSLE(frames, b_.getInt64(0)));
    llvm::Function* target = f_;
    std::vector<LValue*> args;
    if (&callee == &fn_) {
        args = {escape, b_.CreateSub(frames, b_.getInt64(1)), nativeLimit};
    } else {
        target = leafFunction(callee).fn;  // a constructor, a plain leaf (leaf.cpp)
    }
    for (uint32_t j = 0; j < callee.nparams; j++) args.push_back(ld(uint16_t(in.b + j)));
    LValue* r = b_.CreateCall(target, args);
    if (callee.returnsValue) st(in.a, r);
}

LValue* FunctionCompiler::escapeBuffer() {
    if (!escape_) {
        IRBuilder<> entry(&f_->getEntryBlock(), f_->getEntryBlock().getFirstInsertionPt());
        escape_ = entry.CreateAlloca(llvm::ArrayType::get(ptr_, 5));  // llvm.eh.sjlj.setjmp's five words
    }
    return escape_;
}

LValue* FunctionCompiler::stackPointer() {
    llvm::MDNode* rsp = llvm::MDNode::get(ctx_, llvm::MDString::get(ctx_, "rsp"));
    return b_.CreateIntToPtr(
        b_.CreateIntrinsic(llvm::Intrinsic::read_register, {i64_}, {llvm::MetadataAsValue::get(ctx_, rsp)}), ptr_);
}

LValue* FunctionCompiler::roomFor(const RtFunction& callee, LValue* args) {
    LValue* stackEnd = b_.CreateLoad(ptr_, gep(vm_, lay_.vmStackEnd));
    LValue* nativeLimit = b_.CreateLoad(ptr_, gep(vm_, lay_.vmNativeStackLimit));
    LValue* here = stackPointer();
    return b_.CreateAnd(b_.CreateICmpULT(depth_, b_.CreateLoad(i32_, gep(vm_, lay_.vmMaxFrames))),
                        b_.CreateAnd(b_.CreateICmpULE(gep(args, 8 * size_t(callee.frameSize)), stackEnd),
                                     b_.CreateICmpUGE(here, nativeLimit)));
}

void FunctionCompiler::leafCall(size_t i, const RtFunction& callee, Leaf leaf, SlowPath slowPath) {
    const Insn& in = code_[i];
    LValue* argsAt = gep(base_, 8 * size_t(in.b));
    LValue* fast = roomFor(callee, argsAt);
    if (callee.desc->flags & kFnMethod) fast = b_.CreateAnd(fast, b_.CreateICmpNE(ld(in.b), b_.getInt64(0)));
    LValue* leavesOff = gep(vm_, lay_.vmRecursiveLeavesOff);
    auto withFrames = [&](LValue* args) {
        if (!leaf.recursive) return slowPath(args);
        // The call again with frames (or StackOverflowError): the calls
        // below push frames too, so a deep recursion is not retried as a
        // leaf at every level.
        b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i32_, leavesOff), b_.getInt32(1)), leavesOff);
        LValue* ok = slowPath(args);
        b_.CreateStore(b_.CreateSub(b_.CreateLoad(i32_, leavesOff), b_.getInt32(1)), leavesOff);
        return ok;
    };
    if (leaf.recursive) fast = b_.CreateAnd(fast, b_.CreateICmpEQ(b_.CreateLoad(i32_, leavesOff), b_.getInt32(0)));
    fastOrSlow(i, fast, callee.returnsValue, callee.nparams, withFrames, [&](BasicBlock* slow) {
        spendFuel();  // the slow path's helper spends its own
        std::vector<LValue*> args;
        if (leaf.recursive) {
            // A leaf giving up comes back here as a second return of
            // setjmp, and the call is made again with frames, which throw
            // where the interpreter's would.
            LValue* escape = escapeBuffer();
            b_.CreateStore(b_.CreateIntrinsic(llvm::Intrinsic::frameaddress, {ptr_}, {b_.getInt32(0)}), escape);
            b_.CreateStore(b_.CreateStackSave(), gep(escape, 16));
            b_.CreateStore(vm_, gep(escape, kEscapeVmOffset));
            LValue* gaveUp = b_.CreateIntrinsic(llvm::Intrinsic::eh_sjlj_setjmp, {}, {escape});
            BasicBlock* run = BasicBlock::Create(ctx_, "leaf", f_);
            b_.CreateCondBr(b_.CreateICmpNE(gaveUp, b_.getInt32(0)), slow, run, unlikely());
            b_.SetInsertPoint(run);
            args = {escape, deeperFrames(callee, argsAt), b_.CreateLoad(ptr_, gep(vm_, lay_.vmNativeStackLimit))};
        }
        for (uint32_t j = 0; j < callee.nparams; j++) args.push_back(ld(uint16_t(in.b + j)));
        return b_.CreateCall(leaf.fn, args);
    });
}

LValue* FunctionCompiler::deeperFrames(const RtFunction& callee, LValue* args) {
    LValue* maxFrames = b_.CreateZExt(b_.CreateLoad(i32_, gep(vm_, lay_.vmMaxFrames)), i64_);
    LValue* byCount = b_.CreateSub(maxFrames, b_.CreateZExt(b_.CreateAdd(depth_, b_.getInt32(1)), i64_));
    LValue* stackEnd = b_.CreatePtrToInt(b_.CreateLoad(ptr_, gep(vm_, lay_.vmStackEnd)), i64_);
    LValue* frameBytes = b_.getInt64(8 * uint64_t(std::max(leafFrameSize(callee, *req_.program), 1u)));
    LValue* calleeEnd = b_.CreateAdd(b_.CreatePtrToInt(args, i64_), frameBytes);
    LValue* byStack = b_.CreateSDiv(b_.CreateSub(stackEnd, calleeEnd), frameBytes);
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, byCount, byStack);
}

void FunctionCompiler::fastOrSlow(size_t i, LValue* fast, bool result, uint32_t n, SlowPath slowPath,
                                  FastValue fastValue) {
    const Insn& in = code_[i];
    BasicBlock* fastBlock = BasicBlock::Create(ctx_, "fast", f_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "slow", f_);
    BasicBlock* done = BasicBlock::Create(ctx_, "done", f_);
    b_.CreateCondBr(fast, fastBlock, slow);

    b_.SetInsertPoint(fastBlock);
    LValue* fastResult = fastValue(slow);
    BasicBlock* fastEnd = b_.GetInsertBlock();
    b_.CreateBr(done);

    b_.SetInsertPoint(slow);
    setIp(i);
    expect(slowPath(spill(in.b, n)), i);
    LValue* slowResult = b_.CreateLoad(i64_, gep(base_, 8 * size_t(in.b)));
    BasicBlock* slowEnd = b_.GetInsertBlock();
    b_.CreateBr(done);

    b_.SetInsertPoint(done);
    if (result) {
        llvm::PHINode* phi = b_.CreatePHI(i64_, 2);
        phi->addIncoming(toI64(fastResult), fastEnd);
        phi->addIncoming(slowResult, slowEnd);
        st(in.a, phi);
    }
}

bool FunctionCompiler::inlineBuiltin(size_t i) {
    const Insn& in = code_[i];
    auto x = [&] { return ld(in.b); };
    auto y = [&] { return ld(uint16_t(in.b + 1)); };
    auto fx = [&] { return ldf(in.b); };
    auto fy = [&] { return ldf(uint16_t(in.b + 1)); };
    auto unary = [&](llvm::Intrinsic::ID id) { st(in.a, b_.CreateUnaryIntrinsic(id, fx())); };
    switch (BuiltinId(in.k)) {
    case BuiltinId::MIN_INT: st(in.a, b_.CreateSelect(b_.CreateICmpSLT(x(), y()), x(), y())); return true;
    case BuiltinId::MAX_INT: st(in.a, b_.CreateSelect(b_.CreateICmpSGT(x(), y()), x(), y())); return true;
    case BuiltinId::MIN_FLOAT: st(in.a, b_.CreateSelect(b_.CreateFCmpOLT(fx(), fy()), fx(), fy())); return true;
    case BuiltinId::MAX_FLOAT: st(in.a, b_.CreateSelect(b_.CreateFCmpOGT(fx(), fy()), fx(), fy())); return true;
    case BuiltinId::ABS_INT:  // abs(MIN) wraps to MIN, as in the builtin
        st(in.a, b_.CreateSelect(b_.CreateICmpSLT(x(), b_.getInt64(0)), b_.CreateSub(b_.getInt64(0), x()), x()));
        return true;
    case BuiltinId::ABS_FLOAT: unary(llvm::Intrinsic::fabs); return true;
    case BuiltinId::MATH_FLOOR: unary(llvm::Intrinsic::floor); return true;
    case BuiltinId::MATH_CEIL: unary(llvm::Intrinsic::ceil); return true;
    case BuiltinId::MATH_IS_NAN: st(in.a, b_.CreateFCmpUNO(fx(), fx())); return true;
    case BuiltinId::ARRAY_LEN:
    case BuiltinId::STRING_LEN: {
        size_t len = BuiltinId(in.k) == BuiltinId::ARRAY_LEN ? lay_.arrayLen : lay_.stringLen;
        auto viaHelper = [&](LValue* args) {  // throws NullError
            return helper(&JitHelpers::callBuiltin, i1_, {ptr_, i32_, ptr_}, {vm_, b_.getInt32(uint32_t(in.k)), args});
        };
        fastOrSlow(i, b_.CreateICmpNE(x(), b_.getInt64(0)), true, 1, viaHelper,
                   [&](BasicBlock*) { return tagged(load64(x(), len), Memory::Header); });
        return true;
    }
    default: return false;
    }
}

void FunctionCompiler::dispatchByClass(size_t i, const RtFunction& declared, const std::vector<Implementation>& targets,
                                       SlowPath viaVtable) {
    const Insn& in = code_[i];
    LValue* receiver = ld(in.b);
    BasicBlock* generic = BasicBlock::Create(ctx_, "generic", f_);
    BasicBlock* done = BasicBlock::Create(ctx_, "dispatched", f_);
    BasicBlock* test = BasicBlock::Create(ctx_, "dispatch", f_);
    b_.CreateCondBr(isNull(receiver), generic, test, unlikely());  // the helper throws NullError
    b_.SetInsertPoint(test);
    LValue* cls = b_.CreateLoad(ptr_, gep(asPtr(receiver), lay_.instanceClass));
    for (const Implementation& target : targets) {
        LValue* match = b_.getFalse();
        for (const RtClass* c : target.classes)
            match = b_.CreateOr(match, b_.CreateICmpEQ(cls, ref({JitRefKind::Class, c->index})));
        BasicBlock* body = BasicBlock::Create(ctx_, "implementation", f_);
        BasicBlock* next = BasicBlock::Create(ctx_, "dispatch", f_);
        b_.CreateCondBr(match, body, next);
        b_.SetInsertPoint(body);
        knownCall(i, *target.fn, viaVtable);
        b_.CreateBr(done);
        b_.SetInsertPoint(next);
    }
    b_.CreateBr(generic);
    b_.SetInsertPoint(generic);
    setIp(i);
    call(i, declared.returnsValue, viaVtable(spill(in.b, declared.nparams)));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
}

LValue* FunctionCompiler::directCall(const RtFunction& callee, LValue* args, HelperCall slowPath) {
    LValue* native = &callee == &fn_ && req_.osrEntry < 0  // (OSR code enters at its loop, not at the top)
                         ? static_cast<LValue*>(f_)
                         : b_.CreateLoad(ptr_, gep(functionRef(callee), lay_.functionNative));
    LValue* fast = b_.CreateAnd(roomFor(callee, args), b_.CreateIsNotNull(native));
    if (callee.desc->flags & kFnMethod) fast = b_.CreateAnd(fast, b_.CreateIsNotNull(b_.CreateLoad(ptr_, args)));
    BasicBlock* direct = BasicBlock::Create(ctx_, "direct", f_);
    BasicBlock* slow = BasicBlock::Create(ctx_, "via_helper", f_);
    BasicBlock* done = BasicBlock::Create(ctx_, "called", f_);
    b_.CreateCondBr(fast, direct, slow);

    b_.SetInsertPoint(direct);
    spendFuel();  // the slow path's helper spends its own
    LValue* next = gep(frame_, lay_.frameSize);
    b_.CreateStore(functionRef(callee), next);  // Frame::fn comes first
    b_.CreateStore(args, gep(next, lay_.frameBase));
    b_.CreateStore(args, gep(next, lay_.frameRet));
    b_.CreateStore(ref({JitRefKind::Code, callee.index}), gep(next, lay_.frameIp));
    b_.CreateStore(null(), gep(next, lay_.frameClosure));
    // The collector may read the frame as soon as depth counts it.
    b_.CreateFence(llvm::AtomicOrdering::SequentiallyConsistent, llvm::SyncScope::SingleThread);
    b_.CreateStore(b_.CreateAdd(depth_, b_.getInt32(1)), gep(vm_, lay_.vmDepth));
    auto* type = llvm::FunctionType::get(i1_, {ptr_, ptr_, i32_}, false);
    LValue* directOk = b_.CreateCall(type, native, {vm_, next, b_.getInt32(uint32_t(-1))});
    BasicBlock* directEnd = b_.GetInsertBlock();
    b_.CreateBr(done);

    b_.SetInsertPoint(slow);
    LValue* slowOk = slowPath();
    BasicBlock* slowEnd = b_.GetInsertBlock();
    b_.CreateBr(done);

    b_.SetInsertPoint(done);
    llvm::PHINode* ok = b_.CreatePHI(i1_, 2);
    ok->addIncoming(directOk, directEnd);
    ok->addIncoming(slowOk, slowEnd);
    return ok;
}

}  // namespace nido::jit::ir
