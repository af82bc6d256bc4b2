// The linker: Program tables in, runtime tables out (see linker.hpp).
#include "vm/linker.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "vm/gc.hpp"
#include "vm/type_rules.hpp"

namespace nido::vm {
namespace {

// Prelude class names, in ErrorKind order.
constexpr const char* kErrorNames[kErrorKindCount] = {
    "Error",      "ArithmeticError", "IndexError",      "KeyError",       "NullError",          "CastError",
    "ValueError", "IOError",         "PermissionError", "AssertionError", "StackOverflowError", "OutOfMemoryError",
};

KeyKind keyKindOf(const Program& p, uint32_t t) {
    switch (p.types[t].kind) {
    case TypeKind::Int: return KeyKind::Int;
    case TypeKind::Bool: return KeyKind::Bool;
    case TypeKind::String: return KeyKind::String;
    default: return KeyKind::Object;
    }
}

class Linker {
public:
    Linker(const Program& p, LinkedProgram& out, std::string& error) : p_(p), out_(out), error_(error) {}

    bool run() {
        out_.program = &p_;
        linkTypes();
        linkFunctions();
        return linkClasses() && findPreludeErrors() && linkConstants() && findMain();
    }

private:
    bool fail(std::string message) {
        error_ = std::move(message);
        return false;
    }

    void linkTypes() {
        out_.types.resize(p_.types.size());
        for (size_t t = 0; t < p_.types.size(); t++) {
            const TypeDesc& d = p_.types[t];
            TypeKinds& k = out_.types[t];
            if (d.kind == TypeKind::Array) k.elem = valKindOf(p_, d.elem);
            if (d.kind == TypeKind::Func) k.arity = uint32_t(d.params.size());
            if (d.kind == TypeKind::Map) {
                k.key = keyKindOf(p_, d.elem);
                k.value = valKindOf(p_, d.value);
            }
        }
    }

    void linkFunctions() {
        out_.functions.resize(p_.functions.size());
        for (uint32_t i = 0; i < p_.functions.size(); i++) {
            const FunctionDesc& d = p_.functions[i];
            RtFunction& f = out_.functions[i];
            f.desc = &d;
            f.index = i;
            f.nparams = uint32_t(d.params.size());
            f.nlocals = uint32_t(d.locals.size());
            f.frameSize = f.nlocals + d.maxStack;
            f.ncaptures = uint32_t(d.captures.size());
            f.returnsValue = d.ret != kTypeVoid;
            f.retKind = valKindOf(p_, d.ret);
            f.shortName = methodName(d);
            f.file = p_.modules[d.module].file;
        }
    }

    // Field layout of class c, ancestors first; classes are linked in any
    // order, so a class links its superclass on demand.
    void layout(uint32_t c, std::vector<uint8_t>& done) {
        if (done[c]) return;
        done[c] = 1;
        const ClassDesc& d = p_.classes[c];
        RtClass& rc = out_.classes[c];
        if (d.super != kNone) {
            layout(d.super, done);
            rc.super = &out_.classes[d.super];
            rc.fields = rc.super->fields;
        }
        for (const FieldDesc& f : d.fields) rc.fields.push_back(&f);
    }

    // Adds interface i and the interfaces it extends to list, once each.
    void collectInterfaces(uint32_t i, std::vector<uint32_t>& list) {
        if (std::find(list.begin(), list.end(), i) != list.end()) return;
        list.push_back(i);
        for (uint32_t j : p_.classes[i].interfaces) collectInterfaces(j, list);
    }

    bool linkClasses() {
        const size_t n = p_.classes.size();
        out_.classes.resize(n);
        std::vector<uint8_t> done(n, 0);
        for (uint32_t c = 0; c < n; c++) {
            RtClass& rc = out_.classes[c];
            rc.desc = &p_.classes[c];
            rc.index = c;
            rc.isInterface = rc.desc->flags & kClassInterface;
            for (uint32_t m : rc.desc->methods) rc.vtable.push_back(&out_.functions[m]);
        }
        for (uint32_t c = 0; c < n; c++) layout(c, done);
        for (uint32_t c = 0; c < n; c++) {
            RtClass& rc = out_.classes[c];
            if (rc.isInterface) continue;
            std::vector<uint32_t> ifaces;
            for (const RtClass* k = &rc; k; k = k->super) {
                for (uint32_t i : k->desc->interfaces) collectInterfaces(i, ifaces);
            }
            for (uint32_t i : ifaces) {
                Itable& it = rc.itables.emplace_back();
                it.iface = i;
                for (uint32_t m : p_.classes[i].methods)
                    it.methods.push_back(findMethod(rc, methodName(p_.functions[m])));
            }
            const RtFunction* ts = findMethod(rc, "toString");
            if (ts && ts->nparams == 1 && p_.types[ts->desc->ret].kind == TypeKind::String) rc.toString = ts;
        }
        return true;
    }

