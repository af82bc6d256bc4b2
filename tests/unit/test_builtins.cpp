// Every builtin of builtins.def with its edge cases, through small
// programs; plus the map's hash table against a reference model.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "tests/unit/runtime_harness.hpp"
#include "vm/gc.hpp"
#include "vm/map.hpp"

namespace nido::vm::rttest {
namespace {

using B = BuiltinId;

// One program per check: main runs code, prints the value it leaves (kind
// 'i', 'f', 'b' or 'r'; 'v' for none) and returns. run() gives what was
// printed without the final newline, or what was printed followed by the
// first line of the uncaught error.
struct T {
    ProgramBuilder b;
    uint32_t tInts = b.arrayOf(kTypeInt), tFloats = b.arrayOf(kTypeFloat), tStrings = b.arrayOf(kTypeString);

    Asm i(int64_t v) { return b.pushInt(v); }
    Asm f(double v) { return b.pushFloat(v); }
    Asm s(const std::string& v) { return b.pushString(v); }
    Asm ints(std::vector<int64_t> vs) {
        Asm a;
        for (int64_t v : vs) a.then(i(v));
        return a.op(Op::NEW_ARRAY, tInts, uint32_t(vs.size()));
    }
    Asm floats(std::vector<double> vs) {
        Asm a;
        for (double v : vs) a.then(f(v));
        return a.op(Op::NEW_ARRAY, tFloats, uint32_t(vs.size()));
    }
    Asm strs(std::vector<const char*> vs) {
        Asm a;
        for (const char* v : vs) v ? a.then(s(v)) : a.op(Op::PUSH_NULL);
        return a.op(Op::NEW_ARRAY, tStrings, uint32_t(vs.size()));
    }
    // A lambda (no captures) as a closure value.
    Asm lambda(std::vector<uint32_t> params, uint32_t ret, Asm body) {
        uint32_t fn = b.addFunction({"main.<lambda>", std::move(params), ret, {}, kFnLambda}, body);
        return Asm().op(Op::MAKE_CLOSURE, fn);
    }

