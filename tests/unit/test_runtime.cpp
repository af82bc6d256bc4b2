// Interpreter tests on hand-assembled programs: arithmetic, calls of every
// kind, closures, exceptions and traces, stack overflow, the collector's
// roots, trace mode, link errors and main's arguments and status.
#include <doctest/doctest.h>

#include <gc/gc.h>

#include <algorithm>

#include "tests/unit/runtime_harness.hpp"

namespace nido::vm::rttest {
namespace {

constexpr int64_t kMin = INT64_MIN, kMax = INT64_MAX;

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// main prints each of the int expressions pushed by exprs, one per line.
std::string intLines(ProgramBuilder& b, const std::vector<Asm>& exprs) {
    Asm m;
    for (const Asm& e : exprs) printInt(m.then(e));
    m.op(Op::RETURN_VOID);
    b.setMain(m);
    RunResult r = b.run();
    CHECK(r.status == 0);
    CHECK(r.err == "");
    return r.out;
}

TEST_CASE("int arithmetic wraps and divides as the contract says") {
    ProgramBuilder b;
    uint32_t min = b.intConst(kMin), max = b.intConst(kMax);
    auto bin = [](Asm lhs, Asm rhs, Op op) { return lhs.then(rhs).op(op); };
    auto k = [](uint32_t c) { return Asm().op(Op::CONST, c); };
    auto i = [](int64_t v) { return Asm().op(Op::PUSH_INT, v); };
    std::string out = intLines(b, {
                                      bin(k(max), i(1), Op::IADD),    // wraps to MIN
                                      bin(k(min), i(1), Op::ISUB),    // wraps to MAX
                                      bin(k(max), k(max), Op::IMUL),  // 1
                                      bin(k(min), i(-1), Op::IDIV),   // MIN
                                      bin(k(min), i(-1), Op::IREM),   // 0
                                      bin(i(-7), i(2), Op::IDIV),     // -3
                                      bin(i(-7), i(2), Op::IREM),     // -1
                                      bin(i(7), i(-2), Op::IREM),     // 1
                                      bin(i(1), i(65), Op::ISHL),     // count mod 64: 2
                                      bin(i(-8), i(1), Op::ISHR),     // -4
                                      bin(i(-1), i(60), Op::IUSHR),   // 15
                                      bin(i(6), i(3), Op::IAND),      // 2
                                      bin(i(6), i(3), Op::IOR),       // 7
                                      bin(i(6), i(3), Op::IXOR),      // 5
                                      k(min).op(Op::INEG),            // MIN
                                      i(5).op(Op::INOT),              // -6
                                      i(-2147483648),                 // sign-extended
                                  });
    CHECK(out ==
          "-9223372036854775808\n9223372036854775807\n1\n-9223372036854775808\n0\n-3\n-1\n1\n2\n-4\n15\n2\n7\n5\n"
          "-9223372036854775808\n-6\n-2147483648\n");
}

TEST_CASE("float arithmetic follows IEEE-754") {
    ProgramBuilder b;
    auto f = [&](double v) { return b.pushFloat(v); };
    Asm m;
    printFloat(m.then(f(1.0)).then(f(0.0)).op(Op::FDIV));
    printFloat(m.then(f(7.5)).then(f(2.0)).op(Op::FREM));
    printFloat(m.then(f(0.0)).op(Op::FNEG));
    printFloat(m.op(Op::PUSH_INT, 3).op(Op::I2F).then(f(0.5)).op(Op::FMUL));
    printBool(m.then(f(0.0)).then(f(0.0)).op(Op::FDIV).op(Op::DUP).op(Op::FEQ));  // nan != nan
    printBool(m.then(f(-0.0)).then(f(0.0)).op(Op::FEQ));
    b.setMain(m.op(Op::RETURN_VOID));
    CHECK(b.run().out == "inf\n1.5\n-0.0\n1.5\nfalse\ntrue\n");
}

TEST_CASE("comparisons of ints, bools, strings and references") {
    ProgramBuilder b;
    uint32_t abc = b.stringConst("abc"), abd = b.stringConst("abd"), abc2 = b.stringConst("abc");
    Asm m;
    printBool(m.op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 2).op(Op::ILT));
    printBool(m.op(Op::PUSH_TRUE).op(Op::PUSH_TRUE).op(Op::IEQ));
    printBool(m.op(Op::CONST, abc).op(Op::CONST, abc2).op(Op::SEQ));  // by bytes
    printBool(m.op(Op::CONST, abc).op(Op::CONST, abd).op(Op::SLT));
    printBool(m.op(Op::CONST, abd).op(Op::CONST, abc).op(Op::SLE));
    printBool(m.op(Op::CONST, abc).op(Op::PUSH_NULL).op(Op::SEQ));
    printBool(m.op(Op::PUSH_NULL).op(Op::PUSH_NULL).op(Op::SEQ));
    printBool(m.op(Op::PUSH_NULL).op(Op::PUSH_NULL).op(Op::REQ));
    printRef(m.op(Op::PUSH_NULL).op(Op::CONST, abc).op(Op::CONCAT));
    b.setMain(m.op(Op::PUSH_NULL).op(Op::CONST, abc).op(Op::SLT).op(Op::POP).op(Op::RETURN_VOID));
    RunResult r = b.run();
    CHECK(r.out == "true\ntrue\ntrue\ntrue\nfalse\nfalse\ntrue\ntrue\nnullabc\n");
    CHECK(firstLine(r.err) == "NullError: comparison with null");
}

TEST_CASE("division by zero is caught by a handler") {
    ProgramBuilder b;
    uint32_t arith = b.cls("ArithmeticError");
    Asm m;
    // 99 is left on the operand stack when IREM throws: the handler clears it.
    m.label("try").op(Op::PUSH_INT, 99).op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 0).op(Op::IREM).op(Op::POP).op(Op::POP);
    m.label("end").jump(Op::JUMP, "after");
    m.label("catch").op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN);
    m.label("after").op(Op::CONST, b.stringConst("after")).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    b.setMain(m, {}, kTypeVoid, {{m.at("try"), m.at("end"), m.at("catch"), arith}});
    RunResult r = b.run();
    CHECK(r.out == "division by zero\nafter\n");
    CHECK(r.status == 0);
}

