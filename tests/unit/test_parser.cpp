// Parser tests: the tree built for each construct of LANGUAGE.md §3-6,
// precedence, lambdas, classes, locations, error messages and recovery.
// Trees are compared as S-expressions printed by the helpers below.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>

#include "compiler/parser.hpp"

using namespace nido::compiler;

namespace {

std::string show(const TypeExpr& t) {
    switch (t.kind) {
    case TypeExprKind::Named: return t.qualifier.empty() ? t.name : t.qualifier + "." + t.name;
    case TypeExprKind::Array: return "[" + show(*t.args[0]) + "]";
    case TypeExprKind::Map: return "{" + show(*t.args[0]) + ": " + show(*t.args[1]) + "}";
    case TypeExprKind::Func: {
        std::string s = "fun(";
        for (size_t i = 0; i < t.args.size(); i++) s += (i ? ", " : "") + show(*t.args[i]);
        return s + ")" + (t.result ? ": " + show(*t.result) : "");
    }
    }
    return "?";
}

std::string show(const Stmt& s);

std::string showParams(const std::vector<Param>& params) {
    std::string s = "(";
    for (size_t i = 0; i < params.size(); i++) {
        s += (i ? ", " : "") + params[i].name + (params[i].type ? ": " + show(*params[i].type) : "");
    }
    return s + ")";
}

const char* const kBinary[] = {"||", "&&", "==", "!=", "<", "<=", ">",  ">=",  "+", "-",
                               "|",  "^",  "*",  "/",  "%", "<<", ">>", ">>>", "&"};
const char* const kAssign[] = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="};

std::string show(const Expr& e) {
    switch (e.kind) {
    case ExprKind::IntLit: return std::to_string(static_cast<const IntLit&>(e).value);
    case ExprKind::FloatLit: return fmt::format("{}f", static_cast<const FloatLit&>(e).value);
    case ExprKind::StringLit: return "\"" + static_cast<const StringLit&>(e).value + "\"";
    case ExprKind::BoolLit: return static_cast<const BoolLit&>(e).value ? "true" : "false";
    case ExprKind::NullLit: return "null";
    case ExprKind::Interp: {
        std::string s = "(interp";
        for (const auto& p : static_cast<const Interp&>(e).parts) s += " " + show(*p);
        return s + ")";
    }
    case ExprKind::Ident: return static_cast<const Ident&>(e).name;
    case ExprKind::This: return "this";
    case ExprKind::Super: return "super";
    case ExprKind::Unary: {
        auto& u = static_cast<const Unary&>(e);
        const char* op = u.op == UnaryOp::Neg ? "-" : u.op == UnaryOp::Not ? "!" : "~";
        return fmt::format("({} {})", op, show(*u.operand));
    }
    case ExprKind::Binary: {
        auto& b = static_cast<const Binary&>(e);
        return fmt::format("({} {} {})", kBinary[size_t(b.op)], show(*b.left), show(*b.right));
    }
    case ExprKind::Call: {
        auto& c = static_cast<const Call&>(e);
        std::string s = "(call " + show(*c.callee);
        for (const auto& a : c.args) s += " " + show(*a);
        return s + ")";
    }
    case ExprKind::Member: {
        auto& m = static_cast<const Member&>(e);
        return "(. " + show(*m.object) + " " + m.name + ")";
    }
    case ExprKind::Index: {
        auto& i = static_cast<const Index&>(e);
        return "([] " + show(*i.object) + " " + show(*i.index) + ")";
    }
    case ExprKind::ArrayLit: {
        std::string s = "[";
        for (const auto& x : static_cast<const ArrayLit&>(e).elements) s += (s.size() > 1 ? " " : "") + show(*x);
        return s + "]";
    }
    case ExprKind::MapLit: {
        std::string s = "{";
        for (const auto& [k, v] : static_cast<const MapLit&>(e).entries) {
            s += (s.size() > 1 ? ", " : "") + show(*k) + ": " + show(*v);
        }
        return s + "}";
    }
    case ExprKind::Lambda: {
        auto& l = static_cast<const Lambda&>(e);
        std::string result = l.result ? ": " + show(*l.result) : "";
        if (l.exprBody) return "(=> " + showParams(l.params) + " " + show(*l.exprBody) + ")";
        return "(fun " + showParams(l.params) + result + " " + show(*l.body) + ")";
    }
    case ExprKind::Is: {
        auto& i = static_cast<const IsExpr&>(e);
        return "(is " + show(*i.operand) + " " + show(*i.target) + ")";
    }
    case ExprKind::As: {
        auto& a = static_cast<const AsExpr&>(e);
        return "(as " + show(*a.operand) + " " + show(*a.target) + ")";
    }
    }
    return "?";
}

std::string show(const Stmt& s) {
    switch (s.kind) {
    case StmtKind::Block: {
        std::string out = "{";
        for (const auto& st : static_cast<const Block&>(s).stmts) out += (out.size() > 1 ? "; " : "") + show(*st);
        return out + "}";
    }
    case StmtKind::VarDecl: {
        auto& d = static_cast<const VarDecl&>(s);
        std::string out = (d.isLet ? "(let " : "(var ") + d.name;
        if (d.type) out += ": " + show(*d.type);
        if (d.init) out += " " + show(*d.init);
        return out + ")";
    }
    case StmtKind::Assign: {
        auto& a = static_cast<const Assign&>(s);
        return fmt::format("({} {} {})", kAssign[size_t(a.op)], show(*a.target), show(*a.value));
    }
    case StmtKind::ExprStmt: return show(*static_cast<const ExprStmt&>(s).expr);
    case StmtKind::If: {
        auto& i = static_cast<const If&>(s);
        std::string out = "(if " + show(*i.cond) + " " + show(*i.then);
        if (i.otherwise) out += " else " + show(*i.otherwise);
        return out + ")";
    }
    case StmtKind::While: {
        auto& w = static_cast<const While&>(s);
        return "(while " + show(*w.cond) + " " + show(*w.body) + ")";
    }
    case StmtKind::ForRange: {
        auto& f = static_cast<const ForRange&>(s);
        return fmt::format("(for {} {} {} {} {})", f.var, show(*f.lo), f.inclusive ? "..=" : "..", show(*f.hi),
                           show(*f.body));
    }
    case StmtKind::ForEach: {
        auto& f = static_cast<const ForEach&>(s);
        return fmt::format("(for {} in {} {})", f.var, show(*f.iterable), show(*f.body));
    }
    case StmtKind::Break: return "break";
    case StmtKind::Continue: return "continue";
    case StmtKind::Return: {
        auto& r = static_cast<const Return&>(s);
        return r.value ? "(return " + show(*r.value) + ")" : "return";
    }
    case StmtKind::Throw: return "(throw " + show(*static_cast<const Throw&>(s).value) + ")";
    case StmtKind::Try: {
        auto& t = static_cast<const Try&>(s);
        std::string out = "(try " + show(*t.body);
        for (const Catch& c : t.catches) out += " (catch " + c.var + ": " + show(*c.type) + " " + show(*c.body) + ")";
        if (t.finally) out += " (finally " + show(*t.finally) + ")";
        return out + ")";
    }
    }
    return "?";
}

std::string showFun(const FunDecl& f) {
    std::string out = "(";
    if (f.isAbstract) out += "abstract ";
    if (f.isOverride) out += "override ";
    out += "fun " + f.name + showParams(f.params);
    if (f.result) out += ": " + show(*f.result);
    if (f.body) out += " " + show(*f.body);
    return out + ")";
}

std::string showClass(const ClassDecl& c) {
    std::string out = c.isInterface ? "(interface " : c.isAbstract ? "(abstract class " : "(class ";
    out += c.name;
    if (c.superclass) out += " extends " + show(*c.superclass);
    for (size_t i = 0; i < c.interfaces.size(); i++) out += (i ? ", " : " implements ") + show(*c.interfaces[i]);
    for (const FieldDecl& f : c.fields) {
        out += std::string(f.isLet ? " (let " : " (var ") + f.name;
        if (f.type) out += ": " + show(*f.type);
        if (f.init) out += " " + show(*f.init);
        out += ")";
    }
    if (c.ctor) out += " (new" + showParams(c.ctor->params) + " " + show(*c.ctor->body) + ")";
    for (const FunDecl& m : c.methods) out += " " + showFun(m);
    return out + ")";
}

struct Parsed {
    Diagnostics diags;
    std::unique_ptr<Module> module;
};

Parsed parse(const std::string& src) {
    Parsed p;
    p.module = parseModule("t.nd", "t", src, p.diags);
    return p;
}

// The errors as "line:col: message" lines.
std::string errors(const std::string& src) {
    Parsed p = parse(src);
    std::string out;
    for (const Diagnostic& d : p.diags.errors()) {
        out += fmt::format("{}{}:{}: {}", out.empty() ? "" : "\n", d.loc.line, d.loc.col, d.message);
    }
    return out;
}

// An expression, parsed as a module variable's initialiser.
std::string expr(const std::string& src) {
    Parsed p = parse("let v = " + src + "\n");
    INFO(p.diags.format());
    REQUIRE_FALSE(p.diags.hasErrors());
    REQUIRE(p.module->globals.size() == 1);
    return show(*p.module->globals[0]->init);
}

// Statements, parsed as the body of a function.
std::string stmts(const std::string& src) {
    Parsed p = parse("fun f() {\n" + src + "\n}\n");
    INFO(p.diags.format());
    REQUIRE_FALSE(p.diags.hasErrors());
    REQUIRE(p.module->functions.size() == 1);
    return show(*p.module->functions[0].body);
}

std::string classes(const std::string& src) {
    Parsed p = parse(src);
    INFO(p.diags.format());
    REQUIRE_FALSE(p.diags.hasErrors());
    std::string out;
    for (const ClassDecl& c : p.module->classes) out += (out.empty() ? "" : "\n") + showClass(c);
    return out;
}

}  // namespace

