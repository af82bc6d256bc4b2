// str() for every kind of value (rules in format.hpp).
#include "vm/format.hpp"

#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "vm/exceptions.hpp"

namespace nido::vm {
namespace {

// Elements of a, re-reading the length each time: a toString() called for
// one element may change the array.
bool appendArray(Vm& vm, std::string& out, Array* a) {
    out += '[';
    for (int64_t i = 0; i < a->len; i++) {
        if (i > 0) out += ", ";
        if (!appendValue(vm, out, a->data[i], a->elem, true)) return false;
    }
    out += ']';
    return true;
}

bool appendMap(Vm& vm, std::string& out, Map* m) {
    out += '{';
    bool first = true;
    for (int64_t e = 0; e < m->used; e++) {
        if (!entryLive(m->entries[e])) continue;
        if (!first) out += ", ";
        first = false;
        MapEntry entry = m->entries[e];  // a copy: toString() may rehash m
        if (!appendValue(vm, out, entry.key, keyValKind(m->keyKind), true)) return false;
        out += ": ";
        if (!appendValue(vm, out, entry.value, m->valueKind, true)) return false;
    }
    out += '}';
    return true;
}

bool appendInstance(Vm& vm, std::string& out, Instance* o) {
    if (const RtFunction* ts = o->cls->toString) {
        Value self = refValue(o), result{};
        if (!callFunction(vm, ts, nullptr, &self, 1, &result)) return false;
        auto* s = static_cast<String*>(result.ref);
        out += s ? view(s) : "null";
        return true;
    }
    if (o->number == 0) o->number = vm.nextObjectNumber++;
    fmt::format_to(std::back_inserter(out), "{}@{}", o->cls->desc->name, o->number);
    return true;
}

bool appendRef(Vm& vm, std::string& out, Obj* o, bool quote) {
    if (!o) {
        out += "null";
        return true;
    }
    switch (o->kind) {
    case ObjKind::String:
        if (quote) {
            appendQuoted(out, static_cast<String*>(o));
        } else {
            out += view(static_cast<String*>(o));
        }
        return true;
    // Nesting is bounded by the type's depth (the verifier limits it), and
    // each toString() goes through callFunction, which checks the native
    // stack: so this recursion needs no guard of its own.
    case ObjKind::Array: return appendArray(vm, out, static_cast<Array*>(o));
    case ObjKind::Map: return appendMap(vm, out, static_cast<Map*>(o));
    case ObjKind::Instance: return appendInstance(vm, out, static_cast<Instance*>(o));
    case ObjKind::Closure:
        fmt::format_to(std::back_inserter(out), "<fun {}>", static_cast<Closure*>(o)->fn->desc->name);
        return true;
    case ObjKind::Box: out += "<box>"; return true;  // never reaches Nido code
    }
    return true;
}

}  // namespace

void appendFloat(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "nan";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-inf" : "inf";
        return;
    }
    // Shortest round-trip digits, as "[-]D[.DDD]e(+|-)XX".
    char buf[40];
    char* end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
    std::string_view sci(buf, size_t(end - buf));
    if (sci[0] == '-') {
        out += '-';
        sci.remove_prefix(1);
    }
    size_t e = sci.find('e');
    std::string digits(1, sci[0]);
    if (e > 1) digits += sci.substr(2, e - 2);
    int exp = 0;
    std::from_chars(sci.data() + e + 2, sci.data() + sci.size(), exp);
    if (sci[e + 1] == '-') exp = -exp;
    const int n = int(digits.size());
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            out += "0.";
            out.append(size_t(-exp - 1), '0');
            out += digits;
        } else if (n <= exp + 1) {
            out += digits;
            out.append(size_t(exp + 1 - n), '0');
            out += ".0";
        } else {
            out.append(digits, 0, size_t(exp + 1));
            out += '.';
            out.append(digits, size_t(exp + 1));
        }
        return;
    }
    out += digits[0];
    if (n > 1) {
        out += '.';
        out.append(digits, 1);
    }
    fmt::format_to(std::back_inserter(out), "e{}{:02}", exp < 0 ? '-' : '+', std::abs(exp));
}

std::string formatFloat(double d) {
    std::string out;
    appendFloat(out, d);
    return out;
}

void appendQuoted(std::string& out, const String* s) {
    if (!s) {
        out += "null";
        return;
    }
    out += '"';
    for (char c : view(s)) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

bool appendValue(Vm& vm, std::string& out, Value v, ValKind k, bool quote) {
    switch (k) {
    case ValKind::Int: fmt::format_to(std::back_inserter(out), "{}", v.i); return true;
    case ValKind::Float: appendFloat(out, v.f); return true;
    case ValKind::Bool: out += v.i ? "true" : "false"; return true;
    case ValKind::Ref: return appendRef(vm, out, v.ref, quote);
    }
    return true;
}

String* stringOf(Vm& vm, Value v, ValKind k) {
    if (k == ValKind::Ref && v.ref && v.ref->kind == ObjKind::String) return static_cast<String*>(v.ref);
    std::string out;
    if (!appendValue(vm, out, v, k, false)) return nullptr;
    String* s = newString(out);
    if (!s) throwOutOfMemory(vm);
    return s;
}

}  // namespace nido::vm
