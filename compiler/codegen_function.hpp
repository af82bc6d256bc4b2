// Internal to the code generator. ProgramGen owns the Program being built
// and its interned tables (types, constants); FunctionGen turns one function
// symbol into a FunctionDesc. codegen_program.cpp holds the program-level
// parts and the function prologues, codegen_stmts.cpp the statements
// (including try/finally), codegen_exprs.cpp the expressions and calls.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "compiler/codegen.hpp"
#include "compiler/codegen_emitter.hpp"

namespace nido::compiler {

class ProgramGen {
public:
    explicit ProgramGen(Semantics& sem);
    vm::Program run();

    // Index of t in the Program's type table, adding it (and its parts) if new.
    uint32_t type(const Type* t);
    uint32_t boxType(const Type* t);
    uint32_t constInt(int64_t v);
    uint32_t constFloat(double v);
    uint32_t constString(const std::string& s);
    const ClassSym* errorClass() const { return errorClass_; }
    TypeTable& types() { return sem_.types; }

private:
    uint32_t intern(vm::TypeDesc d);
    template <typename Key>
    uint32_t internConstant(std::map<Key, uint32_t>& index, const Key& key, vm::Constant c);

    Semantics& sem_;
    vm::Program prog_;
    const ClassSym* errorClass_ = nullptr;
    // Lookup tables only; never iterated, so output order does not depend on them.
    std::map<std::tuple<int, uint32_t, uint32_t, uint32_t, std::vector<uint32_t>>, uint32_t> typeIndex_;
    std::unordered_map<const Type*, uint32_t> typeCache_;
    std::map<int64_t, uint32_t> intConsts_;
    std::map<uint64_t, uint32_t> floatConsts_;  // by bit pattern: -0.0 and nan kept apart
    std::map<std::string, uint32_t> stringConsts_;
};

class FunctionGen {
public:
    FunctionGen(ProgramGen& pg, FunctionSym& fn) : pg_(pg), fn_(fn) {}
    vm::FunctionDesc generate();

private:
    // A statement that break/continue/return may leave: a loop, or a try
    // whose protected ranges must exclude the finally copies emitted on the
    // way out (vm-contract.md: finally is copied onto every exit).
    struct TryRegion {
        Block* finally = nullptr;
        int64_t segStart = -1;  // start of the open protected segment, -1 when suspended
        std::vector<std::pair<uint32_t, uint32_t>> segments;
        void suspend(uint32_t pc) {
            if (segStart >= 0 && pc > uint32_t(segStart)) segments.push_back({uint32_t(segStart), pc});
            segStart = -1;
        }
        void resume(uint32_t pc) { segStart = pc; }
    };
    struct Exit {
        TryRegion* region = nullptr;  // null for loops
        Emitter::Label breakLabel = 0, continueLabel = 0;
    };

    // ---- Frame (codegen_program.cpp) ----
    void layoutFrame();
    void genBody();
    void genConstructor();
    void genModuleInit();
    uint16_t newTemp(uint32_t type);

    // ---- Statements (codegen_stmts.cpp) ----
    void genStmts(std::vector<StmtPtr>& stmts);
    void genStmt(Stmt& s);
    void genIf(If& s);
    void genWhile(While& s);
    void genForRange(ForRange& s);
    void genForEach(ForEach& s);
    void genLoopBody(Block& body, Emitter::Label breakL, Emitter::Label continueL);
    void genReturn(Return& s);
    void genTry(Try& s);
    void genAssign(Assign& a);
    void genExitThrough(size_t keep);

    // ---- Expressions (codegen_exprs.cpp) ----
    void genExpr(Expr& e);
    void genExprAs(Expr& e, const Type* target);
    void genStringified(Expr& e);
    void genBinary(Binary& e);
    void genArith(BinaryOp op, OperandClass oc);
    void genCompound(AssignOp op, const Type* target, Expr& value);
    void genCall(Call& c);
    void genArgs(Call& c);
    void genLambda(Lambda& e);
    void genIntConst(int64_t v);

    // ---- Variables ----
    void loadVar(const LocalVar* v);
    void pushBox(const LocalVar* v);  // the variable's box itself (captured variables)
    void storeVar(const LocalVar* v, const std::function<void()>& value);
    void initVar(const LocalVar* v);  // the value on the stack becomes the variable's first value
    void pushThis();

    ProgramGen& pg_;
    FunctionSym& fn_;
    Emitter em_;
    std::vector<uint32_t> locals_;  // FunctionDesc::locals under construction
    std::vector<Exit> exits_;
};

}  // namespace nido::compiler