// inner (line 3) divides by zero, outer (line 7) calls it, main (line 10)
// calls outer.
ProgramBuilder traceProgram(bool catchInMain) {
    ProgramBuilder b;
    uint32_t inner =
        b.addFunction({"inner", {}, kTypeInt},
                      Asm().line(2).op(Op::PUSH_INT, 1).line(3).op(Op::PUSH_INT, 0).op(Op::IDIV).op(Op::RETURN));
    uint32_t outer =
        b.addFunction({"outer", {}, kTypeInt},
                      Asm().line(6).op(Op::PUSH_INT, 5).line(7).op(Op::CALL, inner).op(Op::IADD).op(Op::RETURN));
    Asm m;
    m.line(9).op(Op::CONST, b.stringConst("before")).call(BuiltinId::PRINTLN);
    m.line(10).label("try").op(Op::CALL, outer).op(Op::POP).label("end").op(Op::RETURN_VOID);
    m.label("catch").op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    std::vector<Handler> h;
    if (catchInMain) h.push_back({m.at("try"), m.at("end"), m.at("catch"), b.cls("ArithmeticError")});
    b.setMain(m, {}, kTypeVoid, h);
    return b;
}

TEST_CASE("an uncaught error prints its class, message and trace, status 1") {
    RunResult r = traceProgram(false).run();
    CHECK(r.status == 1);
    CHECK(r.out == "before\n");
    CHECK(r.err ==
          "ArithmeticError: division by zero\n"
          "  at inner (main.nd:3)\n"
          "  at outer (main.nd:7)\n"
          "  at main (main.nd:10)\n");
}