TEST_CASE("parser: precedence follows LANGUAGE.md §4") {
    CHECK(expr("1 + 2 * 3") == "(+ 1 (* 2 3))");
    CHECK(expr("(1 + 2) * 3") == "(* (+ 1 2) 3)");
    CHECK(expr("a || b && c") == "(|| a (&& b c))");
    CHECK(expr("a && b || c") == "(|| (&& a b) c)");
    CHECK(expr("a == b + 1 && c < d") == "(&& (== a (+ b 1)) (< c d))");
    // Go's bitwise placement: & with *, | and ^ with +.
    CHECK(expr("a | b & c") == "(| a (& b c))");
    CHECK(expr("a ^ b * c") == "(^ a (* b c))");
    CHECK(expr("a + b << 2") == "(+ a (<< b 2))");
    CHECK(expr("a >> 1 >>> 2") == "(>>> (>> a 1) 2)");
    CHECK(expr("a == b | c") == "(== a (| b c))");
    CHECK(expr("a - b - c") == "(- (- a b) c)");
    CHECK(expr("a / b % c") == "(% (/ a b) c)");
    CHECK(expr("a < b == c") == "(== (< a b) c)");
    CHECK(expr("a != b <= c >= d > e") == "(> (>= (<= (!= a b) c) d) e)");
}

