// The checker's semantic types. Every type is interned in one TypeTable, so
// two types are equal exactly when their pointers are; the AST's `type`
// annotations and the symbols point into the table. The code generator maps
// each Type to an entry of the Program's type table (codegen_program.cpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "compiler/ast.hpp"

namespace nido::compiler {

struct ClassSym;

enum class TypeKind : uint8_t {
    Error,  // the type of an expression that failed to check: accepted everywhere, reported once
    Void,
    Int,
    Float,
    Bool,
    String,
    Null,
    Array,  // elem
    Map,    // key, value
    Func,   // params -> ret
    Class,  // cls: a class or an interface
};

struct Type {
    TypeKind kind = TypeKind::Error;
    const Type* elem = nullptr;   // Array element, Map key
    const Type* value = nullptr;  // Map value
    const Type* ret = nullptr;    // Func result
    std::vector<const Type*> params;
    ClassSym* cls = nullptr;

    bool is(TypeKind k) const { return kind == k; }
    bool isError() const { return kind == TypeKind::Error; }
    bool isNumeric() const { return kind == TypeKind::Int || kind == TypeKind::Float; }
    // Strings, arrays, maps, functions and objects: the types that may hold null.
    bool isRef() const {
        return kind == TypeKind::String || kind == TypeKind::Array || kind == TypeKind::Map || kind == TypeKind::Func ||
               kind == TypeKind::Class;
    }
    bool isRefOrNull() const { return isRef() || kind == TypeKind::Null; }
};

// Owns and interns all types of one compilation.
class TypeTable {
public:
    TypeTable();

    const Type* error() const { return error_; }
    const Type* voidType() const { return void_; }
    const Type* intType() const { return int_; }
    const Type* floatType() const { return float_; }
    const Type* boolType() const { return bool_; }
    const Type* stringType() const { return string_; }
    const Type* nullType() const { return null_; }

    const Type* arrayOf(const Type* elem);
    const Type* mapOf(const Type* key, const Type* value);
    const Type* funcOf(const std::vector<const Type*>& params, const Type* ret);
    // Called once per class when its symbol is created.
    const Type* classType(ClassSym* cls);

private:
    const Type* make(Type t);

    std::vector<std::unique_ptr<Type>> owned_;
    // Structural keys of composite types; looked up, never iterated.
    std::map<std::tuple<int, const Type*, const Type*, std::vector<const Type*>>, const Type*> interned_;
    const Type *error_, *void_, *int_, *float_, *bool_, *string_, *null_;
};

// The type as Nido source writes it: "int", "[string]", "{string: int}",
// "fun(int, float): bool", "Shape", "null".
std::string typeName(const Type* t);

// a is b, a subclass of b, or implements b (directly or through ancestors or
// super-interfaces).
bool isSubclassOrImplements(const ClassSym* a, const ClassSym* b);

// Whether a value of type `from` may be stored where `to` is expected: the
// same type, int to float (widening), null to any reference, or a class to
// its superclass or an interface it implements. Error types are accepted so
// that one mistake is reported once.
bool assignable(const Type* from, const Type* to);

// Like assignable, without int->float widening (overload resolution's first pass).
bool assignableExact(const Type* from, const Type* to);

// Map keys: int, string, bool or a class/interface (by identity).
bool validMapKey(const Type* t);

// How a binary operator's operands are compared or combined. Shared by the
// checker (to accept or reject) and the code generator (to pick the opcode),
// so the two can never disagree.
enum class OperandClass : uint8_t {
    Invalid,
    Int,     // both int
    Float,   // numeric, at least one float: ints are widened
    Bool,    // both bool
    String,  // both string (or string and null for == / !=)
    Ref,     // identity comparison of references
    Concat,  // + with a string on either side
};
OperandClass classifyBinary(BinaryOp op, const Type* left, const Type* right);

// The operator a compound assignment applies (`+=` -> `+`).
BinaryOp compoundOperator(AssignOp op);

// The result type of the binary operator for the given operand class.
const Type* binaryResult(TypeTable& types, BinaryOp op, OperandClass oc);

// Smallest common type of two array/map literal elements, or nullptr when
// there is none: equal types, int with float -> float, null with a
// reference, a class with one of its ancestors.
const Type* joinTypes(TypeTable& types, const Type* a, const Type* b);

}  // namespace nido::compiler