    // The vtable entry named name; a class has at most one method per name.
    static const RtFunction* findMethod(const RtClass& c, std::string_view name) {
        for (const RtFunction* f : c.vtable) {
            if (f->shortName == name) return f;
        }
        return nullptr;
    }

    bool findPreludeErrors() {
        for (int k = 0; k < kErrorKindCount; k++) {
            for (const RtClass& c : out_.classes) {
                if (c.desc->name == kErrorNames[k] && p_.modules[c.desc->module].name == "prelude" && !c.isInterface) {
                    out_.errors[k] = &c;
                }
            }
            if (!out_.errors[k]) return fail(fmt::format("prelude class {} is missing", kErrorNames[k]));
        }
        const RtClass* error = out_.errors[int(ErrorKind::Error)];
        const std::vector<const FieldDesc*>& fields = error->fields;
        auto message = std::find_if(fields.begin(), fields.end(), [&](const FieldDesc* f) {
            return f->name == "message" && p_.types[f->type].kind == TypeKind::String;
        });
        if (message == fields.end()) return fail("prelude class Error has no field message: string");
        out_.messageField = uint32_t(message - fields.begin());
        for (RtClass& c : out_.classes) {
            for (const RtClass* k = &c; k; k = k->super) c.isError |= k == error;
            c.slotCount = uint32_t(c.fields.size()) + (c.isError ? 1 : 0);
        }
        for (int k = 0; k < kErrorKindCount; k++) {
            if (!out_.errors[k]->isError)
                return fail(fmt::format("prelude class {} does not extend Error", kErrorNames[k]));
        }
        return true;
    }

    bool linkConstants() {
        const size_t n = p_.constants.size();
        out_.constants = static_cast<Value*>(gcAllocRoot((n + 1) * sizeof(Value)));
        out_.globals = static_cast<Value*>(gcAllocRoot((p_.globals.size() + 1) * sizeof(Value)));
        if (!out_.constants || !out_.globals) return fail("out of memory");
        std::memset(out_.globals, 0, (p_.globals.size() + 1) * sizeof(Value));
        for (size_t k = 0; k < n; k++) {
            const Constant& c = p_.constants[k];
            switch (c.kind) {
            case ConstKind::Int: out_.constants[k] = intValue(c.i); break;
            case ConstKind::Float: out_.constants[k] = floatValue(c.f); break;
            case ConstKind::String:
                out_.constants[k] = refValue(newString(c.s));
                if (!out_.constants[k].ref) return fail("out of memory");
                break;
            }
        }
        return true;
    }

    bool findMain() {
        uint32_t entry = p_.entryModule();
        if (entry == kNone) return fail("program has no modules");
        uint32_t m = p_.modules[entry].main;
        if (m == kNone) return fail(fmt::format("module {} has no main function", p_.modules[entry].name));
        out_.main = &out_.functions[m];
        if (out_.main->nparams > 1) return fail("main takes more than one parameter");
        return true;
    }

    const Program& p_;
    LinkedProgram& out_;
    std::string& error_;
};

}  // namespace

LinkedProgram::~LinkedProgram() {
    if (constants) gcFree(constants);
    if (globals) gcFree(globals);
}

ValKind valKindOf(const Program& p, uint32_t t) {
    if (t >= p.types.size()) return ValKind::Ref;
    switch (p.types[t].kind) {
    case TypeKind::Int: return ValKind::Int;
    case TypeKind::Float: return ValKind::Float;
    case TypeKind::Bool: return ValKind::Bool;
    case TypeKind::Void: return ValKind::Int;
    default: return ValKind::Ref;
    }
}

bool linkProgram(const Program& p, LinkedProgram& out, std::string& error) { return Linker(p, out, error).run(); }

bool instanceOf(const RtClass* c, const RtClass* target) {
    if (target->isInterface) {
        for (const Itable& it : c->itables) {
            if (it.iface == target->index) return true;
        }
        return false;
    }
    for (; c; c = c->super) {
        if (c == target) return true;
    }
    return false;
}

const Itable& itableFor(const RtClass* c, uint32_t iface) {
    // SAFETY: the walk has no bound because verified code makes interface
    // calls only on objects whose class implements iface, and the linker
    // listed every implemented interface.
    const Itable* it = c->itables.data();
    while (it->iface != iface) it++;
    return *it;
}

}  // namespace nido::vm