TEST_CASE("parser: unary, as and is") {
    CHECK(expr("-a * b") == "(* (- a) b)");
    CHECK(expr("!a.b()") == "(! (call (. a b)))");
    CHECK(expr("~a ^ b") == "(^ (~ a) b)");
    CHECK(expr("- -a") == "(- (- a))");
    CHECK(expr("!!a") == "(! (! a))");
    // `as` binds tighter than every binary operator but looser than unary.
    CHECK(expr("x as float + 1") == "(+ (as x float) 1)");
    CHECK(expr("-x as float") == "(as (- x) float)");
    CHECK(expr("x as A as B") == "(as (as x A) B)");
    CHECK(expr("a * b as float") == "(* a (as b float))");
    // `is` sits with the comparisons and takes a type.
    CHECK(expr("a is B && c") == "(&& (is a B) c)");
    CHECK(expr("a + b is C") == "(is (+ a b) C)");
    CHECK(expr("x is [int]") == "(is x [int])");
    CHECK(expr("x as mod.Name") == "(as x mod.Name)");
    CHECK(expr("(x as Dog).bark()") == "(call (. (as x Dog) bark))");
}

TEST_CASE("parser: a minus before a number literal folds into a negative literal") {
    CHECK(expr("-5") == "-5");
    CHECK(expr("- 5") == "-5");
    CHECK(expr("-2.5") == "-2.5f");
    CHECK(expr("-9223372036854775808") == "-9223372036854775808");
    CHECK(expr("a - -9223372036854775808") == "(- a -9223372036854775808)");
    CHECK(expr("-9223372036854775807 - 1") == "(- -9223372036854775807 1)");
    CHECK(expr("a -1") == "(- a 1)");
    CHECK(expr("-1 as float") == "(as -1 float)");
    CHECK(expr("-(5)") == "(- 5)");
    CHECK(errors("let v = 9223372036854775808\n") == "1:9: integer literal out of range");
    CHECK(errors("let v = -(9223372036854775808)\n") == "1:11: integer literal out of range");
    CHECK(errors("let v = 1 - 9223372036854775808\n") == "1:13: integer literal out of range");
}

TEST_CASE("parser: postfix chains") {
    CHECK(expr("a.b(c)[d].e") == "(. ([] (call (. a b) c) d) e)");
    CHECK(expr("f()()") == "(call (call f))");
    CHECK(expr("f(1, 2,)") == "(call f 1 2)");
    CHECK(expr("m[\"k\"][0]") == "([] ([] m \"k\") 0)");
    CHECK(expr("math.PI * 2") == "(* (. math PI) 2)");
    CHECK(expr("xs\n    .map(f)\n    .len()") == "(call (. (call (. xs map) f) len))");
    CHECK(expr("f(\n  1,\n  2\n)") == "(call f 1 2)");
}

TEST_CASE("parser: literals") {
    CHECK(expr("42") == "42");
    CHECK(expr("0xff") == "255");
    CHECK(expr("3.5") == "3.5f");
    CHECK(expr("\"a\\tb\"") == "\"a\tb\"");
    CHECK(expr("true") == "true");
    CHECK(expr("false") == "false");
    CHECK(expr("null") == "null");
    CHECK(expr("this") == "this");
    CHECK(expr("[1, 2, 3]") == "[1 2 3]");
    CHECK(expr("[]") == "[]");
    CHECK(expr("[\n  1,\n  2,\n]") == "[1 2]");
    CHECK(expr("{\"a\": 1, \"b\": 2}") == "{\"a\": 1, \"b\": 2}");
    CHECK(expr("{}") == "{}");
    CHECK(expr("{\n}") == "{}");
    CHECK(expr("{1: [2], 3: []}") == "{1: [2], 3: []}");
    CHECK(expr("[{\"a\": 1}, {}]") == "[{\"a\": 1} {}]");
}

