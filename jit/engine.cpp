// The JIT plugin's entry point: IR from codegen.cpp, the new-PassManager
// O2 pipeline (LLJIT does not optimise by itself), then ORC LLJIT.
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "jit/codegen.hpp"
#include "vm/linker.hpp"

namespace nido::jit {
namespace {

struct Engine {
    std::unique_ptr<llvm::orc::LLJIT> jit;
    std::unique_ptr<llvm::TargetMachine> machine;  // for the optimiser's cost models
    std::string error;
    uint64_t compiled = 0;

    Engine() {
        llvm::InitializeNativeTarget();
        llvm::InitializeNativeTargetAsmPrinter();
        auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
        if (!builder) {
            error = llvm::toString(builder.takeError());
            return;
        }
        auto tm = builder->createTargetMachine();
        if (!tm) {
            error = llvm::toString(tm.takeError());
            return;
        }
        machine = std::move(*tm);
        auto created = llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(*builder)).create();
        if (!created) {
            error = llvm::toString(created.takeError());
            return;
        }
        jit = std::move(*created);
    }

    void optimize(llvm::Module& m) {
        llvm::LoopAnalysisManager lam;
        llvm::FunctionAnalysisManager fam;
        llvm::CGSCCAnalysisManager cgam;
        llvm::ModuleAnalysisManager mam;
        llvm::PassBuilder pb(machine.get());
        pb.registerModuleAnalyses(mam);
        pb.registerCGSCCAnalyses(cgam);
        pb.registerFunctionAnalyses(fam);
        pb.registerLoopAnalyses(lam);
        pb.crossRegisterProxies(lam, fam, cgam, mam);
        pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, mam);
    }

    vm::NativeCode compile(const vm::JitRequest& req, std::string& why) {
        if (!jit) {
            why = "LLVM: " + error;
            return nullptr;
        }
        auto context = std::make_unique<llvm::LLVMContext>();
        auto module = std::make_unique<llvm::Module>("nido", *context);
        module->setDataLayout(jit->getDataLayout());
        module->setTargetTriple(jit->getTargetTriple().str());
        std::string name = "nido." + std::to_string(req.fn->index) + "." + std::to_string(compiled++);
        llvm::Function* f = emitFunction(req, *module, name);
        if (!f) {
            why = "no block starts at OSR entry " + std::to_string(req.osrEntry);
            return nullptr;
        }
        std::string problems;
        llvm::raw_string_ostream out(problems);
        if (llvm::verifyFunction(*f, &out)) {
            why = "invalid IR for " + req.fn->desc->name + ": " + problems;
            return nullptr;
        }
        optimize(*module);
        // NIDO_JIT_DUMP=1 prints each optimised module (docs/jit.md).
        if (const char* dump = std::getenv("NIDO_JIT_DUMP"); dump && *dump == '1') module->print(llvm::errs(), nullptr);
        if (auto err = jit->addIRModule(llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
            why = llvm::toString(std::move(err));
            return nullptr;
        }
        auto symbol = jit->lookup(name);
        if (!symbol) {
            why = llvm::toString(symbol.takeError());
            return nullptr;
        }
        return symbol->toPtr<vm::NativeCode>();
    }
};

}  // namespace
}  // namespace nido::jit

extern "C" nido::vm::NativeCode nidoJitCompile(const nido::vm::JitRequest* request, char* error, size_t errorSize) {
    static nido::jit::Engine engine;
    std::string why;
    nido::vm::NativeCode code = engine.compile(*request, why);
    if (!code && errorSize > 0) {
        size_t n = std::min(why.size(), errorSize - 1);
        std::memcpy(error, why.data(), n);
        error[n] = '\0';
    }
    return code;
}
