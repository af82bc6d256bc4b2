// Code generator tests: the shape of the Program (fixed types, module order,
// trace names, class order, handlers, determinism) and the behaviour of
// compiled programs. Every program compiled here must pass the verifier,
// then runs in the interpreter with its output captured.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "compiler/compiler.hpp"
#include "tests/unit/compile_in_folder.hpp"
#include "vm/disasm.hpp"
#include "vm/host.hpp"
#include "vm/module_file.hpp"
#include "vm/runtime.hpp"
#include "vm/verifier.hpp"

using namespace nido;
using namespace nido::compiler;

namespace {

// Compiles source as main.nd (with sibling modules) and checks that the
// result verifies.
vm::Program build(const std::string& source, const std::map<std::string, std::string>& modules = {}) {
    Diagnostics diags;
    auto program = testing::compileInFolder("nido_test_codegen", source, modules, diags);
    INFO(diags.format());
    REQUIRE(program.has_value());
    std::string error;
    bool ok = vm::verifyProgram(*program, error);
    INFO("verifier: " << error);
    REQUIRE(ok);
    return std::move(*program);
}

struct Run {
    int status = 0;
    std::string out, err;
};

Run run(const std::string& source, const std::map<std::string, std::string>& modules = {}) {
    vm::Program p = build(source, modules);
    Run r;
    vm::HostCapture capture;
    r.status = vm::runProgram(p, {}, {});
    r.out = capture.out;
    r.err = capture.err;
    return r;
}

std::string output(const std::string& source) {
    Run r = run(source);
    INFO(r.err);
    CHECK(r.status == 0);
    return r.out;
}

const vm::FunctionDesc* function(const vm::Program& p, const std::string& name) {
    for (const vm::FunctionDesc& f : p.functions)
        if (f.name == name) return &f;
    return nullptr;
}

}  // namespace

TEST_CASE("codegen: program layout") {
    vm::Program p = build(
        "import util\nclass Sq extends Base { override fun area(): float { return 1.0 } }\n"
        "abstract class Base { abstract fun area(): float }\nlet k = 2\n"
        "fun main() { let f = () => k\n println(f() + util.one()) }\n",
        {{"util.nd", "fun one(): int { return 1 }\n"}});
    // The fixed types come first, in FixedType order.
    REQUIRE(p.types.size() >= vm::kFixedTypeCount);
    CHECK(p.types[vm::kTypeVoid].kind == vm::TypeKind::Void);
    CHECK(p.types[vm::kTypeInt].kind == vm::TypeKind::Int);
    CHECK(p.types[vm::kTypeFloat].kind == vm::TypeKind::Float);
    CHECK(p.types[vm::kTypeBool].kind == vm::TypeKind::Bool);
    CHECK(p.types[vm::kTypeString].kind == vm::TypeKind::String);
    CHECK(p.types[vm::kTypeNull].kind == vm::TypeKind::Null);
    // Prelude first, imports before importers, the entry module last.
    REQUIRE(p.modules.size() == 3);
    CHECK(p.modules[0].name == "prelude");
    CHECK(p.modules[1].name == "util");
    CHECK(p.modules[2].name == "main");
    CHECK(p.modules[2].file == "main.nd");
    CHECK(p.modules[2].imports == std::vector<uint32_t>{1});
    CHECK(p.modules[2].main != vm::kNone);
    // Trace names per the contract.
    for (const char* name : {"<init>", "main", "one", "Sq.area", "Sq.new", "Base.new", "Base.area", "main.<lambda>"})
        CHECK_MESSAGE(function(p, name), name);
    CHECK(function(p, "Base.area")->flags == (vm::kFnMethod | vm::kFnAbstract));
    // A superclass precedes its subclasses in the class table.
    uint32_t base = vm::kNone, sq = vm::kNone;
    for (uint32_t c = 0; c < p.classes.size(); c++) {
        if (p.classes[c].name == "Base") base = c;
        if (p.classes[c].name == "Sq") sq = c;
    }
    CHECK(base < sq);
    CHECK(p.classes[sq].super == base);
}

