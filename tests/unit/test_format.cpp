// str() formats: floats as Python's repr, and containers, strings,
// objects and closures through running programs.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "tests/unit/runtime_harness.hpp"
#include "vm/format.hpp"

namespace nido::vm::rttest {
namespace {

TEST_CASE("floats print like Python's repr") {
    const std::pair<double, const char*> cases[] = {
        {1.0, "1.0"},
        {0.1, "0.1"},
        {-2.5, "-2.5"},
        {100.0, "100.0"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e15, "1000000000000000.0"},
        {9999999999999998.0, "9999999999999998.0"},
        {1e16, "1e+16"},
        {1.5e16, "1.5e+16"},
        {9007199254740992.0, "9007199254740992.0"},  // 2**53
        {9007199254740994.0, "9007199254740994.0"},  // 2**53 + 2
        {123456789012345678.0, "1.2345678901234568e+17"},
        {1e22, "1e+22"},
        {1e100, "1e+100"},
        {0.0001, "0.0001"},
        {0.00012345, "0.00012345"},
        {1e-5, "1e-05"},
        {1.5e-7, "1.5e-07"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {std::numeric_limits<double>::infinity(), "inf"},
        {-std::numeric_limits<double>::infinity(), "-inf"},
        {std::nan(""), "nan"},
        {123.456, "123.456"},
    };
    for (auto [value, text] : cases) {
        CAPTURE(text);
        CHECK(formatFloat(value) == text);
    }
}

TEST_CASE("str of containers quotes strings and nests") {
    ProgramBuilder b;
    uint32_t ints = b.arrayOf(kTypeInt), floats = b.arrayOf(kTypeFloat), bools = b.arrayOf(kTypeBool);
    uint32_t strings = b.arrayOf(kTypeString), nested = b.arrayOf(ints);
    uint32_t byName = b.mapOf(kTypeString, kTypeInt), byNumber = b.mapOf(kTypeInt, strings);
    uint32_t byFlag = b.mapOf(kTypeBool, kTypeFloat);
    auto s = [&](const char* text) { return b.pushString(text); };
    auto f = [&](double v) { return b.pushFloat(v); };
    Asm m;
    printRef(m.op(Op::PUSH_INT, 1).op(Op::PUSH_INT, -2).op(Op::PUSH_INT, 3).op(Op::NEW_ARRAY, ints, 3));
    printRef(m.op(Op::NEW_ARRAY, ints, 0));
    printRef(m.then(f(1.5)).then(f(-0.0)).then(f(1e16)).op(Op::NEW_ARRAY, floats, 3));
    printRef(m.op(Op::PUSH_TRUE).op(Op::PUSH_FALSE).op(Op::NEW_ARRAY, bools, 2));
    printRef(m.then(s("a")).then(s("say \"hi\" \\o/")).op(Op::PUSH_NULL).then(s("")).op(Op::NEW_ARRAY, strings, 4));
    printRef(m.op(Op::PUSH_INT, 1).op(Op::NEW_ARRAY, ints, 1).op(Op::NEW_ARRAY, ints, 0).op(Op::NEW_ARRAY, nested, 2));
    printRef(m.then(s("a")).op(Op::PUSH_INT, 1).then(s("b")).op(Op::PUSH_INT, 2).op(Op::NEW_MAP, byName, 2));
    printRef(m.op(Op::NEW_MAP, byName, 0));
    printRef(m.op(Op::PUSH_INT, 7).then(s("x")).op(Op::NEW_ARRAY, strings, 1).op(Op::NEW_MAP, byNumber, 1));
    printRef(m.op(Op::PUSH_TRUE).then(f(0.5)).op(Op::NEW_MAP, byFlag, 1));
    printRef(m.op(Op::PUSH_NULL));
    printRef(m.then(s("top-level strings are not quoted")));
    printBool(m.op(Op::PUSH_TRUE));
    printInt(m.op(Op::PUSH_INT, -42));
    b.setMain(m.op(Op::RETURN_VOID));
    RunResult r = b.run();
    CHECK(r.err == "");
    CHECK(r.out ==
          "[1, -2, 3]\n"
          "[]\n"
          "[1.5, -0.0, 1e+16]\n"
          "[true, false]\n"
          "[\"a\", \"say \\\"hi\\\" \\\\o/\", null, \"\"]\n"
          "[[1], []]\n"
          "{\"a\": 1, \"b\": 2}\n"
          "{}\n"
          "{7: [\"x\"]}\n"
          "{true: 0.5}\n"
          "null\n"
          "top-level strings are not quoted\n"
          "true\n"
          "-42\n");
}

TEST_CASE("objects in containers print through toString, or ClassName@N") {
    ProgramBuilder b;
    uint32_t point = b.addClass("Point", kNone, {fieldOf("x", kTypeInt)});
    uint32_t plain = b.addClass("Plain", kNone, {});
    uint32_t tPoint = b.classType(point), tPlain = b.classType(plain);
    uint32_t toString = b.addFunction({"Point.toString", {tPoint}, kTypeString, {}, kFnMethod, point},
                                      Asm()
                                          .op(Op::CONST, b.stringConst("P"))
                                          .op(Op::LOAD_LOCAL, 0)
                                          .op(Op::GET_FIELD, point, 0)
                                          .call(BuiltinId::STR_INT)
                                          .op(Op::CONCAT)
                                          .op(Op::RETURN));
    b.p.classes[point].methods = {toString};
    auto ctor = [&](uint32_t c, uint32_t t, const char* name) {
        b.p.classes[c].constructor =
            b.addFunction({name, {t}, kTypeVoid, {}, kFnMethod | kFnConstructor, c}, Asm().op(Op::RETURN_VOID));
    };
    ctor(point, tPoint, "Point.new");
    ctor(plain, tPlain, "Plain.new");
    auto make = [&](uint32_t c, int64_t x) {
        Asm a;
        a.op(Op::NEW, c).op(Op::DUP).op(Op::CALL, b.p.classes[c].constructor);
        if (c == point) a.op(Op::DUP).op(Op::PUSH_INT, x).op(Op::SET_FIELD, point, 0);
        return a;
    };
    uint32_t points = b.arrayOf(tPoint), plains = b.mapOf(tPlain, kTypeInt);
    Asm m;
    printRef(m.then(make(point, 1)).then(make(point, 2)).op(Op::PUSH_NULL).op(Op::NEW_ARRAY, points, 3));
    printRef(
        m.then(make(plain, 0)).op(Op::PUSH_INT, 1).then(make(plain, 0)).op(Op::PUSH_INT, 2).op(Op::NEW_MAP, plains, 2));
    b.setMain(m.op(Op::RETURN_VOID));
    CHECK(b.run().out == "[P1, P2, null]\n{Plain@1: 1, Plain@2: 2}\n");
}

}  // namespace
}  // namespace nido::vm::rttest
