// The verifier's model of types and classes. Types are compared structurally:
// the type table may hold several entries for the same type, and the verifier
// also meets types the table does not hold (a MAKE_CLOSURE's Func type, a
// builtin's [U] result). So every type gets a canonical id -- structurally
// equal types share an id -- and equality is an id comparison. Table entries
// are interned first; synthesized types are interned on demand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vm/program.hpp"

namespace nido::vm {

// Deepest type nesting accepted ([[[int]]] is 3). Real programs stay in
// single digits; the bound keeps every recursion over types shallow on
// hostile input.
constexpr uint32_t kMaxTypeDepth = 32;

// A canonical type: like TypeDesc, but elem/value/params hold canonical ids.
struct TypeNode {
    TypeKind kind = TypeKind::Void;
    uint32_t elem = kNone;  // Array/Box element; Map key; Func result
    uint32_t value = kNone;
    uint32_t cls = kNone;
    std::vector<uint32_t> params;
    uint32_t depth = 1;
};

// Text safe for a one-line message: control bytes become '?', and an empty
// name is shown as "<unnamed>".
std::string printable(std::string_view name);

// " (entry at byte N)": where table entry i starts in the module file, given
// the table's EntryOffsets vector; "" for a program compiled in memory.
std::string entryAt(const std::vector<uint32_t>& starts, size_t i);

// Method name used for interface dispatch: FunctionDesc::name after its last
// '.' ("Square.area" -> "area").
std::string_view methodName(const FunctionDesc& fn);

class TypeModel {
public:
    explicit TypeModel(const Program& p) : p_(p) {}

    // Checks the table's shape (fixed entries, field use per kind, index
    // ranges, map key kinds, no cycles, bounded depth) and interns every
    // entry. On failure sets error to "in type N: ...".
    bool load(std::string& error);

    // Canonical id of table entry t (t must be < types.size()).
    uint32_t of(uint32_t t) const { return canon_[t]; }
    const TypeNode& node(uint32_t id) const { return nodes_[id]; }
    TypeKind kind(uint32_t id) const { return nodes_[id].kind; }

    // Synthesized types; kNone when the result would nest too deeply.
    uint32_t arrayOf(uint32_t elem);
    uint32_t mapOf(uint32_t key, uint32_t value);
    uint32_t funcOf(const std::vector<uint32_t>& params, uint32_t ret);
    uint32_t classType(uint32_t cls);

    // Reference kinds: string, array, map, func, class, box (not null itself).
    bool isRef(uint32_t id) const;
    // null or a reference: what REQ, R and IS accept.
    bool isRefOrNull(uint32_t id) const { return id == kTypeNull || isRef(id); }

    // The assignability rule of docs/bytecode.md. Class queries assume the
    // class graph has been checked acyclic.
    bool assignable(uint32_t from, uint32_t to);
    // b is a or one of a's superclasses.
    bool isSubclass(uint32_t a, uint32_t b) const;
    // b is a, an ancestor, or an interface implemented by a or an ancestor.
    bool isSubtype(uint32_t a, uint32_t b);

    std::string name(uint32_t id) const;

private:
    uint32_t intern(TypeNode n);
    void appendName(uint32_t id, std::string& out) const;
    bool canonicalise(uint32_t t, uint32_t depth, std::string& error);

    const Program& p_;
    std::vector<TypeNode> nodes_;
    std::unordered_map<std::string, uint32_t> index_;  // structural key -> id
    std::vector<uint32_t> canon_;                      // table entry -> id
    std::vector<uint8_t> state_;                       // table entry: 0 new, 1 in progress, 2 done
    std::unordered_map<uint64_t, bool> subtypeCache_;
    std::vector<uint32_t> visitMark_;  // per class: last query that visited it
    uint32_t visitEpoch_ = 0;
};

}  // namespace nido::vm