TEST_CASE("codegen: output is deterministic") {
    std::string src =
        "class A { var m: {string: [float]} = {}\n fun f(): fun(int): int { return (x: int) => x } }\n"
        "fun main() {\n    let a = A()\n    a.m[\"k\"] = [1, 2.5]\n    for k in a.m { println(a.f()(k.len())) }\n"
        "    try { println(1) } catch e: KeyError { } finally { println(2) }\n}\n";
    CHECK(vm::writeProgram(build(src)) == vm::writeProgram(build(src)));
}

TEST_CASE("codegen: lines and handlers") {
    vm::Program p = build(
        "fun main() {\n    try {\n        println(1)\n    } catch e: Error {\n        println(2)\n"
        "    } finally {\n        println(3)\n    }\n}\n");
    const vm::FunctionDesc* main = function(p, "main");
    REQUIRE(main);
    for (size_t i = 1; i < main->lines.size(); i++) CHECK(main->lines[i - 1].pc < main->lines[i].pc);
    // The catch covers the body; the catch-all covers body and catch, listed after it.
    REQUIRE(main->handlers.size() == 3);
    CHECK(main->handlers[0].catchClass != vm::kNone);
    CHECK(main->handlers[1].catchClass == vm::kNone);
    CHECK(main->handlers[2].catchClass == vm::kNone);
    CHECK(main->handlers[0].start == main->handlers[1].start);
    CHECK(main->handlers[0].end == main->handlers[1].end);
}

TEST_CASE("codegen: arithmetic, widening, strings") {
    CHECK(output("fun half(x: float): float { return x / 2 }\n"
                 "fun main() {\n    var f: float = 1\n    f += 2\n    println(f)\n    println(half(3))\n"
                 "    println(7 / 2)\n    println(-7 % 3)\n    println(7.5 % 2)\n    println(1 < 1.5)\n"
                 "    println(\"a\" + 1 + 2.5 + true + null)\n    println(\"x=${1 + 1} ${[1, 2]}\")\n"
                 "    println(9223372036854775807 + 1)\n    println(-9223372036854775807 - 1)\n    println(1 << 64)\n"
                 "    println(-8 >> 1)\n    println(-8 >>> 60)\n    println(\"ab\"[1])\n    println(\"b\" > \"abc\")\n"
                 "    let s: string = null\n    println(s == null)\n}\n") ==
          "3.0\n1.5\n3\n-1\n1.5\ntrue\na12.5truenull\nx=2 [1, 2]\n-9223372036854775808\n"
          "-9223372036854775808\n1\n-4\n15\n98\ntrue\ntrue\n");
}

// array(n, v) is an intrinsic: NEW_ARRAY_FILL with the call's result type,
// the value widened when the context asks for [float].
TEST_CASE("codegen: array() compiles to NEW_ARRAY_FILL") {
    const char* source =
        "class P {}\nfun main() {\n    let xs: [float] = array(3, 0)\n    println(xs)\n"
        "    println(array(2, [true]))\n    let ps = array(2, P())\n    println(ps[0] == ps[1])\n"
        "    let ss: [string] = array(1, null)\n    println(ss)\n}\n";
    vm::Program p = build(source);
    std::string listing = vm::disassemble(p);
    CHECK(listing.find("I2F") != std::string::npos);
    CHECK(listing.find("NEW_ARRAY_FILL  [float]") != std::string::npos);
    CHECK(listing.find("NEW_ARRAY_FILL  [[bool]]") != std::string::npos);
    CHECK(listing.find("NEW_ARRAY_FILL  [P]") != std::string::npos);
    CHECK(listing.find("NEW_ARRAY_FILL  [string]") != std::string::npos);
    CHECK(listing.find("CALL_BUILTIN  ARRAY") == std::string::npos);
    CHECK(output(source) == "[0.0, 0.0, 0.0]\n[[true], [true]]\ntrue\n[null]\n");
}