TEST_CASE("parser: a map literal may span lines") {
    CHECK(expr("{\n    \"a\": 1,\n    \"b\": 2\n}") == "{\"a\": 1, \"b\": 2}");
    CHECK(expr("{\n    \"a\": 1,\n    \"b\": 2,\n}") == "{\"a\": 1, \"b\": 2}");
    CHECK(expr("{\n  \"f\": fun() {\n    g()\n  },\n  \"x\": [\n    1\n  ]\n}") ==
          "{\"f\": (fun () {(call g)}), \"x\": [1]}");
    CHECK(stmts("let m = {\n  \"a\": {\n    \"b\": 1\n  }\n}\nf(m)") == "{(let m {\"a\": {\"b\": 1}}); (call f m)}");
}

TEST_CASE("parser: string interpolation") {
    CHECK(expr("\"x = ${x + 1}\"") == "(interp \"x = \" (+ x 1))");
    CHECK(expr("\"${a}${b}\"") == "(interp a b)");
    CHECK(expr("\"a ${m[\"k\"]} b\"") == "(interp \"a \" ([] m \"k\") \" b\")");
    CHECK(expr("\"<${\"(${x})\"}>\"") == "(interp \"<\" (interp \"(\" x \")\") \">\")");
    CHECK(expr("\"${ {\"a\": 1}[\"a\"] }\"") == "(interp ([] {\"a\": 1} \"a\"))");
    CHECK(expr("\"${name} with area ${area()}\"") == "(interp name \" with area \" (call area))");
    CHECK(expr("\"cost: \\${x}\"") == "\"cost: ${x}\"");
}

TEST_CASE("parser: lambdas") {
    CHECK(expr("fun(a: int, b: int): int { return a + b }") == "(fun (a: int, b: int): int {(return (+ a b))})");
    CHECK(expr("fun() { }") == "(fun () {})");
    CHECK(expr("(a: int) => a * 2") == "(=> (a: int) (* a 2))");
    CHECK(expr("(a: int, b: string) => b") == "(=> (a: int, b: string) b)");
    CHECK(expr("() => 1") == "(=> () 1)");
    CHECK(expr("(a) + 1") == "(+ a 1)");
    CHECK(expr("xs.map((x: int) => x * 2)") == "(call (. xs map) (=> (x: int) (* x 2)))");
    CHECK(expr("xs.sort(fun(a: int, b: int): int {\n    return a - b\n})") ==
          "(call (. xs sort) (fun (a: int, b: int): int {(return (- a b))}))");
    CHECK(expr("f(fun() {\n  a()\n  b()\n}, 2)") == "(call f (fun () {(call a); (call b)}) 2)");
    CHECK(expr("(f: fun(int): int) =>\n f(1)") == "(=> (f: fun(int): int) (call f 1))");
    CHECK(expr("fun(x: int): fun(int): int { return (y: int) => x + y }") ==
          "(fun (x: int): fun(int): int {(return (=> (y: int) (+ x y)))})");
    // Short lambdas may leave parameter types to the checker (null type).
    CHECK(expr("(a) => a") == "(=> (a) a)");
    CHECK(expr("(a, b: int) => a") == "(=> (a, b: int) a)");
    CHECK(expr("xs.sort((p, q) => p - q)") == "(call (. xs sort) (=> (p, q) (- p q)))");
    CHECK(errors("let f = fun(a) { }\n") == "1:14: expected ':' and a type after parameter a, found ')'");
    CHECK(errors("let f = (a: ) => a\n") == "1:13: expected type, found ')'");
}

TEST_CASE("parser: variables and assignment") {
    CHECK(stmts("let a = 1\nvar b: float = 0\nvar c: [int] = []") ==
          "{(let a 1); (var b: float 0); (var c: [int] [])}");
    CHECK(stmts("x = 1; x += 2; x -= 3; x *= 4; x /= 5; x %= 6") ==
          "{(= x 1); (+= x 2); (-= x 3); (*= x 4); (/= x 5); "
          "(%= x 6)}");
    CHECK(stmts("x &= 1; x |= 2; x ^= 3; x <<= 4; x >>= 5") == "{(&= x 1); (|= x 2); (^= x 3); (<<= x 4); (>>= x 5)}");
    CHECK(stmts("this.a = 1\na[i] = 2\na.b.c[0] += 3") ==
          "{(= (. this a) 1); (= ([] a i) 2); (+= ([] (. (. a b) c) 0) 3)}");
    CHECK(stmts("f()\nsuper(1, 2)\nsuper.m()") == "{(call f); (call super 1 2); (call (. super m))}");
}

