// Declarations: module-level names, class headers and members, vtables and
// their override rules, function signatures, module variables and inferred
// field types. A module is processed in phases so that every name is
// visible regardless of declaration order (LANGUAGE.md §1):
//   names -> class headers -> class order -> members and vtables ->
//   signatures -> inferred types -> bodies.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compiler/checker.hpp"

namespace nido::compiler {

std::unique_ptr<Semantics> checkProgram(std::vector<SourceModule>& modules, Diagnostics& diags) {
    auto sem = std::make_unique<Semantics>();
    Checker checker(*sem, diags);
    for (size_t i = 0; i < modules.size() && !diags.full(); i++) {
        std::vector<ModuleSym*> imports;
        for (size_t idx : modules[i].importIndices) imports.push_back(sem->modules[idx].get());
        checker.checkModule(modules[i], imports, i + 1 == modules.size());
    }
    return sem;
}

void Checker::error(Loc loc, std::string message) { diags_.error(mod_->path, mod_->source, loc, std::move(message)); }

FunctionSym* Checker::newFunction(FnKind kind, std::string name, std::string traceName, Loc loc) {
    auto fn = std::make_unique<FunctionSym>();
    fn->kind = kind;
    fn->name = std::move(name);
    fn->traceName = std::move(traceName);
    fn->module = mod_;
    fn->loc = loc;
    fn->index = uint32_t(sem_.functions.size());
    fn->ret = types_.voidType();
    fn->type = types_.funcOf({}, fn->ret);
    sem_.functions.push_back(std::move(fn));
    return sem_.functions.back().get();
}

// Adds the receiver as the frame's first variable (methods and constructors).
static void addThis(FunctionSym* fn, ClassSym* owner) {
    fn->owner = owner;
    auto v = std::make_unique<LocalVar>();
    v->name = "this";
    v->type = owner->type;
    v->owner = fn;
    v->isThis = true;
    fn->thisVar = v.get();
    fn->locals.push_back(std::move(v));
}

void Checker::checkModule(SourceModule& src, const std::vector<ModuleSym*>& importSyms, bool isEntry) {
    auto ms = std::make_unique<ModuleSym>();
    ms->name = src.ast->name;
    ms->path = src.path;
    ms->file = src.file;
    ms->source = src.source;
    ms->ast = src.ast.get();
    ms->index = uint32_t(sem_.modules.size());
    ms->standard = src.standard;
    mod_ = ms.get();
    sem_.modules.push_back(std::move(ms));
    if (!prelude_) prelude_ = mod_;  // the prelude is always checked first

    Module& ast = *mod_->ast;
    for (size_t i = 0; i < ast.imports.size() && i < importSyms.size(); i++) {
        const Import& imp = ast.imports[i];
        if (mod_->importNames.count(imp.name)) {
            error(imp.loc, fmt::format("module '{}' is imported twice", imp.name));
            continue;
        }
        mod_->importNames[imp.name] = importSyms[i];
        mod_->imports.push_back(importSyms[i]);
    }

    mod_->init = newFunction(FnKind::Init, "<init>", "<init>", Loc{1, 1});
    declareModuleNames(*mod_);
    if (mod_ == prelude_) {
        auto it = mod_->members.find("Error");
        if (it != mod_->members.end()) errorClass_ = it->second.cls;
    }
    for (ClassSym* c : mod_->classes) resolveHeader(c);
    orderClasses(*mod_);
    for (ClassSym* c : mod_->classes) declareMembers(c);
    for (ClassSym* c : mod_->classes) checkImplementations(c);
    for (FunctionSym* fn : mod_->functions) declareFunctionSignature(fn, fn->decl->params, fn->decl->result.get());
    for (GlobalSym* g : mod_->globals)
        if (g->decl->type) g->type = resolveType(g->decl->type.get(), false);
    if (stop()) return;

    // Inferred types, then everything else, each initialiser exactly once.
    for (ClassSym* c : mod_->classes)
        for (auto& f : c->fields) ensureFieldType(f.get());
    for (GlobalSym* g : mod_->globals) ensureGlobalChecked(g);
    // Bodies in source order, so errors come out in the order of the file.
    struct Item {
        Loc loc;
        FunctionSym* fn;
        ClassSym* cls;
    };
    std::vector<Item> items;
    for (FunctionSym* fn : mod_->functions) items.push_back({fn->loc, fn, nullptr});
    for (ClassSym* c : mod_->classes)
        if (!c->isInterface) items.push_back({c->decl->loc, nullptr, c});
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
        return a.loc.line != b.loc.line ? a.loc.line < b.loc.line : a.loc.col < b.loc.col;
    });
    for (const Item& item : items) {
        if (stop()) return;
        if (item.fn) {
            checkFunctionBody(item.fn);
            continue;
        }
        checkConstructorBody(item.cls);
        for (FunctionSym* m : item.cls->methods)
            if (!m->isAbstract && !stop()) checkFunctionBody(m);
    }
    if (isEntry) checkMain(*mod_);
}

