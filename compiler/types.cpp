// Interning of semantic types and the type rules shared by the checker and
// the code generator (assignability, operator classes, literal joins).
#include "compiler/types.hpp"

#include "compiler/checker_symbols.hpp"

namespace nido::compiler {

namespace {

Type ofKind(TypeKind k) {
    Type t;
    t.kind = k;
    return t;
}

}  // namespace

TypeTable::TypeTable() {
    error_ = make(ofKind(TypeKind::Error));
    void_ = make(ofKind(TypeKind::Void));
    int_ = make(ofKind(TypeKind::Int));
    float_ = make(ofKind(TypeKind::Float));
    bool_ = make(ofKind(TypeKind::Bool));
    string_ = make(ofKind(TypeKind::String));
    null_ = make(ofKind(TypeKind::Null));
}

const Type* TypeTable::make(Type t) {
    owned_.push_back(std::make_unique<Type>(std::move(t)));
    return owned_.back().get();
}

const Type* TypeTable::arrayOf(const Type* elem) {
    auto key = std::make_tuple(int(TypeKind::Array), elem, nullptr, std::vector<const Type*>{});
    auto it = interned_.find(key);
    if (it != interned_.end()) return it->second;
    Type t = ofKind(TypeKind::Array);
    t.elem = elem;
    return interned_[key] = make(std::move(t));
}

const Type* TypeTable::mapOf(const Type* key, const Type* value) {
    auto k = std::make_tuple(int(TypeKind::Map), key, value, std::vector<const Type*>{});
    auto it = interned_.find(k);
    if (it != interned_.end()) return it->second;
    Type t = ofKind(TypeKind::Map);
    t.elem = key;
    t.value = value;
    return interned_[k] = make(std::move(t));
}

const Type* TypeTable::funcOf(const std::vector<const Type*>& params, const Type* ret) {
    auto key = std::make_tuple(int(TypeKind::Func), ret, nullptr, params);
    auto it = interned_.find(key);
    if (it != interned_.end()) return it->second;
    Type t = ofKind(TypeKind::Func);
    t.params = params;
    t.ret = ret;
    return interned_[key] = make(std::move(t));
}

const Type* TypeTable::classType(ClassSym* cls) {
    Type t = ofKind(TypeKind::Class);
    t.cls = cls;
    return make(std::move(t));
}

std::string typeName(const Type* t) {
    switch (t->kind) {
    case TypeKind::Error: return "<error>";
    case TypeKind::Void: return "void";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::Bool: return "bool";
    case TypeKind::String: return "string";
    case TypeKind::Null: return "null";
    case TypeKind::Array: return "[" + typeName(t->elem) + "]";
    case TypeKind::Map: return "{" + typeName(t->elem) + ": " + typeName(t->value) + "}";
    case TypeKind::Func: {
        std::string s = "fun(";
        for (size_t i = 0; i < t->params.size(); i++) {
            if (i) s += ", ";
            s += typeName(t->params[i]);
        }
        s += ")";
        if (!t->ret->is(TypeKind::Void)) s += ": " + typeName(t->ret);
        return s;
    }
    case TypeKind::Class: return t->cls->name;
    }
    return "?";
}

bool isSubclassOrImplements(const ClassSym* a, const ClassSym* b) {
    // Headers are checked acyclic before any type query, so these walks end.
    for (const ClassSym* c = a; c; c = c->super) {
        if (c == b) return true;
        for (const ClassSym* i : c->interfaces)
            if (isSubclassOrImplements(i, b)) return true;
    }
    return false;
}

bool assignableExact(const Type* from, const Type* to) {
    if (from == to || from->isError() || to->isError()) return true;
    if (from->is(TypeKind::Null)) return to->isRef();
    if (from->is(TypeKind::Class) && to->is(TypeKind::Class)) return isSubclassOrImplements(from->cls, to->cls);
    return false;
}

bool assignable(const Type* from, const Type* to) {
    if (from->is(TypeKind::Int) && to->is(TypeKind::Float)) return true;
    return assignableExact(from, to);
}

bool validMapKey(const Type* t) {
    return t->is(TypeKind::Int) || t->is(TypeKind::String) || t->is(TypeKind::Bool) || t->is(TypeKind::Class) ||
           t->isError();
}

OperandClass classifyBinary(BinaryOp op, const Type* l, const Type* r) {
    auto numeric = [&]() {
        if (l->is(TypeKind::Int) && r->is(TypeKind::Int)) return OperandClass::Int;
        if (l->isNumeric() && r->isNumeric()) return OperandClass::Float;
        return OperandClass::Invalid;
    };
    switch (op) {
    case BinaryOp::Or:
    case BinaryOp::And:
        return l->is(TypeKind::Bool) && r->is(TypeKind::Bool) ? OperandClass::Bool : OperandClass::Invalid;
    case BinaryOp::Eq:
    case BinaryOp::Ne: {
        if (auto n = numeric(); n != OperandClass::Invalid) return n;
        if (l->is(TypeKind::Bool) && r->is(TypeKind::Bool)) return OperandClass::Bool;
        bool ls = l->is(TypeKind::String), rs = r->is(TypeKind::String);
        if ((ls && (rs || r->is(TypeKind::Null))) || (rs && l->is(TypeKind::Null))) return OperandClass::String;
        // Identity: references that could be the same object.
        if (l->isRefOrNull() && r->isRefOrNull() && (assignableExact(l, r) || assignableExact(r, l)))
            return OperandClass::Ref;
        // Two classes where either could be an interface the other's subclass implements.
        if (l->is(TypeKind::Class) && r->is(TypeKind::Class) && (l->cls->isInterface || r->cls->isInterface))
            return OperandClass::Ref;
        return OperandClass::Invalid;
    }
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
        if (l->is(TypeKind::String) && r->is(TypeKind::String)) return OperandClass::String;
        return numeric();
    case BinaryOp::Add:
        if ((l->is(TypeKind::String) && !r->is(TypeKind::Void)) || (r->is(TypeKind::String) && !l->is(TypeKind::Void)))
            return OperandClass::Concat;
        return numeric();
    case BinaryOp::Sub:
    case BinaryOp::Mul:
    case BinaryOp::Div:
    case BinaryOp::Rem: return numeric();
    case BinaryOp::BitOr:
    case BinaryOp::BitXor:
    case BinaryOp::BitAnd:
    case BinaryOp::Shl:
    case BinaryOp::Shr:
    case BinaryOp::UShr:
        return l->is(TypeKind::Int) && r->is(TypeKind::Int) ? OperandClass::Int : OperandClass::Invalid;
    }
    return OperandClass::Invalid;
}

BinaryOp compoundOperator(AssignOp op) {
    switch (op) {
    case AssignOp::Add: return BinaryOp::Add;
    case AssignOp::Sub: return BinaryOp::Sub;
    case AssignOp::Mul: return BinaryOp::Mul;
    case AssignOp::Div: return BinaryOp::Div;
    case AssignOp::Rem: return BinaryOp::Rem;
    case AssignOp::BitAnd: return BinaryOp::BitAnd;
    case AssignOp::BitOr: return BinaryOp::BitOr;
    case AssignOp::BitXor: return BinaryOp::BitXor;
    case AssignOp::Shl: return BinaryOp::Shl;
    case AssignOp::Shr: return BinaryOp::Shr;
    case AssignOp::Set: break;  // not a compound assignment
    }
    return BinaryOp::Add;
}

const Type* binaryResult(TypeTable& types, BinaryOp op, OperandClass oc) {
    switch (op) {
    case BinaryOp::Or:
    case BinaryOp::And:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge: return types.boolType();
    default: break;
    }
    switch (oc) {
    case OperandClass::Int: return types.intType();
    case OperandClass::Float: return types.floatType();
    case OperandClass::Concat: return types.stringType();
    default: return types.error();
    }
}

const Type* joinTypes(TypeTable& types, const Type* a, const Type* b) {
    if (a == b) return a;
    if (a->isError() || b->isError()) return types.error();
    if (a->isNumeric() && b->isNumeric()) return types.floatType();
    if (a->is(TypeKind::Null) && b->isRef()) return b;
    if (b->is(TypeKind::Null) && a->isRef()) return a;
    if (a->is(TypeKind::Class) && b->is(TypeKind::Class)) {
        if (isSubclassOrImplements(a->cls, b->cls)) return b;
        if (isSubclassOrImplements(b->cls, a->cls)) return a;
        // The nearest common superclass, as Kotlin would infer.
        for (const ClassSym* c = a->cls->super; c; c = c->super)
            if (isSubclassOrImplements(b->cls, c)) return c->type;
    }
    return nullptr;
}

}  // namespace nido::compiler