    std::string run(Asm code, char kind, std::vector<uint32_t> locals = {}) {
        switch (kind) {
        case 'i': printInt(code); break;
        case 'f': printFloat(code); break;
        case 'b': printBool(code); break;
        case 'r': printRef(code); break;
        default: break;
        }
        b.setMain(code.op(Op::RETURN_VOID), std::move(locals));
        RunResult r = b.run();
        if (r.status != 0) return r.out + r.err.substr(0, r.err.find('\n'));
        CHECK(r.err == "");
        return r.out.ends_with('\n') ? r.out.substr(0, r.out.size() - 1) : r.out;
    }
};

#define EXPECT(kind, code, expected)            \
    do {                                        \
        T t;                                    \
        CHECK(t.run((code), kind) == expected); \
    } while (0)

// The same with one local (of type `local`, so null) that code can load.
#define EXPECT_WITH(kind, local, code, expected)          \
    do {                                                  \
        T t;                                              \
        uint32_t local_ = (local);                        \
        CHECK(t.run((code), kind, {local_}) == expected); \
    } while (0)

TEST_CASE("print, println and str") {
    EXPECT('v', t.s("a").call(B::PRINT).then(t.s("b")).call(B::PRINTLN).op(Op::PUSH_NULL).call(B::PRINTLN), "ab\nnull");
    EXPECT('r', t.i(-7).call(B::STR_INT), "-7");
    EXPECT('r', t.f(2.5).call(B::STR_FLOAT), "2.5");
    EXPECT('r', Asm().op(Op::PUSH_FALSE).call(B::STR_BOOL), "false");
    EXPECT('r', Asm().op(Op::PUSH_NULL).call(B::STR_REF), "null");
}

TEST_CASE("int() truncates and rejects nan, inf and out-of-range values") {
    EXPECT('i', t.f(3.9).call(B::INT_OF_FLOAT), "3");
    EXPECT('i', t.f(-3.9).call(B::INT_OF_FLOAT), "-3");
    EXPECT('i', t.f(-9223372036854775808.0).call(B::INT_OF_FLOAT), "-9223372036854775808");
    EXPECT('i', t.f(std::nan("")).call(B::INT_OF_FLOAT), "ValueError: cannot convert nan to int");
    EXPECT('i', t.f(-INFINITY).call(B::INT_OF_FLOAT), "ValueError: cannot convert -inf to int");
    EXPECT('i', t.f(9223372036854775808.0).call(B::INT_OF_FLOAT),
           "ValueError: cannot convert 9.223372036854776e+18 to int");
    EXPECT('i', t.f(1e19).call(B::INT_OF_FLOAT), "ValueError: cannot convert 1e+19 to int");
    EXPECT('f', t.i(-3).call(B::FLOAT_OF_INT), "-3.0");
}

// array(n, v) is the instruction NEW_ARRAY_FILL, whose operand gives the
// element type (so the array prints and is scanned by its static type).
TEST_CASE("NEW_ARRAY_FILL fills an array of its operand type") {
    auto fill = [](uint32_t type, Asm count, Asm value) { return count.then(value).op(Op::NEW_ARRAY_FILL, type); };
    EXPECT('r', fill(t.tFloats, t.i(3), t.f(1.5)), "[1.5, 1.5, 1.5]");
    EXPECT('r', fill(t.tInts, t.i(3), t.i(7)), "[7, 7, 7]");
    EXPECT('r', fill(t.tStrings, t.i(2), t.s("x")), "[\"x\", \"x\"]");
    EXPECT('r', fill(t.tStrings, t.i(2), Asm().op(Op::PUSH_NULL)), "[null, null]");
    EXPECT('r', fill(t.b.arrayOf(kTypeBool), t.i(2), Asm().op(Op::PUSH_TRUE)), "[true, true]");
    EXPECT('r', fill(t.tInts, t.i(0), t.i(1)), "[]");
    EXPECT('r', fill(t.tInts, t.i(-1), t.i(0)), "ValueError: negative array size -1");
    EXPECT('r', fill(t.tInts, t.i(INT32_MIN), t.i(0)), "ValueError: negative array size -2147483648");
    // Nested: every element is the same inner array.
    {
        T t;
        Asm m = fill(t.b.arrayOf(t.tFloats), t.i(2), t.floats({0.25}));
        m.op(Op::DUP).op(Op::PUSH_INT, 0).op(Op::ARRAY_GET).then(t.f(2.0)).call(B::ARRAY_PUSH);
        CHECK(t.run(m, 'r') == "[[0.25, 2.0], [0.25, 2.0]]");
    }
    // The filled array grows like any other.
    {
        T t;
        Asm m = fill(t.tFloats, t.i(1), t.f(0.5));
        m.op(Op::DUP).then(t.f(-1.0)).call(B::ARRAY_PUSH);
        CHECK(t.run(m, 'r') == "[0.5, -1.0]");
    }
}

TEST_CASE("chr encodes UTF-8 and rejects invalid code points") {
    EXPECT('r', t.i(65).call(B::CHR), "A");
    EXPECT('r', t.i(0xE9).call(B::CHR), "\xC3\xA9");
    EXPECT('r', t.i(0x20AC).call(B::CHR), "\xE2\x82\xAC");
    EXPECT('r', t.i(0x1F600).call(B::CHR), "\xF0\x9F\x98\x80");
    EXPECT('r', t.i(0x110000).call(B::CHR), "ValueError: invalid code point 1114112");
    EXPECT('r', t.i(-1).call(B::CHR), "ValueError: invalid code point -1");
    EXPECT('r', t.i(0xD800).call(B::CHR), "ValueError: invalid code point 55296");
}

TEST_CASE("assert") {
    EXPECT('v', Asm().op(Op::PUSH_TRUE).call(B::ASSERT), "");
    EXPECT('v', Asm().op(Op::PUSH_FALSE).call(B::ASSERT), "AssertionError: assertion failed");
    EXPECT('v', Asm().op(Op::PUSH_FALSE).then(t.s("custom")).call(B::ASSERT_MSG), "AssertionError: custom");
    EXPECT('v', Asm().op(Op::PUSH_TRUE).op(Op::PUSH_NULL).call(B::ASSERT_MSG), "");
}

TEST_CASE("min, max and abs") {
    EXPECT('i', t.i(3).i(-4).call(B::MIN_INT), "-4");
    EXPECT('i', t.i(3).i(-4).call(B::MAX_INT), "3");
    EXPECT('f', t.f(1.5).then(t.f(-2.0)).call(B::MIN_FLOAT), "-2.0");
    EXPECT('f', t.f(std::nan("")).then(t.f(1.0)).call(B::MIN_FLOAT), "1.0");  // a < b is false: b
    EXPECT('f', t.f(1.0).then(t.f(std::nan(""))).call(B::MIN_FLOAT), "nan");
    EXPECT('f', t.f(-0.0).then(t.f(0.0)).call(B::MAX_FLOAT), "0.0");
    EXPECT('i', t.i(-5).call(B::ABS_INT), "5");
    EXPECT('i', t.i(INT64_MIN).call(B::ABS_INT), "-9223372036854775808");
    EXPECT('f', t.f(-0.0).call(B::ABS_FLOAT), "0.0");
    EXPECT('f', t.f(-INFINITY).call(B::ABS_FLOAT), "inf");
}

TEST_CASE("string length, indexing and slicing count bytes") {
    EXPECT('i', t.s("h\xC3\xA9llo").call(B::STRING_LEN), "6");
    EXPECT('i', t.s("abc").i(1).op(Op::STRING_GET), "98");
    EXPECT('i', t.s("\xC3\xA9").i(0).op(Op::STRING_GET), "195");
    EXPECT('i', t.s("abc").i(3).op(Op::STRING_GET), "IndexError: index 3 out of range for length 3");
    EXPECT('i', t.s("abc").i(-1).op(Op::STRING_GET), "IndexError: index -1 out of range for length 3");
    EXPECT('i', Asm().op(Op::PUSH_NULL).i(0).op(Op::STRING_GET), "NullError: index into null");
    EXPECT('r', t.s("hello").i(1).i(3).call(B::STRING_SLICE), "el");
    EXPECT('r', t.s("hello").i(5).i(5).call(B::STRING_SLICE), "");
    EXPECT('r', t.s("abc").i(2).i(5).call(B::STRING_SLICE), "IndexError: slice 2..5 out of range for length 3");
    EXPECT('r', t.s("abc").i(-1).i(2).call(B::STRING_SLICE), "IndexError: slice -1..2 out of range for length 3");
    EXPECT('r', t.s("abc").i(2).i(1).call(B::STRING_SLICE), "IndexError: slice 2..1 out of range for length 3");
}

TEST_CASE("string searching") {
    EXPECT('i', t.s("hello").then(t.s("l")).call(B::STRING_FIND), "2");
    EXPECT('i', t.s("hello").then(t.s("z")).call(B::STRING_FIND), "-1");
    EXPECT('i', t.s("hello").then(t.s("")).call(B::STRING_FIND), "0");
    EXPECT('b', t.s("hello").then(t.s("ell")).call(B::STRING_CONTAINS), "true");
    EXPECT('b', t.s("hello").then(t.s("he")).call(B::STRING_STARTS), "true");
    EXPECT('b', t.s("hello").then(t.s("lo!")).call(B::STRING_ENDS), "false");
    EXPECT('b', t.s("").then(t.s("")).call(B::STRING_ENDS), "true");
}

TEST_CASE("split keeps empty fields") {
    EXPECT('r', t.s("a,,b").then(t.s(",")).call(B::STRING_SPLIT), "[\"a\", \"\", \"b\"]");
    EXPECT('r', t.s("").then(t.s(",")).call(B::STRING_SPLIT), "[\"\"]");
    EXPECT('r', t.s("a::b::").then(t.s("::")).call(B::STRING_SPLIT), "[\"a\", \"b\", \"\"]");
    EXPECT('r', t.s("abc").then(t.s("")).call(B::STRING_SPLIT), "ValueError: empty separator");
}

TEST_CASE("trim, upper, lower, replace, repeat") {
    EXPECT('r', t.s(" \t hi there\r\n").call(B::STRING_TRIM), "hi there");
    EXPECT('r', t.s("   ").call(B::STRING_TRIM), "");
    EXPECT('r', t.s("H\xC3\xA9llo!").call(B::STRING_UPPER), "H\xC3\xA9LLO!");
    EXPECT('r', t.s("H\xC3\x89LLO").call(B::STRING_LOWER), "h\xC3\x89llo");
    EXPECT('r', t.s("aaa").then(t.s("a")).then(t.s("bb")).call(B::STRING_REPLACE), "bbbbbb");
    EXPECT('r', t.s("hello").then(t.s("l")).then(t.s("")).call(B::STRING_REPLACE), "heo");
    EXPECT('r', t.s("a\xC3\xA9").then(t.s("")).then(t.s("-")).call(B::STRING_REPLACE), "-a-\xC3\xA9-");
    EXPECT('r', t.s("ab").i(3).call(B::STRING_REPEAT), "ababab");
    EXPECT('r', t.s("ab").i(0).call(B::STRING_REPEAT), "");
    EXPECT('r', t.s("x").i(-1).call(B::STRING_REPEAT), "ValueError: negative repeat count -1");
    EXPECT('r', t.s("xy").then(t.i(INT64_MAX)).call(B::STRING_REPEAT), "OutOfMemoryError: out of memory");
}

TEST_CASE("toInt and toFloat") {
    EXPECT('i', t.s("42").call(B::STRING_TO_INT), "42");
    EXPECT('i', t.s("-42").call(B::STRING_TO_INT), "-42");
    EXPECT('i', t.s("+7").call(B::STRING_TO_INT), "7");
    EXPECT('i', t.s("-9223372036854775808").call(B::STRING_TO_INT), "-9223372036854775808");
    EXPECT('i', t.s("9223372036854775807").call(B::STRING_TO_INT), "9223372036854775807");
    EXPECT('i', t.s("9223372036854775808").call(B::STRING_TO_INT), "ValueError: invalid int \"9223372036854775808\"");
    EXPECT('i', t.s("abc").call(B::STRING_TO_INT), "ValueError: invalid int \"abc\"");
    EXPECT('i', t.s("").call(B::STRING_TO_INT), "ValueError: invalid int \"\"");
    EXPECT('i', t.s("-").call(B::STRING_TO_INT), "ValueError: invalid int \"-\"");
    EXPECT('i', t.s(" 1").call(B::STRING_TO_INT), "ValueError: invalid int \" 1\"");
    EXPECT('f', t.s("1.5").call(B::STRING_TO_FLOAT), "1.5");
    EXPECT('f', t.s("1e3").call(B::STRING_TO_FLOAT), "1000.0");
    EXPECT('f', t.s("-inf").call(B::STRING_TO_FLOAT), "-inf");
    EXPECT('f', t.s("1.5x").call(B::STRING_TO_FLOAT), "ValueError: invalid float \"1.5x\"");
    EXPECT('f', t.s("").call(B::STRING_TO_FLOAT), "ValueError: invalid float \"\"");
    EXPECT('f', t.s(std::string("1\0", 2)).call(B::STRING_TO_FLOAT),
           std::string("ValueError: invalid float \"1\0\"", 30));
}

TEST_CASE("chars splits UTF-8; bytes gives the bytes") {
    EXPECT('r', t.s("h\xC3\xA9!\xF0\x9F\x98\x80").call(B::STRING_CHARS),
           "[\"h\", \"\xC3\xA9\", \"!\", \"\xF0\x9F\x98\x80\"]");
    EXPECT('i', t.s("a\xFF\xC3").call(B::STRING_CHARS).call(B::ARRAY_LEN), "3");  // invalid bytes stand alone
    EXPECT('i', t.s("\xE2\x82").call(B::STRING_CHARS).call(B::ARRAY_LEN), "2");   // truncated sequence
    EXPECT('r', t.s("\xC3\xA9").call(B::STRING_BYTES), "[195, 169]");
    EXPECT('r', t.s("").call(B::STRING_BYTES), "[]");
}

TEST_CASE("null receivers and null string arguments") {
    EXPECT('i', Asm().op(Op::PUSH_NULL).call(B::STRING_LEN), "NullError: method \"len\" called on null");
    EXPECT('i', t.s("abc").op(Op::PUSH_NULL).call(B::STRING_FIND), "NullError: null argument to \"find\"");
    EXPECT_WITH('i', t.tInts, Asm().op(Op::LOAD_LOCAL, 0).call(B::ARRAY_LEN),
                "NullError: method \"len\" called on null");
    EXPECT('r', t.strs({"a"}).op(Op::PUSH_NULL).call(B::ARRAY_JOIN), "NullError: null argument to \"join\"");
}

TEST_CASE("array indexing") {
    EXPECT('i', t.ints({1, 2, 3}).i(2).op(Op::ARRAY_GET), "3");
    EXPECT('i', t.ints({1, 2, 3}).i(3).op(Op::ARRAY_GET), "IndexError: index 3 out of range for length 3");
    EXPECT('i', t.ints({1, 2, 3}).i(-1).op(Op::ARRAY_GET), "IndexError: index -1 out of range for length 3");
    EXPECT('v', t.ints({}).i(0).i(9).op(Op::ARRAY_SET), "IndexError: index 0 out of range for length 0");
    EXPECT_WITH('v', t.tInts, Asm().op(Op::LOAD_LOCAL, 0).i(0).i(9).op(Op::ARRAY_SET), "NullError: index into null");
    {
        T t;
        Asm m;
        m.then(t.ints({1, 2})).op(Op::STORE_LOCAL, 0).op(Op::LOAD_LOCAL, 0).i(1).i(7).op(Op::ARRAY_SET);
        CHECK(t.run(m.op(Op::LOAD_LOCAL, 0), 'r', {t.tInts}) == "[1, 7]");
    }
}

// Runs `a = init; <ops on a>; print(a)`.
std::string mutate(const std::function<Asm(T&)>& init, const std::function<void(T&, Asm&)>& ops, uint32_t T::*type) {
    T t;
    Asm m;
    m.then(init(t)).op(Op::STORE_LOCAL, 0);
    ops(t, m);
    return t.run(m.op(Op::LOAD_LOCAL, 0), 'r', {t.*type});
}

TEST_CASE("push, pop, insert, removeAt") {
    auto ints123 = [](T& t) { return t.ints({1, 2, 3}); };
    auto a = [](Asm& m) -> Asm& { return m.op(Op::LOAD_LOCAL, 0); };
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { a(m).then(t.i(4)).call(B::ARRAY_PUSH); }, &T::tInts) == "[1, 2, 3, 4]");
    CHECK(mutate(
              ints123, [&](T&, Asm& m) { printInt(a(m).call(B::ARRAY_POP)); }, &T::tInts) == "3\n[1, 2]");
    CHECK(mutate([](T& t) { return t.ints({}); }, [&](T&, Asm& m) { a(m).call(B::ARRAY_POP).op(Op::POP); },
                 &T::tInts) == "IndexError: pop from empty array");
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { a(m).then(t.i(0)).then(t.i(9)).call(B::ARRAY_INSERT); }, &T::tInts) ==
          "[9, 1, 2, 3]");
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { a(m).then(t.i(3)).then(t.i(9)).call(B::ARRAY_INSERT); }, &T::tInts) ==
          "[1, 2, 3, 9]");
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { a(m).then(t.i(4)).then(t.i(9)).call(B::ARRAY_INSERT); }, &T::tInts) ==
          "IndexError: index 4 out of range for length 3");
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { printInt(a(m).then(t.i(1)).call(B::ARRAY_REMOVE_AT)); }, &T::tInts) ==
          "2\n[1, 3]");
    CHECK(mutate(
              ints123, [&](T& t, Asm& m) { a(m).then(t.i(3)).call(B::ARRAY_REMOVE_AT).op(Op::POP); }, &T::tInts) ==
          "IndexError: index 3 out of range for length 3");
    // Growth far past the initial capacity.
    CHECK(mutate([](T& t) { return t.ints({}); },
                 [&](T& t, Asm& m) {
                     for (int i = 0; i < 100; i++) a(m).then(t.i(i)).call(B::ARRAY_PUSH);
                     for (int i = 0; i < 97; i++) a(m).call(B::ARRAY_POP).op(Op::POP);
                 },
                 &T::tInts) == "[0, 1, 2]");
}