TEST_CASE("codegen: defaults and initialisation order") {
    CHECK(output("var s: string\nvar n: int\nlet a = note(\"a\", 1)\nlet b = note(\"b\", a + 1)\n"
                 "fun note(what: string, v: int): int { println(what); return v }\n"
                 "class P {\n    var name: string\n    var x = note(\"x\", 1)\n    var y: float = x\n"
                 "    new() { println(\"body ${y}\") }\n}\n"
                 "class Q extends P { var z = note(\"z\", 3)\n new() { super(); println(\"q\") } }\n"
                 "fun main() { println(s.len() + n + b)\n let q = Q()\n println(q.name.len()) }\n") ==
          "a\nb\n2\nx\nbody 1.0\nz\nq\n0\n");
}

TEST_CASE("codegen: classes, interfaces, super") {
    CHECK(output("interface Shape { fun area(): float }\n"
                 "abstract class Base implements Shape {\n    fun describe(): string { return \"area ${area()}\" }\n"
                 "    fun toString(): string { return \"Base\" }\n}\n"
                 "class Sq extends Base {\n    var side: float\n    new(side: float) { this.side = side }\n"
                 "    fun area(): float { return side * side }\n"
                 "    override fun toString(): string { return \"Sq:\" + super.toString() }\n}\n"
                 "fun main() {\n    let b: Base = Sq(2)\n    println(b.describe())\n    let s: Shape = b\n"
                 "    println(s.area())\n    println(b)\n    println(s is Sq)\n    println((s as Sq).side)\n}\n") ==
          "area 4.0\n4.0\nSq:Base\ntrue\n2.0\n");
}

TEST_CASE("codegen: closures capture by reference") {
    CHECK(output("class C {\n    var n = 0\n    fun counter(): fun(): int { return fun(): int { n += 1; return n } }\n"
                 "    fun nested(): fun(): fun(): int { return () => () => n * 10 }\n}\n"
                 "fun adder(start: int): fun(int): int {\n    return fun(d: int): int { start += d; return start }\n}\n"
                 "fun main() {\n    var x = 1\n    let get = () => x\n    x = 5\n    println(get())\n"
                 "    let inc = fun() { x += 1 }\n    inc()\n    println(x)\n"
                 "    var fs: [fun(): int] = []\n    for i in 0..3 { fs.push(() => i) }\n"
                 "    for v in [7, 8] { fs.push(() => v) }\n    var j = 0\n"
                 "    while j < 2 { let k = j * 100\n fs.push(() => k)\n j += 1 }\n"
                 "    for f in fs { print(f()); print(\" \") }\n    println(\"\")\n"
                 "    let c = C()\n    let cnt = c.counter()\n    cnt()\n    cnt()\n    println(c.n)\n"
                 "    println(c.nested()()())\n    let a = adder(10)\n    a(1)\n    println(a(2))\n"
                 "    let named = adder\n    println(named(1)(1))\n}\n") == "5\n6\n0 1 2 7 8 0 100 \n2\n20\n13\n2\n");
}

TEST_CASE("codegen: loops") {
    CHECK(
        output("fun main() {\n    for i in 9223372036854775806..=9223372036854775807 { println(i) }\n"
               "    for i in 3..1 { println(\"never\") }\n    var xs = [1, 2, 3]\n"
               "    for x in xs { if x == 1 { xs.push(4) }\n print(x) }\n    println(\"\")\n"
               "    let m = {\"b\": 1, \"a\": 2}\n    for k in m { m.remove(\"a\")\n print(k) }\n    println(\"\")\n"
               "    for b in \"AZ\" { print(b) }\n    println(\"\")\n"
               "    var n = 0\n    while true { n += 1\n if n % 2 == 0 { continue }\n if n > 5 { break }\n print(n) }\n"
               "    println(\"\")\n    for i in 0..3 { var i2 = i\n i2 += 10\n print(i2) }\n    println(\"\")\n}\n") ==
        "9223372036854775806\n9223372036854775807\n1234\nba\n6590\n135\n101112\n");
}