void Checker::declareModuleNames(ModuleSym& m) {
    Module& ast = *m.ast;
    // In source order, so that a duplicate is reported at the later declaration.
    struct Decl {
        Loc loc;
        ClassDecl* cls;
        FunDecl* fun;
        VarDecl* var;
    };
    std::vector<Decl> decls;
    for (ClassDecl& cd : ast.classes) decls.push_back({cd.loc, &cd, nullptr, nullptr});
    for (FunDecl& fd : ast.functions) decls.push_back({fd.loc, nullptr, &fd, nullptr});
    for (auto& vd : ast.globals) decls.push_back({vd->loc, nullptr, nullptr, vd.get()});
    std::stable_sort(decls.begin(), decls.end(), [](const Decl& a, const Decl& b) {
        return a.loc.line != b.loc.line ? a.loc.line < b.loc.line : a.loc.col < b.loc.col;
    });
    for (const Decl& d : decls) {
        const std::string& name = d.cls ? d.cls->name : d.fun ? d.fun->name : d.var->name;
        if (m.members.count(name)) {
            error(d.loc, fmt::format("'{}' is already declared in this module", name));
            continue;
        }
        if (ClassDecl* cd = d.cls) {
            auto c = std::make_unique<ClassSym>();
            c->name = cd->name;
            c->module = &m;
            c->decl = cd;
            c->isInterface = cd->isInterface;
            c->isAbstract = cd->isAbstract || cd->isInterface;
            c->type = types_.classType(c.get());
            m.members[name].cls = c.get();
            m.classes.push_back(c.get());
            sem_.classes.push_back(std::move(c));
        } else if (FunDecl* fd = d.fun) {
            FunctionSym* fn = newFunction(FnKind::Function, fd->name, fd->name, fd->loc);
            fn->decl = fd;
            if (!fd->body) error(fd->loc, fmt::format("function '{}' needs a body", fd->name));
            m.members[name].function = fn;
            m.functions.push_back(fn);
        } else {
            auto g = std::make_unique<GlobalSym>();
            g->name = name;
            g->isLet = d.var->isLet;
            g->module = &m;
            g->decl = d.var;
            g->index = uint32_t(sem_.globals.size());
            g->ordinal = uint32_t(m.globals.size());
            d.var->global = g.get();
            m.members[name].global = g.get();
            m.globals.push_back(g.get());
            sem_.globals.push_back(std::move(g));
        }
    }
}