TEST_CASE("errors unwind across frames to a caller's handler") {
    RunResult r = traceProgram(true).run();
    CHECK(r.status == 0);
    CHECK(r.out == "before\ndivision by zero\n");
}

TEST_CASE("a rethrown error keeps the trace of its first throw") {
    ProgramBuilder b;
    uint32_t value = b.cls("ValueError");
    uint32_t thrower = b.addFunction({"thrower", {}, kTypeVoid}, Asm()
                                                                     .line(2)
                                                                     .op(Op::NEW, value)
                                                                     .op(Op::DUP)
                                                                     .op(Op::CONST, b.stringConst("bad input"))
                                                                     .op(Op::CALL, b.ctor("ValueError"))
                                                                     .op(Op::THROW));
    // A finally-style catch-all: store, run cleanup code, rethrow.
    Asm f;
    f.line(5).label("try").op(Op::CALL, thrower).label("end").op(Op::RETURN_VOID);
    f.label("catch").op(Op::STORE_LOCAL, 0).op(Op::CONST, b.stringConst("cleanup")).call(BuiltinId::PRINTLN);
    f.line(8).op(Op::LOAD_LOCAL, 0).op(Op::THROW);
    FnSpec spec{"withFinally", {}, kTypeVoid, {b.classType(b.errorClass)}};
    spec.handlers = {{f.at("try"), f.at("end"), f.at("catch"), kNone}};
    uint32_t withFinally = b.addFunction(spec, f);
    b.setMain(Asm().line(11).op(Op::CALL, withFinally).op(Op::RETURN_VOID));
    RunResult r = b.run();
    CHECK(r.status == 1);
    CHECK(r.out == "cleanup\n");
    CHECK(r.err ==
          "ValueError: bad input\n"
          "  at thrower (main.nd:2)\n"
          "  at withFinally (main.nd:5)\n"
          "  at main (main.nd:11)\n");
}

TEST_CASE("throw of null and handler selection by class") {
    ProgramBuilder b;
    uint32_t index = b.cls("IndexError"), nullError = b.cls("NullError");
    Asm m;
    m.label("try").op(Op::PUSH_NULL).op(Op::THROW).label("end");
    m.label("wrong").op(Op::CONST, b.stringConst("wrong handler")).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    m.label("right").op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    b.setMain(m, {}, kTypeVoid,
              {{m.at("try"), m.at("end"), m.at("wrong"), index}, {m.at("try"), m.at("end"), m.at("right"), nullError}});
    CHECK(b.run().out == "throw of null\n");
}

// Animal { name(), speak() }, Dog extends Animal { speak() override,
// toString() }, interface Named { name() } implemented by Animal.
struct Zoo {
    ProgramBuilder b;
    uint32_t named, animal, dog, tAnimal, tDog;
    Zoo() {
        named = b.addClass("Named", kNone, {}, ProgramBuilder::kMain, kClassInterface);
        animal = b.addClass("Animal", kNone, {fieldOf("legs", kTypeInt)});
        dog = b.addClass("Dog", animal, {fieldOf("tricks", kTypeInt)});
        tAnimal = b.classType(animal);
        tDog = b.classType(dog);
        uint32_t tNamed = b.classType(named);
        auto returning = [&](const char* text) { return Asm().op(Op::CONST, b.stringConst(text)).op(Op::RETURN); };
        b.p.classes[named].methods = {
            b.addFunction({"Named.name", {tNamed}, kTypeString, {}, kFnMethod | kFnAbstract, named}, Asm())};
        uint32_t name =
            b.addFunction({"Animal.name", {tAnimal}, kTypeString, {}, kFnMethod, animal}, returning("animal"));
        uint32_t speak =
            b.addFunction({"Animal.speak", {tAnimal}, kTypeString, {}, kFnMethod, animal}, returning("..."));
        uint32_t bark = b.addFunction({"Dog.speak", {tDog}, kTypeString, {}, kFnMethod, dog}, returning("woof"));
        uint32_t show = b.addFunction({"Dog.toString", {tDog}, kTypeString, {}, kFnMethod, dog},
                                      Asm()
                                          .op(Op::CONST, b.stringConst("Dog with legs="))
                                          .op(Op::LOAD_LOCAL, 0)
                                          .op(Op::GET_FIELD, dog, 0)  // inherited field: layout index 0
                                          .call(BuiltinId::STR_INT)
                                          .op(Op::CONCAT)
                                          .op(Op::RETURN));
        b.p.classes[animal].methods = {name, speak};
        b.p.classes[animal].interfaces = {named};
        b.p.classes[dog].methods = {name, bark, show};
        auto ctor = [&](uint32_t c, uint32_t t, const char* n, Asm body) {
            b.p.classes[c].constructor = b.addFunction({n, {t}, kTypeVoid, {}, kFnMethod | kFnConstructor, c}, body);
        };
        ctor(animal, tAnimal, "Animal.new",
             Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 4).op(Op::SET_FIELD, animal, 0).op(Op::RETURN_VOID));
        ctor(dog, tDog, "Dog.new",
             Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL, b.p.classes[animal].constructor).op(Op::RETURN_VOID));
    }
    Asm make(uint32_t c) { return Asm().op(Op::NEW, c).op(Op::DUP).op(Op::CALL, b.p.classes[c].constructor); }
};