TEST_CASE("slice, indexOf, contains, reverse, copy, join") {
    EXPECT('r', t.ints({1, 2, 3, 4}).i(1).i(3).call(B::ARRAY_SLICE), "[2, 3]");
    EXPECT('r', t.ints({1, 2, 3}).i(1).i(4).call(B::ARRAY_SLICE), "IndexError: slice 1..4 out of range for length 3");
    EXPECT('i', t.strs({"a", "bc", "d"}).then(t.s("bc")).call(B::ARRAY_INDEX_OF), "1");  // strings by value
    EXPECT('i', t.strs({"a", nullptr}).op(Op::PUSH_NULL).call(B::ARRAY_INDEX_OF), "1");
    EXPECT('i', t.floats({1.0, std::nan("")}).then(t.f(std::nan(""))).call(B::ARRAY_INDEX_OF), "-1");
    EXPECT('i', t.floats({1.0, -0.0}).then(t.f(0.0)).call(B::ARRAY_INDEX_OF), "1");
    EXPECT('b', t.ints({1, 2}).i(3).call(B::ARRAY_CONTAINS), "false");
    CHECK(mutate(
              [](T& t) {
                  return t.ints({1, 2, 3});
              },
              [](T&, Asm& m) { m.op(Op::LOAD_LOCAL, 0).call(B::ARRAY_REVERSE); }, &T::tInts) == "[3, 2, 1]");
    CHECK(mutate(
              [](T& t) {
                  return t.ints({1, 2});
              },
              [](T& t, Asm& m) {
                  m.op(Op::LOAD_LOCAL, 0).call(B::ARRAY_COPY).op(Op::DUP).then(t.i(0)).then(t.i(9)).op(Op::ARRAY_SET);
                  printRef(m);
              },
              &T::tInts) == "[9, 2]\n[1, 2]");
    EXPECT('r', t.strs({"a", nullptr, "c"}).then(t.s(", ")).call(B::ARRAY_JOIN), "a, null, c");
    EXPECT('r', t.strs({}).then(t.s(", ")).call(B::ARRAY_JOIN), "");
}

