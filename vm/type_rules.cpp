// Canonical types, assignability and class relations for the verifier (see
// type_rules.hpp for why types are interned).
#include "vm/type_rules.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nido::vm {

std::string printable(std::string_view name) {
    // Error messages are one line and names come from untrusted files.
    constexpr size_t kMaxShown = 200;
    if (name.empty()) return "<unnamed>";
    std::string out;
    for (char c : name.substr(0, kMaxShown)) {
        auto b = static_cast<unsigned char>(c);
        out += (b < 0x20 || b == 0x7F) ? '?' : c;
    }
    if (name.size() > kMaxShown) out += "...";
    return out;
}

std::string entryAt(const std::vector<uint32_t>& starts, size_t i) {
    return i < starts.size() ? fmt::format(" (entry at byte {})", starts[i]) : std::string();
}

std::string_view methodName(const FunctionDesc& fn) {
    std::string_view n = fn.name;
    size_t dot = n.rfind('.');
    return dot == std::string_view::npos ? n : n.substr(dot + 1);
}

namespace {

TypeNode kindNode(TypeKind k) {
    TypeNode n;
    n.kind = k;
    return n;
}

}  // namespace

uint32_t TypeModel::intern(TypeNode n) {
    uint32_t depth = 0;
    auto see = [&](uint32_t child) {
        if (child != kNone) depth = std::max(depth, nodes_[child].depth);
    };
    see(n.elem);
    see(n.value);
    for (uint32_t q : n.params) see(q);
    n.depth = depth + 1;
    if (n.depth > kMaxTypeDepth) return kNone;

    std::string key;
    auto put = [&](uint32_t v) {
        for (int shift = 0; shift < 32; shift += 8) key += static_cast<char>(v >> shift);
    };
    key += static_cast<char>(n.kind);
    put(n.elem);
    put(n.value);
    put(n.cls);
    for (uint32_t q : n.params) put(q);
    auto [it, added] = index_.emplace(std::move(key), uint32_t(nodes_.size()));
    if (added) nodes_.push_back(std::move(n));
    return it->second;
}

bool TypeModel::load(std::string& error) {
    // Interning the fixed kinds first makes their canonical ids equal to the
    // FixedType constants, so code can compare against kTypeInt directly.
    for (uint32_t k = 0; k < kFixedTypeCount; k++) intern(kindNode(TypeKind(k)));
    const size_t n = p_.types.size();
    if (n < kFixedTypeCount) {
        error = fmt::format("in type table: {} entries, the {} fixed types are required", n, int(kFixedTypeCount));
        return false;
    }
    for (uint32_t t = 0; t < kFixedTypeCount; t++) {
        TypeDesc fixed;
        fixed.kind = TypeKind(t);
        if (p_.types[t] != fixed) {
            error = fmt::format("in type {}{}: fixed entry must be {}", t, entryAt(p_.offsets.types, t), name(t));
            return false;
        }
    }
    canon_.assign(n, kNone);
    state_.assign(n, 0);
    for (uint32_t t = 0; t < n; t++) {
        if (!canonicalise(t, 0, error)) return false;
    }
    return true;
}

// Interns table entry t after its components. depth counts the entries on
// the recursion path, so the recursion stops at kMaxTypeDepth.
bool TypeModel::canonicalise(uint32_t t, uint32_t depth, std::string& error) {
    if (state_[t] == 2) return true;
    auto fail = [&](std::string what) {
        error = fmt::format("in type {}{}: {}", t, entryAt(p_.offsets.types, t), what);
        return false;
    };
    if (state_[t] == 1) return fail("refers to itself through its component types");
    if (depth >= kMaxTypeDepth) return fail(fmt::format("nested deeper than {} levels", kMaxTypeDepth));
    state_[t] = 1;

    const TypeDesc& d = p_.types[t];
    bool usesElem = false, usesValue = false, usesCls = false, usesParams = false;
    switch (d.kind) {
    case TypeKind::Void:
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Bool:
    case TypeKind::String:
    case TypeKind::Null: break;
    case TypeKind::Array:
    case TypeKind::Box: usesElem = true; break;
    case TypeKind::Map: usesElem = usesValue = true; break;
    case TypeKind::Func: usesElem = usesParams = true; break;
    case TypeKind::Class: usesCls = true; break;
    default: return fail(fmt::format("unknown type kind {}", int(d.kind)));
    }
    if ((d.elem != kNone) != usesElem || (d.value != kNone) != usesValue || (d.cls != kNone) != usesCls ||
        (!d.params.empty() && !usesParams)) {
        return fail("fields set or missing for its kind");
    }
    if (usesCls && d.cls >= p_.classes.size()) return fail(fmt::format("class {} out of range", d.cls));

    // Components: canonicalise, then check what each position may hold.
    auto component = [&](uint32_t c, uint32_t& out) {
        if (c >= p_.types.size()) return fail(fmt::format("component type {} out of range", c));
        if (!canonicalise(c, depth + 1, error)) return false;
        out = canon_[c];
        return true;
    };
    TypeNode node = kindNode(d.kind);
    node.cls = d.cls;
    if (usesElem && !component(d.elem, node.elem)) return false;
    if (usesValue && !component(d.value, node.value)) return false;
    for (uint32_t q : d.params) {
        uint32_t id = kNone;
        if (!component(q, id)) return false;
        if (id == kTypeVoid) return fail("void parameter");
        node.params.push_back(id);
    }
    if ((d.kind == TypeKind::Array || d.kind == TypeKind::Box || d.kind == TypeKind::Map) &&
        (node.elem == kTypeVoid || node.value == kTypeVoid)) {
        return fail("void component");
    }
    if (d.kind == TypeKind::Map) {
        TypeKind k = kind(node.elem);
        if (k != TypeKind::Int && k != TypeKind::String && k != TypeKind::Bool && k != TypeKind::Class) {
            return fail(fmt::format("map key type {} is not int, string, bool or a class", name(node.elem)));
        }
    }
    canon_[t] = intern(std::move(node));
    if (canon_[t] == kNone) return fail(fmt::format("nested deeper than {} levels", kMaxTypeDepth));
    state_[t] = 2;
    return true;
}