TEST_CASE("codegen: compound assignment evaluates its target once") {
    CHECK(output("class Box { var v = 1 }\nvar calls = 0\n"
                 "fun idx(): int { calls += 1; return 0 }\nfun box(b: Box): Box { calls += 10; return b }\n"
                 "fun main() {\n    var a = [5]\n    a[idx()] += 2\n    let b = Box()\n    box(b).v *= 3\n"
                 "    let m = {\"k\": 1.5}\n    m[\"k\"] -= 1\n    var fl = [1.0]\n    fl[0] += 1\n"
                 "    var s = \"a\"\n    s += 1\n    println(\"${a} ${b.v} ${m} ${fl} ${s} ${calls}\")\n}\n") ==
          "[7] 3 {\"k\": 0.5} [2.0] a1 11\n");
}

TEST_CASE("codegen: finally runs on every exit") {
    CHECK(
        output("fun f(n: int): int {\n    try {\n        if n > 0 { return n * 2 }\n        throw ValueError(\"neg\")\n"
               "    } catch e: ValueError {\n        return -1\n    } finally {\n        println(\"finally ${n}\")\n   "
               " }\n}\n"
               "fun g(): int {\n    var x = 1\n    try { return x } finally { x = 2 }\n}\n"
               "fun main() {\n    println(f(3))\n    println(f(-1))\n    println(g())\n"
               "    for i in 0..4 {\n        try {\n            try {\n                if i == 1 { continue }\n"
               "                if i == 3 { break }\n                print(i)\n"
               "            } finally { print(\"a\") }\n        } finally { print(\"b\") }\n    }\n    println(\"\")\n"
               "    try {\n        try { throw KeyError(\"k\") } finally { print(\"inner \") }\n"
               "    } catch e: KeyError { println(\"caught ${e.message}\") }\n"
               "    try {\n        try { throw KeyError(\"k\") } catch e: KeyError { throw ValueError(\"v\") }"
               " finally { print(\"fin \") }\n    } catch e: ValueError { println(e.message) }\n}\n") ==
        "finally 3\n6\nfinally -1\n-1\n1\n0abab2abab\ninner caught k\nfin v\n");
}

TEST_CASE("codegen: a finally copy is not protected by its own try") {
    // If the copy emitted for `break` were inside the try's range, the
    // throw in the finally would run the finally a second time.
    CHECK(output("fun main() {\n    try {\n        for i in 0..1 {\n"
                 "            try { break } finally { println(\"f\"); throw Error(\"x\") }\n        }\n"
                 "    } catch e: Error { println(\"caught\") }\n}\n") == "f\ncaught\n");
}

TEST_CASE("codegen: uncaught errors and exit status") {
    Run r =
        run("fun parse(s: string): int { return s.toInt() }\nfun main() {\n    let f = () => parse(\"abc\")\n"
            "    f()\n}\n");
    CHECK(r.status == 1);
    CHECK(r.err ==
          "ValueError: invalid int \"abc\"\n  at parse (main.nd:1)\n  at main.<lambda> (main.nd:3)\n"
          "  at main (main.nd:4)\n");
    CHECK(run("fun main(): int { return 7 }\n").status == 7);
    Run init = run("let x = [1][3]\nfun main() {}\n");
    CHECK(init.status == 1);
    CHECK(init.err == "IndexError: index 3 out of range for length 1\n  at <init> (main.nd:1)\n");
}

TEST_CASE("codegen: modules") {
    std::map<std::string, std::string> mods = {
        {"counter.nd",
         "var count = 0\nclass Tally { var n = 0\n fun add() { n += 1; count += 1 } }\n"
         "fun bump(): int { count += 1; return count }\n"},
    };
    Run r =
        run("import counter\nfun main() {\n    let t = counter.Tally()\n    t.add()\n    counter.bump()\n"
            "    counter.count += 10\n    let f = counter.bump\n    println(\"${f()} ${t.n}\")\n}\n",
            mods);
    CHECK(r.out == "13 1\n");
}