TEST_CASE("sorts are stable; floats put nan last") {
    auto sorted = [](const std::function<Asm(T&)>& init, B id, uint32_t T::*type) {
        return mutate(
            init, [&](T&, Asm& m) { m.op(Op::LOAD_LOCAL, 0).call(id); }, type);
    };
    CHECK(sorted(
              [](T& t) {
                  return t.ints({3, -1, 2, INT64_MIN, 0});
              },
              B::ARRAY_SORT_INT, &T::tInts) == "[-9223372036854775808, -1, 0, 2, 3]");
    CHECK(sorted(
              [](T& t) {
                  return t.floats({2.0, std::nan(""), 0.0, -1.0, -0.0, -INFINITY});
              },
              B::ARRAY_SORT_FLOAT, &T::tFloats) == "[-inf, -1.0, 0.0, -0.0, 2.0, nan]");
    CHECK(sorted(
              [](T& t) {
                  return t.strs({"b", "B", "a", "ab", ""});
              },
              B::ARRAY_SORT_STRING, &T::tStrings) == "[\"\", \"B\", \"a\", \"ab\", \"b\"]");
    CHECK(sorted(
              [](T& t) {
                  return t.strs({"b", nullptr});
              },
              B::ARRAY_SORT_STRING, &T::tStrings) == "NullError: comparison with null");
    // By length with a comparator; equal lengths keep their order.
    CHECK(mutate(
              [](T& t) {
                  return t.strs({"bb", "a", "cc", "d", "eee", "f"});
              },
              [](T& t, Asm& m) {
                  m.op(Op::LOAD_LOCAL, 0);
                  m.then(t.lambda({kTypeString, kTypeString}, kTypeInt,
                                  Asm()
                                      .op(Op::LOAD_LOCAL, 0)
                                      .call(B::STRING_LEN)
                                      .op(Op::LOAD_LOCAL, 1)
                                      .call(B::STRING_LEN)
                                      .op(Op::ISUB)
                                      .op(Op::RETURN)));
                  m.call(B::ARRAY_SORT_BY);
              },
              &T::tStrings) == "[\"a\", \"d\", \"f\", \"bb\", \"cc\", \"eee\"]");
    EXPECT_WITH('v', t.b.funcOf({kTypeInt, kTypeInt}, kTypeInt),
                t.ints({2, 1}).op(Op::LOAD_LOCAL, 0).call(B::ARRAY_SORT_BY), "NullError: call of null function");
}

