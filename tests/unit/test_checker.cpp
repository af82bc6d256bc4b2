// Type checker tests: one small program per rule of LANGUAGE.md §1-7 that
// the checker enforces, with the exact message and position it reports,
// and programs that must be accepted. Sources compile as main.nd in a
// scratch folder; errors read "LINE:COL: message", one per line.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "compiler/compiler.hpp"

using namespace nido::compiler;
namespace fs = std::filesystem;

namespace {

// A scratch folder holding main.nd's sibling modules.
fs::path scratch(const std::map<std::string, std::string>& files) {
    fs::path dir = fs::temp_directory_path() / "nido_test_checker";
    fs::remove_all(dir);
    fs::create_directories(dir);
    for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
    return dir;
}

// All errors of compiling source, "L:C: message" per line ("" if it compiles).
std::string errors(const std::string& source, const std::map<std::string, std::string>& modules = {}) {
    std::map<std::string, std::string> files = modules;
    files["main.nd"] = source;
    fs::path dir = scratch(files);
    Diagnostics diags;
    auto program = compileSource((dir / "main.nd").string(), source, diags);
    CHECK(program.has_value() == !diags.hasErrors());
    std::string out;
    for (const Diagnostic& d : diags.errors())
        out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + ": " + d.message + "\n";
    return out;
}

// The first error only (most tests provoke exactly one).
std::string error(const std::string& source) {
    std::string all = errors(source);
    return all.substr(0, all.find('\n'));
}

bool compiles(const std::string& source) {
    std::string e = errors(source);
    INFO(e);
    return e.empty();
}

}  // namespace

TEST_CASE("checker: scopes") {
    CHECK(error("fun main() {\n    let x = 1\n    var x = 2\n}\n") == "3:9: 'x' is already declared in this block");
    CHECK(compiles("fun main() {\n    let x = 1\n    if true { let x = \"s\"; println(x) }\n    println(x)\n}\n"));
    CHECK(error("fun main() {\n    if true { let y = 1 }\n    println(y)\n}\n") == "3:13: unknown name 'y'");
    CHECK(error("fun f(a: int) {\n    let a = 2\n}\nfun main() {}\n") == "2:9: 'a' is already declared in this block");
    // Module-level names are visible whatever their order.
    CHECK(
        compiles("fun main() { println(later(C().v)) }\nfun later(x: int): int { return x }\nclass C { var v = 1 }\n"));
    CHECK(error("fun main() {}\nfun f() {}\nclass f {}\n") == "3:7: 'f' is already declared in this module");
}

TEST_CASE("checker: let is immutable") {
    CHECK(error("fun main() {\n    let y = 2\n    y = 3\n}\n") ==
          "3:5: cannot assign to 'y': it is declared with 'let'");
    CHECK(error("let g = 1\nfun main() { g += 1 }\n") == "2:14: cannot assign to 'g': it is declared with 'let'");
    std::string cls = "class A {\n    let k: int = 1\n    new() { k = 2 }\n    fun set() { k = 3 }\n}\n";
    CHECK(error(cls + "fun main() {}\n") == "4:17: cannot assign to 'let' field 'k' outside the constructor of 'A'");
    CHECK(error("class A { let k = 1 }\nclass B extends A { new() { this.k = 2 } }\nfun main() {}\n") ==
          "2:34: cannot assign to 'let' field 'k' outside the constructor of 'A'");
    CHECK(error("class A {\n    let k = 1\n    new() { let f = fun() { k = 2 } }\n}\nfun main() {}\n") ==
          "3:29: cannot assign to 'let' field 'k' outside the constructor of 'A'");
    CHECK(compiles("fun main() {\n    var i = 0\n    for j in 0..3 { i += j }\n}\n"));
}

