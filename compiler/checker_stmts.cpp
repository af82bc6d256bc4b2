// Function bodies and statements: scopes and local variables, captures by
// lambdas, `let` rules for assignment, loops, returns (with the "missing
// return" analysis), throw and try.
#include <fmt/format.h>

#include "compiler/checker.hpp"

namespace nido::compiler {

namespace {

const char* assignOpText(AssignOp op) {
    switch (op) {
    case AssignOp::Set: return "=";
    case AssignOp::Add: return "+=";
    case AssignOp::Sub: return "-=";
    case AssignOp::Mul: return "*=";
    case AssignOp::Div: return "/=";
    case AssignOp::Rem: return "%=";
    case AssignOp::BitAnd: return "&=";
    case AssignOp::BitOr: return "|=";
    case AssignOp::BitXor: return "^=";
    case AssignOp::Shl: return "<<=";
    case AssignOp::Shr: return ">>=";
    }
    return "=";
}

// Whether a `break` in s leaves the loop s belongs to (not an inner one).
bool hasBreak(const Stmt& s) {
    switch (s.kind) {
    case StmtKind::Break: return true;
    case StmtKind::Block:
        for (const auto& st : static_cast<const Block&>(s).stmts)
            if (hasBreak(*st)) return true;
        return false;
    case StmtKind::If: {
        const auto& i = static_cast<const If&>(s);
        return hasBreak(*i.then) || (i.otherwise && hasBreak(*i.otherwise));
    }
    case StmtKind::Try: {
        const auto& t = static_cast<const Try&>(s);
        if (hasBreak(*t.body) || (t.finally && hasBreak(*t.finally))) return true;
        for (const Catch& c : t.catches)
            if (hasBreak(*c.body)) return true;
        return false;
    }
    default: return false;  // loops own their breaks; lambdas are expressions
    }
}

}  // namespace

bool isEndlessLoop(const While& w) {
    return w.cond->kind == ExprKind::BoolLit && static_cast<const BoolLit&>(*w.cond).value && !hasBreak(*w.body);
}

bool Checker::blockTerminates(const Block& b) const {
    for (const auto& s : b.stmts)
        if (terminates(*s)) return true;
    return false;
}

bool Checker::terminates(const Stmt& s) const {
    switch (s.kind) {
    case StmtKind::Return:
    case StmtKind::Throw: return true;
    case StmtKind::Block: return blockTerminates(static_cast<const Block&>(s));
    case StmtKind::If: {
        const auto& i = static_cast<const If&>(s);
        return i.otherwise && blockTerminates(*i.then) && terminates(*i.otherwise);
    }
    case StmtKind::While: return isEndlessLoop(static_cast<const While&>(s));
    case StmtKind::Try: {
        const auto& t = static_cast<const Try&>(s);
        if (t.finally && blockTerminates(*t.finally)) return true;
        if (!blockTerminates(*t.body)) return false;
        for (const Catch& c : t.catches)
            if (!blockTerminates(*c.body)) return false;
        return true;
    }
    default: return false;
    }
}

// ---- Scopes -------------------------------------------------------------------

LocalVar* Checker::declareLocal(const std::string& name, const Type* type, Loc loc, bool isLet, bool isParam) {
    Scope& scope = ctx_->scopes.back();
    for (LocalVar* v : scope.vars)
        if (v->name == name) error(loc, fmt::format("'{}' is already declared in this block", name));
    auto v = std::make_unique<LocalVar>();
    v->name = name;
    v->type = type;
    v->owner = ctx_->fn;
    v->loc = loc;
    v->isLet = isLet;
    v->isParam = isParam;
    scope.vars.push_back(v.get());
    ctx_->fn->locals.push_back(std::move(v));
    return scope.vars.back();
}

// Finds a local by name, innermost scope first, then in the functions that
// enclose a lambda. A variable of an enclosing function becomes a capture of
// every lambda between it and its owner, and lives in a box.
LocalVar* Checker::lookupLocal(const std::string& name) {
    for (FnCtx* c = ctx_; c; c = c->outer) {
        for (auto s = c->scopes.rbegin(); s != c->scopes.rend(); ++s)
            for (auto v = s->vars.rbegin(); v != s->vars.rend(); ++v) {
                if ((*v)->name != name) continue;
                if (c != ctx_) {
                    (*v)->captured = true;
                    for (FnCtx* k = ctx_; k != c; k = k->outer)
                        if (k->fn->captureIndex(*v) < 0) k->fn->captures.push_back(*v);
                }
                return *v;
            }
    }
    return nullptr;
}

FunctionSym* Checker::rootFunction() const {
    FnCtx* c = ctx_;
    while (c->outer) c = c->outer;
    return c->fn;
}

ClassSym* Checker::currentClass() const { return ctx_ ? rootFunction()->owner : nullptr; }

LocalVar* Checker::resolveThis(Loc loc, bool report) {
    FnCtx* root = ctx_;
    while (root->outer) root = root->outer;
    LocalVar* self = root->fn->thisVar;
    if (!self) {
        if (report) error(loc, "'this' is only available inside a class");
        return nullptr;
    }
    for (FnCtx* k = ctx_; k != root; k = k->outer)
        if (k->fn->captureIndex(self) < 0) k->fn->captures.push_back(self);
    return self;
}

// ---- Bodies -------------------------------------------------------------------

void Checker::checkFunctionBody(FunctionSym* fn) {
    if (!fn->decl->body) return;  // reported when declared
    FnCtx ctx;
    ctx.fn = fn;
    ctx_ = &ctx;
    pushScope();
    for (LocalVar* p : fn->params) ctx.scopes.back().vars.push_back(p);
    Block& body = *fn->decl->body;
    checkStmts(body.stmts);
    if (!fn->ret->is(TypeKind::Void) && !fn->ret->isError() && !blockTerminates(body))
        error(fn->loc, fmt::format("missing return in function '{}'", fn->name));
    ctx_ = nullptr;
}

static bool isSuperCallStmt(const Stmt& s) {
    if (s.kind != StmtKind::ExprStmt) return false;
    const Expr& e = *static_cast<const ExprStmt&>(s).expr;
    return e.kind == ExprKind::Call && static_cast<const Call&>(e).callee->kind == ExprKind::Super;
}

void Checker::checkConstructorBody(ClassSym* c) {
    for (auto& f : c->fields)
        if (f->decl->type) checkFieldInit(f.get());
    FunctionSym* fn = c->ctor;
    CtorDecl* decl = fn->ctorDecl;
    bool explicitSuper = decl && !decl->body->stmts.empty() && isSuperCallStmt(*decl->body->stmts[0]);
    if (c->super && !explicitSuper && !c->super->ctor->paramTypes.empty())
        error(fn->loc, fmt::format("constructor of '{}' must call super(...) first: the constructor of '{}' takes "
                                   "arguments",
                                   c->name, c->super->name));
    if (!decl) return;
    FnCtx ctx;
    ctx.fn = fn;
    ctx_ = &ctx;
    pushScope();
    for (LocalVar* p : fn->params) ctx.scopes.back().vars.push_back(p);
    for (size_t i = 0; i < decl->body->stmts.size() && !stop(); i++) {
        allowSuperCall_ = i == 0 && explicitSuper;
        checkStmt(*decl->body->stmts[i]);
        allowSuperCall_ = false;
    }
    ctx_ = nullptr;
}

void Checker::checkBlock(Block& b) {
    pushScope();
    checkStmts(b.stmts);
    popScope();
}

void Checker::checkStmts(std::vector<StmtPtr>& stmts) {
    for (auto& s : stmts) {
        if (stop()) return;
        checkStmt(*s);
    }
}

void Checker::checkStmt(Stmt& s) {
    switch (s.kind) {
    case StmtKind::Block: checkBlock(static_cast<Block&>(s)); break;
    case StmtKind::VarDecl: checkVarDecl(static_cast<VarDecl&>(s)); break;
    case StmtKind::Assign: checkAssign(static_cast<Assign&>(s)); break;
    case StmtKind::ExprStmt: checkExpr(*static_cast<ExprStmt&>(s).expr); break;
    case StmtKind::If: checkIf(static_cast<If&>(s)); break;
    case StmtKind::While: {
        auto& w = static_cast<While&>(s);
        checkCondition(*w.cond, "while");
        ctx_->loopDepth++;
        checkBlock(*w.body);
        ctx_->loopDepth--;
        break;
    }
    case StmtKind::ForRange: checkForRange(static_cast<ForRange&>(s)); break;
    case StmtKind::ForEach: checkForEach(static_cast<ForEach&>(s)); break;
    case StmtKind::Break:
        if (ctx_->loopDepth == 0) error(s.loc, "'break' outside a loop");
        break;
    case StmtKind::Continue:
        if (ctx_->loopDepth == 0) error(s.loc, "'continue' outside a loop");
        break;
    case StmtKind::Return: checkReturn(static_cast<Return&>(s)); break;
    case StmtKind::Throw: {
        auto& t = static_cast<Throw&>(s);
        const Type* type = checkValue(*t.value);
        bool ok = type->isError() || type->is(TypeKind::Null) ||
                  (type->is(TypeKind::Class) && errorClass_ && isSubclassOrImplements(type->cls, errorClass_));
        if (!ok) error(t.value->loc, fmt::format("can only throw an Error, not {}", typeName(type)));
        break;
    }
    case StmtKind::Try: checkTry(static_cast<Try&>(s)); break;
    }
}

void Checker::checkVarDecl(VarDecl& d) {
    const Type* declared = d.type ? resolveType(d.type.get(), false) : nullptr;
    const Type* type = declared;
    if (!d.init) {
        error(d.loc, fmt::format("local variable '{}' needs an initialiser", d.name));
        if (!type) type = types_.error();
    } else if (declared) {
        checkAssignableTo(*d.init, declared, fmt::format("variable '{}'", d.name));
    } else {
        type = checkValue(*d.init);
        if (type->is(TypeKind::Null)) {
            error(d.init->loc, fmt::format("cannot infer the type of '{}' from null; declare its type", d.name));
            type = types_.error();
        }
    }
    d.local = declareLocal(d.name, type, d.loc, d.isLet, false);
}

void Checker::checkAssign(Assign& a) {
    Expr& target = *a.target;
    const Type* ttype = types_.error();
    std::string what;
    switch (target.kind) {
    case ExprKind::Ident: {
        auto& id = static_cast<Ident&>(target);
        ttype = checkExpr(id);
        switch (id.ref.kind) {
        case RefKind::Local:
            what = fmt::format("variable '{}'", id.name);
            if (id.ref.local->isLet)
                error(id.loc, fmt::format("cannot assign to '{}': it is declared with 'let'", id.name));
            break;
        case RefKind::Global:
            what = fmt::format("variable '{}'", id.name);
            if (id.ref.global->isLet)
                error(id.loc, fmt::format("cannot assign to '{}': it is declared with 'let'", id.name));
            break;
        case RefKind::Field: what = fmt::format("field '{}'", id.name); break;
        case RefKind::Function:
            error(id.loc, fmt::format("cannot assign to function '{}'", id.name));
            ttype = types_.error();
            break;
        case RefKind::None: break;
        }
        break;
    }
    case ExprKind::Member: {
        auto& m = static_cast<Member&>(target);
        ttype = checkExpr(m);
        if (m.ref.kind == RefKind::Field) {
            what = fmt::format("field '{}'", m.name);
        } else if (m.ref.kind == RefKind::Global) {
            what = fmt::format("variable '{}'", m.name);
            if (m.ref.global->isLet)
                error(m.nameLoc, fmt::format("cannot assign to '{}': it is declared with 'let'", m.name));
        } else if (!ttype->isError()) {
            error(m.nameLoc, fmt::format("cannot assign to '{}'", m.name));
            ttype = types_.error();
        }
        break;
    }
    case ExprKind::Index: {
        auto& ix = static_cast<Index&>(target);
        ttype = checkExpr(ix);
        const Type* obj = ix.object->type;
        if (obj->is(TypeKind::String)) {
            error(ix.loc, "cannot assign to a byte of a string: strings are immutable");
            ttype = types_.error();
        }
        what = fmt::format("an element of {}", typeName(obj));
        break;
    }
    default:
        checkExpr(target);
        error(target.loc, "cannot assign to this expression");
        break;
    }
    // `let` fields: only the declaring class's constructor (not a lambda in it) may assign, and only
    // the fields of the object under construction (`x` or `this.x`), so a built object never changes.
    const Resolved* ref = target.kind == ExprKind::Ident    ? &static_cast<Ident&>(target).ref
                          : target.kind == ExprKind::Member ? &static_cast<Member&>(target).ref
                                                            : nullptr;
    if (ref && ref->kind == RefKind::Field && ref->field->isLet) {
        Loc at = target.kind == ExprKind::Member ? static_cast<Member&>(target).nameLoc : target.loc;
        if (!(ctx_->fn->kind == FnKind::Constructor && ctx_->fn->owner == ref->field->owner))
            error(at, fmt::format("cannot assign to 'let' field '{}' outside the constructor of '{}'", ref->field->name,
                                  ref->field->owner->name));
        else if (target.kind == ExprKind::Member && static_cast<Member&>(target).object->kind != ExprKind::This)
            error(at, fmt::format("cannot assign to 'let' field '{}' of another object", ref->field->name));
    }

    if (a.op == AssignOp::Set) {
        if (ttype->isError())
            checkExpr(*a.value);
        else
            checkAssignableTo(*a.value, ttype, what);
        return;
    }
    const Type* vtype = checkValue(*a.value);
    if (ttype->isError() || vtype->isError()) return;
    BinaryOp op = compoundOperator(a.op);
    OperandClass oc = classifyBinary(op, ttype, vtype);
    if (oc == OperandClass::Invalid) {
        error(a.loc, fmt::format("operator '{}' cannot be applied to {} and {}", assignOpText(a.op), typeName(ttype),
                                 typeName(vtype)));
        return;
    }
    const Type* result = binaryResult(types_, op, oc);
    if (!assignable(result, ttype))
        error(a.loc, fmt::format("cannot assign {} to {} of type {}", typeName(result), what, typeName(ttype)));
}

void Checker::checkCondition(Expr& e, const char* what) {
    const Type* t = checkValue(e);
    if (!t->is(TypeKind::Bool) && !t->isError())
        error(e.loc, fmt::format("{} condition must be bool, not {}", what, typeName(t)));
}

void Checker::checkIf(If& s) {
    checkCondition(*s.cond, "if");
    checkBlock(*s.then);
    if (s.otherwise) checkStmt(*s.otherwise);
}

void Checker::checkForRange(ForRange& s) {
    for (Expr* bound : {s.lo.get(), s.hi.get()}) {
        const Type* t = checkValue(*bound);
        if (!t->is(TypeKind::Int) && !t->isError())
            error(bound->loc, fmt::format("range bounds must be int, not {}", typeName(t)));
    }
    pushScope();
    s.local = declareLocal(s.var, types_.intType(), s.varLoc, false, false);
    ctx_->loopDepth++;
    checkBlock(*s.body);
    ctx_->loopDepth--;
    popScope();
}

void Checker::checkForEach(ForEach& s) {
    const Type* t = checkValue(*s.iterable);
    const Type* elem = types_.error();
    switch (t->kind) {
    case TypeKind::Array: elem = t->elem; break;
    case TypeKind::Map: elem = t->elem; break;
    case TypeKind::String: elem = types_.intType(); break;
    case TypeKind::Error: break;
    default: error(s.iterable->loc, fmt::format("cannot iterate over {}", typeName(t))); break;
    }
    pushScope();
    s.local = declareLocal(s.var, elem, s.varLoc, false, false);
    ctx_->loopDepth++;
    checkBlock(*s.body);
    ctx_->loopDepth--;
    popScope();
}

void Checker::checkReturn(Return& s) {
    FunctionSym* fn = ctx_->fn;
    const Type* ret = fn->ret;
    if (!s.value) {
        if (!ret->is(TypeKind::Void) && !ret->isError())
            error(s.loc, fmt::format("missing return value: '{}' returns {}", fn->name, typeName(ret)));
        return;
    }
    if (ret->is(TypeKind::Void)) {
        checkExpr(*s.value);
        error(s.value->loc, fn->kind == FnKind::Constructor ? std::string("cannot return a value from a constructor")
                                                            : fmt::format("'{}' cannot return a value", fn->name));
        return;
    }
    const Type* t = checkValue(*s.value, ret);
    if (assignable(t, ret)) return;
    if (fn->kind == FnKind::Lambda)
        error(s.value->loc, fmt::format("cannot return {} from a lambda returning {}", typeName(t), typeName(ret)));
    else
        error(s.value->loc,
              fmt::format("cannot return {} from '{}', which returns {}", typeName(t), fn->name, typeName(ret)));
}

void Checker::checkTry(Try& s) {
    checkBlock(*s.body);
    for (Catch& c : s.catches) {
        const Type* type = types_.error();
        if (!c.type) {
            c.cls = errorClass_;
        } else if (ClassSym* cls = resolveClassRef(*c.type)) {
            if (!cls->isInterface && errorClass_ && isSubclassOrImplements(cls, errorClass_))
                c.cls = cls;
            else
                error(c.type->loc, fmt::format("catch type must be a subclass of Error, not '{}'", cls->name));
        }
        if (c.cls) type = c.cls->type;
        pushScope();
        c.local = declareLocal(c.var, type, c.loc, false, false);
        checkBlock(*c.body);
        popScope();
    }
    if (s.finally) checkBlock(*s.finally);
}

}  // namespace nido::compiler