TEST_CASE("virtual and interface calls dispatch on the receiver's class") {
    Zoo z;
    Asm m;
    m.then(z.make(z.dog)).op(Op::STORE_LOCAL, 0).then(z.make(z.animal)).op(Op::STORE_LOCAL, 1);
    m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, z.animal, 1).call(BuiltinId::PRINTLN);
    m.op(Op::LOAD_LOCAL, 1).op(Op::CALL_VIRTUAL, z.animal, 1).call(BuiltinId::PRINTLN);
    m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_INTERFACE, z.named, 0).call(BuiltinId::PRINTLN);
    printRef(m.op(Op::LOAD_LOCAL, 0));   // toString
    printRef(m.op(Op::LOAD_LOCAL, 1));   // Animal@1
    printRef(m.then(z.make(z.animal)));  // Animal@2
    printRef(m.op(Op::LOAD_LOCAL, 1));   // still Animal@1
    printBool(m.op(Op::LOAD_LOCAL, 0).op(Op::IS, z.named));
    printBool(m.op(Op::LOAD_LOCAL, 1).op(Op::IS, z.dog));
    printBool(m.op(Op::PUSH_NULL).op(Op::IS, z.animal));
    m.op(Op::LOAD_LOCAL, 0).op(Op::AS, z.animal).op(Op::POP);
    m.op(Op::PUSH_NULL).op(Op::AS, z.dog).op(Op::POP);  // null passes
    m.op(Op::LOAD_LOCAL, 1).op(Op::AS, z.dog).op(Op::POP).op(Op::RETURN_VOID);
    z.b.setMain(m, {z.tDog, z.tAnimal});
    RunResult r = z.b.run();
    CHECK(r.out == "woof\n...\nanimal\nDog with legs=4\nAnimal@1\nAnimal@2\nAnimal@1\ntrue\nfalse\nfalse\n");
    CHECK(firstLine(r.err) == "CastError: cannot cast Animal to Dog");
}

TEST_CASE("calls and field access on null throw NullError") {
    Zoo z;
    auto run = [&](Asm m) {
        Zoo fresh;
        fresh.b.setMain(m.op(Op::RETURN_VOID), {fresh.tDog});
        return firstLine(fresh.b.run().err);
    };
    CHECK(run(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, z.animal, 1).op(Op::POP)) ==
          "NullError: method \"speak\" called on null");
    CHECK(run(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_INTERFACE, z.named, 0).op(Op::POP)) ==
          "NullError: method \"name\" called on null");
    CHECK(run(Asm().op(Op::LOAD_LOCAL, 0).op(Op::GET_FIELD, z.dog, 1).op(Op::POP)) ==
          "NullError: field \"tricks\" of null");
    CHECK(run(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::SET_FIELD, z.dog, 0)) ==
          "NullError: field \"legs\" of null");
}

