// Global builtin functions: print, str, conversions, chr, assert, min/max/abs
// (LANGUAGE.md section 7). array() is an instruction, NEW_ARRAY_FILL.
#include <cmath>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/format.hpp"
#include "vm/host.hpp"

namespace nido::vm {

// print/println get a string: the compiler applied str() already ("S").
void builtin_PRINT(Vm&, Value* args) {
    const String* s = asString(args[0]);
    hostProgramOutput(HostStream::Out, s ? view(s) : "null");
}

void builtin_PRINTLN(Vm&, Value* args) {
    const String* s = asString(args[0]);
    hostProgramOutput(HostStream::Out, s ? view(s) : "null");
    hostProgramOutput(HostStream::Out, "\n");
}

void builtin_STR_INT(Vm& vm, Value* args) { returnString(vm, args, newString(fmt::format("{}", args[0].i))); }

void builtin_STR_FLOAT(Vm& vm, Value* args) { returnString(vm, args, newString(formatFloat(args[0].f))); }

void builtin_STR_BOOL(Vm& vm, Value* args) { returnString(vm, args, newString(args[0].i ? "true" : "false")); }

void builtin_STR_REF(Vm& vm, Value* args) {
    if (String* s = stringOf(vm, args[0], ValKind::Ref)) args[0].ref = s;
}

// Truncates toward zero. Every double in [-2^63, 2^63) converts; the
// bounds are exact powers of two, so the comparison itself is exact.
void builtin_INT_OF_FLOAT(Vm& vm, Value* args) {
    double f = args[0].f;
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) {
        throwError(vm, ErrorKind::Value, fmt::format("cannot convert {} to int", formatFloat(f)));
        return;
    }
    args[0].i = int64_t(f);
}

void builtin_FLOAT_OF_INT(Vm&, Value* args) { args[0].f = double(args[0].i); }

void builtin_CHR(Vm& vm, Value* args) {
    int64_t cp = args[0].i;
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        throwError(vm, ErrorKind::Value, fmt::format("invalid code point {}", cp));
        return;
    }
    char buf[4];
    int n;
    if (cp < 0x80) {
        buf[0] = char(cp);
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = char(0xC0 | cp >> 6);
        buf[1] = char(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = char(0xE0 | cp >> 12);
        buf[1] = char(0x80 | (cp >> 6 & 0x3F));
        buf[2] = char(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        buf[0] = char(0xF0 | cp >> 18);
        buf[1] = char(0x80 | (cp >> 12 & 0x3F));
        buf[2] = char(0x80 | (cp >> 6 & 0x3F));
        buf[3] = char(0x80 | (cp & 0x3F));
        n = 4;
    }
    returnString(vm, args, newString(std::string_view(buf, size_t(n))));
}

void builtin_ASSERT(Vm& vm, Value* args) {
    if (!args[0].i) throwError(vm, ErrorKind::Assertion, "assertion failed");
}

void builtin_ASSERT_MSG(Vm& vm, Value* args) {
    if (args[0].i) return;
    const String* m = asString(args[1]);
    throwError(vm, ErrorKind::Assertion, m ? view(m) : "null");
}

// min and max of floats are `a < b ? a : b` and `a > b ? a : b`: with a
// nan argument the result is b, and min(-0.0, 0.0) is 0.0 (b).
void builtin_MIN_INT(Vm&, Value* args) { args[0].i = args[0].i < args[1].i ? args[0].i : args[1].i; }
void builtin_MIN_FLOAT(Vm&, Value* args) { args[0].f = args[0].f < args[1].f ? args[0].f : args[1].f; }
void builtin_MAX_INT(Vm&, Value* args) { args[0].i = args[0].i > args[1].i ? args[0].i : args[1].i; }
void builtin_MAX_FLOAT(Vm&, Value* args) { args[0].f = args[0].f > args[1].f ? args[0].f : args[1].f; }

// abs(MIN) wraps to MIN, like -MIN.
void builtin_ABS_INT(Vm&, Value* args) {
    if (args[0].i < 0) args[0].i = int64_t(0 - uint64_t(args[0].i));
}

void builtin_ABS_FLOAT(Vm&, Value* args) { args[0].f = std::fabs(args[0].f); }

}  // namespace nido::vm
