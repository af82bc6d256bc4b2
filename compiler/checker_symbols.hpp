// The checker's symbols: what names resolve to. The checker creates them
// while it walks the modules and annotates the AST with pointers to them; the
// code generator reads them to lay out classes, functions, globals and local
// slots. Table indices (ClassSym::index, FunctionSym::index,
// GlobalSym::index) are assigned by the checker in a deterministic order and
// are the indices of the Program's tables.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast.hpp"
#include "compiler/types.hpp"

namespace nido::compiler {

struct FunctionSym;
struct ModuleSym;

// A local variable, parameter, loop or catch variable, or a method's `this`.
struct LocalVar {
    std::string name;
    const Type* type = nullptr;
    FunctionSym* owner = nullptr;  // the function whose frame holds it
    Loc loc;
    bool isLet = false;
    bool isParam = false;
    bool isThis = false;
    // Read or written by a lambda: it then lives in a Box (vm-contract.md).
    // Never set for `this`, which lambdas capture as a plain value.
    bool captured = false;
    // Set by the code generator: the slot holding the variable (its Box when
    // captured) and, for parameters, the slot the caller's argument arrives in.
    uint16_t slot = 0;
    uint16_t paramSlot = 0;
};

enum class FnKind : uint8_t { Function, Method, Constructor, Lambda, Init };

struct FunctionSym {
    FnKind kind = FnKind::Function;
    std::string name;       // as declared: "area", "new", "<lambda>", "<init>"
    std::string traceName;  // FunctionDesc::name: "f", "Square.area", "Square.new", "f.<lambda>", "<init>"
    ModuleSym* module = nullptr;
    ClassSym* owner = nullptr;         // methods and constructors
    FunctionSym* enclosing = nullptr;  // lambdas: the function they are written in
    Loc loc;

    std::vector<const Type*> paramTypes;  // without the receiver
    const Type* ret = nullptr;
    const Type* type = nullptr;  // fun(params): ret
    bool isAbstract = false;
    bool isOverride = false;

    // Where the body is (at most one is set; an implicit constructor has none).
    FunDecl* decl = nullptr;
    CtorDecl* ctorDecl = nullptr;
    Lambda* lambda = nullptr;

    LocalVar* thisVar = nullptr;                    // methods and constructors
    std::vector<LocalVar*> params;                  // declared parameters, in order
    std::vector<std::unique_ptr<LocalVar>> locals;  // every variable of the frame, in declaration order
    std::vector<LocalVar*> captures;                // lambdas: outer variables (and `this`), capture 0 first

    uint32_t index = 0;  // Program::functions index
    uint16_t slot = 0;   // methods: vtable slot; interface methods: index in the interface's list

    // Index of v in captures, or -1.
    int captureIndex(const LocalVar* v) const {
        for (size_t i = 0; i < captures.size(); i++)
            if (captures[i] == v) return int(i);
        return -1;
    }
    bool hasReceiver() const { return kind == FnKind::Method || kind == FnKind::Constructor; }

    // Appends a declared parameter of type t to the frame and the signature.
    void addParam(const std::string& pname, const Type* t, Loc at) {
        auto v = std::make_unique<LocalVar>();
        v->name = pname;
        v->type = t;
        v->owner = this;
        v->loc = at;
        v->isParam = true;
        params.push_back(v.get());
        paramTypes.push_back(t);
        locals.push_back(std::move(v));
    }
};

struct FieldSym {
    std::string name;
    const Type* type = nullptr;  // null while an inferred type is not yet known
    bool isLet = false;
    bool resolving = false;  // its initialiser is being checked to infer its type
    ClassSym* owner = nullptr;
    FieldDecl* decl = nullptr;
    // Position in the object layout, inherited fields first: GET_FIELD and
    // SET_FIELD's field operand (with the owner as class operand).
    uint16_t index = 0;
};

struct ClassSym {
    std::string name;
    ModuleSym* module = nullptr;
    ClassDecl* decl = nullptr;
    bool isInterface = false;
    bool isAbstract = false;
    ClassSym* super = nullptr;
    std::vector<ClassSym*> interfaces;
    std::vector<std::unique_ptr<FieldSym>> fields;  // own fields, in declaration order
    std::vector<FunctionSym*> methods;              // own methods, in declaration order
    // Classes: the whole vtable, inherited slots first. Interfaces: own methods.
    std::vector<FunctionSym*> vtable;
    FunctionSym* ctor = nullptr;  // classes only
    const Type* type = nullptr;
    uint32_t index = 0;   // Program::classes index
    int headerState = 0;  // 0 unresolved, 1 resolving (cycle check), 2 resolved

    // The field named name, declared here or inherited.
    FieldSym* findField(const std::string& name) const;
    // The vtable method named name (classes), or the interface method of
    // that name here or in a super-interface.
    FunctionSym* findMethod(const std::string& name) const;
    // An interface this class (or an ancestor) implements that declares a
    // method named name; for calls on abstract classes that leave an
    // interface method to their subclasses.
    ClassSym* interfaceDeclaring(const std::string& name, FunctionSym** method) const;
};

struct GlobalSym {
    std::string name;
    const Type* type = nullptr;  // null until its initialiser has been checked (inferred types)
    bool isLet = false;
    bool checked = false;    // its initialiser has been checked
    bool resolving = false;  // its initialiser is being checked
    ModuleSym* module = nullptr;
    VarDecl* decl = nullptr;
    uint32_t index = 0;    // Program::globals index
    uint32_t ordinal = 0;  // position among the module's variables, for use-before-declaration
};

// A module-level name: function, class or interface, or module variable.
struct ModuleMember {
    FunctionSym* function = nullptr;
    ClassSym* cls = nullptr;
    GlobalSym* global = nullptr;
};

struct ModuleSym {
    std::string name;
    std::string path;    // for diagnostics
    std::string file;    // ModuleDesc::file: the file name traces show ("main.nd")
    std::string source;  // for diagnostics' caret lines
    Module* ast = nullptr;
    uint32_t index = 0;  // Program::modules index
    // The embedded standard module of this name: besides its members,
    // `name.f` reaches builtins.def's MODULE entry "name.f".
    bool standard = false;
    std::vector<ModuleSym*> imports;
    std::map<std::string, ModuleSym*> importNames;  // qualifier -> module
    std::map<std::string, ModuleMember> members;
    std::vector<ClassSym*> classes;  // in Program::classes order
    std::vector<FunctionSym*> functions;
    std::vector<GlobalSym*> globals;
    FunctionSym* init = nullptr;
    FunctionSym* main = nullptr;  // entry module only
};

// Everything the checker learned about a program; input of the code generator.
struct Semantics {
    TypeTable types;
    std::vector<std::unique_ptr<ModuleSym>> modules;      // Program::modules order
    std::vector<std::unique_ptr<ClassSym>> classes;       // Program::classes order
    std::vector<std::unique_ptr<FunctionSym>> functions;  // Program::functions order
    std::vector<std::unique_ptr<GlobalSym>> globals;      // Program::globals order
};

}  // namespace nido::compiler
