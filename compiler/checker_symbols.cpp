// Member lookup on class symbols (fields and methods through inheritance).
#include "compiler/checker_symbols.hpp"

namespace nido::compiler {

FieldSym* ClassSym::findField(const std::string& name) const {
    for (const ClassSym* c = this; c; c = c->super)
        for (const auto& f : c->fields)
            if (f->name == name) return f.get();
    return nullptr;
}

FunctionSym* ClassSym::findMethod(const std::string& name) const {
    for (FunctionSym* m : vtable)
        if (m->name == name) return m;
    if (isInterface)
        for (const ClassSym* i : interfaces)
            if (FunctionSym* m = i->findMethod(name)) return m;
    return nullptr;
}

ClassSym* ClassSym::interfaceDeclaring(const std::string& name, FunctionSym** method) const {
    for (const ClassSym* c = this; c; c = c->super)
        for (const ClassSym* i : c->interfaces)
            if (FunctionSym* m = i->findMethod(name)) {
                *method = m;
                return m->owner;
            }
    return nullptr;
}

}  // namespace nido::compiler