TEST_CASE("parser: control flow") {
    CHECK(stmts("if a > b { x() } else if a == b { y() } else { z() }") ==
          "{(if (> a b) {(call x)} else (if (== a b) {(call y)} else {(call z)}))}");
    CHECK(stmts("if a {\n  x()\n}\nelse {\n  y()\n}") == "{(if a {(call x)} else {(call y)})}");
    CHECK(stmts("if a { }\nf()") == "{(if a {}); (call f)}");
    CHECK(stmts("while i < n { i += 1 }") == "{(while (< i n) {(+= i 1)})}");
    CHECK(stmts("for i in 0..n { }") == "{(for i 0 .. n {})}");
    CHECK(stmts("for i in 0..=n { }") == "{(for i 0 ..= n {})}");
    CHECK(stmts("for i in i + 1..n * 2 { }") == "{(for i (+ i 1) .. (* n 2) {})}");
    CHECK(stmts("for i in -5..-1 { }") == "{(for i -5 .. -1 {})}");
    CHECK(stmts("for x in xs { f(x) }") == "{(for x in xs {(call f x)})}");
    CHECK(stmts("for k in {\"a\": 1} { }") == "{(for k in {\"a\": 1} {})}");
    CHECK(stmts("while true { break; continue }") == "{(while true {break; continue})}");
    CHECK(stmts("return") == "{return}");
    CHECK(stmts("return 1 + 2") == "{(return (+ 1 2))}");
    CHECK(stmts("if a { return }") == "{(if a {return})}");
    CHECK(stmts("{ let a = 1 }\n{ }") == "{{(let a 1)}; {}}");
}

TEST_CASE("parser: try, catch, finally and throw") {
    CHECK(stmts("try { risky() } catch e: IndexError { a() } catch e: Error { println(e.message) } finally { c() }") ==
          "{(try {(call risky)} (catch e: IndexError {(call a)}) (catch e: Error {(call println (. e message))}) "
          "(finally {(call c)}))}");
    CHECK(stmts("try {\n  a()\n}\ncatch e: io.IOError {\n}\nfinally {\n}") ==
          "{(try {(call a)} (catch e: io.IOError {}) (finally {}))}");
    CHECK(stmts("try { } finally { }") == "{(try {} (finally {}))}");
    CHECK(stmts("throw ValueError(\"bad input: ${s}\")") == "{(throw (call ValueError (interp \"bad input: \" s)))}");
}

TEST_CASE("parser: types") {
    Parsed p = parse(
        "var a: int\nvar b: [string]\nvar c: {string: [int]}\nvar d: fun(int, string): bool\nvar e: fun()\n"
        "var f: mod.Thing\nvar g: [[fun(): {int: bool}]]\n");
    REQUIRE_FALSE(p.diags.hasErrors());
    std::vector<std::string> got;
    for (const auto& g : p.module->globals) got.push_back(show(*g->type));
    CHECK(got == std::vector<std::string>{"int", "[string]", "{string: [int]}", "fun(int, string): bool", "fun()",
                                          "mod.Thing", "[[fun(): {int: bool}]]"});
}

TEST_CASE("parser: top level") {
    Parsed p = parse(
        "import math\nimport io\n\nlet limit = 10\nvar total: float = 0\n"
        "fun area(w: float, h: float): float { return w * h }\n"
        "fun main(args: [string]): int {\n    return 0\n}\n");
    INFO(p.diags.format());
    REQUIRE_FALSE(p.diags.hasErrors());
    const Module& m = *p.module;
    CHECK(m.name == "t");
    CHECK(m.path == "t.nd");
    REQUIRE(m.imports.size() == 2);
    CHECK(m.imports[0].name == "math");
    CHECK(m.imports[1].name == "io");
    CHECK(m.imports[1].loc.line == 2);
    CHECK(m.imports[1].loc.col == 8);
    REQUIRE(m.globals.size() == 2);
    CHECK(show(*m.globals[0]) == "(let limit 10)");
    CHECK(show(*m.globals[1]) == "(var total: float 0)");
    REQUIRE(m.functions.size() == 2);
    CHECK(showFun(m.functions[0]) == "(fun area(w: float, h: float): float {(return (* w h))})");
    CHECK(showFun(m.functions[1]) == "(fun main(args: [string]): int {(return 0)})");
}