// The verifier accepts BOX_GET / BOX_SET on a Box-typed local read before
// its BOX_NEW (null) and a null capture given to MAKE_CLOSURE; the VM throws
// NullError instead of dereferencing null, and a handler can catch it.
TEST_CASE("BOX_GET and BOX_SET on a null box throw NullError") {
    auto run = [](auto build) {
        ProgramBuilder b;
        build(b);
        RunResult r = b.run();
        CHECK(r.status == 1);
        return r.out + firstLine(r.err);
    };
    // A Box-typed local read before BOX_NEW.
    CHECK(run([](ProgramBuilder& b) {
              b.setMain(Asm().op(Op::LOAD_LOCAL, 0).op(Op::BOX_GET).op(Op::POP).op(Op::RETURN_VOID),
                        {b.boxOf(kTypeInt)});
          }) == "NullError: null box");
    CHECK(run([](ProgramBuilder& b) {
              b.setMain(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::BOX_SET).op(Op::RETURN_VOID),
                        {b.boxOf(kTypeInt)});
          }) == "NullError: null box");
    // A null capture: the lambda's BOX_SET and BOX_GET find null.
    for (Op use : {Op::BOX_SET, Op::BOX_GET}) {
        CHECK(run([use](ProgramBuilder& b) {
                  uint32_t box = b.boxOf(kTypeString);
                  FnSpec lambda{"main.<lambda>", {}, kTypeVoid, {}, kFnLambda};
                  lambda.captures = {box};
                  Asm body;
                  body.op(Op::LOAD_CAPTURE, 0);
                  if (use == Op::BOX_SET) body.op(Op::PUSH_NULL);
                  body.op(use);
                  if (use == Op::BOX_GET) body.op(Op::POP);
                  uint32_t fn = b.addFunction(lambda, body.op(Op::RETURN_VOID));
                  b.setMain(Asm()
                                .op(Op::PUSH_NULL)
                                .op(Op::MAKE_CLOSURE, fn)
                                .op(Op::CALL_CLOSURE, b.funcOf({}, kTypeVoid))
                                .op(Op::RETURN_VOID));
              }) == "NullError: null box");
    }
    // Caught like any NullError.
    ProgramBuilder b;
    uint32_t nullError = b.cls("NullError");
    Asm m;
    m.op(Op::LOAD_LOCAL, 0).op(Op::BOX_GET).op(Op::POP).op(Op::RETURN_VOID);
    uint32_t handler = m.pc();
    m.op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    b.setMain(m, {b.boxOf(kTypeFloat)}, kTypeVoid, {{0, handler, handler, nullError}});
    RunResult r = b.run();
    CHECK(r.status == 0);
    CHECK(r.out == "null box\n");
}