uint32_t TypeModel::arrayOf(uint32_t elem) {
    TypeNode n = kindNode(TypeKind::Array);
    n.elem = elem;
    return intern(std::move(n));
}

uint32_t TypeModel::mapOf(uint32_t key, uint32_t value) {
    TypeNode n = kindNode(TypeKind::Map);
    n.elem = key;
    n.value = value;
    return intern(std::move(n));
}

uint32_t TypeModel::funcOf(const std::vector<uint32_t>& params, uint32_t ret) {
    TypeNode n = kindNode(TypeKind::Func);
    n.elem = ret;
    n.params = params;
    return intern(std::move(n));
}

uint32_t TypeModel::classType(uint32_t cls) {
    TypeNode n = kindNode(TypeKind::Class);
    n.cls = cls;
    return intern(std::move(n));
}

bool TypeModel::isRef(uint32_t id) const {
    switch (kind(id)) {
    case TypeKind::String:
    case TypeKind::Array:
    case TypeKind::Map:
    case TypeKind::Func:
    case TypeKind::Class:
    case TypeKind::Box: return true;
    default: return false;
    }
}

bool TypeModel::assignable(uint32_t from, uint32_t to) {
    if (from == to) return true;
    if (from == kTypeNull) return isRef(to);
    if (kind(from) == TypeKind::Class && kind(to) == TypeKind::Class) return isSubtype(node(from).cls, node(to).cls);
    return false;
}

bool TypeModel::isSubclass(uint32_t a, uint32_t b) const {
    for (uint32_t c = a; c != kNone; c = p_.classes[c].super) {
        if (c == b) return true;
    }
    return false;
}

bool TypeModel::isSubtype(uint32_t a, uint32_t b) {
    if (a == b) return true;
    if (!(p_.classes[b].flags & kClassInterface)) return isSubclass(a, b);
    uint64_t key = (uint64_t(a) << 32) | b;
    if (auto it = subtypeCache_.find(key); it != subtypeCache_.end()) return it->second;

    // Depth-first over the superclass chain and every interface list reached
    // from it; the marks make each class visited once per query.
    if (visitMark_.size() != p_.classes.size()) visitMark_.assign(p_.classes.size(), 0);
    if (++visitEpoch_ == 0) {
        std::fill(visitMark_.begin(), visitMark_.end(), 0);
        visitEpoch_ = 1;
    }
    std::vector<uint32_t> todo;
    for (uint32_t c = a; c != kNone; c = p_.classes[c].super) {
        visitMark_[c] = visitEpoch_;
        todo.push_back(c);
    }
    bool found = false;
    while (!todo.empty() && !found) {
        uint32_t c = todo.back();
        todo.pop_back();
        for (uint32_t i : p_.classes[c].interfaces) {
            if (i == b) found = true;
            if (visitMark_[i] != visitEpoch_) {
                visitMark_[i] = visitEpoch_;
                todo.push_back(i);
            }
        }
    }
    subtypeCache_.emplace(key, found);
    return found;
}

std::string TypeModel::name(uint32_t id) const {
    std::string out;
    appendName(id, out);
    return out;
}

// Function types can fan out at every level, so the text is cut off at a
// fixed length instead of growing with the product of parameter counts.
void TypeModel::appendName(uint32_t id, std::string& out) const {
    constexpr size_t kMaxNameLength = 300;
    if (out.size() > kMaxNameLength) {
        if (!out.ends_with("...")) out += "...";
        return;
    }
    if (id >= nodes_.size()) {
        out += fmt::format("<bad type {}>", id);
        return;
    }
    const TypeNode& n = nodes_[id];
    switch (n.kind) {
    case TypeKind::Void: out += "void"; return;
    case TypeKind::Int: out += "int"; return;
    case TypeKind::Float: out += "float"; return;
    case TypeKind::Bool: out += "bool"; return;
    case TypeKind::String: out += "string"; return;
    case TypeKind::Null: out += "null"; return;
    case TypeKind::Class: out += printable(p_.classes[n.cls].name); return;
    case TypeKind::Array:
        out += "[";
        appendName(n.elem, out);
        out += "]";
        return;
    case TypeKind::Map:
        out += "{";
        appendName(n.elem, out);
        out += ": ";
        appendName(n.value, out);
        out += "}";
        return;
    case TypeKind::Box:
        out += "box<";
        appendName(n.elem, out);
        out += ">";
        return;
    case TypeKind::Func:
        out += "fun(";
        for (size_t i = 0; i < n.params.size() && out.size() <= kMaxNameLength; i++) {
            if (i) out += ", ";
            appendName(n.params[i], out);
        }
        out += ")";
        if (n.elem != kTypeVoid) {
            out += ": ";
            appendName(n.elem, out);
        }
        return;
    }
}

}  // namespace nido::vm
