// The JIT plugin's entry point: IR from codegen.cpp, the new-PassManager
// O2 pipeline (LLJIT does not optimise by itself), then ORC LLJIT.
//
// Code is position-independent (small code model): everything within the
// object, calls, constants, jump tables and strings, is reached
// PC-relative, never by an absolute 32-bit address, so the object works
// wherever it is mapped. Every address of the run is a 64-bit immediate
// (movabs) naming a symbol of jit_refs.hpp, which codegen marks large and
// absolute so that it needs no GOT; each compile defines them in a
// JITDylib of its own (runs in one process put the same names at other
// addresses); a helper is called through its JitHelpers slot. So the
// object file LLJIT links is one the code cache can link again in a
// later run, with no stub and no GOT.
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "jit/analyses.hpp"
#include "jit/codegen.hpp"
#include "vm/jit_refs.hpp"
#include "vm/linker.hpp"

namespace nido::jit {
namespace {

void forCache(llvm::orc::JITTargetMachineBuilder& jtmb) {
    jtmb.setCodeModel(llvm::CodeModel::Small);
    jtmb.setRelocationModel(llvm::Reloc::PIC_);
}

struct Engine {
    std::unique_ptr<llvm::orc::LLJIT> jit;
    std::unique_ptr<llvm::TargetMachine> machine;  // for the optimiser's cost models
    std::string error;
    std::string sessionError;  // what the session reported while linking, not printed
    uint64_t compiled = 0;
    std::vector<uint8_t> object;  // the last object file compiled

    Engine() {
        llvm::InitializeNativeTarget();
        llvm::InitializeNativeTargetAsmPrinter();
        auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
        if (!builder) {
            error = llvm::toString(builder.takeError());
            return;
        }
        forCache(*builder);
        auto tm = builder->createTargetMachine();
        if (!tm) {
            error = llvm::toString(tm.takeError());
            return;
        }
        machine = std::move(*tm);
        // The compiler keeps one target machine, made as the cache needs.
        auto created = llvm::orc::LLJITBuilder()
                           .setJITTargetMachineBuilder(std::move(*builder))
                           .setCompileFunctionCreator(
                               [](llvm::orc::JITTargetMachineBuilder jtmb)
                                   -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                                   forCache(jtmb);
                                   auto tm = jtmb.createTargetMachine();
                                   if (!tm) return tm.takeError();
                                   return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(std::move(*tm));
                               })
                           .create();
        if (!created) {
            error = llvm::toString(created.takeError());
            return;
        }
        jit = std::move(*created);
        // The session would print this to the program's stderr; it belongs
        // in the compile's reason (--stats: "first not compiled").
        jit->getExecutionSession().setErrorReporter(
            [this](llvm::Error err) { sessionError = llvm::toString(std::move(err)); });
        jit->getObjTransformLayer().setTransform([this](std::unique_ptr<llvm::MemoryBuffer> buffer) {
            object.assign(buffer->getBufferStart(), buffer->getBufferEnd());
            return llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>>(std::move(buffer));
        });
    }

    // A JITDylib for one compile, where the module's symbols of jit_refs.hpp
    // are this run's addresses; false with why when one is out of range.
    llvm::orc::JITDylib* refsFor(const llvm::Module& m, const vm::JitRequest& req, std::string& why) {
        llvm::orc::SymbolMap refs;
        for (const llvm::GlobalVariable& g : m.globals()) {
            if (!g.isDeclaration()) continue;
            auto r = vm::parseJitRef(g.getName());
            const void* address = r ? vm::jitRefAddress(*r, *req.program, *req.helpers) : nullptr;
            if (!address) {
                why = "no address for " + g.getName().str();
                return nullptr;
            }
            refs[jit->mangleAndIntern(g.getName())] = {llvm::orc::ExecutorAddr::fromPtr(address),
                                                       llvm::JITSymbolFlags::Exported};
        }
        auto dylib = jit->createJITDylib("nido.refs." + std::to_string(compiled));
        if (!dylib) {
            why = llvm::toString(dylib.takeError());
            return nullptr;
        }
        if (auto err = dylib->define(llvm::orc::absoluteSymbols(std::move(refs)))) {
            why = llvm::toString(std::move(err));
            return nullptr;
        }
        return &*dylib;
    }

    void optimize(llvm::Module& m) {
        llvm::PassBuilder pb(machine.get());
        Analyses analyses(pb);
        pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2).run(m, analyses.modules);
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
        llvm::orc::JITDylib* dylib = refsFor(*module, req, why);
        if (!dylib) return nullptr;
        if (auto err = jit->addIRModule(*dylib, llvm::orc::ThreadSafeModule(std::move(module), std::move(context)))) {
            why = llvm::toString(std::move(err));
            return nullptr;
        }
        sessionError.clear();
        auto symbol = jit->lookup(*dylib, name);
        if (!symbol) {
            why = llvm::toString(symbol.takeError());
            if (!sessionError.empty()) why = sessionError;
            return nullptr;
        }
        if (req.keepObject) req.keepObject(req.keepContext, name.c_str(), object.data(), object.size());
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