// makeCounter() returns a closure over a boxed local: each call adds one.
TEST_CASE("closures share captured boxes") {
    ProgramBuilder b;
    uint32_t box = b.boxOf(kTypeInt), fn = b.funcOf({}, kTypeInt);
    FnSpec lambda{"makeCounter.<lambda>", {}, kTypeInt, {}, kFnLambda};
    lambda.captures = {box};
    uint32_t inc = b.addFunction(lambda, Asm()
                                             .op(Op::LOAD_CAPTURE, 0)
                                             .op(Op::LOAD_CAPTURE, 0)
                                             .op(Op::BOX_GET)
                                             .op(Op::PUSH_INT, 1)
                                             .op(Op::IADD)
                                             .op(Op::BOX_SET)
                                             .op(Op::LOAD_CAPTURE, 0)
                                             .op(Op::BOX_GET)
                                             .op(Op::RETURN));
    uint32_t make = b.addFunction({"makeCounter", {}, fn, {box}}, Asm()
                                                                      .op(Op::PUSH_INT, 0)
                                                                      .op(Op::BOX_NEW, box)
                                                                      .op(Op::STORE_LOCAL, 0)
                                                                      .op(Op::LOAD_LOCAL, 0)
                                                                      .op(Op::MAKE_CLOSURE, inc)
                                                                      .op(Op::RETURN));
    uint32_t twice = b.addFunction({"twice", {kTypeInt}, kTypeInt},
                                   Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 2).op(Op::IMUL).op(Op::RETURN));
    Asm m;
    m.op(Op::CALL, make).op(Op::STORE_LOCAL, 0).op(Op::CALL, make).op(Op::STORE_LOCAL, 1);
    for (int i = 0; i < 2; i++) m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_CLOSURE, fn).op(Op::POP);
    printInt(m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_CLOSURE, fn));
    printInt(m.op(Op::LOAD_LOCAL, 1).op(Op::CALL_CLOSURE, fn));
    uint32_t intToInt = b.funcOf({kTypeInt}, kTypeInt);
    printInt(m.op(Op::MAKE_CLOSURE, twice).op(Op::PUSH_INT, 21).op(Op::CALL_CLOSURE, intToInt));
    printRef(m.op(Op::LOAD_LOCAL, 0));
    m.op(Op::PUSH_NULL).op(Op::CALL_CLOSURE, fn).op(Op::POP).op(Op::RETURN_VOID);
    b.setMain(m, {fn, fn});
    RunResult r = b.run();
    CHECK(r.out == "3\n1\n42\n<fun makeCounter.<lambda>>\n");
    CHECK(firstLine(r.err) == "NullError: call of null function");
}

// f(n) = f(n + 1) forever, with main catching (or not) the overflow.
ProgramBuilder recursionProgram(bool catchIt) {
    ProgramBuilder b;
    uint32_t f = b.nextFunction();
    b.addFunction({"f", {kTypeInt}, kTypeInt},
                  Asm().line(4).op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::IADD).op(Op::CALL, f).op(Op::RETURN));
    Asm m;
    m.label("try").line(9).op(Op::PUSH_INT, 0).op(Op::CALL, f).op(Op::POP).label("end").op(Op::RETURN_VOID);
    m.label("catch").op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN);
    m.op(Op::CONST, b.stringConst("recovered")).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    std::vector<Handler> h;
    if (catchIt) h.push_back({m.at("try"), m.at("end"), m.at("catch"), b.cls("StackOverflowError")});
    b.setMain(m, {}, kTypeVoid, h);
    return b;
}

TEST_CASE("deep recursion throws a catchable StackOverflowError") {
    RunResult r = recursionProgram(true).run();
    CHECK(r.status == 0);
    CHECK(r.out == "stack depth exceeded (20000 frames)\nrecovered\n");

    RunOptions small;
    small.maxFrames = 10000;
    CHECK(recursionProgram(true).run({}, small).out == "stack depth exceeded (10000 frames)\nrecovered\n");
}

TEST_CASE("an uncaught stack overflow reports its frames, a run of equal ones folded") {
    RunResult r = recursionProgram(false).run();
    CHECK(r.status == 1);
    CHECK(r.err ==
          "StackOverflowError: stack depth exceeded (20000 frames)\n"
          "  at f (main.nd:4)\n"
          "  at f (main.nd:4)\n"
          "  at f (main.nd:4)\n"
          "  [previous line repeated 19996 more times]\n"
          "  at main (main.nd:9)\n");
}

TEST_CASE("recursion just under the limit runs") {
    // sum(n) = n == 0 ? 0 : n + sum(n - 1), 19,000 frames deep.
    ProgramBuilder b;
    uint32_t sum = b.nextFunction();
    Asm s;
    s.jump(Op::JUMP_IF_TRUE, "rec").op(Op::PUSH_INT, 0).op(Op::RETURN);
    s.label("rec").op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::ISUB).op(Op::CALL, sum);
    s.op(Op::IADD).op(Op::RETURN);
    b.addFunction({"sum", {kTypeInt}, kTypeInt}, Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 0).op(Op::INE).then(s));
    Asm m;
    printInt(m.op(Op::PUSH_INT, 18998).op(Op::CALL, sum));
    b.setMain(m.op(Op::RETURN_VOID));
    CHECK(b.run().out == "180471501\n");
}

