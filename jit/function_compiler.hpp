// The compiler of one function (codegen.hpp): its execution form to LLVM
// IR. Private to the JIT; its members are defined in codegen.cpp (entry,
// instructions, errors and handlers) and calls.cpp (calls: leaves, direct
// and virtual calls, inlined builtins).
#pragma once

#include <llvm/ADT/STLFunctionalExtras.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <string>
#include <vector>

#include "jit/devirtualize.hpp"
#include "vm/jit_refs.hpp"
#include "vm/linker.hpp"

namespace nido::jit::ir {

using namespace vm;
using llvm::BasicBlock;
using llvm::IRBuilder;
using LValue = llvm::Value;

class FunctionCompiler {
    // A call through a runtime helper with the arguments at args (in
    // memory); its i1 says whether it returned without throwing.
    using SlowPath = llvm::function_ref<LValue*(LValue* args)>;
    using HelperCall = llvm::function_ref<LValue*()>;
    // A fast path's value; it may branch to the slow path's block instead.
    using FastValue = llvm::function_ref<LValue*(BasicBlock* slow)>;

public:
    FunctionCompiler(const JitRequest& req, llvm::Module& module)
        : req_(req),
          fn_(*req.fn),
          code_(req.fn->exec->code),
          lay_(*req.layout),
          ctx_(module.getContext()),
          module_(module),
          b_(ctx_),
          i64_(b_.getInt64Ty()),
          i32_(b_.getInt32Ty()),
          i1_(b_.getInt1Ty()),
          f64_(b_.getDoubleTy()),
          ptr_(llvm::PointerType::getUnqual(ctx_)) {}

    llvm::Function* compile(const std::string& name);

    // A leaf (leaf.hpp) as i64 (i64 args...): no VM, no frame; the result,
    // or 0 for none, is returned. A recursive leaf is i64 (ptr escape, i64
    // frames, ptr nativeLimit, i64 args...): escape is its caller's
    // escapeBuffer, frames how many calls it may still nest, nativeLimit
    // the native stack's limit.
    llvm::Function* compileLeaf(const std::string& name, bool recursive);

private:
    void emitBody();

    // Blocks start at branch and handler targets.
    void findBlocks();

    // Code for calls: arguments from the frame, other slots zero. OSR code
    // (JitRequest::osrEntry): every slot from the frame, then on at that
    // loop header, the one way in, so the loops stay natural for LLVM.
    void emitEntry(BasicBlock* entry);

    // From here on the slots live in registers, so the frame's memory would
    // only keep dead references alive for the collector: at a normal entry
    // the reference arguments are all it holds (above them lies what the
    // interpreter leaves too), after OSR the whole frame.
    void clearReferenceParameters();
    void clearFrameMemory() { b_.CreateMemSet(base_, b_.getInt8(0), uint64_t(8) * fn_.frameSize, llvm::MaybeAlign(8)); }

    // --- values and memory -------------------------------------------------
    LValue* gep(LValue* p, size_t offset) { return b_.CreateConstGEP1_64(b_.getInt8Ty(), p, offset); }
    LValue* asPtr(LValue* v) { return b_.CreateIntToPtr(v, ptr_); }
    LValue* ld(uint16_t s) { return b_.CreateLoad(i64_, slots_[s]); }
    LValue* ldf(uint16_t s) { return b_.CreateBitCast(ld(s), f64_); }
    // A slot's bits for a float, bool or reference.
    LValue* toI64(LValue* v);
    void st(uint16_t s, LValue* v) { b_.CreateStore(toI64(v), slots_[s]); }
    // An address of the run, by name (jit_refs.hpp): the engine defines the
    // symbol, so the object file is the same in every run.
    LValue* ref(JitRef r) {
        auto* symbol = llvm::cast<llvm::GlobalVariable>(module_.getOrInsertGlobal(jitRefName(r), b_.getInt8Ty()));
        symbol->setCodeModel(llvm::CodeModel::Large);  // anywhere: a movabs (engine.cpp)
        symbol->setDSOLocal(true);
        llvm::Metadata* anyValue = llvm::ConstantAsMetadata::get(b_.getInt64(uint64_t(-1)));
        symbol->setMetadata(llvm::LLVMContext::MD_absolute_symbol,  // a value, not an address in the GOT
                            llvm::MDNode::get(ctx_, {anyValue, anyValue}));
        return symbol;
    }
    LValue* functionRef(const RtFunction& f) { return ref({JitRefKind::Function, f.index}); }
    LValue* null() { return llvm::ConstantPointerNull::get(ptr_); }
    LValue* load64(LValue* objI64, size_t offset) { return b_.CreateLoad(i64_, gep(asPtr(objI64), offset)); }