TEST_CASE("a comparator that empties the array cannot break sort") {
    CHECK(mutate(
              [](T& t) {
                  return t.ints({5, 4, 3, 2, 1});
              },
              [](T& t, Asm& m) {
                  // cmp(x, y) pops the array being sorted, then compares.
                  uint32_t g = t.b.global(t.tInts);
                  m.op(Op::LOAD_LOCAL, 0).op(Op::STORE_GLOBAL, g);
                  Asm body;
                  body.op(Op::LOAD_GLOBAL, g)
                      .call(B::ARRAY_LEN)
                      .op(Op::PUSH_INT, 0)
                      .op(Op::IGT)
                      .jump(Op::JUMP_IF_FALSE, "cmp");
                  body.op(Op::LOAD_GLOBAL, g).call(B::ARRAY_POP).op(Op::POP);
                  body.label("cmp").op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::ISUB).op(Op::RETURN);
                  m.op(Op::LOAD_LOCAL, 0).then(t.lambda({kTypeInt, kTypeInt}, kTypeInt, body)).call(B::ARRAY_SORT_BY);
              },
              &T::tInts) == "[]");
}

TEST_CASE("map and filter call back into Nido") {
    {
        T t;
        Asm m = t.ints({1, 2, 3});
        m.then(t.lambda({kTypeInt}, kTypeString, Asm().op(Op::LOAD_LOCAL, 0).call(B::STR_INT).op(Op::RETURN)));
        CHECK(t.run(m.call(B::ARRAY_MAP), 'r') == "[\"1\", \"2\", \"3\"]");
    }
    {
        T t;
        Asm m = t.ints({1, 2, 3});
        m.then(t.lambda({kTypeInt}, kTypeFloat, Asm().op(Op::LOAD_LOCAL, 0).op(Op::I2F).op(Op::RETURN)));
        CHECK(t.run(m.call(B::ARRAY_MAP), 'r') == "[1.0, 2.0, 3.0]");
    }
    {
        T t;
        Asm m = t.ints({1, 2, 3, 4, 5, 6});
        m.then(t.lambda({kTypeInt}, kTypeBool,
                        Asm()
                            .op(Op::LOAD_LOCAL, 0)
                            .op(Op::PUSH_INT, 2)
                            .op(Op::IREM)
                            .op(Op::PUSH_INT, 0)
                            .op(Op::IEQ)
                            .op(Op::RETURN)));
        CHECK(t.run(m.call(B::ARRAY_FILTER), 'r') == "[2, 4, 6]");
    }
    EXPECT_WITH('r', t.b.funcOf({kTypeInt}, kTypeInt), t.ints({1}).op(Op::LOAD_LOCAL, 0).call(B::ARRAY_MAP),
                "NullError: call of null function");
}