TEST_CASE("checker: int widens to float, nothing else converts") {
    CHECK(compiles("var total: float = 0\nfun f(x: float): float { return 1 }\nfun main() { total = f(2) + 1 }\n"));
    CHECK(error("fun main() {\n    var x: int = 1.5\n}\n") == "2:18: cannot assign float to variable 'x' of type int");
    CHECK(error("fun main() {\n    var x = 1\n    x += 0.5\n}\n") ==
          "3:7: cannot assign float to variable 'x' of type int");
    CHECK(error("fun f(): int { return 1.0 }\nfun main() {}\n") ==
          "1:23: cannot return float from 'f', which returns int");
    CHECK(error("fun f(x: int) {}\nfun main() { f(1.0) }\n") == "2:16: argument 1 of 'f' must be int, not float");
    CHECK(error("fun main() { let s: string = 1 }\n") == "1:30: cannot assign int to variable 's' of type string");
    CHECK(error("fun main() { let b: bool = 0 }\n") == "1:28: cannot assign int to variable 'b' of type bool");
    CHECK(error("fun main() { let xs: [float] = [1, 2]; let ys: [int] = xs }\n") ==
          "1:56: cannot assign [float] to variable 'ys' of type [int]");
}

TEST_CASE("checker: operators per type") {
    CHECK(
        compiles("fun main() {\n    let a = 1 + 2.5\n    let b: float = a % 2\n    let s = \"n\" + 1 + true + null\n"
                 "    let c = 1 == 1.0 && \"a\" < \"b\" || !false\n    let d = (5 >> 1) ^ ~3 & 7 | 1 << 2 >>> 1\n}\n"));
    CHECK(error("fun main() { let x = 1 == \"a\" }\n") == "1:24: cannot compare int and string");
    CHECK(error("fun main() { let x = 1 - \"a\" }\n") == "1:24: operator '-' cannot be applied to int and string");
    CHECK(error("fun main() { let x = true < false }\n") == "1:27: operator '<' cannot be applied to bool and bool");
    CHECK(error("fun main() { let x = 1.5 & 1 }\n") == "1:26: operator '&' cannot be applied to float and int");
    CHECK(error("fun main() { let x = !1 }\n") == "1:22: operator '!' cannot be applied to int");
    CHECK(error("fun main() { let x = -\"s\" }\n") == "1:22: operator '-' cannot be applied to string");
    CHECK(error("fun main() { let x = 1 && true }\n") == "1:24: operator '&&' cannot be applied to int and bool");
    CHECK(error("class A {}\nclass B {}\nfun main() { let x = A() == B() }\n") == "3:26: cannot compare A and B");
    CHECK(error("fun main() { var s = \"a\"\n s -= 1 }\n") == "2:4: operator '-=' cannot be applied to string and int");
    CHECK(error("fun main() { if 1 { } }\n") == "1:17: if condition must be bool, not int");
    CHECK(error("fun main() { let s = \"abc\"\n s[0] = 1 }\n") ==
          "2:3: cannot assign to a byte of a string: strings are immutable");
}

TEST_CASE("checker: one error per mistake") {
    // The failed expression's type is an error type: no cascade.
    CHECK(errors("fun main() {\n    let x = nope()\n    let y = x + 1\n    println(y.foo)\n}\n") ==
          "2:13: unknown name 'nope'\n");
    // An empty literal given a declared type that is wrong is not an error of its own.
    CHECK(errors("fun main() {\n    let m: {float: int} = {}\n    let a: [Nope] = []\n}\n") ==
          "2:13: invalid map key type float: keys are int, string, bool or a class\n3:13: unknown type 'Nope'\n");
    // Independent mistakes are all reported.
    CHECK(errors("fun main() {\n    a()\n    b()\n    c()\n}\n") ==
          "2:5: unknown name 'a'\n3:5: unknown name 'b'\n4:5: unknown name 'c'\n");
}