ClassSym* Checker::resolveClassRef(const TypeExpr& te) {
    if (te.kind != TypeExprKind::Named) {
        error(te.loc, "expected a class or interface name");
        return nullptr;
    }
    const ModuleSym* scope = mod_;
    if (!te.qualifier.empty()) {
        auto it = mod_->importNames.find(te.qualifier);
        if (it == mod_->importNames.end()) {
            error(te.loc, fmt::format("unknown module '{}'", te.qualifier));
            return nullptr;
        }
        scope = it->second;
    }
    std::vector<const ModuleSym*> scopes = {scope};
    if (te.qualifier.empty()) scopes.push_back(prelude_);
    for (const ModuleSym* m : scopes) {
        auto it = m->members.find(te.name);
        if (it == m->members.end()) continue;
        if (it->second.cls) return it->second.cls;
        error(te.loc, fmt::format("'{}' is not a class or interface", te.name));
        return nullptr;
    }
    bool builtinType = te.qualifier.empty() && (te.name == "int" || te.name == "float" || te.name == "bool" ||
                                                te.name == "string" || te.name == "void");
    error(te.loc, builtinType ? fmt::format("'{}' is not a class or interface", te.name)
                              : fmt::format("unknown type '{}'", te.name));
    return nullptr;
}

const Type* Checker::resolveType(const TypeExpr* te, bool allowVoid) {
    if (!te) return types_.voidType();
    switch (te->kind) {
    case TypeExprKind::Named:
        if (te->qualifier.empty()) {
            if (te->name == "int") return types_.intType();
            if (te->name == "float") return types_.floatType();
            if (te->name == "bool") return types_.boolType();
            if (te->name == "string") return types_.stringType();
            if (te->name == "void") {
                if (allowVoid) return types_.voidType();
                error(te->loc, "'void' is only allowed as a return type");
                return types_.error();
            }
        }
        if (ClassSym* c = resolveClassRef(*te)) return c->type;
        return types_.error();
    case TypeExprKind::Array: {
        const Type* elem = resolveType(te->args.at(0).get(), false);
        return elem->isError() ? elem : types_.arrayOf(elem);
    }
    case TypeExprKind::Map: {
        const Type* key = resolveType(te->args.at(0).get(), false);
        const Type* value = resolveType(te->args.at(1).get(), false);
        if (!validMapKey(key)) {
            error(te->args[0]->loc,
                  fmt::format("invalid map key type {}: keys are int, string, bool or a class", typeName(key)));
            return types_.error();
        }
        if (key->isError() || value->isError()) return types_.error();
        return types_.mapOf(key, value);
    }
    case TypeExprKind::Func: {
        std::vector<const Type*> params;
        bool bad = false;
        for (const auto& a : te->args) {
            params.push_back(resolveType(a.get(), false));
            bad |= params.back()->isError();
        }
        const Type* ret = resolveType(te->result.get(), true);
        if (bad || ret->isError()) return types_.error();
        return types_.funcOf(params, ret);
    }
    }
    return types_.error();
}

void Checker::resolveHeader(ClassSym* c) {
    if (c->headerState != 0) return;
    c->headerState = 1;
    const ClassDecl& d = *c->decl;
    // A class of this module still being resolved means the chain loops.
    auto usable = [&](ClassSym* target, Loc loc) {
        if (target->module == mod_) resolveHeader(target);
        if (target->headerState == 1) {
            error(loc, fmt::format("class '{}' inherits from itself", c->name));
            return false;
        }
        return true;
    };
    if (d.superclass) {
        if (ClassSym* s = resolveClassRef(*d.superclass); s && usable(s, d.superclass->loc)) {
            if (c->isInterface && s->isInterface) {
                c->interfaces.push_back(s);
            } else if (c->isInterface) {
                error(d.superclass->loc, fmt::format("interface '{}' cannot extend class '{}'", c->name, s->name));
            } else if (s->isInterface) {
                error(d.superclass->loc,
                      fmt::format("class '{}' cannot extend interface '{}'; use 'implements'", c->name, s->name));
            } else {
                c->super = s;
            }
        }
    }
    for (const auto& te : d.interfaces) {
        ClassSym* i = resolveClassRef(*te);
        if (!i || !usable(i, te->loc)) continue;
        if (!i->isInterface) {
            error(te->loc, fmt::format("'{}' is a class, not an interface", i->name));
            continue;
        }
        bool dup = false;
        for (ClassSym* have : c->interfaces) dup |= have == i;
        if (!dup) c->interfaces.push_back(i);
    }
    c->headerState = 2;
}

