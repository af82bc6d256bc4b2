// string methods (LANGUAGE.md section 7). Strings are bytes: indexes,
// lengths and find() count bytes; only chars() and replace("", x) look at
// UTF-8 sequences.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/format.hpp"

namespace nido::vm {
namespace {

// Length of the well-formed UTF-8 sequence at p (n > 0 bytes available),
// or 1 for a byte that does not start one: such bytes stand alone.
int64_t utf8Unit(const unsigned char* p, int64_t n) {
    unsigned char b = p[0];
    if (b < 0x80) return 1;
    int64_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) lo = 0xA0;  // no overlong forms
        if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) lo = 0x90;  // no overlong forms
        if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 1;
    }
    if (n < len || p[1] < lo || p[1] > hi) return 1;
    for (int64_t i = 2; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) return 1;
    }
    return len;
}

// A new [string] of the n pieces that next() yields in turn; nullptr when
// out of memory. The pieces are counted first so that no scratch list is
// needed: the heap holds only the result.
template <typename Next>
Array* stringArray(int64_t n, Next next) {
    Array* a = newArray(ValKind::Ref, n, n);
    if (!a) return nullptr;
    for (int64_t i = 0; i < n; i++) {
        String* s = newString(next());
        if (!s) return nullptr;
        a->data[i].ref = s;
    }
    return a;
}

// Whether a + b stays within the largest possible object; else the result
// could never be allocated.
bool addSize(int64_t& total, int64_t more) {
    if (more > kMaxObjectBytes - total) return false;
    total += more;
    return true;
}

// count * size within the largest possible object.
bool mulSize(int64_t count, int64_t size, int64_t& out) {
    if (size != 0 && count > kMaxObjectBytes / size) return false;
    out = count * size;
    return true;
}