TEST_CASE("checker: calls and builtins") {
    CHECK(error("fun f(a: int, b: int): int { return a }\nfun main() { f(1) }\n") ==
          "2:15: 'f' expects 2 arguments, got 1");
    CHECK(error("fun main() { println(\"ab\".repeat()) }\n") == "1:33: 'repeat' does not take 0 arguments");
    CHECK(error("fun main() { \"s\".nope() }\n") == "1:18: string has no method 'nope'");
    CHECK(error("fun main() { [1].push(\"a\") }\n") == "1:23: argument 1 of 'push' must be int, not string");
    CHECK(error("fun main() { min(1, \"a\") }\n") == "1:14: no variant of 'min' accepts (int, string)");
    CHECK(error("fun main() { [true].sort() }\n") == "1:21: no variant of 'sort' on [bool] accepts ()");
    CHECK(error("fun main() { [1].join(\",\") }\n") == "1:18: 'join' cannot be called on [int]");
    CHECK(error("fun main() { let n = 5\n n.foo() }\n") == "2:4: int has no method 'foo'");
    CHECK(error("fun main() { let f = (a: int) => a\n f(\"x\") }\n") ==
          "2:4: argument 1 of the function must be int, not string");
    CHECK(error("fun main() { let n = 5\n n(1) }\n") == "2:2: cannot call a value of type int");
    CHECK(error("fun main() { let p = println }\n") ==
          "1:22: built-in function 'println' must be called; it is not a value");
    CHECK(error("fun main() { let x = println(1) }\n") == "1:29: this expression has no value");
    CHECK(compiles(
        "fun main() {\n    let a: float = min(1, 2.5)\n    let b: int = max(1, 2)\n    let c = abs(-1.5)\n"
        "    let xs = [3, 1].map((x: int) => \"${x}\")\n    let ys: [string] = xs.filter((s: string) => s != \"1\")\n"
        "    let m = {\"a\": [1]}\n    let v: [int] = m.get(\"b\", [])\n    let ks: [string] = m.keys()\n"
        "    let fill: [float] = array(3, 0)\n    xs.sort((p: string, q: string) => p.len() - q.len())\n}\n"));
}

TEST_CASE("checker: classes and constructors") {
    std::string shapes =
        "interface Shape { fun area(): float }\nabstract class Base implements Shape {\n"
        "    abstract fun area(): float\n}\n";
    CHECK(error(shapes + "fun main() { let b = Base() }\n") ==
          "5:22: class 'Base' is abstract and cannot be constructed");
    CHECK(error(shapes + "fun main() { let s = Shape() }\n") == "5:22: interface 'Shape' cannot be constructed");
    CHECK(error(shapes + "class Sq extends Base {\n    fun area(): float { return 1.0 }\n}\nfun main() {}\n") ==
          "6:9: 'override' needed to override method 'area' of 'Base'");
    CHECK(error(shapes + "class Sq extends Base {\n    override fun area(): int { return 1 }\n}\nfun main() {}\n") ==
          "6:18: method 'area' must have the signature of 'Base.area': fun(): float");
    CHECK(error("class A {\n    override fun f() {}\n}\nfun main() {}\n") ==
          "2:18: method 'f' is marked 'override' but overrides nothing");
    CHECK(error(shapes + "class Sq extends Base {}\nfun main() {}\n") ==
          "5:7: class 'Sq' must implement abstract method 'area' of 'Base'");
    CHECK(error(shapes + "class C implements Shape {}\nfun main() {}\n") ==
          "5:7: class 'C' does not implement method 'area' of interface 'Shape'");
    CHECK(error(shapes + "class C implements Shape {\n    fun area(): int { return 1 }\n}\nfun main() {}\n") ==
          "6:9: method 'area' must have the signature of 'Shape.area': fun(): float");
    CHECK(error("class A {\n    abstract fun f()\n}\nfun main() {}\n") ==
          "2:18: abstract method 'f' in non-abstract class 'A'");
    CHECK(error("class A {\n    var x: int\n    fun x() {}\n}\nfun main() {}\n") ==
          "3:9: class 'A' cannot declare both a field and a method named 'x'");
    CHECK(error("class A { var x = 1 }\nclass B extends A { var x = 2 }\nfun main() {}\n") ==
          "2:25: field 'x' is already declared in 'A'");
    CHECK(error("class A extends B {}\nclass B extends A {}\nfun main() {}\n") ==
          "2:17: class 'B' inherits from itself");
    CHECK(error("class P { new(x: int) {} }\nfun main() { let p = P() }\n") ==
          "2:23: constructor of 'P' expects 1 argument, got 0");
    CHECK(error("class P { var x = 1 }\nfun main() { P().y = 2 }\n") == "2:18: class 'P' has no field 'y'");
    CHECK(error("class P { fun m() {} }\nfun main() { let f = P().m }\n") ==
          "2:26: method 'm' must be called; methods are not values");
    CHECK(error("fun main() { this.x = 1 }\n") == "1:14: 'this' is only available inside a class");
    // Fields and methods without `this`, fields of function type called like methods.
    CHECK(
        compiles("class K {\n    var n = 0\n    var f: fun(int): int = (x: int) => x\n"
                 "    fun go(): int { n += 1; return f(n) + this.f(n) + g() }\n    fun g(): int { return n }\n}\n"
                 "fun main() { println(K().f(1)) }\n"));
}