// Puts the module's classes in table order: declaration order, except that a
// superclass or interface comes before the classes that build on it, so the
// linker can lay out every class after its parents.
void Checker::orderClasses(ModuleSym& m) {
    std::vector<ClassSym*> order;
    std::set<const ClassSym*> placed;
    auto visit = [&](auto& self, ClassSym* c) -> void {
        if (!placed.insert(c).second) return;
        if (c->super && c->super->module == &m) self(self, c->super);
        for (ClassSym* i : c->interfaces)
            if (i->module == &m) self(self, i);
        order.push_back(c);
    };
    for (ClassSym* c : m.classes) visit(visit, c);

    size_t first = sem_.classes.size() - m.classes.size();
    std::vector<std::unique_ptr<ClassSym>> mine;
    for (size_t i = first; i < sem_.classes.size(); i++) mine.push_back(std::move(sem_.classes[i]));
    sem_.classes.resize(first);
    for (ClassSym* c : order) {
        for (auto& p : mine)
            if (p.get() == c) sem_.classes.push_back(std::move(p));
        c->index = uint32_t(sem_.classes.size() - 1);
    }
    m.classes = order;
}

void Checker::declareFunctionSignature(FunctionSym* fn, const std::vector<Param>& params, const TypeExpr* result) {
    for (const Param& p : params) {
        const Type* t = types_.error();
        if (p.type)
            t = resolveType(p.type.get(), false);
        else
            error(p.loc, fmt::format("parameter '{}' needs a type", p.name));
        for (LocalVar* other : fn->params)
            if (other->name == p.name) error(p.loc, fmt::format("parameter '{}' is declared twice", p.name));
        fn->addParam(p.name, t, p.loc);
    }
    fn->ret = resolveType(result, true);
    fn->type = types_.funcOf(fn->paramTypes, fn->ret);
}

void Checker::declareMembers(ClassSym* c) {
    ClassDecl& d = *c->decl;
    if (c->isInterface) {
        for (const FieldDecl& f : d.fields) error(f.loc, fmt::format("interface '{}' cannot declare fields", c->name));
        if (d.ctor) error(d.ctor->loc, fmt::format("interface '{}' cannot have a constructor", c->name));
    } else {
        c->ctor = newFunction(FnKind::Constructor, "new", c->name + ".new", d.ctor ? d.ctor->loc : d.loc);
        addThis(c->ctor, c);
        if (d.ctor) {
            c->ctor->ctorDecl = d.ctor.get();
            declareFunctionSignature(c->ctor, d.ctor->params, nullptr);
        }
    }
    size_t inherited = 0;  // ancestors are declared first (orderClasses)
    for (const ClassSym* s = c->super; s; s = s->super) inherited += s->fields.size();
    for (FieldDecl& fd : d.fields) {
        if (c->isInterface) break;
        if (FieldSym* prev = c->findField(fd.name)) {
            if (prev->owner == c)
                error(fd.loc, fmt::format("field '{}' is declared twice", fd.name));
            else
                error(fd.loc, fmt::format("field '{}' is already declared in '{}'", fd.name, prev->owner->name));
            continue;
        }
        if (c->super && c->super->findMethod(fd.name)) {
            error(fd.loc,
                  fmt::format("class '{}' cannot declare both a field and a method named '{}'", c->name, fd.name));
            continue;
        }
        auto f = std::make_unique<FieldSym>();
        f->name = fd.name;
        f->isLet = fd.isLet;
        f->owner = c;
        f->decl = &fd;
        f->index = uint16_t(inherited + c->fields.size());
        if (fd.type) {
            f->type = resolveType(fd.type.get(), false);
        } else if (!fd.init) {
            error(fd.loc, fmt::format("field '{}' needs a type or an initialiser", fd.name));
            f->type = types_.error();
        }
        c->fields.push_back(std::move(f));
    }
    for (FunDecl& md : d.methods) {
        bool clash = false;
        for (FunctionSym* other : c->methods) clash |= other->name == md.name;
        if (clash) {
            error(md.loc, fmt::format("method '{}' is declared twice in '{}'", md.name, c->name));
            continue;
        }
        if (c->findField(md.name)) {
            error(md.loc,
                  fmt::format("class '{}' cannot declare both a field and a method named '{}'", c->name, md.name));
            continue;
        }
        FunctionSym* m = newFunction(FnKind::Method, md.name, c->name + "." + md.name, md.loc);
        addThis(m, c);
        m->decl = &md;
        m->isAbstract = md.isAbstract || c->isInterface;
        m->isOverride = md.isOverride;
        declareFunctionSignature(m, md.params, md.result.get());
        if (c->isInterface) {
            if (md.body) error(md.loc, fmt::format("interface method '{}' cannot have a body", md.name));
        } else if (md.isAbstract) {
            if (!c->isAbstract)
                error(md.loc, fmt::format("abstract method '{}' in non-abstract class '{}'", md.name, c->name));
            if (md.body) error(md.loc, fmt::format("abstract method '{}' cannot have a body", md.name));
        } else if (!md.body) {
            error(md.loc, fmt::format("method '{}' needs a body", md.name));
            m->isAbstract = true;  // nothing to generate; keeps later phases consistent
        }
        c->methods.push_back(m);
    }
    buildVtable(c);
}

