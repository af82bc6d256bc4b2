// Standard modules (LANGUAGE.md §8): how the checker resolves `module.f`
// after `import module` — the module's Nido declarations first, then the
// builtins.def entry with receiver MODULE named "module.f", only when the
// module is the embedded standard one (a sibling file of the same name
// shadows it, natives included) — and that such calls compile to
// CALL_BUILTIN without a receiver. Also: every embedded module compiles,
// and rand.Random is bit-exact SplitMix64.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "compiler/compiler.hpp"
#include "stdlib/embedded.hpp"
#include "tests/unit/compile_in_folder.hpp"
#include "vm/disasm.hpp"
#include "vm/host.hpp"
#include "vm/runtime.hpp"
#include "vm/verifier.hpp"

using namespace nido;
using namespace nido::compiler;

namespace {

// Compiles source as main.nd beside the given sibling modules.
std::optional<vm::Program> compile(const std::string& source, const std::map<std::string, std::string>& modules,
                                   std::string& errors) {
    Diagnostics diags;
    auto program = testing::compileInFolder("nido_test_stdlib_modules", source, modules, diags);
    CHECK(program.has_value() == !diags.hasErrors());
    for (const Diagnostic& d : diags.errors())
        errors += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + ": " + d.message + "\n";
    return program;
}

// All errors, "L:C: message" per line ("" if it compiles).
std::string errors(const std::string& source, const std::map<std::string, std::string>& modules = {}) {
    std::string e;
    compile(source, modules, e);
    return e;
}

bool compiles(const std::string& source) {
    std::string e = errors(source);
    INFO(e);
    return e.empty();
}

// A program that compiles and verifies.
vm::Program build(const std::string& source) {
    std::string e;
    auto p = compile(source, {}, e);
    INFO(e);
    REQUIRE(p.has_value());
    std::string error;
    bool ok = vm::verifyProgram(*p, error);
    INFO("verifier: " << error);
    REQUIRE(ok);
    return std::move(*p);
}

std::string output(const std::string& source) {
    vm::Program p = build(source);
    vm::HostCapture capture;
    int status = vm::runProgram(p, {}, {});
    INFO(capture.err);
    CHECK(status == 0);
    return capture.out;
}

}  // namespace

TEST_CASE("stdlib modules: every standard module compiles and documents itself") {
    for (const char* name : {"io", "fs", "math", "sys", "rand"}) {
        INFO(name);
        const char* text = stdlib::embeddedModuleSource(name);
        REQUIRE(text != nullptr);
        CHECK(std::string(text).starts_with(std::string("// The ") + name + " module"));
        CHECK(compiles(std::string("import ") + name + "\nfun main() {}\n"));
    }
    CHECK(compiles("import io\nimport fs\nimport math\nimport sys\nimport rand\nfun main() {}\n"));
}

TEST_CASE("stdlib modules: natives resolve after import, with builtin overload rules") {
    CHECK(
        compiles("import math\nfun main() {\n    let r: float = math.sqrt(2)\n    let b: bool = math.isNaN(r)\n"
                 "    println(math.atan2(1, 2.5) + math.pow(2, 3) + math.round(r) + math.PI + math.E)\n}\n"));
    CHECK(
        compiles("import io\nfun main() {\n    let s: string = io.readLine()\n    io.eprint(1)\n"
                 "    io.eprintln([s])\n    io.eprintln(null)\n    println(io.readAll())\n}\n"));
    CHECK(
        compiles("import fs\nfun main() {\n    let xs: [string] = fs.listDir(\".\")\n"
                 "    fs.writeFile(\"a\", fs.readFile(\"b\"))\n    fs.appendFile(\"a\", null)\n"
                 "    println(fs.exists(\"a\") && fs.isDir(\"a\"))\n    fs.remove(\"a\")\n    fs.mkdirs(\"d\")\n}\n"));
    CHECK(
        compiles("import sys\nfun main(): int {\n    let a: [string] = sys.args()\n    let e: string = sys.env(\"X\")\n"
                 "    sys.exit(1)\n    return sys.clockNs() + sys.timeMs()\n}\n"));
    // Argument types and counts are checked as for other builtins.
    CHECK(errors("import math\nfun main() { println(math.sqrt(\"4\")) }\n") ==
          "2:32: argument 1 of 'math.sqrt' must be float, not string\n");
    CHECK(errors("import math\nfun main() { println(math.atan2(1.0)) }\n") ==
          "2:32: 'math.atan2' does not take 1 argument\n");
    CHECK(errors("import sys\nfun main() { sys.exit(1.5) }\n") ==
          "2:23: argument 1 of 'sys.exit' must be int, not float\n");
    CHECK(errors("import math\nfun main() { let b: int = math.floor(1.5) }\n") ==
          "2:37: cannot assign float to variable 'b' of type int\n");
    // A void native has no value.
    CHECK(errors("import io\nfun main() { let x = io.eprint(1) }\n") == "2:31: this expression has no value\n");
}