TEST_CASE("parser: classes and interfaces (LANGUAGE.md §5)") {
    CHECK(classes("interface Shape { fun area(): float }") == "(interface Shape (fun area(): float))");
    CHECK(classes("interface Named {\n    fun name(): string\n    fun rename(n: string)\n}") ==
          "(interface Named (fun name(): string) (fun rename(n: string)))");
    CHECK(classes("abstract class Base implements Shape {\n"
                  "    var name: string\n"
                  "    let sides: int = 0\n"
                  "    new(name: string) { this.name = name }\n"
                  "    abstract fun area(): float\n"
                  "    fun describe(): string { return \"${name} with area ${area()}\" }\n"
                  "}") ==
          "(abstract class Base implements Shape (var name: string) (let sides: int 0) (new(name: string) {(= (. this "
          "name) name)}) (abstract fun area(): float) (fun describe(): string {(return (interp name \" with area \" "
          "(call area)))}))");
    CHECK(classes("class Square extends Base {\n"
                  "    var side: float\n"
                  "    new(side: float) { super(\"square\"); this.side = side }\n"
                  "    override fun area(): float { return side * side }\n"
                  "}") ==
          "(class Square extends Base (var side: float) (new(side: float) {(call super \"square\"); (= (. this side) "
          "side)}) (override fun area(): float {(return (* side side))}))");
    CHECK(classes("class A extends m.B implements I, m.J { }") == "(class A extends m.B implements I, m.J)");
    CHECK(classes("class E {}\nclass F { var f = fun() { } }") == "(class E)\n(class F (var f (fun () {})))");
}

TEST_CASE("parser: locations") {
    Parsed p = parse(
        "fun main() {\n"
        "    let x = a + f(1)\n"
        "    o.m[2] = 3\n"
        "    if x { }\n"
        "}\n"
        "class C {\n"
        "    var f: int\n"
        "    new() { }\n"
        "}\n");
    REQUIRE_FALSE(p.diags.hasErrors());
    const FunDecl& f = p.module->functions[0];
    CHECK(f.loc.line == 1);
    CHECK(f.loc.col == 5);
    const auto& stmts = f.body->stmts;
    auto& let = static_cast<const VarDecl&>(*stmts[0]);
    CHECK(let.loc.line == 2);
    CHECK(let.loc.col == 9);  // the name
    auto& plus = static_cast<const Binary&>(*let.init);
    CHECK(plus.loc.col == 15);  // the operator
    CHECK(plus.left->loc.col == 13);
    CHECK(plus.right->loc.col == 18);  // a call: its '('
    auto& assign = static_cast<const Assign&>(*stmts[1]);
    CHECK(assign.loc.line == 3);
    CHECK(assign.loc.col == 12);  // the operator
    auto& index = static_cast<const Index&>(*assign.target);
    CHECK(index.loc.col == 8);  // '['
    auto& member = static_cast<const Member&>(*index.object);
    CHECK(member.loc.col == 6);  // '.'
    CHECK(member.nameLoc.col == 7);
    CHECK(stmts[2]->loc.line == 4);
    CHECK(stmts[2]->loc.col == 5);
    const ClassDecl& c = p.module->classes[0];
    CHECK(c.loc.line == 6);
    CHECK(c.loc.col == 7);
    CHECK(c.fields[0].loc.line == 7);
    CHECK(c.fields[0].loc.col == 9);
    CHECK(c.ctor->loc.line == 8);
    CHECK(c.ctor->loc.col == 5);
}

TEST_CASE("parser: statement errors") {
    CHECK(errors("fun f() {\n    x + 1\n}") == "2:5: expression is not a statement");
    CHECK(errors("fun f() {\n    a.b\n}") == "2:5: expression is not a statement");
    CHECK(errors("fun f() {\n    f() = 1\n}") == "2:5: cannot assign to this expression");
    CHECK(errors("fun f() {\n    a + b = 1\n}") == "2:5: cannot assign to this expression");
    CHECK(errors("fun f() {\n    var x = 1\n    let y = (x = 2)\n}") ==
          "3:16: assignment is a statement, not an expression");
    CHECK(errors("fun f() {\n    let y = x = 2\n}") == "2:15: assignment is a statement, not an expression");
    CHECK(errors("fun f() {\n    if x = 2 { }\n}") == "2:10: assignment is a statement, not an expression");
    CHECK(errors("fun f() {\n    g(x = 2)\n}") == "2:9: assignment is a statement, not an expression");
    CHECK(errors("fun f() {\n    x >>>= 1\n}") == "2:7: '>>>=' is not an assignment operator; write 'x = x >>> n'");
    CHECK(errors("fun f() {\n    var count: int\n}") == "2:9: variable count needs an initializer");
    CHECK(errors("fun f() {\n    let x = 1\n        + 2\n}") == "3:9: expected expression, found '+'");
    CHECK(errors("fun f() {\n    g(a b)\n}") == "2:9: expected ')' after arguments, found 'b'");
    CHECK(errors("fun f() {\n    return 1 2\n}") == "2:14: unexpected '2' at end of statement");
    CHECK(errors("fun f() {\n    let r = 0..5\n}") == "2:14: a range with '..' is only allowed in a for loop");
    CHECK(errors("fun f() {\n    fun g() { }\n}") ==
          "2:9: a function cannot be declared inside a block; write 'let g = fun(...) { ... }'");
    CHECK(errors("fun f() {\n    super + 1\n}") == "2:11: expected '(' or '.' after 'super', found '+'");
    CHECK(errors("fun f() {\n    try { }\n}") ==
          "2:12: expected 'catch' or 'finally' after the try block, found newline");
    CHECK(errors("fun f() {\n    try { } catch e { }\n}") ==
          "2:21: expected ':' and an error class after 'e', found '{'");
    CHECK(errors("fun f() {\n    if x\n    { }\n}") == "2:9: expected '{' after the if condition, found newline");
    CHECK(errors("fun f() {\n    for i 0..3 { }\n}") == "2:11: expected 'in' after the loop variable, found '0'");
    CHECK(errors("fun f() {\n    let m = {\"a\" 1}\n}") == "2:18: expected ':' after the map key, found '1'");
}

