// The in-memory form of a compiled program: what the code generator
// produces, what a .ndc file stores (module_file.hpp reads and writes it,
// docs/bytecode.md specifies the bytes), what the verifier checks and what the
// linker turns into runtime classes and functions.
//
// A program holds every module it needs (the prelude, the standard modules it
// imports, the user's modules) in initialisation order. Everything refers to
// everything else by index into the Program's tables, never by pointer, so
// the form is portable and can be checked entry by entry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nido::vm {

constexpr uint32_t kNone = 0xFFFFFFFFu;  // "no index" in any optional reference

enum class TypeKind : uint8_t {
    Void,  // return type only
    Int,
    Float,
    Bool,
    String,
    Null,   // the type of the literal null
    Array,  // elem
    Map,    // key, value
    Func,   // params -> ret
    Class,  // cls (a class or an interface)
    Box,    // elem: a heap cell holding a variable captured by a closure
};

// One entry of the type table. Fields unused by a kind are kNone/empty.
struct TypeDesc {
    TypeKind kind = TypeKind::Void;
    uint32_t elem = kNone;         // Array/Box element; Map key; Func return type
    uint32_t value = kNone;        // Map value type
    uint32_t cls = kNone;          // Class: class table index
    std::vector<uint32_t> params;  // Func parameter types

    bool operator==(const TypeDesc&) const = default;
};

// The first entries of every program's type table, always in this order, so
// code can name the primitive types by constant.
enum FixedType : uint32_t {
    kTypeVoid = 0,
    kTypeInt = 1,
    kTypeFloat = 2,
    kTypeBool = 3,
    kTypeString = 4,
    kTypeNull = 5,
    kFixedTypeCount = 6,
};

enum class ConstKind : uint8_t { Int, Float, String };

struct Constant {
    ConstKind kind = ConstKind::Int;
    int64_t i = 0;
    double f = 0;
    std::string s;
};

struct FieldDesc {
    std::string name;
    uint32_t type = kTypeInt;
    bool isLet = false;  // assignable only in the class's constructor
};

enum ClassFlags : uint8_t {
    kClassAbstract = 1,
    kClassInterface = 2,
};

struct ClassDesc {
    std::string name;
    uint32_t module = 0;
    uint8_t flags = 0;
    uint32_t super = kNone;            // superclass index, kNone for roots
    std::vector<uint32_t> interfaces;  // interfaces this class declares it implements
    std::vector<FieldDesc> fields;     // own fields only; inherited ones come first in the layout
    // Classes: the whole vtable, inherited slots first; an overriding method
    // replaces its parent's slot. Interfaces: their abstract methods in order.
    std::vector<uint32_t> methods;
    uint32_t constructor = kNone;  // function index (classes only)
};

enum FunctionFlags : uint8_t {
    kFnMethod = 1,    // params[0] is the receiver
    kFnAbstract = 2,  // no code; only as a vtable slot or interface method
    kFnLambda = 4,    // reads captures with LOAD_CAPTURE
    kFnInit = 8,      // a module's variable initialiser
    kFnConstructor = 16,
};

// One try range: an exception thrown while pc is in [start, end) whose class
// is catchClass or a subclass (kNone catches everything: finally blocks)
// clears the operand stack, pushes the error and continues at target.
// Handlers are listed innermost first.
struct Handler {
    uint32_t start = 0, end = 0, target = 0;
    uint32_t catchClass = kNone;
};

struct LineEntry {
    uint32_t pc = 0;  // first instruction at this line
    uint32_t line = 0;
};

struct FunctionDesc {
    std::string name;  // for traces: "f", "Square.area", "Square.new", "f.<lambda>"
    uint32_t module = 0;
    uint32_t owner = kNone;  // class index for methods and constructors
    uint8_t flags = 0;
    std::vector<uint32_t> params;  // parameter types, receiver first for methods
    uint32_t ret = kTypeVoid;
    std::vector<uint32_t> locals;    // types of all local slots; the first params.size() are the parameters
    std::vector<uint32_t> captures;  // lambdas: capture types (usually Box types)
    uint32_t maxStack = 0;
    std::vector<uint8_t> code;
    std::vector<Handler> handlers;
    std::vector<LineEntry> lines;  // sorted by pc
};

struct GlobalDesc {
    std::string name;
    uint32_t module = 0;
    uint32_t type = kTypeInt;
};

struct ModuleDesc {
    std::string name;               // "main", "io", "prelude"
    std::string file;               // source file name for traces, e.g. "main.nd"
    std::vector<uint32_t> imports;  // module indices
    uint32_t init = kNone;          // initialiser function (module variables), run before main
    uint32_t main = kNone;          // fun main, if the module has one
};

// Where each table entry starts in the module file a program was read from
// (bytes from the start of the file), so that verification errors can point
// into the file. Empty for a program compiled in memory.
struct EntryOffsets {
    std::vector<uint32_t> types, constants, modules, classes, functions, globals;
};

struct Program {
    std::vector<TypeDesc> types;
    std::vector<Constant> constants;
    std::vector<ModuleDesc> modules;  // in initialisation order; the entry module is last
    std::vector<ClassDesc> classes;
    std::vector<FunctionDesc> functions;
    std::vector<GlobalDesc> globals;
    EntryOffsets offsets;

    uint32_t entryModule() const { return modules.empty() ? kNone : uint32_t(modules.size() - 1); }
};

}  // namespace nido::vm
