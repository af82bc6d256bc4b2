// LLVM's four analysis managers, registered with a PassBuilder and with
// one another: what every new-PassManager pipeline of the JIT runs with
// (engine.cpp's O2 module pipeline, calls.cpp's passes on a recursive leaf).
#pragma once

#include <llvm/Passes/PassBuilder.h>

namespace nido::jit {

struct Analyses {
    llvm::LoopAnalysisManager loops;
    llvm::FunctionAnalysisManager functions;
    llvm::CGSCCAnalysisManager sccs;
    llvm::ModuleAnalysisManager modules;

    explicit Analyses(llvm::PassBuilder& pb) {
        pb.registerModuleAnalyses(modules);
        pb.registerCGSCCAnalyses(sccs);
        pb.registerFunctionAnalyses(functions);
        pb.registerLoopAnalyses(loops);
        pb.crossRegisterProxies(loops, functions, sccs, modules);
    }
};

}  // namespace nido::jit