TEST_CASE("parser: declaration errors") {
    CHECK(errors("}") == "1:1: unexpected '}'");
    CHECK(errors("println(1)") ==
          "1:1: expected a declaration (import, let, var, fun, class or interface), found 'println'");
    CHECK(errors("var x") == "1:5: module variable x needs a type or an initializer");
    CHECK(errors("let x: int") == "1:5: variable x needs an initializer");
    CHECK(errors("let x int") == "1:7: expected ':' or '=' after 'x', found 'int'");
    CHECK(errors("fun f()\n{\n}") == "1:8: expected '{' to start the body of f, found newline");
    CHECK(errors("fun f(a int) { }") == "1:9: expected ':' and a type after parameter a, found 'int'");
    CHECK(errors("fun f(): { }") == "1:12: expected type, found '}'");
    CHECK(errors("fun f(): {int} { }") == "1:14: expected ':' after the map key type, found '}'");
    CHECK(errors("abstract fun f() { }") == "1:10: expected 'class' after 'abstract', found 'fun'");
    CHECK(errors("fun f() {") == "1:10: expected '}' to close the block opened at line 1, found end of file");
    CHECK(errors("import") == "1:7: expected module name after 'import', found end of file");
}

TEST_CASE("parser: class member errors") {
    CHECK(errors("class Pair {\n    var a: int\n    new() {}\n    new(a: int) { this.a = a }\n}") ==
          "4:5: class Pair has more than one constructor");
    CHECK(errors("abstract class S {\n    abstract fun area(): float { return 1.0 }\n}") ==
          "2:32: abstract method 'area' cannot have a body");
    CHECK(errors("interface I {\n    fun f() { }\n}") == "2:13: interface method 'f' cannot have a body");
    CHECK(errors("class A {}\nclass B {}\nclass C extends A, B {}") ==
          "3:18: a class extends one class only; interfaces follow 'implements'");
    CHECK(errors("interface I {\n    var x: int\n}") ==
          "2:5: expected a method ('fun name(...): Type') in interface I, found 'var'");
    CHECK(errors("class C {\n    fun f()\n}") == "2:12: expected '{' to start the body of f, found newline");
    CHECK(errors("class C {\n    var x\n}") == "2:9: field x needs a type or an initializer");
    CHECK(errors("class C {\n    override var x: int\n}") == "2:5: 'override' applies only to methods");
    CHECK(errors("class C {\n    override override fun f() { }\n}") == "2:14: duplicate 'override'");
    CHECK(errors("class C {\n    println(1)\n}") ==
          "2:5: expected a field, constructor or method in class C, found 'println'");
    CHECK(errors("class C {\n    var x: int") == "2:15: expected '}' to close class C (line 1), found end of file");
}

TEST_CASE("parser: after an error the parser recovers and reports the next one") {
    std::string src =
        "fun f() {\n"
        "    let a = \n"     // 2: missing value
        "    let b = 2\n"    // fine
        "    g(b c)\n"       // 4
        "    if b { h( }\n"  // 5: error inside a nested block
        "    b + 1\n"        // 6
        "}\n"
        "fun ok() { good() }\n"
        "class C {\n"
        "    var x int\n"  // 10
        "    fun m() { }\n"
        "}\n"
        "let z = = 3\n"  // 13
        "fun last() { }\n";
    CHECK(errors(src) ==
          "3:5: expected expression, found 'let'\n"
          "4:9: expected ')' after arguments, found 'c'\n"
          "5:15: expected expression, found '}'\n"
          "6:5: expression is not a statement\n"
          "10:11: expected ':' or '=' after 'x', found 'int'\n"
          "13:9: expected expression, found '='");
    Parsed p = parse(src);
    // Everything without an error is kept.
    REQUIRE(p.module->functions.size() == 3);
    CHECK(showFun(p.module->functions[0]) == "(fun f() {(let b 2); (if b {})})");
    CHECK(showFun(p.module->functions[1]) == "(fun ok() {(call good)})");
    CHECK(showFun(p.module->functions[2]) == "(fun last() {})");
    REQUIRE(p.module->classes.size() == 1);
    CHECK(showClass(p.module->classes[0]) == "(class C (fun m() {}))");
    CHECK(p.module->globals.empty());
}

TEST_CASE("parser: an error inside a multi-line map literal does not end the enclosing block") {
    CHECK(errors("fun f() {\n    let m = {\n        \"a\": 1\n        \"b\": 2\n    }\n    g(\n}\n") ==
          "4:9: expected '}' after map entries, found string literal\n"
          "7:1: expected expression, found '}'");
}