void Checker::buildVtable(ClassSym* c) {
    if (c->isInterface) {
        for (FunctionSym* m : c->methods) {
            m->slot = uint16_t(c->vtable.size());
            c->vtable.push_back(m);
        }
        return;
    }
    if (c->super) c->vtable = c->super->vtable;
    for (FunctionSym* m : c->methods) {
        FunctionSym* inherited = c->super ? c->super->findMethod(m->name) : nullptr;
        if (inherited) {
            if (!m->isOverride)
                error(m->loc, fmt::format("'override' needed to override method '{}' of '{}'", m->name,
                                          inherited->owner->name));
            else if (m->type != inherited->type)
                error(m->loc, fmt::format("method '{}' must have the signature of '{}.{}': {}", m->name,
                                          inherited->owner->name, m->name, typeName(inherited->type)));
            m->slot = inherited->slot;
            c->vtable[m->slot] = m;
            continue;
        }
        FunctionSym* ifaceMethod = nullptr;
        if (m->isOverride && !c->interfaceDeclaring(m->name, &ifaceMethod))
            error(m->loc, fmt::format("method '{}' is marked 'override' but overrides nothing", m->name));
        m->slot = uint16_t(c->vtable.size());
        c->vtable.push_back(m);
    }
}

// Concrete classes implement every abstract and interface method; every
// implementation of an interface method has the interface's signature.
void Checker::checkImplementations(ClassSym* c) {
    if (c->isInterface) return;
    if (!c->isAbstract)
        for (FunctionSym* m : c->vtable)
            if (m->isAbstract && m->owner != c)
                error(c->decl->loc, fmt::format("class '{}' must implement abstract method '{}' of '{}'", c->name,
                                                m->name, m->owner->name));
    std::vector<ClassSym*> ifaces;
    auto collect = [&](auto& self, ClassSym* i) -> void {
        for (ClassSym* have : ifaces)
            if (have == i) return;
        ifaces.push_back(i);
        for (ClassSym* s : i->interfaces) self(self, s);
    };
    for (ClassSym* k = c; k; k = k->super)
        for (ClassSym* i : k->interfaces) collect(collect, i);
    for (ClassSym* i : ifaces) {
        for (FunctionSym* im : i->methods) {
            FunctionSym* impl = c->findMethod(im->name);
            if (!impl) {
                if (!c->isAbstract)
                    error(c->decl->loc, fmt::format("class '{}' does not implement method '{}' of interface '{}'",
                                                    c->name, im->name, i->name));
            } else if (impl->type != im->type && impl->owner == c) {
                error(impl->loc, fmt::format("method '{}' must have the signature of '{}.{}': {}", im->name, i->name,
                                             im->name, typeName(im->type)));
            }
        }
    }
}

