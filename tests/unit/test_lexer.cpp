// Lexer tests: tokens, the newline rule of LANGUAGE.md §1 with its three
// exceptions, string escapes and interpolation, number literals, comments,
// locations and lexical errors.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "compiler/lexer.hpp"

using namespace nido::compiler;

namespace {

// The token stream in a compact form: names and literals as written, NL for
// a Newline token, strings in quotes with interpolation holes as ${ ... }.
std::string shape(std::string_view src) {
    LexResult r = lex(src);
    std::string out;
    for (const Token& t : r.tokens) {
        std::string s;
        switch (t.kind) {
        case Tok::Eof: continue;
        case Tok::Newline: s = "NL"; break;
        case Tok::Ident:
        case Tok::Int:
        case Tok::Float: s = t.text; break;
        case Tok::String: s = "\"" + t.text + "\""; break;
        case Tok::InterpStart: s = "\"" + t.text + "${"; break;
        case Tok::InterpMid: s = "}" + t.text + "${"; break;
        case Tok::InterpEnd: s = "}" + t.text + "\""; break;
        default: s = tokSpelling(t.kind);
        }
        if (!out.empty()) out += ' ';
        out += s;
    }
    return out;
}

// The first token of src, which must lex without errors and be of kind.
Token firstToken(std::string_view src, Tok kind) {
    LexResult r = lex(src);
    REQUIRE(r.errors.empty());
    REQUIRE(r.tokens[0].kind == kind);
    return r.tokens[0];
}

// The lexical errors, one "line:col: message" per line.
std::string errors(std::string_view src) {
    std::string out;
    for (const LexError& e : lex(src).errors) {
        if (!out.empty()) out += '\n';
        out += std::to_string(e.loc.line) + ":" + std::to_string(e.loc.col) + ": " + e.message;
    }
    return out;
}

Token first(std::string_view src) { return lex(src).tokens.at(0); }

}  // namespace

TEST_CASE("lexer: keywords, identifiers and operators") {
    CHECK(shape("let var fun class interface abstract override extends implements new") ==
          "let var fun class interface abstract override extends implements new");
    CHECK(shape("return if else while for in break continue true false null this super") ==
          "return if else while for in break continue true false null this super");
    CHECK(shape("try catch finally throw import is as") == "try catch finally throw import is as");
    CHECK(shape("letter _x x1 Foo_Bar") == "letter _x x1 Foo_Bar");
    CHECK(lex("lets").tokens[0].kind == Tok::Ident);
    CHECK(shape("a>>>b>>c<<d") == "a >>> b >> c << d");
    CHECK(shape("+= -= *= /= %= &= |= ^= <<= >>= = ==") == "+= -= *= /= %= &= |= ^= <<= >>= = ==");
    CHECK(shape("!= <= >= < > && || & | ^ ~ !") == "!= <= >= < > && || & | ^ ~ !");
    CHECK(shape("0..n 0..=n x=>y a.b") == "0 .. n 0 ..= n x => y a . b");
    CHECK(shape("( ) [ ] { } , : ;") == "( ) [ ] { } , : ;");
    // Lexed whole so that the parser can say it is not an assignment operator.
    CHECK(lex("x >>>= 1").tokens[1].kind == Tok::UShrEq);
}

TEST_CASE("lexer: a line break ends a statement after the tokens Go's rule lists") {
    CHECK(shape("a\nb") == "a NL b");
    CHECK(shape("f()\n[1]\n{}\n") == "f ( ) NL [ 1 ] NL { } NL");
    CHECK(shape("1\n2.5\n\"s\"\n") == "1 NL 2.5 NL \"s\" NL");
    CHECK(shape("return\nbreak\ncontinue\ntrue\nfalse\nnull\nthis\n") ==
          "return NL break NL continue NL true NL false NL null NL this NL");
    // Binary operators, commas, '=' and '{' carry the statement on to the next line.
    CHECK(shape("x = a +\n b") == "x = a + b");
    CHECK(shape("let x =\n 1") == "let x = 1");
    CHECK(shape("if a {\n}") == "if a { }");
    // So an operator at the start of a line does not continue the one before.
    CHECK(shape("x = a\n + b") == "x = a NL + b");
    // `return` ends its line: the value must be on the same line.
    CHECK(shape("return\nx") == "return NL x");
    // Blank lines and comment lines give one newline.
    CHECK(shape("a\n\n  // note\n\n b") == "a NL b");
    CHECK(shape("a // note\nb") == "a NL b");
    CHECK(shape("a; b") == "a ; b");
    CHECK(shape("a\n") == "a NL");
    CHECK(shape("a") == "a");
    CHECK(shape("\r\na\r\nb\r\n") == "a NL b NL");
}

