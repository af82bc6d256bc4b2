// The syntax tree the parser builds and the type checker annotates. Nodes own
// their children through unique_ptr; a source file parses into one Module.
// Fields under "set by the checker" are empty after parsing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nido::compiler {

struct Loc {
    uint32_t line = 0;  // 1-based
    uint32_t col = 0;   // 1-based, in bytes
};

struct Type;  // checker's resolved type (types.hpp)

// ---- Checker annotations ------------------------------------------------------
// Owned by the type checker (checker*.cpp), read by the code generator; the
// parser leaves them at their defaults. The symbols live in checker_symbols.hpp.
struct LocalVar;
struct GlobalSym;
struct FieldSym;
struct FunctionSym;
struct ClassSym;

// What an identifier or member expression used as a value refers to.
enum class RefKind : uint8_t {
    None,
    Local,     // local: a local of this function or, through a capture, of an enclosing one
    Global,    // global: a module variable
    Field,     // field: of `this` (Ident) or of the object (Member)
    Function,  // function: a top-level function used as a value (a closure without captures)
};
struct Resolved {
    RefKind kind = RefKind::None;
    LocalVar* local = nullptr;
    GlobalSym* global = nullptr;
    FieldSym* field = nullptr;
    FunctionSym* function = nullptr;
};

// How a call is made; chosen by the checker.
enum class CallKind : uint8_t {
    None,
    Function,          // CALL target
    Builtin,           // CALL_BUILTIN builtin; a method builtin's receiver is the Member's object
    Intrinsic,         // args; the intrinsic's opcode with the result type (intrinsics.def id in builtin)
    Virtual,           // CALL_VIRTUAL targetClass, target->slot
    Interface,         // CALL_INTERFACE targetClass, target->slot
    SuperMethod,       // this; CALL target
    Constructor,       // NEW targetClass; DUP; args; CALL target
    SuperConstructor,  // this; args; CALL target
    Closure,           // the callee's value; args; CALL_CLOSURE
};

// ---- Type expressions as written ------------------------------------------

enum class TypeExprKind : uint8_t { Named, Array, Map, Func };

struct TypeExpr {
    TypeExprKind kind = TypeExprKind::Named;
    Loc loc;
    std::string qualifier;                        // Named: module name in `mod.Name`, else empty
    std::string name;                             // Named: int, float, bool, string, void, or a class/interface
    std::vector<std::unique_ptr<TypeExpr>> args;  // Array: [elem]; Map: [key, value]; Func: params
    std::unique_ptr<TypeExpr> result;             // Func: result (null means void)
};
using TypeExprPtr = std::unique_ptr<TypeExpr>;

// ---- Expressions ------------------------------------------------------------

enum class ExprKind : uint8_t {
    IntLit,
    FloatLit,
    StringLit,
    BoolLit,
    NullLit,
    Interp,  // string interpolation: parts alternate literal text and expressions
    Ident,
    This,
    Unary,
    Binary,
    Call,    // callee(args); callee may be Ident, Member, Super or any expression
    Member,  // object.name (also module.name)
    Super,   // `super` as in super(...) or super.m(...)
    Index,   // object[index]
    ArrayLit,
    MapLit,
    Lambda,
    Is,
    As,  // expr is Type / expr as Type
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;
struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
struct Block;

struct Param {
    std::string name;
    TypeExprPtr type;
    Loc loc;
};

struct Expr {
    ExprKind kind;
    Loc loc;
    explicit Expr(ExprKind k, Loc l) : kind(k), loc(l) {}
    virtual ~Expr() = default;