TEST_CASE("parser: an error in a lambda body costs only that statement") {
    Parsed p = parse("fun f() {\n    g(fun() {\n        1 +\n    })\n    h()\n}\n");
    CHECK(p.diags.errors().size() == 1);
    CHECK(showFun(p.module->functions[0]) == "(fun f() {(call g (fun () {})); (call h)})");
}

TEST_CASE("parser: lexical and syntax errors come out in source order") {
    CHECK(errors("fun f() {\n    x = \n    let s = \"a\\q\"\n}\nlet y = 1 # 2\nlet z = )\n") ==
          "3:5: expected expression, found 'let'\n"
          "3:15: invalid escape sequence '\\q'\n"
          "5:11: unexpected character '#'\n"
          "5:13: unexpected '2' at end of statement\n"
          "6:9: expected expression, found ')'");
}

TEST_CASE("parser: at most Diagnostics::kMaxErrors errors, then it stops") {
    std::string src = "fun f() {\n";
    for (int i = 0; i < 100; i++) src += "    x + 1\n";
    src += "}\n";
    Parsed p = parse(src);
    CHECK(p.diags.errors().size() == Diagnostics::kMaxErrors);
}

TEST_CASE("parser: deep nesting is an error, not a crash") {
    CHECK(expr(std::string(100, '(') + "1" + std::string(100, ')')) == "1");
    std::string deep = "let v = " + std::string(100000, '(') + "1" + std::string(100000, ')') + "\n";
    CHECK(errors(deep) == "1:265: code is nested too deeply (limit 256 levels)");
    std::string neg = "let v = " + std::string(100000, '-') + "x\n";
    CHECK(errors(neg) == "1:265: code is nested too deeply (limit 256 levels)");
    std::string chain = "fun f() {\n    if a { }";
    for (int i = 0; i < 10000; i++) chain += " else if a { }";
    CHECK(errors(chain + "\n}\n").find("code is nested too deeply") != std::string::npos);
    // Left-associative chains deepen the tree one level per link.
    std::string sum = "1";
    for (int i = 0; i < 200; i++) sum += " + 1";
    CHECK(expr(sum).size() > 0);
    CHECK(errors("let v = " + sum + sum.substr(1) + "\n") == "1:1033: code is nested too deeply (limit 256 levels)");
    std::string calls = "a";
    for (int i = 0; i < 300; i++) calls += ".f()";
    CHECK(errors("let v = " + calls + "\n").find("code is nested too deeply") != std::string::npos);
    CHECK(errors("var t: " + std::string(10000, '[') + "int" + std::string(10000, ']') + "\n") ==
          "1:264: code is nested too deeply (limit 256 levels)");
}

TEST_CASE("parser: every prefix of a program parses without crashing") {
    // Cut-off programs reach the error paths at every point of the grammar.
    const std::string program =
        "import math\n"
        "let xs = [1, 2, 3]\n"
        "var m: {string: int} = {\n  \"a\": 1,\n  \"b\": -2\n}\n"
        "interface Shape { fun area(): float }\n"
        "abstract class Base implements Shape {\n"
        "    let name: string = \"b\"\n"
        "    new(n: string) { this.name = n }\n"
        "    abstract fun area(): float\n"
        "}\n"
        "class Sq extends Base {\n"
        "    override fun area(): float { return 2.0 as float }\n"
        "}\n"
        "fun main(args: [string]): int {\n"
        "    for i in 0..=xs.len() - 1 { if i is Sq { continue } else { break } }\n"
        "    try { throw Error(\"x ${m[\"a\"] + 1}\") } catch e: Error { println(e.message) } finally { }\n"
        "    let f = (a: int) => a * 2\n"
        "    xs.map(fun(x: int): int {\n        return ~x >>> 1\n    })\n"
        "    while !true && false || xs[0] != 1 { m[\"a\"] <<= 1 }\n"
        "    return 0\n"
        "}\n";
    CHECK(errors(program) == "");
    for (size_t n = 0; n < program.size(); n++) {
        Parsed p = parse(program.substr(0, n));
        CHECK(p.module != nullptr);
    }
}

TEST_CASE("the caret stands under the error's character after tabs and multi-byte characters") {
    Diagnostics d;
    // "é" is two bytes: the 'x' at byte column 9 is the line's 8th character.
    d.error("f.nd", "one\n\t\"é\" + x\n", Loc{2, 9}, "bad");
    CHECK(d.format() == "f.nd:2:9: error: bad\n    \t\"é\" + x\n    \t      ^\n");
    CHECK(d.errors().size() == 1);
    // Control bytes in the echoed line are shown as '?'.
    Diagnostics e;
    e.error("g.nd", std::string("a\rb\0c", 5), Loc{1, 5}, "bad");
    CHECK(e.format() == "g.nd:1:5: error: bad\n    a?b?c\n        ^\n");
}