TEST_CASE("lexer: a multi-line block comment separates statements like a line break") {
    CHECK(shape("a /* one\n two */ b") == "a NL b");
    CHECK(shape("a /* inline */ b") == "a b");
    CHECK(shape("a +/* x\n */b") == "a + b");
}

TEST_CASE("lexer: no newline where the innermost bracket is ( or [") {
    CHECK(shape("f(\n  1,\n  2\n)\n") == "f ( 1 , 2 ) NL");
    CHECK(shape("[\n  1,\n  2,\n]\n") == "[ 1 , 2 , ] NL");
    CHECK(shape("a[\n i\n]") == "a [ i ]");
    CHECK(shape("f(g(\n x\n ))") == "f ( g ( x ) )");
}

TEST_CASE("lexer: inside a { } block nested in ( the normal rule applies again") {
    CHECK(shape("f(fun() {\n  a()\n  b()\n})\n") == "f ( fun ( ) { a ( ) NL b ( ) NL } ) NL");
    // and a ( inside that block suppresses newlines again
    CHECK(shape("f(fun() {\n  g(1,\n 2)\n})") == "f ( fun ( ) { g ( 1 , 2 ) NL } )");
}

TEST_CASE("lexer: a line starting with else, catch, finally or . continues the statement") {
    CHECK(shape("}\nelse {") == "} else {");
    CHECK(shape("}\n\n  catch e") == "} catch e");
    CHECK(shape("}\nfinally {") == "} finally {");
    CHECK(shape("xs\n  .map(f)\n  .len()\n") == "xs . map ( f ) . len ( ) NL");
    CHECK(shape("}\n// comment\nelse {") == "} else {");
    // `..` is not `.`: a range cannot start a line.
    CHECK(shape("a\n..b") == "a NL .. b");
}