TEST_CASE("stdlib modules: unknown members, missing imports, natives as values") {
    CHECK(errors("import math\nfun main() { println(math.sqr(2.0)) }\n") ==
          "2:27: module 'math' has no member 'sqr'\n");
    CHECK(errors("import math\nfun main() { println(math.TAU) }\n") == "2:27: module 'math' has no member 'TAU'\n");
    // A native of another module is not reachable through this one.
    CHECK(errors("import math\nfun main() { math.readLine() }\n") == "2:19: module 'math' has no member 'readLine'\n");
    CHECK(errors("import maths\nfun main() {}\n") == "1:8: unknown module 'maths'\n");
    CHECK(errors("fun main() { println(math.sqrt(2.0)) }\n") == "1:22: unknown name 'math'\n");
    CHECK(errors("fun main() { println(sqrt(2.0)) }\n") == "1:22: unknown name 'sqrt'\n");
    CHECK(errors("import math\nfun main() { let f = math.sqrt }\n") ==
          "2:27: built-in function 'math.sqrt' must be called; it is not a value\n");
    CHECK(errors("import io\nfun main() { println(io.readLine) }\n") ==
          "2:25: built-in function 'io.readLine' must be called; it is not a value\n");
    CHECK(errors("import math\nfun main() { math.sqrt = 1 }\n") ==
          "2:19: built-in function 'math.sqrt' must be called; it is not a value\n");
    CHECK(errors("import math\nfun main() { math.PI = 3.0 }\n") ==
          "2:19: cannot assign to 'PI': it is declared with 'let'\n");
    CHECK(errors("import math\nfun main() { println(math(2)) }\n") == "2:22: module 'math' cannot be called\n");
    // Wrapped in a lambda, a native is a value like any other.
    CHECK(compiles("import math\nfun main() { let f = (x: float) => math.sqrt(x)\n println(f(4)) }\n"));
}

TEST_CASE("stdlib modules: a sibling file shadows the standard module, natives included") {
    std::map<std::string, std::string> mine = {{"io.nd", "fun readLine(): string { return \"mine\" }\n"}};
    CHECK(errors("import io\nfun main() { println(io.readLine()) }\n", mine) == "");
    CHECK(errors("import io\nfun main() { io.eprintln(1) }\n", mine) == "2:17: module 'io' has no member 'eprintln'\n");
    // A user module whose name is not a standard one never has natives.
    CHECK(errors("import util\nfun main() { util.sqrt(2.0) }\n", {{"util.nd", "let x = 1\n"}}) ==
          "2:19: module 'util' has no member 'sqrt'\n");
    // A sibling math.nd replaces math.PI too.
    CHECK(errors("import math\nfun main() { println(math.PI + math.sqrt(2.0)) }\n", {{"math.nd", "let PI = 3.0\n"}}) ==
          "2:37: module 'math' has no member 'sqrt'\n");
    // The standard module reached from a sibling module is the same standard one.
    CHECK(errors("import helper\nfun main() { println(helper.root(2.0)) }\n",
                 {{"helper.nd", "import math\nfun root(x: float): float { return math.sqrt(x) }\n"}}) == "");
}

TEST_CASE("stdlib modules: other meanings of the module's name shadow it") {
    CHECK(errors("import math\nfun main() {\n    let math = [1.0]\n    println(math.sqrt(2.0))\n}\n") ==
          "4:18: [float] has no method 'sqrt'\n");
    CHECK(errors("import math\nfun f(math: string): int { return math.len() }\nfun main() {}\n") == "");
}

TEST_CASE("stdlib modules: natives compile to CALL_BUILTIN without a receiver") {
    vm::Program p = build(
        "import math\nimport io\nfun main() {\n    println(math.sqrt(2))\n"
        "    if false { io.eprintln(math.floor(-2.5)) }\n}\n");
    std::string listing = vm::disassemble(p);
    CHECK(listing.find("I2F") != std::string::npos);
    CHECK(listing.find("CALL_BUILTIN  MATH_SQRT (math.sqrt: f -> f)") != std::string::npos);
    CHECK(listing.find("CALL_BUILTIN  MATH_FLOOR") != std::string::npos);
    CHECK(listing.find("CALL_BUILTIN  IO_EPRINTLN") != std::string::npos);
    vm::HostCapture capture;
    CHECK(vm::runProgram(p, {}, {}) == 0);
    CHECK(capture.out == "1.4142135623730951\n");
    CHECK(output("import math\nfun main() { println(math.PI)\n println(math.E)\n println(math.pow(2, 10)) }\n") ==
          "3.141592653589793\n2.718281828459045\n1024.0\n");
}

// Expected values computed independently (Python, arbitrary precision masked
// to 64 bits), never by running nido.
TEST_CASE("stdlib modules: rand.Random is bit-exact SplitMix64") {
    CHECK(output("import rand\nfun main() {\n    let r = rand.Random(0)\n    println(r.next())\n    println(r.next())\n"
                 "    let s = rand.Random(-7)\n    println(s.next())\n    println(s.nextFloat())\n"
                 "    println(s.range(1000))\n}\n") ==
          "-2152535657050944081\n7960286522194355700\n7790691224305936752\n0.4786370309856862\n592\n");
    CHECK(output("import rand\nfun main() {\n    let r = rand.Random(42)\n    println(r.nextFloat())\n"
                 "    println(r.range(100))\n    println(r.next())\n}\n") ==
          "0.7415648787718233\n45\n5139283748462763858\n");
    CHECK(output("import rand\nfun main() {\n    let r = rand.Random(3)\n    try { r.range(0) } catch e: ValueError "
                 "{ println(e.message) }\n}\n") == "range bound must be positive, got 0\n");
}
