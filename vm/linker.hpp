// The linker: turns a verified Program into the runtime's tables. Classes
// get their field layout (inherited fields first), vtable, interface tables
// (resolved by method name) and toString; functions get their frame sizes;
// constants become values; the prelude's error classes are found by name so
// that the VM can throw them.
//
// Runtime structures live in ordinary memory owned by LinkedProgram and
// never move after link() returns: instances and closures point at them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/exec_code.hpp"
#include "vm/jit_interface.hpp"
#include "vm/map.hpp"
#include "vm/object.hpp"
#include "vm/program.hpp"
#include "vm/sha256.hpp"

namespace nido::vm {

struct RtFunction {
    const FunctionDesc* desc = nullptr;
    uint32_t index = 0;
    const Insn* code = nullptr;  // the execution form (exec_code.hpp), set by translateProgram
    ExecCode* exec = nullptr;
    // Tiering state, changed while the program runs (tiering.hpp).
    mutable NativeCode native = nullptr;  // the code for calls
    mutable uint32_t hotness = 0;         // calls plus loop back-edges so far
    // Code that continues an interpreted frame at a loop header (on-stack
    // replacement), one per header that got hot, in the order asked for.
    struct OsrCode {
        uint32_t entry = 0;  // the loop header's instruction index
        NativeCode code = nullptr;
    };
    static constexpr size_t kMaxOsrEntries = 4;
    mutable OsrCode osr[kMaxOsrEntries];
    mutable uint32_t osrCount = 0;
    uint32_t nparams = 0;    // receiver included
    uint32_t nlocals = 0;    // parameters included
    uint32_t frameSize = 0;  // nlocals + maxStack: the value-stack slots a frame may use
    uint32_t ncaptures = 0;
    bool returnsValue = false;
    ValKind retKind = ValKind::Int;  // element kind of arrays built from results (map)
    std::string_view shortName;      // "area" for "Square.area": method names in errors
    std::string_view file;           // the module's source file, for traces
};

// The methods of one interface as a class implements them.
struct Itable {
    uint32_t iface = 0;
    std::vector<const RtFunction*> methods;  // in the interface's method order
};

struct RtClass {
    const ClassDesc* desc = nullptr;
    uint32_t index = 0;
    bool isInterface = false;
    const RtClass* super = nullptr;
    std::vector<const FieldDesc*> fields;   // the layout, inherited fields first
    uint32_t slotCount = 0;                 // fields plus the hidden trace slot of Error classes
    bool isError = false;                   // Error or a subclass
    std::vector<const RtFunction*> vtable;  // interfaces: their methods
    std::vector<Itable> itables;            // every interface implemented, also through ancestors
    const RtFunction* toString = nullptr;   // fun toString(): string, if defined or inherited
};

// The prelude classes the VM throws, in prelude order.
enum class ErrorKind : uint8_t {
    Error,
    Arithmetic,
    Index,
    Key,
    Null,
    Cast,
    Value,
    IO,
    Permission,
    Assertion,
    StackOverflow,
    OutOfMemory,
};
constexpr int kErrorKindCount = 12;

// Per type table entry, what the interpreter needs at run time.
struct TypeKinds {
    ValKind elem = ValKind::Int;   // Array: elements
    KeyKind key = KeyKind::Int;    // Map: keys
    ValKind value = ValKind::Int;  // Map: values
    uint32_t arity = 0;            // Func: parameter count
};

struct LinkedProgram {
    LinkedProgram() = default;
    LinkedProgram(const LinkedProgram&) = delete;
    LinkedProgram& operator=(const LinkedProgram&) = delete;
    ~LinkedProgram();

    const Program* program = nullptr;
    std::vector<RtFunction> functions;
    std::vector<RtClass> classes;
    std::vector<TypeKinds> types;
    Value* constants = nullptr;  // uncollectable: keeps the constant strings alive
    Value* globals = nullptr;    // uncollectable, zeroed
    std::array<const RtClass*, kErrorKindCount> errors{};
    uint32_t messageField = 0;  // Error.message in every Error layout
    const RtFunction* main = nullptr;
    std::vector<ExecCode> exec;  // per function, by translateProgram
    // The code cache's digest of the program (code_cache.cpp), made on its
    // first use by whichever thread compiles.
    mutable std::optional<Sha256Digest> codeDigest;
};

// Links p (already verified) into out. On failure returns false and sets
// error to one line, e.g. "prelude class ValueError is missing".
bool linkProgram(const Program& p, LinkedProgram& out, std::string& error);

// The ValKind of values of type t.
ValKind valKindOf(const Program& p, uint32_t t);

// Whether an object of class c is an instance of target (a class or an
// interface).
bool instanceOf(const RtClass* c, const RtClass* target);

// c's implementation of interface iface's methods. Verified code calls it
// only for classes that implement iface.
const Itable& itableFor(const RtClass* c, uint32_t iface);

}  // namespace nido::vm