TEST_CASE("lexer: string escapes") {
    Token t = first(R"("a\nb\tc\rd\\e\"f\$g\0h")");
    CHECK(t.kind == Tok::String);
    CHECK(t.text == std::string("a\nb\tc\rd\\e\"f$g\0h", 15));
    CHECK(first(R"("\u{41}\u{e9}\u{20AC}\u{1F600}")").text == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(first(R"("$x $ $")").text == "$x $ $");
    CHECK(first("\"caf\xC3\xA9\"").text == "caf\xC3\xA9");
    CHECK(first("\"\"").text.empty());
}

TEST_CASE("lexer: invalid escapes are errors and the string goes on") {
    CHECK(errors(R"(x = "a\qb")") == "1:7: invalid escape sequence '\\q'");
    CHECK(shape(R"(x = "a\qb" + y)") == "x = \"ab\" + y");
    CHECK(errors(R"("\u{110000}")") == "1:2: invalid unicode code point U+110000");
    CHECK(errors(R"("\u{D800}")") == "1:2: invalid unicode code point U+D800");
    std::string bad = {"1:2: invalid unicode escape: expected '\\u{' with 1 to 6 hex digits and '}'"};
    CHECK(errors(R"("\u{}")") == bad);
    CHECK(errors(R"("\u41")") == bad);
    CHECK(errors(R"("\u{1234567}")") == bad);
    CHECK(errors(R"("\u{12")") == bad);
}

TEST_CASE("lexer: unterminated strings end at the line break") {
    CHECK(errors("let s = \"abc\nlet t = 1") == "1:9: unterminated string");
    CHECK(shape("let s = \"abc\nlet t = 1") == "let s = \"abc\" NL let t = 1");
    CHECK(errors("\"abc\\") == "1:1: unterminated string");
    CHECK(errors("x = \"abc") == "1:5: unterminated string");
}

TEST_CASE("lexer: string interpolation") {
    CHECK(shape(R"("a ${x} b")") == "\"a ${ x } b\"");
    CHECK(shape(R"("${x}")") == "\"${ x }\"");
    CHECK(shape(R"("x = ${x + 1}, y = ${y}!")") == "\"x = ${ x + 1 }, y = ${ y }!\"");
    // Nested strings and braces inside the expression.
    CHECK(shape(R"("a ${m["k"]} b")") == "\"a ${ m [ \"k\" ] } b\"");
    CHECK(shape(R"("${ {"a": 1}["a"] }")") == "\"${ { \"a\" : 1 } [ \"a\" ] }\"");
    CHECK(shape(R"nd("<${"(${x})"}>")nd") == "\"<${ \"(${ x })\" }>\"");
    CHECK(shape(R"("${f(fun() { g() })}")") == "\"${ f ( fun ( ) { g ( ) } ) }\"");
    // Escapes in the text parts; `\$` keeps a literal "${".
    CHECK(shape(R"("\${x} ${y}\n")") == "\"${x} ${ y }\n\"");
    // An interpolated string ends a statement like any literal.
    CHECK(shape("s = \"${x}\"\nt") == "s = \"${ x }\" NL t");
}

TEST_CASE("lexer: an interpolation cut off by the line break is an unterminated string") {
    CHECK(errors("s = \"a ${x\nt = 1") == "1:5: unterminated string");
    CHECK(shape("s = \"a ${x\nt = 1") == "s = \"a ${ x }\" NL t = 1");
    CHECK(shape("s = \"a ${f(x\nt = 1") == "s = \"a ${ f ( x }\" NL t = 1");
    CHECK(errors("\"${\"${x") == "1:1: unterminated string");
    CHECK(shape("\"${\"${x") == "\"${ \"${ x }\" }\"");
}

TEST_CASE("lexer: integer literals") {
    auto value = [](std::string_view s) { return firstToken(s, Tok::Int).intValue; };
    CHECK(value("0") == 0);
    CHECK(value("42") == 42);
    CHECK(value("1_000_000") == 1000000);
    CHECK(value("0xff") == 255);
    CHECK(value("0XFF_FF") == 65535);
    CHECK(value("0b1010") == 10);
    CHECK(value("0B1111_0000") == 240);
    CHECK(value("9223372036854775807") == INT64_MAX);
    // Hex and binary may use all 64 bits, read as two's complement.
    CHECK(value("0xFFFFFFFFFFFFFFFF") == -1);
    CHECK(value("0x9E3779B97F4A7C15") == int64_t(0x9E3779B97F4A7C15ull));
    CHECK(value("0x0000_0000_0000_0000_00FF") == 255);
    CHECK(value("0b" + std::string(64, '1')) == -1);
    // INT64_MIN's magnitude is flagged: only valid after unary minus.
    LexResult min = lex("9223372036854775808");
    CHECK(min.errors.empty());
    CHECK(min.tokens[0].needsMinus);
    CHECK(min.tokens[0].intValue == INT64_MIN);
    CHECK_FALSE(lex("9223372036854775807").tokens[0].needsMinus);
}

TEST_CASE("lexer: bad integer literals") {
    CHECK(errors("9223372036854775809") == "1:1: integer literal out of range");
    CHECK(errors("x = 99999999999999999999999") == "1:5: integer literal out of range");
    CHECK(errors("0x1_0000_0000_0000_0000") == "1:1: integer literal out of range");
    CHECK(errors("0b1" + std::string(64, '0')) == "1:1: integer literal out of range");
    CHECK(errors("12ab") == "1:1: invalid number literal '12ab'");
    CHECK(errors("0b102") == "1:1: invalid number literal '0b102'");
    CHECK(errors("0x") == "1:1: invalid number literal '0x'");
    CHECK(errors("1e") == "1:1: invalid number literal '1e'");
    CHECK(errors("007") == "1:1: integer literal '007' has a leading zero");
    CHECK(errors("1__0") == "1:1: '_' in number literal '1__0' must stand between two digits");
    CHECK(errors("0x_ff") == "1:1: '_' in number literal '0x_ff' must stand between two digits");
    // A trailing '_' separates nothing.
    CHECK(errors("1_") == "1:1: '_' in number literal '1_' must stand between two digits");
    // One token per bad literal, so the parser sees no extra tokens.
    CHECK(shape("x = 12ab + 1") == "x = 12ab + 1");
}

TEST_CASE("lexer: float literals") {
    auto value = [](std::string_view s) { return firstToken(s, Tok::Float).floatValue; };
    CHECK(value("3.14") == 3.14);
    CHECK(value("1e-9") == 1e-9);
    CHECK(value("2.5E+3") == 2500.0);
    CHECK(value("1e5") == 100000.0);
    CHECK(value("0.1") == 0.1);
    CHECK(value("1_000.5") == 1000.5);
    CHECK(value("1e-400") == 0.0);
    CHECK(errors("1e400") == "1:1: float literal out of range");
    // A '.' not followed by a digit is not part of the number.
    CHECK(shape("1..5") == "1 .. 5");
    CHECK(shape("1..=5") == "1 ..= 5");
    CHECK(shape("1.5.x") == "1.5 . x");
    CHECK(shape("x.0") == "x . 0");
}

TEST_CASE("lexer: comments") {
    CHECK(shape("a // b c\nd") == "a NL d");
    CHECK(shape("a /* b */ c") == "a c");
    CHECK(shape("/* a /* b */ c") == "c");  // not nested
    CHECK(shape("a /**/ b") == "a b");
    CHECK(shape("// only a comment") == "");
    CHECK(errors("a /* never\nclosed") == "1:3: unterminated block comment");
}

TEST_CASE("lexer: unexpected characters are reported and skipped") {
    CHECK(errors("a # b") == "1:3: unexpected character '#'");
    CHECK(shape("a # b") == "a b");
    CHECK(errors("x = \xC3\xA9") == "1:5: unexpected character '\xC3\xA9'");
    CHECK(errors(std::string_view("a\0b", 3)) == "1:2: unexpected control character 0x00");
    CHECK(errors("@ ` ?") ==
          "1:1: unexpected character '@'\n1:3: unexpected character '`'\n1:5: unexpected character '?'");
}

TEST_CASE("lexer: a source file is UTF-8; each byte that starts no character is reported") {
    CHECK(errors("\xFF\xFE b") == "1:1: invalid UTF-8 byte 0xFF\n1:2: invalid UTF-8 byte 0xFE");
    CHECK(shape("\xFF\xFE b") == "b");
    // In strings and comments too; well-formed characters pass everywhere.
    CHECK(errors("\"a\x80"
                 "b\"") == "1:3: invalid UTF-8 byte 0x80");
    CHECK(errors("// \xC3 cut\nx") == "1:4: invalid UTF-8 byte 0xC3");
    CHECK(errors("/* \xED\xA0\x80 */") ==
          "1:4: invalid UTF-8 byte 0xED\n1:5: invalid UTF-8 byte 0xA0\n1:6: invalid UTF-8 byte 0x80");
    CHECK(errors("\"\xC0\xAF\"") == "1:2: invalid UTF-8 byte 0xC0\n1:3: invalid UTF-8 byte 0xAF");  // overlong
    CHECK(errors("\"\xF4\x90\x80\x80\"").starts_with("1:2: invalid UTF-8 byte 0xF4"));              // past U+10FFFF
    CHECK(errors("\"\xE2\x82\xAC \xF0\x9F\x98\x80\" // \xC3\xA9") == "");
    CHECK(first("\"\xE2\x82\xAC\"").text == "\xE2\x82\xAC");
}

TEST_CASE("lexer: locations are 1-based lines and byte columns") {
    LexResult r = lex("let x = 1\n\tfoo(\"a${b}\")\n");
    std::vector<std::pair<Tok, Loc>> want = {
        {Tok::Let, {1, 1}},      {Tok::Ident, {1, 5}},      {Tok::Assign, {1, 7}},  {Tok::Int, {1, 9}},
        {Tok::Newline, {1, 10}}, {Tok::Ident, {2, 2}},      {Tok::LParen, {2, 5}},  {Tok::InterpStart, {2, 6}},
        {Tok::Ident, {2, 10}},   {Tok::InterpEnd, {2, 11}}, {Tok::RParen, {2, 13}}, {Tok::Newline, {2, 14}},
        {Tok::Eof, {3, 1}},
    };
    REQUIRE(r.tokens.size() == want.size());
    for (size_t i = 0; i < want.size(); i++) {
        CAPTURE(i);
        CHECK(r.tokens[i].kind == want[i].first);
        CHECK(r.tokens[i].loc.line == want[i].second.line);
        CHECK(r.tokens[i].loc.col == want[i].second.col);
    }
    // Columns count bytes: a two-byte character takes two columns.
    LexResult u = lex("\"\xC3\xA9\" x");
    CHECK(u.tokens[1].loc.col == 6);
    // A UTF-8 byte-order mark is skipped and not counted.
    LexResult bom = lex("\xEF\xBB\xBFlet x");
    CHECK(bom.errors.empty());
    CHECK(bom.tokens[0].kind == Tok::Let);
    CHECK(bom.tokens[0].loc.col == 1);
}

TEST_CASE("lexer: errors are sorted by position") {
    // The unterminated string is found at the line's end but belongs to its quote.
    CHECK(errors("x = \"a\\q") == "1:5: unterminated string\n1:7: invalid escape sequence '\\q'");
}

TEST_CASE("lexer: describeToken names tokens for error messages") {
    LexResult r = lex("foo 42 + let \"s\"\n");
    CHECK(describeToken(r.tokens[0]) == "'foo'");
    CHECK(describeToken(r.tokens[1]) == "'42'");
    CHECK(describeToken(r.tokens[2]) == "'+'");
    CHECK(describeToken(r.tokens[3]) == "'let'");
    CHECK(describeToken(r.tokens[4]) == "string literal");
    CHECK(describeToken(r.tokens[5]) == "newline");
    CHECK(describeToken(r.tokens[6]) == "end of file");
}