    // Set by the checker: the expression's static type.
    const Type* type = nullptr;
};

struct IntLit : Expr {
    int64_t value = 0;
    IntLit(Loc l) : Expr(ExprKind::IntLit, l) {}
};
struct FloatLit : Expr {
    double value = 0;
    FloatLit(Loc l) : Expr(ExprKind::FloatLit, l) {}
};
struct StringLit : Expr {
    std::string value;  // escapes already decoded
    StringLit(Loc l) : Expr(ExprKind::StringLit, l) {}
};
struct BoolLit : Expr {
    bool value = false;
    BoolLit(Loc l) : Expr(ExprKind::BoolLit, l) {}
};
struct NullLit : Expr {
    NullLit(Loc l) : Expr(ExprKind::NullLit, l) {}
};
// "a${x}b" parses to parts [StringLit "a", x, StringLit "b"] (empty texts omitted).
struct Interp : Expr {
    std::vector<ExprPtr> parts;
    Interp(Loc l) : Expr(ExprKind::Interp, l) {}
};
struct Ident : Expr {
    std::string name;
    Resolved ref;  // checker annotation
    Ident(Loc l) : Expr(ExprKind::Ident, l) {}
};
struct This : Expr {
    This(Loc l) : Expr(ExprKind::This, l) {}
};
struct Super : Expr {
    Super(Loc l) : Expr(ExprKind::Super, l) {}
};

// Operators as written; the checker picks int, float or string forms.
enum class UnaryOp : uint8_t { Neg, Not, BitNot };
enum class BinaryOp : uint8_t {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    BitOr,
    BitXor,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    UShr,
    BitAnd,
};

struct Unary : Expr {
    UnaryOp op = UnaryOp::Neg;
    ExprPtr operand;
    Unary(Loc l) : Expr(ExprKind::Unary, l) {}
};
struct Binary : Expr {
    BinaryOp op = BinaryOp::Add;
    ExprPtr left, right;
    Binary(Loc l) : Expr(ExprKind::Binary, l) {}  // loc: the operator's position
};
struct Call : Expr {
    ExprPtr callee;
    std::vector<ExprPtr> args;
    // Checker annotations. argTypes holds, per argument, the type it is
    // converted to (int->float widening), or null for a builtin's S
    // parameter (converted with str). implicitThis: a method of `this`
    // called without a receiver.
    CallKind callKind = CallKind::None;
    FunctionSym* target = nullptr;
    ClassSym* targetClass = nullptr;
    uint16_t builtin = 0;  // builtins.def id (Builtin) or intrinsics.def id (Intrinsic)
    std::vector<const Type*> argTypes;
    bool implicitThis = false;
    Call(Loc l) : Expr(ExprKind::Call, l) {}  // loc: the '(' position
};
struct Member : Expr {
    ExprPtr object;
    std::string name;
    Loc nameLoc;
    Resolved ref;                                 // checker annotation (Field, Global or Function of a module)
    Member(Loc l) : Expr(ExprKind::Member, l) {}  // loc: the '.' position
};
struct Index : Expr {
    ExprPtr object, index;
    Index(Loc l) : Expr(ExprKind::Index, l) {}  // loc: the '[' position
};
struct ArrayLit : Expr {
    std::vector<ExprPtr> elements;
    ArrayLit(Loc l) : Expr(ExprKind::ArrayLit, l) {}
};
struct MapLit : Expr {
    std::vector<std::pair<ExprPtr, ExprPtr>> entries;
    MapLit(Loc l) : Expr(ExprKind::MapLit, l) {}
};
struct Lambda : Expr {
    std::vector<Param> params;
    TypeExprPtr result;           // null: void for the long form, inferred for the short form
    std::unique_ptr<Block> body;  // long form: fun(...) : R { ... }
    ExprPtr exprBody;             // short form: (a: int) => expr
    FunctionSym* fn = nullptr;    // checker annotation
    Lambda(Loc l) : Expr(ExprKind::Lambda, l) {}
};
struct IsExpr : Expr {
    ExprPtr operand;
    TypeExprPtr target;
    ClassSym* targetClass = nullptr;  // checker annotation
    IsExpr(Loc l) : Expr(ExprKind::Is, l) {}
};
struct AsExpr : Expr {
    ExprPtr operand;
    TypeExprPtr target;
    ClassSym* targetClass = nullptr;  // checker annotation
    AsExpr(Loc l) : Expr(ExprKind::As, l) {}
};

// ---- Statements ---------------------------------------------------------------

enum class StmtKind : uint8_t {
    VarDecl,
    Assign,
    ExprStmt,
    If,
    While,
    ForRange,
    ForEach,
    Break,
    Continue,
    Return,
    Throw,
    Try,
    Block,
};

struct Stmt {
    StmtKind kind;
    Loc loc;
    explicit Stmt(StmtKind k, Loc l) : kind(k), loc(l) {}
    virtual ~Stmt() = default;
};

struct Block : Stmt {
    std::vector<StmtPtr> stmts;
    Block(Loc l) : Stmt(StmtKind::Block, l) {}
};
struct VarDecl : Stmt {
    bool isLet = false;
    std::string name;
    TypeExprPtr type;             // optional
    ExprPtr init;                 // required for locals; optional for module variables with a type
    LocalVar* local = nullptr;    // checker annotation (locals)
    GlobalSym* global = nullptr;  // checker annotation (module variables)
    VarDecl(Loc l) : Stmt(StmtKind::VarDecl, l) {}
};
// target op= value; op is nullopt-like `Assign` for plain '='.
enum class AssignOp : uint8_t { Set, Add, Sub, Mul, Div, Rem, BitAnd, BitOr, BitXor, Shl, Shr };
struct Assign : Stmt {
    AssignOp op = AssignOp::Set;
    ExprPtr target;  // Ident, Member or Index
    ExprPtr value;
    Assign(Loc l) : Stmt(StmtKind::Assign, l) {}  // loc: the operator's position
};
struct ExprStmt : Stmt {
    ExprPtr expr;
    ExprStmt(Loc l) : Stmt(StmtKind::ExprStmt, l) {}
};
struct If : Stmt {
    ExprPtr cond;
    std::unique_ptr<Block> then;
    StmtPtr otherwise;  // null, a Block, or another If (else if)
    If(Loc l) : Stmt(StmtKind::If, l) {}
};
struct While : Stmt {
    ExprPtr cond;
    std::unique_ptr<Block> body;
    While(Loc l) : Stmt(StmtKind::While, l) {}
};
// for var in lo..hi / lo..=hi
struct ForRange : Stmt {
    std::string var;
    Loc varLoc;
    ExprPtr lo, hi;
    bool inclusive = false;
    std::unique_ptr<Block> body;
    LocalVar* local = nullptr;  // checker annotation
    ForRange(Loc l) : Stmt(StmtKind::ForRange, l) {}
};
// for var in iterable (array, map keys, string bytes)
struct ForEach : Stmt {
    std::string var;
    Loc varLoc;
    ExprPtr iterable;
    std::unique_ptr<Block> body;
    LocalVar* local = nullptr;  // checker annotation
    ForEach(Loc l) : Stmt(StmtKind::ForEach, l) {}
};
struct Break : Stmt {
    Break(Loc l) : Stmt(StmtKind::Break, l) {}
};
struct Continue : Stmt {
    Continue(Loc l) : Stmt(StmtKind::Continue, l) {}
};
struct Return : Stmt {
    ExprPtr value;  // optional
    Return(Loc l) : Stmt(StmtKind::Return, l) {}
};
struct Throw : Stmt {
    ExprPtr value;
    Throw(Loc l) : Stmt(StmtKind::Throw, l) {}
};
struct Catch {
    std::string var;
    TypeExprPtr type;  // the class caught
    std::unique_ptr<Block> body;
    Loc loc;
    LocalVar* local = nullptr;  // checker annotation
    ClassSym* cls = nullptr;    // checker annotation
};
struct Try : Stmt {
    std::unique_ptr<Block> body;
    std::vector<Catch> catches;
    std::unique_ptr<Block> finally;  // optional
    Try(Loc l) : Stmt(StmtKind::Try, l) {}
};

// ---- Declarations -------------------------------------------------------------

struct FunDecl {
    Loc loc;  // position of the name
    std::string name;
    std::vector<Param> params;
    TypeExprPtr result;           // null means void
    std::unique_ptr<Block> body;  // null for abstract and interface methods
    bool isAbstract = false;
    bool isOverride = false;
};

struct FieldDecl {
    Loc loc;
    bool isLet = false;
    std::string name;
    TypeExprPtr type;  // optional when init is present
    ExprPtr init;      // optional
};

struct CtorDecl {
    Loc loc;
    std::vector<Param> params;
    std::unique_ptr<Block> body;
};

struct ClassDecl {
    Loc loc;  // position of the name
    std::string name;
    bool isAbstract = false;
    bool isInterface = false;
    TypeExprPtr superclass;               // optional (Named)
    std::vector<TypeExprPtr> interfaces;  // implements list (Named)
    std::vector<FieldDecl> fields;
    std::unique_ptr<CtorDecl> ctor;  // optional
    std::vector<FunDecl> methods;
};

struct Import {
    Loc loc;
    std::string name;
};

struct Module {
    std::string name;  // file name without .nd
    std::string path;  // as given to the compiler
    std::vector<Import> imports;
    std::vector<std::unique_ptr<VarDecl>> globals;  // in source order
    std::vector<FunDecl> functions;
    std::vector<ClassDecl> classes;  // classes and interfaces
};

}  // namespace nido::compiler