std::string quoted(const String* s) {
    std::string out;
    appendQuoted(out, s);
    return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// ASCII letters only; other bytes, UTF-8 included, are copied.
void mapCase(Vm& vm, Value* args, bool upper) {
    const String* s = asString(args[0]);
    String* r = newStringUninit(s->len);
    if (!r) {
        throwOutOfMemory(vm);
        return;
    }
    for (int64_t i = 0; i < s->len; i++) {
        char c = s->bytes[i];
        if (upper && c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
        if (!upper && c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        r->bytes[i] = c;
    }
    args[0].ref = r;
}

}  // namespace

void builtin_STRING_LEN(Vm&, Value* args) { args[0].i = asString(args[0])->len; }

void builtin_STRING_SLICE(Vm& vm, Value* args) {
    const String* s = asString(args[0]);
    int64_t start = args[1].i, end = args[2].i;
    if (!checkSlice(vm, start, end, s->len)) return;
    returnString(vm, args, newString(view(s).substr(size_t(start), size_t(end - start))));
}

void builtin_STRING_FIND(Vm&, Value* args) {
    size_t at = view(asString(args[0])).find(view(asString(args[1])));
    args[0].i = at == std::string_view::npos ? -1 : int64_t(at);
}

void builtin_STRING_CONTAINS(Vm&, Value* args) {
    args[0].i = view(asString(args[0])).find(view(asString(args[1]))) != std::string_view::npos;
}

void builtin_STRING_STARTS(Vm&, Value* args) {
    args[0].i = view(asString(args[0])).starts_with(view(asString(args[1])));
}

void builtin_STRING_ENDS(Vm&, Value* args) { args[0].i = view(asString(args[0])).ends_with(view(asString(args[1]))); }

// Keeps empty fields: "a,,b" gives ["a", "", "b"] and "" gives [""].
void builtin_STRING_SPLIT(Vm& vm, Value* args) {
    std::string_view s = view(asString(args[0])), sep = view(asString(args[1]));
    if (sep.empty()) {
        throwError(vm, ErrorKind::Value, "empty separator");
        return;
    }
    int64_t n = 1;
    for (size_t at = 0; (at = s.find(sep, at)) != std::string_view::npos; at += sep.size()) n++;
    returnArray(vm, args, stringArray(n, [&] {
                    size_t at = s.find(sep);
                    std::string_view part = s.substr(0, at);
                    s.remove_prefix(at == std::string_view::npos ? s.size() : at + sep.size());
                    return part;
                }));
}

// ASCII whitespace at both ends.
void builtin_STRING_TRIM(Vm& vm, Value* args) {
    std::string_view s = view(asString(args[0]));
    while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
    if (s.size() == size_t(asString(args[0])->len)) return;  // unchanged: the same string
    returnString(vm, args, newString(s));
}

void builtin_STRING_UPPER(Vm& vm, Value* args) { mapCase(vm, args, true); }
void builtin_STRING_LOWER(Vm& vm, Value* args) { mapCase(vm, args, false); }

// Every occurrence, left to right. An empty `old` matches before each
// UTF-8 character and at the end, as in Go: "ab".replace("", "-") is "-a-b-".
// The result is sized first and written straight into the new string.
void builtin_STRING_REPLACE(Vm& vm, Value* args) {
    std::string_view s = view(asString(args[0])), from = view(asString(args[1])), to = view(asString(args[2]));
    // SAFETY: string bytes are read as unsigned for UTF-8 decoding; the
    // remaining length bounds every access utf8Unit makes.
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const int64_t n = int64_t(s.size());
    int64_t matches = 0;  // places where `to` goes
    if (from.empty()) {
        for (int64_t i = 0; i < n; i += utf8Unit(p + i, n - i)) matches++;
        matches++;
    } else {
        for (size_t at = 0; (at = s.find(from, at)) != std::string_view::npos; at += from.size()) matches++;
    }
    int64_t total = n - matches * int64_t(from.size()), inserted;
    if (!mulSize(matches, int64_t(to.size()), inserted) || !addSize(total, inserted)) {
        throwOutOfMemory(vm);
        return;
    }
    String* r = newStringUninit(total);
    if (!r) {
        throwOutOfMemory(vm);
        return;
    }
    char* out = r->bytes;
    auto put = [&](std::string_view piece) {
        if (!piece.empty()) std::memcpy(out, piece.data(), piece.size());
        out += piece.size();
    };
    if (from.empty()) {
        for (int64_t i = 0; i < n;) {
            int64_t len = utf8Unit(p + i, n - i);
            put(to);
            put(s.substr(size_t(i), size_t(len)));
            i += len;
        }
        put(to);
    } else {
        for (size_t at; (at = s.find(from)) != std::string_view::npos; s.remove_prefix(at + from.size())) {
            put(s.substr(0, at));
            put(to);
        }
        put(s);
    }
    args[0].ref = r;
}

void builtin_STRING_REPEAT(Vm& vm, Value* args) {
    const String* s = asString(args[0]);
    int64_t n = args[1].i;
    if (n < 0) {
        throwError(vm, ErrorKind::Value, fmt::format("negative repeat count {}", n));
        return;
    }
    if (s->len > 0 && n > kMaxObjectBytes / s->len) {
        throwOutOfMemory(vm);
        return;
    }
    if (s->len == 0) n = 0;  // "".repeat(n) is "" at once, however large n is
    String* r = newStringUninit(s->len * n);
    if (!r) {
        throwOutOfMemory(vm);
        return;
    }
    for (int64_t i = 0; i < n; i++) std::memcpy(r->bytes + i * s->len, s->bytes, size_t(s->len));
    args[0].ref = r;
}

// An optional sign and decimal digits, nothing else, within int range.
void builtin_STRING_TO_INT(Vm& vm, Value* args) {
    const String* s = asString(args[0]);
    std::string_view t = view(s);
    bool negative = !t.empty() && t[0] == '-';
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) t.remove_prefix(1);
    // Accumulate negatively: -2^63 has no positive counterpart.
    int64_t value = 0;
    bool ok = !t.empty();
    for (char c : t) {
        if (c < '0' || c > '9' || value < (INT64_MIN + (c - '0')) / 10) {
            ok = false;
            break;
        }
        value = value * 10 - (c - '0');
    }
    if (ok && !negative && value == INT64_MIN) ok = false;
    if (!ok) {
        throwError(vm, ErrorKind::Value, fmt::format("invalid int {}", quoted(s)));
        return;
    }
    args[0].i = negative ? value : -value;
}

// What C's strtod accepts ("1e3", "inf", "0x1p4", leading blanks), as long
// as it takes the whole string. Overflow gives inf, as in strtod.
void builtin_STRING_TO_FLOAT(Vm& vm, Value* args) {
    const String* s = asString(args[0]);
    char* end = nullptr;
    // The bytes are NUL-terminated (object.hpp), so strtod stops in bounds;
    // an embedded NUL ends the parse early and fails the whole-string test.
    double d = std::strtod(s->bytes, &end);
    if (s->len == 0 || end != s->bytes + s->len) {
        throwError(vm, ErrorKind::Value, fmt::format("invalid float {}", quoted(s)));
        return;
    }
    args[0].f = d;
}

// Code points as strings; a byte that is not part of valid UTF-8 becomes a
// one-byte string of its own.
void builtin_STRING_CHARS(Vm& vm, Value* args) {
    std::string_view s = view(asString(args[0]));
    // SAFETY: as in replace: unsigned view of the same bytes, bounded by n.
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const int64_t n = int64_t(s.size());
    int64_t count = 0;
    for (int64_t i = 0; i < n; i += utf8Unit(p + i, n - i)) count++;
    int64_t i = 0;
    returnArray(vm, args, stringArray(count, [&] {
                    int64_t len = utf8Unit(p + i, n - i);
                    std::string_view unit = s.substr(size_t(i), size_t(len));
                    i += len;
                    return unit;
                }));
}

void builtin_STRING_BYTES(Vm& vm, Value* args) {
    const String* s = asString(args[0]);
    Array* a = newArray(ValKind::Int, s->len, s->len);
    if (a) {
        for (int64_t i = 0; i < s->len; i++) a->data[i].i = uint8_t(s->bytes[i]);
    }
    returnArray(vm, args, a);
}

}  // namespace nido::vm