// r(x) = [x].map(lambda)[0] with lambda(y) = r(y): every level re-enters
// the interpreter from a builtin, until the frame limit stops it.
TEST_CASE("re-entrant recursion through builtins also overflows cleanly") {
    ProgramBuilder b;
    uint32_t ints = b.arrayOf(kTypeInt), intToInt = b.funcOf({kTypeInt}, kTypeInt);
    uint32_t r = b.reserveFunction();
    uint32_t lambda = b.addFunction({"r.<lambda>", {kTypeInt}, kTypeInt, {}, kFnLambda},
                                    Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL, r).op(Op::RETURN));
    b.defineFunction(r, {"r", {kTypeInt}, kTypeInt},
                     Asm()
                         .op(Op::LOAD_LOCAL, 0)
                         .op(Op::NEW_ARRAY, ints, 1)
                         .op(Op::MAKE_CLOSURE, lambda)
                         .call(BuiltinId::ARRAY_MAP)
                         .op(Op::PUSH_INT, 0)
                         .op(Op::ARRAY_GET)
                         .op(Op::RETURN));
    (void)intToInt;
    Asm m;
    m.label("try").op(Op::PUSH_INT, 1).op(Op::CALL, r).op(Op::POP).label("end").op(Op::RETURN_VOID);
    m.label("catch").op(Op::GET_FIELD, b.errorClass, 0).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID);
    b.setMain(m, {}, kTypeVoid, {{m.at("try"), m.at("end"), m.at("catch"), b.cls("StackOverflowError")}});
    CHECK(b.run().out == "stack depth exceeded (20000 frames)\n");
}

TEST_CASE("an error thrown in a callback passes through the builtin") {
    ProgramBuilder b;
    uint32_t ints = b.arrayOf(kTypeInt);
    uint32_t cmp = b.addFunction({"main.<lambda>", {kTypeInt, kTypeInt}, kTypeInt, {}, kFnLambda},
                                 Asm()
                                     .line(3)
                                     .op(Op::NEW, b.cls("ValueError"))
                                     .op(Op::DUP)
                                     .op(Op::CONST, b.stringConst("no order"))
                                     .op(Op::CALL, b.ctor("ValueError"))
                                     .op(Op::THROW));
    Asm m;
    m.op(Op::PUSH_INT, 2).op(Op::PUSH_INT, 1).op(Op::NEW_ARRAY, ints, 2).op(Op::STORE_LOCAL, 0);
    m.line(7).op(Op::LOAD_LOCAL, 0).op(Op::MAKE_CLOSURE, cmp).call(BuiltinId::ARRAY_SORT_BY);
    b.setMain(m.op(Op::RETURN_VOID), {ints});
    RunResult r = b.run();
    CHECK(r.status == 1);
    CHECK(r.err == "ValueError: no order\n  at main.<lambda> (main.nd:3)\n  at main (main.nd:7)\n");
}