// m = {"a": 1, "b": 2, "c": 3}, then ops.
std::string onMap(const std::function<void(T&, Asm&)>& ops) {
    T t;
    uint32_t tMap = t.b.mapOf(kTypeString, kTypeInt);
    Asm m;
    m.then(t.s("a")).i(1).then(t.s("b")).i(2).then(t.s("c")).i(3).op(Op::NEW_MAP, tMap, 3).op(Op::STORE_LOCAL, 0);
    ops(t, m);
    return t.run(m, 'v', {tMap});
}

TEST_CASE("maps keep insertion order; a removed key re-enters at the end") {
    auto m = [](Asm& a) -> Asm& { return a.op(Op::LOAD_LOCAL, 0); };
    CHECK(onMap([&](T& t, Asm& a) {
              m(a).then(t.s("a")).call(B::MAP_REMOVE);
              m(a).then(t.s("a")).i(4).op(Op::MAP_SET);
              m(a).then(t.s("b")).i(20).op(Op::MAP_SET);  // replacing keeps the position
              m(a).then(t.s("zz")).call(B::MAP_REMOVE);   // missing: nothing happens
              printRef(m(a));
              printRef(m(a).call(B::MAP_KEYS));
              printRef(m(a).call(B::MAP_VALUES));
              printInt(m(a).call(B::MAP_LEN));
              printBool(m(a).then(t.s("a")).call(B::MAP_HAS));
              printInt(m(a).then(t.s("b")).op(Op::MAP_GET));
              printInt(m(a).then(t.s("q")).i(-1).call(B::MAP_GET_OR));
              m(a).then(t.s("zz")).op(Op::MAP_GET).op(Op::POP);
          }) ==
          "{\"b\": 20, \"c\": 3, \"a\": 4}\n[\"b\", \"c\", \"a\"]\n[20, 3, 4]\n3\ntrue\n20\n-1\n"
          "KeyError: key \"zz\" not found");
}

