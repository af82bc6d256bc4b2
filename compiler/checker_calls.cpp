// Calls and member access: top-level functions, constructors, methods
// (virtual, interface, super), closures (locals, globals, fields of function
// type), module-qualified names, and builtins resolved against builtins.def
// and intrinsics.def (first exact match, else first match with int->float
// widening). `mod.f(...)` resolves to what mod.nd declares, then, when mod
// is the embedded standard module, to the MODULE builtin "mod.f"; a user's
// own mod.nd has no natives.
#include <fmt/format.h>

#include "compiler/checker.hpp"
#include "vm/builtins.hpp"

namespace nido::compiler {

namespace {

using vm::SigKind;
using vm::SigType;

// Type variables of one builtin signature, bound by their first occurrence.
struct Bindings {
    const Type* vars[4] = {};
    const Type*& at(char c) { return vars[c == 'T' ? 0 : c == 'U' ? 1 : c == 'K' ? 2 : 3]; }
};

// Whether actual fits pattern s. top: actual is passed as an argument, so
// subtyping, null for references and (with widen) int->float apply; inside
// arrays, maps and functions types must match exactly.
bool matchSig(const SigType& s, const Type* a, Bindings& b, bool widen, bool top) {
    if (a->isError()) return true;
    switch (s.kind) {
    case SigKind::Int: return a->is(TypeKind::Int);
    case SigKind::Float: return a->is(TypeKind::Float) || (widen && top && a->is(TypeKind::Int));
    case SigKind::Bool: return a->is(TypeKind::Bool);
    case SigKind::String: return a->is(TypeKind::String) || (top && a->is(TypeKind::Null));
    case SigKind::Void: return false;
    case SigKind::AnyRef: return a->isRefOrNull();
    case SigKind::Stringified: return !a->is(TypeKind::Void);
    case SigKind::Var: {
        const Type*& bound = b.at(s.var);
        if (bound) {
            if (!top) return a == bound;
            return widen ? assignable(a, bound) : assignableExact(a, bound);
        }
        if (a->is(TypeKind::Void)) return false;
        if (a->is(TypeKind::Null)) return top;  // fits any reference; binds nothing
        bound = a;
        return true;
    }
    case SigKind::Array: return a->is(TypeKind::Array) && matchSig(s.args[0], a->elem, b, false, false);
    case SigKind::Map:
        return a->is(TypeKind::Map) && matchSig(s.args[0], a->elem, b, false, false) &&
               matchSig(s.args[1], a->value, b, false, false);
    case SigKind::Func: {
        if (!a->is(TypeKind::Func) || a->params.size() + 1 != s.args.size()) return false;
        for (size_t i = 0; i < a->params.size(); i++)
            if (!matchSig(s.args[i], a->params[i], b, false, false)) return false;
        return matchSig(s.args.back(), a->ret, b, false, false);
    }
    }
    return false;
}

// The type s denotes under b, or nullptr when a variable is unbound or s is
// R or S (which denote no single type).
const Type* instantiate(const SigType& s, Bindings& b, TypeTable& tt) {
    switch (s.kind) {
    case SigKind::Int: return tt.intType();
    case SigKind::Float: return tt.floatType();
    case SigKind::Bool: return tt.boolType();
    case SigKind::String: return tt.stringType();
    case SigKind::Void: return tt.voidType();
    case SigKind::AnyRef:
    case SigKind::Stringified: return nullptr;
    case SigKind::Var: return b.at(s.var);
    case SigKind::Array: {
        const Type* e = instantiate(s.args[0], b, tt);
        return e ? tt.arrayOf(e) : nullptr;
    }
    case SigKind::Map: {
        const Type* k = instantiate(s.args[0], b, tt);
        const Type* v = instantiate(s.args[1], b, tt);
        return k && v ? tt.mapOf(k, v) : nullptr;
    }
    case SigKind::Func: {
        std::vector<const Type*> ps;
        for (size_t i = 0; i + 1 < s.args.size(); i++) {
            ps.push_back(instantiate(s.args[i], b, tt));
            if (!ps.back()) return nullptr;
        }
        const Type* r = instantiate(s.args.back(), b, tt);
        return r ? tt.funcOf(ps, r) : nullptr;
    }
    }
    return nullptr;
}

std::string describe(const SigType& s) {
    switch (s.kind) {
    case SigKind::AnyRef: return "a reference";
    case SigKind::Array: return "an array";
    case SigKind::Map: return "a map";
    case SigKind::Func: return "a function";
    default: return "a value";
    }
}

// Where to point at a call: the called name (`f(`, `obj.m(`), else the callee.
Loc calleeLoc(const Call& c) {
    if (c.callee->kind == ExprKind::Member) return static_cast<const Member&>(*c.callee).nameLoc;
    return c.callee->loc;
}

// An entry of builtins.def or intrinsics.def a call may resolve to.
struct BuiltinCandidate {
    const vm::Signature* sig;
    bool intrinsic;
    uint16_t id;  // BuiltinId or IntrinsicId
};

std::string typeList(const std::vector<const Type*>& ts) {
    std::string s;
    for (size_t i = 0; i < ts.size(); i++) s += (i ? ", " : "") + typeName(ts[i]);
    return s;
}

}  // namespace

bool isGlobalBuiltin(const std::string& name) {
    for (const vm::BuiltinInfo& b : vm::kBuiltinInfo)
        if (b.receiver == vm::BuiltinReceiver::GLOBAL && name == b.name) return true;
    for (const vm::IntrinsicInfo& b : vm::kIntrinsicInfo)
        if (b.receiver == vm::BuiltinReceiver::GLOBAL && name == b.name) return true;
    return false;
}

bool isModuleBuiltin(const std::string& qualifiedName) {
    for (const vm::BuiltinInfo& b : vm::kBuiltinInfo)
        if (b.receiver == vm::BuiltinReceiver::MODULE && qualifiedName == b.name) return true;
    return false;
}

ModuleSym* Checker::moduleQualifier(const Expr& e) {
    if (e.kind != ExprKind::Ident) return nullptr;
    const std::string& name = static_cast<const Ident&>(e).name;
    auto it = mod_->importNames.find(name);
    if (it == mod_->importNames.end()) return nullptr;
    // Any other meaning of the name shadows the module.
    for (FnCtx* c = ctx_; c; c = c->outer)
        for (const Scope& s : c->scopes)
            for (const LocalVar* v : s.vars)
                if (v->name == name) return nullptr;
    if (ClassSym* cls = currentClass()) {
        FunctionSym* m = nullptr;
        if (cls->findField(name) || cls->findMethod(name) || cls->interfaceDeclaring(name, &m)) return nullptr;
    }
    if (mod_->members.count(name) || prelude_->members.count(name)) return nullptr;
    return it->second;
}

void Checker::checkArgs(Call& c, const std::vector<const Type*>& params, const std::string& what) {
    if (c.args.size() != params.size()) {
        error(c.loc, fmt::format("{} expects {} argument{}, got {}", what, params.size(), params.size() == 1 ? "" : "s",
                                 c.args.size()));
        for (auto& a : c.args) checkExpr(*a);
        return;
    }
    for (size_t i = 0; i < params.size(); i++) {
        const Type* t = checkValue(*c.args[i], params[i]);
        if (!assignable(t, params[i]))
            error(c.args[i]->loc,
                  fmt::format("argument {} of {} must be {}, not {}", i + 1, what, typeName(params[i]), typeName(t)));
    }
    c.argTypes = params;
}

const Type* Checker::checkCall(Call& c, const Type* expected) {
    switch (c.callee->kind) {
    case ExprKind::Ident: return callNamed(c, static_cast<Ident&>(*c.callee), expected);
    case ExprKind::Member: return callMember(c, static_cast<Member&>(*c.callee), expected);
    case ExprKind::Super: return callSuper(c);
    default: return callClosure(c, checkValue(*c.callee));
    }
}

const Type* Checker::callFunction(Call& c, FunctionSym* fn, const std::string& what) {
    c.callKind = CallKind::Function;
    c.target = fn;
    checkArgs(c, fn->paramTypes, what);
    return fn->ret;
}

const Type* Checker::callMethod(Call& c, ClassSym* cls, FunctionSym* m, const std::string& what) {
    c.callKind = cls->isInterface ? CallKind::Interface : CallKind::Virtual;
    c.target = m;
    c.targetClass = cls;
    checkArgs(c, m->paramTypes, what);
    return m->ret;
}

const Type* Checker::callConstructor(Call& c, ClassSym* cls, Loc loc) {
    if (cls->isInterface) {
        error(loc, fmt::format("interface '{}' cannot be constructed", cls->name));
    } else if (cls->isAbstract) {
        error(loc, fmt::format("class '{}' is abstract and cannot be constructed", cls->name));
    } else {
        c.callKind = CallKind::Constructor;
        c.target = cls->ctor;
        c.targetClass = cls;
        checkArgs(c, cls->ctor->paramTypes, fmt::format("constructor of '{}'", cls->name));
        return cls->type;
    }
    for (auto& a : c.args) checkExpr(*a);
    return types_.error();
}

const Type* Checker::callClosure(Call& c, const Type* fnType) {
    if (fnType->is(TypeKind::Func)) {
        c.callKind = CallKind::Closure;
        checkArgs(c, fnType->params, "the function");
        return fnType->ret;
    }
    if (!fnType->isError()) error(c.callee->loc, fmt::format("cannot call a value of type {}", typeName(fnType)));
    for (auto& a : c.args) checkExpr(*a);
    return types_.error();
}

const Type* Checker::callNamed(Call& c, Ident& id, const Type* expected) {
    const std::string& name = id.name;
    if (LocalVar* v = lookupLocal(name)) {
        id.ref.kind = RefKind::Local;
        id.ref.local = v;
        id.type = v->type;
        return callClosure(c, v->type);
    }
    if (ClassSym* cls = currentClass()) {
        if (FieldSym* f = cls->findField(name)) {
            resolveThis(id.loc, false);
            id.ref.kind = RefKind::Field;
            id.ref.field = f;
            id.type = fieldRef(f);
            return callClosure(c, id.type);
        }
        FunctionSym* m = cls->findMethod(name);
        ClassSym* on = cls;
        if (!m) on = cls->interfaceDeclaring(name, &m);
        if (m) {
            resolveThis(id.loc, false);
            c.implicitThis = true;
            return callMethod(c, on, m, fmt::format("'{}'", name));
        }
    }
    for (ModuleSym* m : {mod_, prelude_}) {
        auto it = m->members.find(name);
        if (it == m->members.end()) continue;
        const ModuleMember& mm = it->second;
        if (mm.function) return callFunction(c, mm.function, fmt::format("'{}'", name));
        if (mm.cls) return callConstructor(c, mm.cls, id.loc);
        id.ref.kind = RefKind::Global;
        id.ref.global = mm.global;
        id.type = globalRef(mm.global, id.loc);
        return callClosure(c, id.type);
    }
    if (isGlobalBuiltin(name)) return callBuiltin(c, name, nullptr, int(vm::BuiltinReceiver::GLOBAL), expected);
    if (mod_->importNames.count(name))
        error(id.loc, fmt::format("module '{}' cannot be called", name));
    else
        error(id.loc, fmt::format("unknown name '{}'", name));
    for (auto& a : c.args) checkExpr(*a);
    return types_.error();
}

const Type* Checker::callMember(Call& c, Member& m, const Type* expected) {
    const std::string& name = m.name;
    if (m.object->kind == ExprKind::Super) {
        ClassSym* cls = currentClass();
        FunctionSym* method = cls && cls->super ? cls->super->findMethod(name) : nullptr;
        if (!cls || !cls->super) {
            error(m.object->loc, "'super' is only available in a class that extends another");
        } else if (!method) {
            error(m.nameLoc, fmt::format("class '{}' has no method '{}'", cls->super->name, name));
        } else if (method->isAbstract) {
            error(m.nameLoc,
                  fmt::format("cannot call abstract method '{}.{}' through super", method->owner->name, name));
        } else {
            resolveThis(m.loc, false);
            c.callKind = CallKind::SuperMethod;
            c.target = method;
            c.targetClass = cls->super;
            checkArgs(c, method->paramTypes, fmt::format("'{}'", name));
            return method->ret;
        }
        for (auto& a : c.args) checkExpr(*a);
        return types_.error();
    }
    if (ModuleSym* q = moduleQualifier(*m.object)) {
        auto it = q->members.find(name);
        if (it == q->members.end()) {
            std::string native = q->name + "." + name;
            if (q->standard && isModuleBuiltin(native))
                return callBuiltin(c, native, nullptr, int(vm::BuiltinReceiver::MODULE), expected);
            error(m.nameLoc, fmt::format("module '{}' has no member '{}'", q->name, name));
            for (auto& a : c.args) checkExpr(*a);
            return types_.error();
        }
        const ModuleMember& mm = it->second;
        if (mm.function) return callFunction(c, mm.function, fmt::format("'{}.{}'", q->name, name));
        if (mm.cls) return callConstructor(c, mm.cls, m.nameLoc);
        m.ref.kind = RefKind::Global;
        m.ref.global = mm.global;
        m.type = globalRef(mm.global, m.nameLoc);
        return callClosure(c, m.type);
    }
    const Type* t = checkValue(*m.object);
    switch (t->kind) {
    case TypeKind::Class: {
        ClassSym* cls = t->cls;
        if (FieldSym* f = cls->findField(name)) {
            m.ref.kind = RefKind::Field;
            m.ref.field = f;
            m.type = fieldRef(f);
            return callClosure(c, m.type);
        }
        FunctionSym* method = cls->findMethod(name);
        ClassSym* on = cls;
        if (!method && !cls->isInterface) on = cls->interfaceDeclaring(name, &method);
        if (method) return callMethod(c, on->isInterface ? method->owner : on, method, fmt::format("'{}'", name));
        error(m.nameLoc,
              fmt::format("{} '{}' has no method '{}'", cls->isInterface ? "interface" : "class", cls->name, name));
        break;
    }
    case TypeKind::String: return callBuiltin(c, name, t, int(vm::BuiltinReceiver::STRING), expected);
    case TypeKind::Array: return callBuiltin(c, name, t, int(vm::BuiltinReceiver::ARRAY), expected);
    case TypeKind::Map: return callBuiltin(c, name, t, int(vm::BuiltinReceiver::MAP), expected);
    case TypeKind::Error: break;
    case TypeKind::Null: error(m.nameLoc, fmt::format("cannot call method '{}' on null", name)); break;
    default: error(m.nameLoc, fmt::format("{} has no method '{}'", typeName(t), name)); break;
    }
    for (auto& a : c.args) checkExpr(*a);
    return types_.error();
}

const Type* Checker::callSuper(Call& c) {
    ClassSym* cls = currentClass();
    bool allowed = allowSuperCall_;
    allowSuperCall_ = false;  // only the outermost call of the first statement
    if (!allowed) {
        error(c.callee->loc, "'super(...)' must be the first statement of a constructor");
    } else if (!cls->super) {
        error(c.callee->loc, fmt::format("class '{}' has no superclass", cls->name));
    } else {
        resolveThis(c.loc, false);
        c.callKind = CallKind::SuperConstructor;
        c.target = cls->super->ctor;
        c.targetClass = cls->super;
        checkArgs(c, cls->super->ctor->paramTypes, fmt::format("constructor of '{}'", cls->super->name));
        return types_.voidType();
    }
    for (auto& a : c.args) checkExpr(*a);
    return types_.voidType();
}

const Type* Checker::checkMember(Member& m) {
    const std::string& name = m.name;
    if (m.object->kind == ExprKind::Super) {
        error(m.object->loc, fmt::format("'super' must be followed by a call; use 'this.{}' for fields", name));
        return types_.error();
    }
    if (ModuleSym* q = moduleQualifier(*m.object)) {
        auto it = q->members.find(name);
        if (it == q->members.end()) {
            if (q->standard && isModuleBuiltin(q->name + "." + name))
                error(m.nameLoc,
                      fmt::format("built-in function '{}.{}' must be called; it is not a value", q->name, name));
            else
                error(m.nameLoc, fmt::format("module '{}' has no member '{}'", q->name, name));
            return types_.error();
        }
        const ModuleMember& mm = it->second;
        if (mm.global) {
            m.ref.kind = RefKind::Global;
            m.ref.global = mm.global;
            return globalRef(mm.global, m.nameLoc);
        }
        if (mm.function) {
            m.ref.kind = RefKind::Function;
            m.ref.function = mm.function;
            return mm.function->type;
        }
        error(m.nameLoc, fmt::format("'{}' is a class, not a value", name));
        return types_.error();
    }
    const Type* t = checkValue(*m.object);
    switch (t->kind) {
    case TypeKind::Class: {
        ClassSym* cls = t->cls;
        if (FieldSym* f = cls->findField(name)) {
            m.ref.kind = RefKind::Field;
            m.ref.field = f;
            return fieldRef(f);
        }
        FunctionSym* method = nullptr;
        if (cls->findMethod(name) || cls->interfaceDeclaring(name, &method))
            error(m.nameLoc, fmt::format("method '{}' must be called; methods are not values", name));
        else
            error(m.nameLoc,
                  fmt::format("{} '{}' has no field '{}'", cls->isInterface ? "interface" : "class", cls->name, name));
        return types_.error();
    }
    case TypeKind::Error: return t;
    case TypeKind::Null: error(m.nameLoc, fmt::format("cannot access '{}' of null", name)); break;
    default: error(m.nameLoc, fmt::format("{} has no field '{}'", typeName(t), name)); break;
    }
    return types_.error();
}

const Type* Checker::callBuiltin(Call& c, const std::string& name, const Type* receiver, int receiverKind,
                                 const Type* expected) {
    auto kind = vm::BuiltinReceiver(receiverKind);
    size_t off = receiver ? 1 : 0;
    std::vector<BuiltinCandidate> candidates;
    bool named = false;
    auto consider = [&](vm::BuiltinReceiver r, const char* n, const vm::Signature& sig, bool intrinsic, int id) {
        if (r != kind || name != n) return;
        named = true;
        if (sig.params.size() == c.args.size() + off) candidates.push_back({&sig, intrinsic, uint16_t(id)});
    };
    for (int i = 0; i < vm::kBuiltinCount; i++) {
        const vm::BuiltinInfo& info = vm::kBuiltinInfo[i];
        consider(info.receiver, info.name, vm::builtinSignature(vm::BuiltinId(i)), false, i);
    }
    for (int i = 0; i < vm::kIntrinsicCount; i++) {
        const vm::IntrinsicInfo& info = vm::kIntrinsicInfo[i];
        consider(info.receiver, info.name, vm::intrinsicSignature(vm::IntrinsicId(i)), true, i);
    }
    auto fail = [&]() {
        for (auto& a : c.args) checkExpr(*a);
        return types_.error();
    };
    if (!named) {
        error(calleeLoc(c), fmt::format("{} has no method '{}'", typeName(receiver), name));
        return fail();
    }
    if (candidates.empty()) {
        error(c.loc,
              fmt::format("'{}' does not take {} argument{}", name, c.args.size(), c.args.size() == 1 ? "" : "s"));
        return fail();
    }

    // Check the arguments once. With a single candidate its parameter types
    // (as far as the receiver and earlier arguments bind them) guide empty
    // literals and lambdas.
    std::vector<const Type*> argT;
    bool bad = false;
    if (candidates.size() == 1) {
        const vm::Signature& sig = *candidates[0].sig;
        // The receiver binds first: `let v: float = m.get(k, max(a, b))` on
        // an {string: int} map must not make max's result a float.
        Bindings hb;
        if (receiver) matchSig(sig.params[0], receiver, hb, false, true);
        if (Bindings withResult = hb; expected && matchSig(sig.result, expected, withResult, false, false)) {
            hb = withResult;
        }
        for (size_t i = 0; i < c.args.size(); i++) {
            const SigType& ps = sig.params[off + i];
            argT.push_back(checkValue(*c.args[i], instantiate(ps, hb, types_)));
            matchSig(ps, argT.back(), hb, true, true);
        }
    } else {
        for (auto& a : c.args) argT.push_back(checkValue(*a));
    }
    for (const Type* t : argT) bad |= t->isError();
    if (bad) return types_.error();

    // Prefer bindings from the expected result type, so `let xs: [float] =
    // array(3, 0)` makes a [float]; then the first exact match, then the
    // first match with widening.
    for (int prebind = expected ? 1 : 0; prebind >= 0; prebind--) {
        for (int widen = 0; widen <= 1; widen++) {
            for (const BuiltinCandidate& cand : candidates) {
                const vm::Signature& sig = *cand.sig;
                Bindings b;
                if (prebind && !matchSig(sig.result, expected, b, false, false)) continue;
                if (receiver && !matchSig(sig.params[0], receiver, b, false, true)) continue;
                bool ok = true;
                for (size_t i = 0; i < argT.size() && ok; i++)
                    ok = matchSig(sig.params[off + i], argT[i], b, widen, true);
                if (!ok) continue;
                const Type* result = instantiate(sig.result, b, types_);
                if (!result) {
                    error(calleeLoc(c), fmt::format("cannot infer the type of '{}' from null arguments", name));
                    return types_.error();
                }
                c.callKind = cand.intrinsic ? CallKind::Intrinsic : CallKind::Builtin;
                c.builtin = cand.id;
                c.argTypes.clear();
                for (size_t i = 0; i < argT.size(); i++) {
                    const SigType& ps = sig.params[off + i];
                    const Type* target = ps.kind == SigKind::Stringified ? nullptr : instantiate(ps, b, types_);
                    c.argTypes.push_back(ps.kind == SigKind::Stringified ? nullptr : target ? target : argT[i]);
                }
                return result;
            }
        }
    }

    if (candidates.size() == 1) {
        const vm::Signature& sig = *candidates[0].sig;
        Bindings b;
        if (receiver && !matchSig(sig.params[0], receiver, b, false, true)) {
            error(calleeLoc(c), fmt::format("'{}' cannot be called on {}", name, typeName(receiver)));
            return types_.error();
        }
        for (size_t i = 0; i < argT.size(); i++) {
            const SigType& ps = sig.params[off + i];
            if (matchSig(ps, argT[i], b, true, true)) continue;
            const Type* want = instantiate(ps, b, types_);
            error(c.args[i]->loc, fmt::format("argument {} of '{}' must be {}, not {}", i + 1, name,
                                              want ? typeName(want) : describe(ps), typeName(argT[i])));
            return types_.error();
        }
    }
    if (receiver)
        error(calleeLoc(c),
              fmt::format("no variant of '{}' on {} accepts ({})", name, typeName(receiver), typeList(argT)));
    else
        error(calleeLoc(c), fmt::format("no variant of '{}' accepts ({})", name, typeList(argT)));
    return types_.error();
}

}  // namespace nido::compiler