void Checker::ensureFieldType(FieldSym* f) {
    if (f->type) return;
    if (f->resolving) {
        error(f->decl->loc, fmt::format("cannot infer the type of field '{}' from an initialiser that uses it; "
                                        "declare its type",
                                        f->name));
        f->type = types_.error();
        return;
    }
    checkFieldInit(f);
}

// Checks a field's initialiser in its constructor's frame (that is where it
// runs), with no locals in scope. Fills in an inferred type.
void Checker::checkFieldInit(FieldSym* f) {
    FieldDecl& fd = *f->decl;
    if (!fd.init) return;
    f->resolving = true;
    FnCtx ctx;
    ctx.fn = f->owner->ctor;
    FnCtx* savedCtx = ctx_;
    GlobalSym* savedGlobal = initGlobal_;
    int savedDepth = lambdaDepthInInit_;
    ctx_ = &ctx;
    initGlobal_ = nullptr;
    lambdaDepthInInit_ = 0;
    if (f->type) {
        checkAssignableTo(*fd.init, f->type, fmt::format("field '{}'", f->name));
    } else {
        const Type* t = checkValue(*fd.init);
        if (t->is(TypeKind::Null)) {
            error(fd.init->loc,
                  fmt::format("cannot infer the type of field '{}' from null; declare its type", f->name));
            t = types_.error();
        }
        if (!f->type) f->type = t;  // a cycle may already have set the error type
    }
    ctx_ = savedCtx;
    initGlobal_ = savedGlobal;
    lambdaDepthInInit_ = savedDepth;
    f->resolving = false;
}

// Checks a module variable's initialiser in the module's <init> frame.
// Called in declaration order, or earlier when another initialiser or field
// needs the variable's inferred type.
void Checker::ensureGlobalChecked(GlobalSym* g) {
    if (g->checked) return;
    VarDecl& d = *g->decl;
    if (g->resolving) {
        error(d.loc, fmt::format("module variable '{}' is used in its own initialiser", g->name));
        if (!g->type) g->type = types_.error();
        return;
    }
    g->resolving = true;
    FnCtx ctx;
    ctx.fn = g->module->init;
    FnCtx* savedCtx = ctx_;
    GlobalSym* savedGlobal = initGlobal_;
    int savedDepth = lambdaDepthInInit_;
    ctx_ = &ctx;
    initGlobal_ = g;
    lambdaDepthInInit_ = 0;
    if (d.init) {
        if (g->type) {
            checkAssignableTo(*d.init, g->type, fmt::format("variable '{}'", g->name));
        } else {
            const Type* t = checkValue(*d.init);
            if (t->is(TypeKind::Null)) {
                error(d.init->loc, fmt::format("cannot infer the type of '{}' from null; declare its type", g->name));
                t = types_.error();
            }
            if (!g->type) g->type = t;
        }
    } else if (!g->type) {
        error(d.loc, fmt::format("module variable '{}' needs a type or an initialiser", g->name));
        g->type = types_.error();
    }
    ctx_ = savedCtx;
    initGlobal_ = savedGlobal;
    lambdaDepthInInit_ = savedDepth;
    g->resolving = false;
    g->checked = true;
}

void Checker::checkMain(ModuleSym& m) {
    auto it = m.members.find("main");
    if (it == m.members.end() || !it->second.function) {
        error(Loc{1, 1}, fmt::format("module '{}' has no main function", m.name));
        return;
    }
    FunctionSym* fn = it->second.function;
    bool paramsOk = fn->paramTypes.empty() ||
                    (fn->paramTypes.size() == 1 && fn->paramTypes[0] == types_.arrayOf(types_.stringType()));
    bool retOk = fn->ret->is(TypeKind::Void) || fn->ret->is(TypeKind::Int);
    if (!paramsOk || !retOk) {
        error(fn->loc, "main must be declared as 'fun main()' or 'fun main(args: [string])', returning void or int");
        return;
    }
    m.main = fn;
}

}  // namespace nido::compiler