TEST_CASE("KeyError messages and null maps") {
    auto missing = [](uint32_t keyType, Asm key) {
        T t;
        uint32_t m = t.b.mapOf(keyType, kTypeInt);
        return t.run(Asm().op(Op::NEW_MAP, m, 0).then(key).op(Op::MAP_GET), 'i');
    };
    CHECK(missing(kTypeInt, Asm().i(42)) == "KeyError: key 42 not found");
    CHECK(missing(kTypeBool, Asm().op(Op::PUSH_TRUE)) == "KeyError: key true not found");
    CHECK(missing(kTypeString, Asm().op(Op::PUSH_NULL)) == "KeyError: key null not found");
    EXPECT_WITH('i', t.b.mapOf(kTypeInt, kTypeInt), Asm().op(Op::LOAD_LOCAL, 0).i(1).op(Op::MAP_GET),
                "NullError: index into null");
    EXPECT_WITH('b', t.b.mapOf(kTypeInt, kTypeInt), Asm().op(Op::LOAD_LOCAL, 0).i(1).call(B::MAP_HAS),
                "NullError: method \"has\" called on null");
}

// The hash table under random inserts, replacements and removals, against
// a simple insertion-ordered model.
TEST_CASE("map hash table matches a reference model") {
    gcInit();
    std::mt19937 rng(12345);
    for (KeyKind kind : {KeyKind::Int, KeyKind::String}) {
        Map* m = newMap(kind, ValKind::Int, 0);
        REQUIRE(m);
        std::vector<std::pair<int, int64_t>> model;  // key, value in insertion order
        // The key strings live in a GC array: a std::vector would hide them
        // from the collector (gc.hpp).
        Array* names = newArray(ValKind::Ref, 600, 600);
        REQUIRE(names);
        for (int k = 0; k < 600; k++) names->data[k] = refValue(newString("key" + std::to_string(k)));
        auto key = [&](int k) { return kind == KeyKind::Int ? intValue(k * 7919) : names->data[k]; };
        for (int step = 0; step < 40000; step++) {
            int k = int(rng() % 600);
            auto it = std::find_if(model.begin(), model.end(), [&](auto& e) { return e.first == k; });
            if (rng() % 3 == 0) {
                mapRemove(m, key(k));
                if (it != model.end()) model.erase(it);
            } else {
                REQUIRE(mapSet(m, key(k), intValue(step)));
                if (it != model.end()) {
                    it->second = step;
                } else {
                    model.push_back({k, step});
                }
            }
        }
        REQUIRE(m->count == int64_t(model.size()));
        size_t n = 0;
        for (int64_t e = 0; e < m->used; e++) {
            if (!entryLive(m->entries[e])) continue;
            REQUIRE(n < model.size());
            CHECK(m->entries[e].key.i == key(model[n].first).i);
            CHECK(m->entries[e].value.i == model[n].second);
            n++;
        }
        CHECK(n == model.size());
        for (int k = 0; k < 600; k++) {
            auto it = std::find_if(model.begin(), model.end(), [&](auto& e) { return e.first == k; });
            Value* v = mapFind(m, key(k));
            CHECK((v != nullptr) == (it != model.end()));
            if (v && it != model.end()) CHECK(v->i == it->second);
        }
        // A fresh string with the same bytes finds the same entry.
        if (kind == KeyKind::String && !model.empty()) {
            Value copy = refValue(newString("key" + std::to_string(model[0].first)));
            CHECK(mapFind(m, copy) != nullptr);
        }
    }
}

}  // namespace
}  // namespace nido::vm::rttest