    // What a load or store touches, for LLVM's type-based alias analysis.
    // An array's or string's header (length, data pointer), an array's
    // elements and an instance's fields never overlap, so a store to one
    // leaves loads of the others in place: a loop storing elements keeps
    // its bounds check's length and the data pointer in registers. Other
    // accesses stay untagged, which aliases everything.
    enum class Memory { Header, Element, Field };
    LValue* tagged(LValue* access, Memory what) {
        static const char* const kNames[] = {"header", "element", "field"};
        llvm::MDBuilder md(ctx_);
        llvm::MDNode* type = md.createTBAAScalarTypeNode(kNames[int(what)], md.createTBAARoot("nido"));
        llvm::cast<llvm::Instruction>(access)->setMetadata(llvm::LLVMContext::MD_tbaa,
                                                           md.createTBAAStructTagNode(type, type, 0));
        return access;
    }

    // A call of a helper, a field of JitHelpers.
    template <typename Fn>
    LValue* helper(Fn JitHelpers::*field, llvm::Type* ret, std::vector<llvm::Type*> params, std::vector<LValue*> args) {
        const JitHelpers& h = *req_.helpers;
        auto slot =
            uint32_t((reinterpret_cast<const char*>(&(h.*field)) - reinterpret_cast<const char*>(&h)) / sizeof(void*));
        auto* type = llvm::FunctionType::get(ret, params, false);
        // Through the table, not at the helper's address: a call of a
        // symbol would be a direct one, which must land within 2 GiB.
        LValue* entry = b_.CreateLoad(ptr_, ref({JitRefKind::Helper, slot}));
        llvm::cast<llvm::Instruction>(entry)->setMetadata(llvm::LLVMContext::MD_invariant_load,
                                                          llvm::MDNode::get(ctx_, {}));
        return b_.CreateCall(type, entry, args);
    }

    // --- errors ------------------------------------------------------------
    // Where a frame stopped, for traces and handler ranges: one past i.
    void setIp(size_t i) {
        size_t next = i + 1 < code_.size() ? i + 1 : i;
        b_.CreateStore(gep(ref({JitRefKind::Code, fn_.index}), sizeof(Insn) * next), gep(frame_, lay_.frameIp));
    }

    // Continues at the handler for an error thrown at instruction i.
    void unwind(size_t i) { b_.CreateBr(landing(i)); }

    // Branches to the error path of i unless ok.
    void expect(LValue* ok, size_t i);

    // Throws kind with message at i when bad holds.
    void throwIf(LValue* bad, size_t i, ErrorKind kind, const char* message);

    llvm::MDNode* unlikely() { return llvm::MDBuilder(ctx_).createBranchWeights(1, 1000); }

    // One landing block per distinct list of handlers covering a pc: tries
    // them innermost first, else pops the frame and returns false.
    BasicBlock* landing(size_t i);

    void popFrame() { b_.CreateStore(b_.CreateSub(depth_, b_.getInt32(1)), gep(vm_, lay_.vmDepth)); }
    void returnFalse() {
        popFrame();
        b_.CreateRet(b_.getFalse());
    }

    // --- instructions --------------------------------------------------------
    LValue* isNull(LValue* v) { return b_.CreateICmpEQ(v, b_.getInt64(0)); }

    void branch(size_t i, LValue* cond);

    // Where the jump at i goes when taken: its target, in a budgeted run
    // through a block that first spends a back-edge's fuel (offset 0
    // included, as in the interpreter).
    BasicBlock* jumpTarget(size_t i);

    // One loop back-edge or call in a budgeted run (JitRequest::budgeted):
    // Vm::fuel spent as spendFuel (interpreter.hpp) spends it, with relaxed
    // atomics the --timeout watchdog's store can reach; at 0 the run ends.
    void spendFuel();

    // Stores R[first .. first+n) into the frame's VM stack memory, where a
    // callee or a helper reads them; returns their address.
    LValue* spill(uint16_t first, uint32_t n) {
        for (uint32_t j = 0; j < n; j++) b_.CreateStore(ld(uint16_t(first + j)), gep(base_, 8 * (first + j)));
        return gep(base_, 8 * size_t(first));
    }

    // A call whose n arguments start at R[b]; the result comes back in R[b]'s
    // memory and goes to R[a].
    void call(size_t i, bool result, LValue* done) {
        expect(done, i);
        if (result) st(code_[i].a, b_.CreateLoad(i64_, gep(base_, 8 * size_t(code_[i].b))));
    }

    void instruction(size_t i);

    // A call of a known function: when it has native code (itself, or
    // compiled by now) and the stacks have room, its frame is pushed here
    // and its code called directly; otherwise the call helper does it all,
    // throwing StackOverflowError when there is no room.
    // slowPath emits the call through a helper, which also throws
    // NullError for a null receiver (a method's first argument).
    // A call of a function known here: a leaf inlined, else a direct call.
    // slowPath(args) calls through a helper with the arguments in memory.
    void knownCall(size_t i, const RtFunction& callee, SlowPath slowPath);