TEST_CASE("checker: super") {
    std::string base = "class C { new(x: int) {} }\n";
    CHECK(error(base + "class D extends C {}\nfun main() {}\n") ==
          "2:7: constructor of 'D' must call super(...) first: the constructor of 'C' takes arguments");
    CHECK(error(base + "class E extends C {\n    new() { println(1); super(1) }\n}\nfun main() {}\n") ==
          "3:5: constructor of 'E' must call super(...) first: the constructor of 'C' takes arguments");
    CHECK(errors(base + "class E extends C {\n    new() { println(1); super(1) }\n}\nfun main() {}\n")
              .find("3:25: 'super(...)' must be the first statement of a constructor") != std::string::npos);
    CHECK(error("class A { new() { super() } }\nfun main() {}\n") == "1:19: class 'A' has no superclass");
    CHECK(error("class A { fun m() {} }\nclass B extends A { override fun m() { super.n() } }\nfun main() {}\n") ==
          "2:46: class 'A' has no method 'n'");
    CHECK(compiles(base + "class D extends C {\n    new() { super(2) }\n}\nclass F extends D {}\nfun main() {}\n"));
}

TEST_CASE("checker: errors, is and as") {
    CHECK(error("fun main() { throw 5 }\n") == "1:20: can only throw an Error, not int");
    CHECK(error("class A {}\nfun main() { try {} catch e: A {} }\n") ==
          "2:30: catch type must be a subclass of Error, not 'A'");
    CHECK(error("fun main() { let x = 1 is Error }\n") == "1:22: 'is' needs an object, not int");
    CHECK(error("fun main() { let e: Error = null\n let x = e as int }\n") ==
          "2:15: 'int' is not a class or interface");
    CHECK(
        compiles("class MyError extends Error { new(m: string) { super(m) } }\n"
                 "fun main() {\n    try { throw MyError(\"x\") } catch e: MyError { println(e.message) }"
                 " catch e: Error {} finally {}\n    let e: Error = ValueError(\"v\")\n"
                 "    if e is ValueError { println((e as ValueError).message) }\n}\n"));
}

TEST_CASE("checker: loops and control flow") {
    CHECK(error("fun main() { break }\n") == "1:14: 'break' outside a loop");
    CHECK(error("fun main() { while true { let f = fun() { continue } } }\n") == "1:43: 'continue' outside a loop");
    CHECK(error("fun f(): int {\n    if true { return 1 }\n}\nfun main() {}\n") ==
          "1:5: missing return in function 'f'");
    CHECK(error("fun main() { let f = fun(): int { } }\n") == "1:22: missing return in lambda");
    CHECK(compiles(
        "fun f(x: int): int {\n    if x > 0 { return 1 } else if x < 0 { return -1 } else { throw Error(\"0\") }\n}\n"
        "fun g(): int { while true { } }\n"
        "fun h(): int { try { return 1 } catch e: Error { return 2 } }\n"
        "fun k(): int { try { } finally { return 3 } }\nfun main() {}\n"));
    CHECK(error("fun g(): int { while true { break } }\nfun main() {}\n") == "1:5: missing return in function 'g'");
    CHECK(error("fun main() { for i in 0..1.5 { } }\n") == "1:26: range bounds must be int, not float");
    CHECK(error("fun main() { for x in 5 { } }\n") == "1:23: cannot iterate over int");
    CHECK(error("fun f() { return 1 }\nfun main() {}\n") == "1:18: 'f' cannot return a value");
    CHECK(error("fun f(): int { return }\nfun main() {}\n") == "1:16: missing return value: 'f' returns int");
}

