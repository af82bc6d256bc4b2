// The type checker: resolves names, checks every rule of LANGUAGE.md §1-7
// and annotates the AST (types, resolved symbols, call kinds) for the code
// generator. One Checker checks all modules of a program, in initialisation
// order, so a module sees its imports fully checked.
//
// The work is split by concept: checker_decls.cpp (classes, members,
// signatures, module variables), checker_stmts.cpp (function bodies, scopes,
// statements), checker_exprs.cpp (expressions and operators),
// checker_calls.cpp (calls, members, builtins).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compiler/ast.hpp"
#include "compiler/checker_symbols.hpp"
#include "compiler/diagnostics.hpp"
#include "vm/signature.hpp"

namespace nido::compiler {

// A parsed module ready for checking, with its imports already located.
struct SourceModule {
    std::unique_ptr<Module> ast;
    std::string path;    // as given or resolved, for diagnostics
    std::string file;    // file name for traces
    std::string source;  // the text, for diagnostics
    // Parallel to ast->imports: the index in the module list of each import
    // (always an earlier module).
    std::vector<size_t> importIndices;
    // An embedded standard-library module (not a user's file of the same
    // name): `name.f(...)` may also reach builtins.def's MODULE entry "name.f".
    bool standard = false;
};

// Checks modules given in initialisation order (the prelude first, the entry
// module last). Errors go to diags; the result is meaningful only when none
// were reported.
std::unique_ptr<Semantics> checkProgram(std::vector<SourceModule>& modules, Diagnostics& diags);

// `while true` without a break of its own: it never ends normally. The
// checker counts it as a terminating statement and the code generator emits
// it without an exit test, so "missing return" and reachability agree.
bool isEndlessLoop(const While& w);

// Whether builtins.def or intrinsics.def has a free function of this name.
bool isGlobalBuiltin(const std::string& name);

// Whether builtins.def has a standard-module native "module.function".
bool isModuleBuiltin(const std::string& qualifiedName);

class Checker {
public:
    Checker(Semantics& sem, Diagnostics& diags) : sem_(sem), types_(sem.types), diags_(diags) {}

    // Declares and checks one module; its imports must have been checked.
    void checkModule(SourceModule& src, const std::vector<ModuleSym*>& importSyms, bool isEntry);

private:
    // ---- Function contexts and scopes (checker_stmts.cpp) -------------------
    struct Scope {
        std::vector<LocalVar*> vars;
    };
    struct FnCtx {
        FunctionSym* fn = nullptr;
        FnCtx* outer = nullptr;  // the enclosing function's context (lambdas)
        std::vector<Scope> scopes;
        int loopDepth = 0;
    };

    // ---- Declarations (checker_decls.cpp) -----------------------------------
    void declareModuleNames(ModuleSym& m);
    void resolveHeader(ClassSym* c);
    void orderClasses(ModuleSym& m);
    void declareMembers(ClassSym* c);
    void buildVtable(ClassSym* c);
    void checkImplementations(ClassSym* c);
    void declareFunctionSignature(FunctionSym* fn, const std::vector<Param>& params, const TypeExpr* result);
    void checkMain(ModuleSym& m);
    FunctionSym* newFunction(FnKind kind, std::string name, std::string traceName, Loc loc);
    ClassSym* resolveClassRef(const TypeExpr& te);
    const Type* resolveType(const TypeExpr* te, bool allowVoid);
    void ensureFieldType(FieldSym* f);
    void ensureGlobalChecked(GlobalSym* g);
    void checkFieldInit(FieldSym* f);

