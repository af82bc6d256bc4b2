// Expressions: names, operators (int/float/string forms, widening),
// indexing, array and map literals (element types joined, empty literals
// typed from context), lambdas (captures, inferred results), is/as.
#include <fmt/format.h>

#include "compiler/checker.hpp"

namespace nido::compiler {

namespace {

const char* unaryText(UnaryOp op) {
    switch (op) {
    case UnaryOp::Neg: return "-";
    case UnaryOp::Not: return "!";
    case UnaryOp::BitNot: return "~";
    }
    return "?";
}

const char* binaryText(BinaryOp op) {
    switch (op) {
    case BinaryOp::Or: return "||";
    case BinaryOp::And: return "&&";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::BitOr: return "|";
    case BinaryOp::BitXor: return "^";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Rem: return "%";
    case BinaryOp::Shl: return "<<";
    case BinaryOp::Shr: return ">>";
    case BinaryOp::UShr: return ">>>";
    case BinaryOp::BitAnd: return "&";
    }
    return "?";
}

// `[]` or `{}`: typed only by context.
bool isEmptyLiteral(const Expr& e) {
    return (e.kind == ExprKind::ArrayLit && static_cast<const ArrayLit&>(e).elements.empty()) ||
           (e.kind == ExprKind::MapLit && static_cast<const MapLit&>(e).entries.empty());
}

}  // namespace

const Type* Checker::checkExpr(Expr& e, const Type* expected) {
    const Type* t = types_.error();
    switch (e.kind) {
    case ExprKind::IntLit: t = types_.intType(); break;
    case ExprKind::FloatLit: t = types_.floatType(); break;
    case ExprKind::StringLit: t = types_.stringType(); break;
    case ExprKind::BoolLit: t = types_.boolType(); break;
    case ExprKind::NullLit: t = types_.nullType(); break;
    case ExprKind::Interp:
        for (auto& part : static_cast<Interp&>(e).parts) checkValue(*part);
        t = types_.stringType();
        break;
    case ExprKind::Ident: t = checkIdent(static_cast<Ident&>(e)); break;
    case ExprKind::This:
        if (LocalVar* self = resolveThis(e.loc, true)) t = self->type;
        break;
    case ExprKind::Super: error(e.loc, "'super' must be followed by (...) or .method(...)"); break;
    case ExprKind::Unary: t = checkUnary(static_cast<Unary&>(e)); break;
    case ExprKind::Binary: t = checkBinary(static_cast<Binary&>(e)); break;
    case ExprKind::Call: t = checkCall(static_cast<Call&>(e), expected); break;
    case ExprKind::Member: t = checkMember(static_cast<Member&>(e)); break;
    case ExprKind::Index: t = checkIndex(static_cast<Index&>(e)); break;
    case ExprKind::ArrayLit: t = checkArrayLit(static_cast<ArrayLit&>(e), expected); break;
    case ExprKind::MapLit: t = checkMapLit(static_cast<MapLit&>(e), expected); break;
    case ExprKind::Lambda: t = checkLambda(static_cast<Lambda&>(e), expected); break;
    case ExprKind::Is: {
        auto& is = static_cast<IsExpr&>(e);
        checkIsAs(*is.operand, *is.target, is.targetClass, "is");
        t = types_.boolType();
        break;
    }
    case ExprKind::As: {
        auto& as = static_cast<AsExpr&>(e);
        t = checkIsAs(*as.operand, *as.target, as.targetClass, "as");
        break;
    }
    }
    e.type = t;
    return t;
}

const Type* Checker::checkValue(Expr& e, const Type* expected) {
    const Type* t = checkExpr(e, expected);
    if (!t->is(TypeKind::Void)) return t;
    error(e.loc, "this expression has no value");
    e.type = types_.error();
    return e.type;
}

void Checker::checkAssignableTo(Expr& e, const Type* target, const std::string& what) {
    const Type* t = checkValue(e, target);
    if (!assignable(t, target))
        error(e.loc, fmt::format("cannot assign {} to {} of type {}", typeName(t), what, typeName(target)));
}

const Type* Checker::globalRef(GlobalSym* g, Loc loc) {
    // Inside an initialiser, a variable of the same module declared later
    // (or the one being initialised) has not been set yet. A lambda may
    // refer to it: by the time it runs, the variable may well be set.
    if (initGlobal_ && g->module == initGlobal_->module && g->ordinal >= initGlobal_->ordinal &&
        lambdaDepthInInit_ == 0) {
        error(loc, fmt::format("module variable '{}' is used before its declaration", g->name));
        return types_.error();
    }
    if (!g->checked && !g->type) ensureGlobalChecked(g);
    return g->type ? g->type : types_.error();
}

const Type* Checker::fieldRef(FieldSym* f) {
    if (!f->type) ensureFieldType(f);
    return f->type;
}

const Type* Checker::checkIdent(Ident& e) {
    if (LocalVar* v = lookupLocal(e.name)) {
        e.ref.kind = RefKind::Local;
        e.ref.local = v;
        return v->type;
    }
    if (ClassSym* cls = currentClass()) {
        if (FieldSym* f = cls->findField(e.name)) {
            resolveThis(e.loc, false);
            e.ref.kind = RefKind::Field;
            e.ref.field = f;
            return fieldRef(f);
        }
        FunctionSym* m = nullptr;
        if (cls->findMethod(e.name) || cls->interfaceDeclaring(e.name, &m)) {
            error(e.loc, fmt::format("method '{}' must be called; methods are not values", e.name));
            return types_.error();
        }
    }
    for (ModuleSym* m : {mod_, prelude_}) {
        auto it = m->members.find(e.name);
        if (it == m->members.end()) continue;
        const ModuleMember& mm = it->second;
        if (mm.global) {
            e.ref.kind = RefKind::Global;
            e.ref.global = mm.global;
            return globalRef(mm.global, e.loc);
        }
        if (mm.function) {
            e.ref.kind = RefKind::Function;
            e.ref.function = mm.function;
            return mm.function->type;
        }
        error(e.loc, fmt::format("'{}' is a class, not a value", e.name));
        return types_.error();
    }
    if (mod_->importNames.count(e.name))
        error(e.loc, fmt::format("module '{}' is not a value", e.name));
    else if (isGlobalBuiltin(e.name))
        error(e.loc, fmt::format("built-in function '{}' must be called; it is not a value", e.name));
    else
        error(e.loc, fmt::format("unknown name '{}'", e.name));
    return types_.error();
}

const Type* Checker::checkUnary(Unary& e) {
    const Type* t = checkValue(*e.operand);
    if (t->isError()) return t;
    bool ok = false;
    switch (e.op) {
    case UnaryOp::Neg: ok = t->isNumeric(); break;
    case UnaryOp::Not: ok = t->is(TypeKind::Bool); break;
    case UnaryOp::BitNot: ok = t->is(TypeKind::Int); break;
    }
    if (ok) return t;
    error(e.loc, fmt::format("operator '{}' cannot be applied to {}", unaryText(e.op), typeName(t)));
    return types_.error();
}

const Type* Checker::checkBinary(Binary& e) {
    const Type* l = checkValue(*e.left);
    const Type* r = checkValue(*e.right);
    if (l->isError() || r->isError()) return types_.error();
    OperandClass oc = classifyBinary(e.op, l, r);
    if (oc == OperandClass::Invalid) {
        if (e.op == BinaryOp::Eq || e.op == BinaryOp::Ne)
            error(e.loc, fmt::format("cannot compare {} and {}", typeName(l), typeName(r)));
        else
            error(e.loc, fmt::format("operator '{}' cannot be applied to {} and {}", binaryText(e.op), typeName(l),
                                     typeName(r)));
        return types_.error();
    }
    return binaryResult(types_, e.op, oc);
}

const Type* Checker::checkIndex(Index& e) {
    const Type* t = checkValue(*e.object);
    auto intIndex = [&]() {
        const Type* i = checkValue(*e.index);
        if (!i->is(TypeKind::Int) && !i->isError())
            error(e.index->loc, fmt::format("index must be int, not {}", typeName(i)));
    };
    switch (t->kind) {
    case TypeKind::Array: intIndex(); return t->elem;
    case TypeKind::String: intIndex(); return types_.intType();
    case TypeKind::Map: {
        const Type* k = checkValue(*e.index, t->elem);
        if (!assignable(k, t->elem))
            error(e.index->loc, fmt::format("map key must be {}, not {}", typeName(t->elem), typeName(k)));
        return t->value;
    }
    case TypeKind::Error: checkExpr(*e.index); return t;
    default:
        checkExpr(*e.index);
        error(e.loc, fmt::format("cannot index {}", typeName(t)));
        return types_.error();
    }
}

const Type* Checker::checkArrayLit(ArrayLit& e, const Type* expected) {
    const Type* hint = expected && expected->is(TypeKind::Array) ? expected->elem : nullptr;
    if (e.elements.empty()) {
        if (hint) return expected;
        if (expected && expected->isError()) return expected;  // its type was already reported
        error(e.loc, "cannot infer type of empty array literal");
        return types_.error();
    }
    // Empty literals among the elements take the type the others agree on.
    std::vector<const Type*> ts(e.elements.size());
    for (size_t i = 0; i < ts.size(); i++)
        if (hint || !isEmptyLiteral(*e.elements[i])) ts[i] = checkValue(*e.elements[i], hint);
    const Type* others = nullptr;
    for (const Type* t : ts)
        if (t) others = others ? joinTypes(types_, others, t) : t;
    for (size_t i = 0; i < ts.size(); i++)
        if (!ts[i]) ts[i] = checkValue(*e.elements[i], others);
    if (hint) {
        bool fits = true;
        for (const Type* t : ts) fits &= assignable(t, hint);
        if (fits) return expected;
    }
    const Type* joined = ts[0];
    for (size_t i = 1; i < ts.size(); i++) {
        const Type* j = joinTypes(types_, joined, ts[i]);
        if (!j) {
            error(e.elements[i]->loc,
                  fmt::format("array elements have different types: {} and {}", typeName(joined), typeName(ts[i])));
            return types_.error();
        }
        joined = j;
    }
    if (joined->isError()) return joined;
    if (joined->is(TypeKind::Null)) {
        error(e.loc, "cannot infer the element type of an array of nulls");
        return types_.error();
    }
    return types_.arrayOf(joined);
}

const Type* Checker::checkMapLit(MapLit& e, const Type* expected) {
    bool hinted = expected && expected->is(TypeKind::Map);
    if (e.entries.empty()) {
        if (hinted) return expected;
        if (expected && expected->isError()) return expected;  // its type was already reported
        error(e.loc, "cannot infer type of empty map literal");
        return types_.error();
    }
    std::vector<const Type*> ks, vs;
    for (auto& [k, v] : e.entries) {
        ks.push_back(checkValue(*k, hinted ? expected->elem : nullptr));
        vs.push_back(hinted || !isEmptyLiteral(*v) ? checkValue(*v, hinted ? expected->value : nullptr) : nullptr);
    }
    // Empty literal values take the type the other values agree on.
    const Type* others = nullptr;
    for (const Type* t : vs)
        if (t) others = others ? joinTypes(types_, others, t) : t;
    for (size_t i = 0; i < vs.size(); i++)
        if (!vs[i]) vs[i] = checkValue(*e.entries[i].second, others);
    if (hinted) {
        bool fits = true;
        for (size_t i = 0; i < ks.size(); i++)
            fits &= assignable(ks[i], expected->elem) && assignable(vs[i], expected->value);
        if (fits) return expected;
    }
    const Type* key = ks[0];
    const Type* value = vs[0];
    for (size_t i = 1; i < ks.size(); i++) {
        const Type* jk = joinTypes(types_, key, ks[i]);
        const Type* jv = joinTypes(types_, value, vs[i]);
        if (!jk || !jv) {
            Expr& where = jk ? *e.entries[i].second : *e.entries[i].first;
            error(where.loc, fmt::format("map {} have different types: {} and {}", jk ? "values" : "keys",
                                         typeName(jk ? value : key), typeName(jk ? vs[i] : ks[i])));
            return types_.error();
        }
        key = jk;
        value = jv;
    }
    if (key->isError() || value->isError()) return types_.error();
    if (!validMapKey(key)) {
        error(e.entries[0].first->loc,
              fmt::format("invalid map key type {}: keys are int, string, bool or a class", typeName(key)));
        return types_.error();
    }
    if (value->is(TypeKind::Null)) {
        error(e.loc, "cannot infer the value type of a map of nulls");
        return types_.error();
    }
    return types_.mapOf(key, value);
}

const Type* Checker::checkLambda(Lambda& e, const Type* expected) {
    const Type* hint =
        expected && expected->is(TypeKind::Func) && expected->params.size() == e.params.size() ? expected : nullptr;
    FunctionSym* fn = newFunction(FnKind::Lambda, "<lambda>", ctx_->fn->traceName + ".<lambda>", e.loc);
    fn->enclosing = ctx_->fn;
    fn->lambda = &e;
    e.fn = fn;
    for (size_t i = 0; i < e.params.size(); i++) {
        const Param& p = e.params[i];
        const Type* t = types_.error();
        if (p.type)
            t = resolveType(p.type.get(), false);
        else if (hint)
            t = hint->params[i];
        else
            error(p.loc, fmt::format("cannot infer the type of parameter '{}'; declare it", p.name));
        fn->addParam(p.name, t, p.loc);
    }

    FnCtx ctx;
    ctx.fn = fn;
    ctx.outer = ctx_;
    ctx_ = &ctx;
    if (initGlobal_) lambdaDepthInInit_++;
    pushScope();
    for (LocalVar* p : fn->params) {
        for (LocalVar* other : ctx.scopes.back().vars)
            if (other->name == p->name) error(p->loc, fmt::format("parameter '{}' is declared twice", p->name));
        ctx.scopes.back().vars.push_back(p);
    }
    if (e.body) {
        fn->ret = resolveType(e.result.get(), true);
        fn->type = types_.funcOf(fn->paramTypes, fn->ret);
        checkStmts(e.body->stmts);
        if (!fn->ret->is(TypeKind::Void) && !fn->ret->isError() && !blockTerminates(*e.body))
            error(e.loc, "missing return in lambda");
    } else if (e.result) {
        fn->ret = resolveType(e.result.get(), true);
        const Type* t = checkExpr(*e.exprBody, fn->ret);
        if (!fn->ret->is(TypeKind::Void) && !assignable(t, fn->ret))
            error(e.exprBody->loc,
                  fmt::format("cannot return {} from a lambda returning {}", typeName(t), typeName(fn->ret)));
    } else {
        // Inferred result: the body's type, or the context's result type
        // when the body fits it (so `(x: int) => x` can be a fun(int): float,
        // and a body whose value a void context ignores is allowed).
        const Type* want = hint ? hint->ret : nullptr;
        const Type* t = checkExpr(*e.exprBody, want);
        if (want && (want->is(TypeKind::Void) || assignable(t, want)))
            fn->ret = want;
        else if (t->is(TypeKind::Null)) {
            error(e.exprBody->loc, "cannot infer the result type of a lambda returning null");
            fn->ret = types_.error();
        } else
            fn->ret = t;
    }
    if (initGlobal_) lambdaDepthInInit_--;
    ctx_ = ctx.outer;
    for (const Type* p : fn->paramTypes)
        if (p->isError()) fn->ret = types_.error();
    fn->type = fn->ret->isError() ? types_.error() : types_.funcOf(fn->paramTypes, fn->ret);
    return fn->type;
}

const Type* Checker::checkIsAs(Expr& operand, const TypeExpr& target, ClassSym*& out, const char* op) {
    const Type* t = checkValue(operand);
    out = resolveClassRef(target);
    if (!t->is(TypeKind::Class) && !t->is(TypeKind::Null) && !t->isError())
        error(operand.loc, fmt::format("'{}' needs an object, not {}", op, typeName(t)));
    return out ? out->type : types_.error();
}

}  // namespace nido::compiler