TEST_CASE("checker: literals take their type from context") {
    CHECK(error("fun main() { var e = [] }\n") == "1:22: cannot infer type of empty array literal");
    CHECK(error("fun main() { var e = {} }\n") == "1:22: cannot infer type of empty map literal");
    CHECK(compiles(
        "fun f(xs: [int]): [string] { return [] }\nvar g: {string: int} = {}\n"
        "fun main() {\n    var e: [int] = []\n    e = []\n    f([])\n    let m: {int: [float]} = {1: []}\n}\n"));
    CHECK(error("fun main() { let w = [1, \"a\"] }\n") == "1:26: array elements have different types: int and string");
    CHECK(error("fun main() { let m = {1.5: 2} }\n") ==
          "1:23: invalid map key type float: keys are int, string, bool or a class");
    CHECK(error("fun main() { let m: {[int]: int} = null }\n") ==
          "1:22: invalid map key type [int]: keys are int, string, bool or a class");
    CHECK(error("fun main() { let n = null }\n") == "1:22: cannot infer the type of 'n' from null; declare its type");
    CHECK(compiles(
        "class A {}\nclass B extends A {}\nclass C extends A {}\n"
        "fun main() {\n    let xs: [float] = [1, 2.5]\n    let ys = [B(), C(), null]\n    let a: [A] = ys\n}\n"));
}

TEST_CASE("checker: module variables and main") {
    CHECK(error("let a = b + 1\nlet b = 2\nfun main() {}\n") ==
          "1:9: module variable 'b' is used before its declaration");
    CHECK(error("let a = a\nfun main() {}\n") == "1:9: module variable 'a' is used before its declaration");
    // A lambda may refer to a later variable: it runs later.
    CHECK(compiles("let f = () => b\nlet b = 2\nfun main() { println(f()) }\n"));
    CHECK(error("fun f() {}\n") == "1:1: module 'main' has no main function");
    CHECK(error("fun main(x: int) {}\n") ==
          "1:5: main must be declared as 'fun main()' or 'fun main(args: [string])', returning void or int");
    CHECK(error("fun main(): string { return \"\" }\n") ==
          "1:5: main must be declared as 'fun main()' or 'fun main(args: [string])', returning void or int");
    CHECK(compiles("fun main(args: [string]): int { return args.len() }\n"));
}

TEST_CASE("checker: imports") {
    std::map<std::string, std::string> mods = {
        {"geo.nd", "class Point { var x = 1 }\nfun twice(n: int): int { return n * 2 }\nvar count = 0\n"},
        {"a.nd", "import b\nfun fa() {}\n"},
        {"b.nd", "import a\nfun fb() {}\n"},
    };
    CHECK(errors("import geo\nfun main() {\n    let p: geo.Point = geo.Point()\n    geo.count += geo.twice(p.x)\n}\n",
                 mods) == "");
    CHECK(errors("import nowhere\nfun main() {}\n", mods) == "1:8: unknown module 'nowhere'\n");
    CHECK(errors("import geo\nfun main() { geo.nope() }\n", mods) == "2:18: module 'geo' has no member 'nope'\n");
    CHECK(errors("import geo\nfun main() { let g = geo }\n", mods) == "2:22: module 'geo' is not a value\n");
    CHECK(errors("import a\nfun main() {}\n", mods).find("import cycle: a -> b -> a") != std::string::npos);
    CHECK(errors("import main\nfun main() {}\n", mods) == "1:8: import cycle: main -> main\n");
    // The standard library's prelude classes need no import.
    CHECK(errors("fun main() { throw KeyError(\"k\") }\n") == "");
}