    // ---- Bodies and statements (checker_stmts.cpp) --------------------------
    void checkFunctionBody(FunctionSym* fn);
    void checkConstructorBody(ClassSym* c);
    void checkBlock(Block& b);
    void checkStmts(std::vector<StmtPtr>& stmts);
    void checkStmt(Stmt& s);
    void checkVarDecl(VarDecl& d);
    void checkAssign(Assign& a);
    void checkIf(If& s);
    void checkForRange(ForRange& s);
    void checkForEach(ForEach& s);
    void checkReturn(Return& s);
    void checkTry(Try& s);
    void checkCondition(Expr& e, const char* what);
    LocalVar* declareLocal(const std::string& name, const Type* type, Loc loc, bool isLet, bool isParam);
    LocalVar* lookupLocal(const std::string& name);
    void pushScope() { ctx_->scopes.emplace_back(); }
    void popScope() { ctx_->scopes.pop_back(); }
    bool terminates(const Stmt& s) const;
    bool blockTerminates(const Block& b) const;
    LocalVar* resolveThis(Loc loc, bool report);
    FunctionSym* rootFunction() const;
    ClassSym* currentClass() const;

    // ---- Expressions (checker_exprs.cpp) ------------------------------------
    // Checks e and records its type. expected is a hint from the context
    // (declared type, parameter, assignment target, return type) used by
    // empty literals, lambdas and generic builtins; the caller still checks
    // assignability.
    const Type* checkExpr(Expr& e, const Type* expected = nullptr);
    // Checks e as a value that must be assignable to target; reports
    // "cannot assign ..." style errors with the given description.
    void checkAssignableTo(Expr& e, const Type* target, const std::string& what);
    const Type* checkValue(Expr& e, const Type* expected = nullptr);
    const Type* checkIdent(Ident& e);
    const Type* checkUnary(Unary& e);
    const Type* checkBinary(Binary& e);
    const Type* checkIndex(Index& e);
    const Type* checkArrayLit(ArrayLit& e, const Type* expected);
    const Type* checkMapLit(MapLit& e, const Type* expected);
    const Type* checkLambda(Lambda& e, const Type* expected);
    const Type* checkIsAs(Expr& operand, const TypeExpr& target, ClassSym*& out, const char* op);
    const Type* globalRef(GlobalSym* g, Loc loc);
    const Type* fieldRef(FieldSym* f);

    // ---- Calls and members (checker_calls.cpp) ------------------------------
    const Type* checkCall(Call& c, const Type* expected);
    const Type* checkMember(Member& m);
    const Type* callNamed(Call& c, Ident& callee, const Type* expected);
    const Type* callMember(Call& c, Member& callee, const Type* expected);
    const Type* callSuper(Call& c);
    const Type* callFunction(Call& c, FunctionSym* fn, const std::string& what);
    const Type* callMethod(Call& c, ClassSym* cls, FunctionSym* m, const std::string& what);
    const Type* callConstructor(Call& c, ClassSym* cls, Loc loc);
    const Type* callClosure(Call& c, const Type* fnType);
    const Type* callBuiltin(Call& c, const std::string& name, const Type* receiver, int receiverKind,
                            const Type* expected);
    void checkArgs(Call& c, const std::vector<const Type*>& params, const std::string& what);
    ModuleSym* moduleQualifier(const Expr& e);

    // ---- Helpers -------------------------------------------------------------
    void error(Loc loc, std::string message);
    bool stop() const { return diags_.full(); }

    Semantics& sem_;
    TypeTable& types_;
    Diagnostics& diags_;
    ModuleSym* mod_ = nullptr;  // the module being checked
    ModuleSym* prelude_ = nullptr;
    FnCtx* ctx_ = nullptr;  // the function being checked
    // While a module variable's initialiser is checked: its module and
    // position, to reject uses of variables declared later.
    GlobalSym* initGlobal_ = nullptr;
    int lambdaDepthInInit_ = 0;  // lambdas entered since initGlobal_ was set
    // True only while the first statement of a constructor, a super(...)
    // call, is checked: the one place that call is allowed.
    bool allowSuperCall_ = false;
    ClassSym* errorClass_ = nullptr;  // the prelude's Error
};

}  // namespace nido::compiler