    struct Leaf {
        llvm::Function* fn = nullptr;  // none: callee is no leaf
        bool recursive = false;
    };
    Leaf leafFunction(const RtFunction& callee);

    // A recursive leaf as eight copies calling each other in a ring: LLVM
    // never inlines a function into itself, but it does inline one copy
    // into another, which unrolls the recursion as gcc does for C.
    static void unrollRecursion(llvm::Function* leaf);

    // A recursive leaf gives up when bad holds: it long-jumps through its
    // escape buffer (escapeBuffer) back to its caller, which makes the
    // whole call again with frames.
    void giveUpIf(LValue* bad);

    // A recursive leaf gives up on entry when the native stack is nearly
    // gone. Checked after its tail calls became loops, this costs one test
    // per native call, not one per level: a loop's levels share one native
    // frame, and the reserve below the limit holds the plain leaves it calls.
    void checkStackOnEntry();

    // A recursive leaf calling itself or a constructor, one frame deeper;
    // with no frame left it gives up.
    void leafInnerCall(size_t i, const RtFunction& callee);

    // The native stack pointer, for the stack-limit checks: not
    // llvm.frameaddress, which would cost every function a frame pointer
    // (a register and two instructions per call).
    LValue* stackPointer();

    // Where the interpreter would push a frame for callee with its arguments
    // at args, whether it has room to (else it throws StackOverflowError).
    LValue* roomFor(const RtFunction& callee, LValue* args);

    // The leaf's value straight from its arguments in registers when the
    // interpreter would have room for its frame and, for a method, the
    // receiver is not null; else the slow path, which throws.
    void leafCall(size_t i, const RtFunction& callee, Leaf leaf, SlowPath slowPath);

    // Where this function's recursive leaf calls keep what
    // llvm.eh.sjlj.setjmp saves (words 0-2), for their give-up's long jump,
    // and the VM, which leaves that allocate read (word 3).
    LValue* escapeBuffer();
    static constexpr size_t kEscapeVmOffset = 24;

    // How many frames deeper than callee's, pushed with its arguments at
    // args, the interpreter would have room for: by the frame count, and by
    // the VM stack counting each frame as the largest the leaf may push
    // (leafFrameSize; frames overlap in fact).
    LValue* deeperFrames(const RtFunction& callee, LValue* args);

    // R[a] (when there is a result) from fastValue(slow) when fast holds,
    // else from slowPath(args), a call through a helper with the n
    // arguments in memory that leaves its result in R[b]'s memory or
    // throws. fastValue may still branch to slow.
    void fastOrSlow(size_t i, LValue* fast, bool result, uint32_t n, SlowPath slowPath, FastValue fastValue);

    // Builtins simple enough to compute here; false for the others.
    bool inlineBuiltin(size_t i);

    // A virtual call with a few implementations: the receiver's class picks
    // one, called as a known function (a leaf inlined, else directly).
    void dispatchByClass(size_t i, const RtFunction& declared, const std::vector<Implementation>& targets,
                         SlowPath viaVtable);

    LValue* directCall(const RtFunction& callee, LValue* args, HelperCall slowPath);

    // NEW: memory from the free list for the instance's size
    // (Vm::Refs::instanceFreeLists), with no call; an empty list, or a
    // class with many fields, takes the helper, which refills the list or
    // throws OutOfMemoryError.
    void newInstance(size_t i);

    // An allocating helper's result goes to R[a]; nullptr means it threw.
    // (The caller has set the frame's ip before calling the helper.)
    void allocation(size_t i, LValue* obj) {
        expect(b_.CreateIsNotNull(obj), i);
        st(code_[i].a, obj);
    }

    const JitRequest& req_;
    const RtFunction& fn_;
    const std::vector<Insn>& code_;
    const JitLayout& lay_;
    llvm::LLVMContext& ctx_;
    llvm::Module& module_;
    IRBuilder<> b_;
    llvm::Type *i64_, *i32_, *i1_, *f64_;
    llvm::PointerType* ptr_;
    llvm::Function* f_ = nullptr;
    LValue *vm_ = nullptr, *frame_ = nullptr, *base_ = nullptr, *depth_ = nullptr;
    std::vector<llvm::AllocaInst*> slots_;
    std::vector<BasicBlock*> blocks_;
    std::map<std::vector<size_t>, BasicBlock*> landings_;
    std::map<const RtFunction*, Leaf> leaves_;
    bool leaf_ = false;               // compiling a leaf (compileLeaf)
    bool recursive_ = false;          // a recursive one
    BasicBlock* givingUp_ = nullptr;  // where a recursive leaf gives up (giveUpIf)
    LValue* escape_ = nullptr;        // escapeBuffer()
};

}  // namespace nido::jit::ir