TEST_CASE("objects reachable only from VM frames survive collections") {
    // deep(n): a = [n, n]; below = n > 0 ? deep(n - 1) : churn(); return a[0] + below
    // where churn() allocates a few hundred thousand strings.
    ProgramBuilder b;
    uint32_t ints = b.arrayOf(kTypeInt);
    Asm c;
    c.op(Op::CONST, b.stringConst("")).op(Op::STORE_LOCAL, 1);
    c.label("loop").op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 300000).op(Op::ILT).jump(Op::JUMP_IF_FALSE, "done");
    c.op(Op::CONST, b.stringConst("garbage ")).op(Op::LOAD_LOCAL, 0).call(BuiltinId::STR_INT).op(Op::CONCAT);
    c.op(Op::STORE_LOCAL, 1).op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::IADD).op(Op::STORE_LOCAL, 0);
    c.jump(Op::JUMP, "loop").label("done").op(Op::PUSH_INT, 0).op(Op::RETURN);
    uint32_t churn = b.addFunction({"churn", {}, kTypeInt, {kTypeInt, kTypeString}}, c);
    uint32_t deep = b.nextFunction();
    Asm d;
    d.op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 0).op(Op::NEW_ARRAY, ints, 2).op(Op::STORE_LOCAL, 1);
    d.op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 0).op(Op::IGT).jump(Op::JUMP_IF_FALSE, "leaf");
    d.op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::ISUB).op(Op::CALL, deep).jump(Op::JUMP, "sum");
    d.label("leaf").op(Op::CALL, churn);
    d.label("sum").op(Op::LOAD_LOCAL, 1).op(Op::PUSH_INT, 1).op(Op::ARRAY_GET).op(Op::IADD).op(Op::RETURN);
    b.addFunction({"deep", {kTypeInt}, kTypeInt, {ints}}, d);
    Asm m;
    printInt(m.op(Op::PUSH_INT, 1000).op(Op::CALL, deep));
    b.setMain(m.op(Op::RETURN_VOID));
    auto before = GC_get_gc_no();
    CHECK(b.run().out == "500500\n");
    CHECK(GC_get_gc_no() > before);
}

TEST_CASE("module initialisers run before main; main gets args and returns the status") {
    ProgramBuilder b;
    uint32_t strings = b.arrayOf(kTypeString);
    uint32_t g = b.global(kTypeString);
    b.p.modules[ProgramBuilder::kMain].init = b.addFunction(
        {"<init>"}, Asm().op(Op::CONST, b.stringConst("initialised")).op(Op::STORE_GLOBAL, g).op(Op::RETURN_VOID));
    b.p.functions.back().flags = kFnInit;
    Asm m;
    m.op(Op::LOAD_GLOBAL, g).call(BuiltinId::PRINTLN);
    printRef(m.op(Op::LOAD_LOCAL, 0));
    m.op(Op::PUSH_INT, 258).op(Op::RETURN);
    b.setMain(m, {}, kTypeInt, {}, {strings});
    RunResult r = b.run({"a", "b c"});
    CHECK(r.out == "initialised\n[\"a\", \"b c\"]\n");
    CHECK(r.status == 258);
}

TEST_CASE("an initialiser's error is reported from <init>") {
    ProgramBuilder b;
    b.p.modules[ProgramBuilder::kMain].init = b.addFunction(
        {"<init>"}, Asm().line(1).op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 0).op(Op::IDIV).op(Op::POP).op(Op::RETURN_VOID));
    b.p.functions.back().flags = kFnInit;
    b.setMain(Asm().op(Op::RETURN_VOID));
    RunResult r = b.run();
    CHECK(r.status == 1);
    CHECK(r.err == "ArithmeticError: division by zero\n  at <init> (main.nd:1)\n");
}

TEST_CASE("trace mode prints each instruction with depths") {
    ProgramBuilder b;
    b.setMain(Asm().op(Op::PUSH_INT, 7).op(Op::POP).op(Op::RETURN_VOID));
    RunOptions opts;
    opts.trace = true;
    RunResult r = b.run({}, opts);
    CHECK(r.status == 0);
    CHECK(r.err.find("PUSH_INT") != std::string::npos);
    CHECK(r.err.find("RETURN_VOID") != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 3);
    CHECK(r.err.find("    1   1  main") != std::string::npos);  // depth 1, one value on the stack before POP
}

TEST_CASE("a program without the prelude fails to link with status 2") {
    Program p;
    p.types = fixedTypes();
    p.modules = {moduleOf("main")};
    HostCapture capture;
    CHECK(runProgram(p, {}, {}) == 2);
    CHECK(capture.err == "nido: link error: prelude class Error is missing\n");
}

}  // namespace
}  // namespace nido::vm::rttest
