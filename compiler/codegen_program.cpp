// Program-level code generation: the type table (the FixedType entries
// first), the constant pool, classes, globals and modules, and for each
// function its frame layout and the code around its body (prologue,
// constructor order, module initialiser, the final RETURN_VOID).
#include <cstring>

#include "compiler/codegen_function.hpp"

namespace nido::compiler {

using vm::Op;

vm::Program generateProgram(Semantics& sem) { return ProgramGen(sem).run(); }

ProgramGen::ProgramGen(Semantics& sem) : sem_(sem) {
    for (vm::TypeKind k : {vm::TypeKind::Void, vm::TypeKind::Int, vm::TypeKind::Float, vm::TypeKind::Bool,
                           vm::TypeKind::String, vm::TypeKind::Null}) {
        vm::TypeDesc d;
        d.kind = k;
        intern(d);
    }
    if (!sem.modules.empty()) {
        auto it = sem.modules[0]->members.find("Error");
        if (it != sem.modules[0]->members.end()) errorClass_ = it->second.cls;
    }
}

uint32_t ProgramGen::intern(vm::TypeDesc d) {
    auto key = std::make_tuple(int(d.kind), d.elem, d.value, d.cls, d.params);
    auto it = typeIndex_.find(key);
    if (it != typeIndex_.end()) return it->second;
    uint32_t idx = uint32_t(prog_.types.size());
    prog_.types.push_back(std::move(d));
    typeIndex_[key] = idx;
    return idx;
}

uint32_t ProgramGen::type(const Type* t) {
    auto it = typeCache_.find(t);
    if (it != typeCache_.end()) return it->second;
    vm::TypeDesc d;
    uint32_t idx = vm::kTypeVoid;
    switch (t->kind) {
    case TypeKind::Error:  // never reaches code generation: programs with errors stop before
    case TypeKind::Void: idx = vm::kTypeVoid; break;
    case TypeKind::Int: idx = vm::kTypeInt; break;
    case TypeKind::Float: idx = vm::kTypeFloat; break;
    case TypeKind::Bool: idx = vm::kTypeBool; break;
    case TypeKind::String: idx = vm::kTypeString; break;
    case TypeKind::Null: idx = vm::kTypeNull; break;
    case TypeKind::Array:
        d.kind = vm::TypeKind::Array;
        d.elem = type(t->elem);
        idx = intern(std::move(d));
        break;
    case TypeKind::Map:
        d.kind = vm::TypeKind::Map;
        d.elem = type(t->elem);
        d.value = type(t->value);
        idx = intern(std::move(d));
        break;
    case TypeKind::Func:
        d.kind = vm::TypeKind::Func;
        for (const Type* p : t->params) d.params.push_back(type(p));
        d.elem = type(t->ret);
        idx = intern(std::move(d));
        break;
    case TypeKind::Class:
        d.kind = vm::TypeKind::Class;
        d.cls = t->cls->index;
        idx = intern(std::move(d));
        break;
    }
    typeCache_[t] = idx;
    return idx;
}

uint32_t ProgramGen::boxType(const Type* t) {
    vm::TypeDesc d;
    d.kind = vm::TypeKind::Box;
    d.elem = type(t);
    return intern(std::move(d));
}

// Index of the constant c in the pool, found by key in index or added.
template <typename Key>
uint32_t ProgramGen::internConstant(std::map<Key, uint32_t>& index, const Key& key, vm::Constant c) {
    auto it = index.find(key);
    if (it != index.end()) return it->second;
    prog_.constants.push_back(std::move(c));
    return index[key] = uint32_t(prog_.constants.size() - 1);
}

uint32_t ProgramGen::constInt(int64_t v) {
    vm::Constant c;
    c.kind = vm::ConstKind::Int;
    c.i = v;
    return internConstant(intConsts_, v, std::move(c));
}

uint32_t ProgramGen::constFloat(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    vm::Constant c;
    c.kind = vm::ConstKind::Float;
    c.f = v;
    return internConstant(floatConsts_, bits, std::move(c));
}

uint32_t ProgramGen::constString(const std::string& s) {
    vm::Constant c;
    c.kind = vm::ConstKind::String;
    c.s = s;
    return internConstant(stringConsts_, s, std::move(c));
}

vm::Program ProgramGen::run() {
    for (const auto& c : sem_.classes) {
        vm::ClassDesc d;
        d.name = c->name;
        d.module = c->module->index;
        d.flags = c->isInterface ? vm::kClassInterface : c->isAbstract ? vm::kClassAbstract : 0;
        d.super = c->super ? c->super->index : vm::kNone;
        for (const ClassSym* i : c->interfaces) d.interfaces.push_back(i->index);
        for (const auto& f : c->fields) d.fields.push_back({f->name, type(f->type), f->isLet});
        for (const FunctionSym* m : c->vtable) d.methods.push_back(m->index);
        d.constructor = c->ctor ? c->ctor->index : vm::kNone;
        prog_.classes.push_back(std::move(d));
    }
    for (const auto& g : sem_.globals) prog_.globals.push_back({g->name, g->module->index, type(g->type)});
    for (const auto& fn : sem_.functions) prog_.functions.push_back(FunctionGen(*this, *fn).generate());
    for (const auto& m : sem_.modules) {
        vm::ModuleDesc d;
        d.name = m->name;
        d.file = m->file;
        for (const ModuleSym* i : m->imports) d.imports.push_back(i->index);
        d.init = m->init->index;
        d.main = m->main ? m->main->index : vm::kNone;
        prog_.modules.push_back(std::move(d));
    }
    return std::move(prog_);
}

// ---- Functions ------------------------------------------------------------------

vm::FunctionDesc FunctionGen::generate() {
    vm::FunctionDesc d;
    d.name = fn_.traceName;
    d.module = fn_.module->index;
    d.owner = fn_.owner ? fn_.owner->index : vm::kNone;
    switch (fn_.kind) {
    case FnKind::Function: break;
    case FnKind::Method: d.flags = vm::kFnMethod | (fn_.isAbstract ? vm::kFnAbstract : 0); break;
    case FnKind::Constructor: d.flags = vm::kFnMethod | vm::kFnConstructor; break;
    case FnKind::Lambda: d.flags = vm::kFnLambda; break;
    case FnKind::Init: d.flags = vm::kFnInit; break;
    }
    if (fn_.hasReceiver()) d.params.push_back(pg_.type(fn_.owner->type));
    for (const Type* p : fn_.paramTypes) d.params.push_back(pg_.type(p));
    d.ret = pg_.type(fn_.ret);
    for (const LocalVar* v : fn_.captures) d.captures.push_back(v->isThis ? pg_.type(v->type) : pg_.boxType(v->type));
    if (fn_.isAbstract) {
        d.locals = d.params;
        return d;
    }
    layoutFrame();
    genBody();
    em_.finish(d);
    d.locals = std::move(locals_);
    return d;
}

// Slots: the receiver and parameters where the caller puts them, then a box
// for each captured parameter, then every other variable in declaration
// order (its box type when captured). Temporaries follow as needed.
void FunctionGen::layoutFrame() {
    for (const auto& v : fn_.locals)
        if (v->isThis || v->isParam) {
            v->slot = v->paramSlot = uint16_t(locals_.size());
            locals_.push_back(pg_.type(v->type));
        }
    for (const auto& v : fn_.locals)
        if (v->isParam && v->captured) {
            v->slot = uint16_t(locals_.size());
            locals_.push_back(pg_.boxType(v->type));
        }
    for (const auto& v : fn_.locals)
        if (!v->isThis && !v->isParam) {
            v->slot = uint16_t(locals_.size());
            locals_.push_back(v->captured ? pg_.boxType(v->type) : pg_.type(v->type));
        }
}

uint16_t FunctionGen::newTemp(uint32_t type) {
    locals_.push_back(type);
    return uint16_t(locals_.size() - 1);
}

void FunctionGen::genBody() {
    em_.line(fn_.loc.line);
    for (const LocalVar* p : fn_.params)
        if (p->captured) {
            em_.emit(Op::LOAD_LOCAL, p->paramSlot);
            em_.emit(Op::BOX_NEW, pg_.boxType(p->type));
            em_.emit(Op::STORE_LOCAL, p->slot);
        }
    switch (fn_.kind) {
    case FnKind::Init: genModuleInit(); break;
    case FnKind::Constructor: genConstructor(); break;
    case FnKind::Lambda:
        if (fn_.lambda->body) {
            genStmts(fn_.lambda->body->stmts);
        } else {
            Expr& body = *fn_.lambda->exprBody;
            em_.line(body.loc.line);
            if (fn_.ret->is(TypeKind::Void)) {
                genExpr(body);
                if (!body.type->is(TypeKind::Void)) em_.emit(Op::POP);
            } else {
                genExprAs(body, fn_.ret);
                em_.emit(Op::RETURN);
            }
        }
        break;
    case FnKind::Function:
    case FnKind::Method: genStmts(fn_.decl->body->stmts); break;
    }
    // Only void functions can get here: the checker reports a missing return.
    if (em_.reachable()) em_.emit(Op::RETURN_VOID);
}

static bool isSuperCall(const Stmt& s) {
    if (s.kind != StmtKind::ExprStmt) return false;
    const Expr& e = *static_cast<const ExprStmt&>(s).expr;
    return e.kind == ExprKind::Call && static_cast<const Call&>(e).callKind == CallKind::SuperConstructor;
}

// super(...) (explicit, or implicit when the parent's constructor takes no
// arguments), then the field initialisers in declaration order, then the
// rest of the body (vm-contract.md, Calls).
void FunctionGen::genConstructor() {
    ClassSym* cls = fn_.owner;
    std::vector<StmtPtr> none;
    std::vector<StmtPtr>& stmts = fn_.ctorDecl ? fn_.ctorDecl->body->stmts : none;
    size_t first = 0;
    if (cls->super) {
        if (!stmts.empty() && isSuperCall(*stmts[0])) {
            genStmt(*stmts[0]);
            first = 1;
        } else {
            em_.emit(Op::LOAD_LOCAL, 0);
            em_.emit(Op::CALL, cls->super->ctor->index, 0, 1, 0);
        }
    }
    for (const auto& f : cls->fields) {
        FieldDecl& fd = *f->decl;
        if (!fd.init && !f->type->is(TypeKind::String)) continue;  // NEW already zeroed it
        em_.line(fd.loc.line);
        em_.emit(Op::LOAD_LOCAL, 0);
        if (fd.init)
            genExprAs(*fd.init, f->type);
        else
            em_.emit(Op::CONST, pg_.constString(""));
        em_.emit(Op::SET_FIELD, cls->index, f->index);
    }
    for (size_t i = first; i < stmts.size() && em_.reachable(); i++) genStmt(*stmts[i]);
}

// Module variables in declaration order; a string without an initialiser
// starts as "" (LANGUAGE.md §2), everything else keeps its zero value.
void FunctionGen::genModuleInit() {
    for (const GlobalSym* g : fn_.module->globals) {
        VarDecl& d = *g->decl;
        if (!d.init && !g->type->is(TypeKind::String)) continue;
        em_.line(d.loc.line);
        if (d.init)
            genExprAs(*d.init, g->type);
        else
            em_.emit(Op::CONST, pg_.constString(""));
        em_.emit(Op::STORE_GLOBAL, g->index);
    }
}

}  // namespace nido::compiler
