// The lexer: turns one Nido source file into a list of tokens for the parser.
//
// Besides splitting text it applies the newline rule of LANGUAGE.md §1, so the
// parser never looks at line breaks itself: a line break becomes a Newline
// token only when it ends a statement (Go's rule, with the exceptions for
// brackets and for lines starting with `else`, `catch`, `finally` or `.`).
// String interpolation is split into tokens too: "a${x}b" lexes as
// InterpStart("a") Ident(x) InterpEnd("b"), with InterpMid between several
// expressions, so the parser reads the embedded expressions like any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/ast.hpp"

namespace nido::compiler {

// Every token kind once, with the spelling used in error messages. OTHER
// kinds carry text or structure, KEYWORD kinds are reserved words and PUNCT
// kinds are operators; the lexer builds its keyword and operator tables from
// this list, so a new token is added here and nowhere else.
#define NIDO_TOKENS(OTHER, KEYWORD, PUNCT)                                                   \
    OTHER(Eof, "end of file")                                                                \
    OTHER(Newline, "newline")                                                                \
    OTHER(Ident, "identifier")                                                               \
    OTHER(Int, "integer literal")                                                            \
    OTHER(Float, "float literal")                                                            \
    OTHER(String, "string literal")                                                          \
    OTHER(InterpStart, "string literal") /* text before the first ${ */                      \
    OTHER(InterpMid, "}")                /* text between } and the next ${ */                \
    OTHER(InterpEnd, "}")                /* text between the last } and the closing quote */ \
    KEYWORD(Let, "let")                                                                      \
    KEYWORD(Var, "var")                                                                      \
    KEYWORD(Fun, "fun")                                                                      \
    KEYWORD(Class, "class")                                                                  \
    KEYWORD(Interface, "interface")                                                          \
    KEYWORD(Abstract, "abstract")                                                            \
    KEYWORD(Override, "override")                                                            \
    KEYWORD(Extends, "extends")                                                              \
    KEYWORD(Implements, "implements")                                                        \
    KEYWORD(New, "new")                                                                      \
    KEYWORD(Return, "return")                                                                \
    KEYWORD(If, "if")                                                                        \
    KEYWORD(Else, "else")                                                                    \
    KEYWORD(While, "while")                                                                  \
    KEYWORD(For, "for")                                                                      \
    KEYWORD(In, "in")                                                                        \
    KEYWORD(Break, "break")                                                                  \
    KEYWORD(Continue, "continue")                                                            \
    KEYWORD(True, "true")                                                                    \
    KEYWORD(False, "false")                                                                  \
    KEYWORD(Null, "null")                                                                    \
    KEYWORD(This, "this")                                                                    \
    KEYWORD(Super, "super")                                                                  \
    KEYWORD(Try, "try")                                                                      \
    KEYWORD(Catch, "catch")                                                                  \
    KEYWORD(Finally, "finally")                                                              \
    KEYWORD(Throw, "throw")                                                                  \
    KEYWORD(Import, "import")                                                                \
    KEYWORD(Is, "is")                                                                        \
    KEYWORD(As, "as")                                                                        \
    PUNCT(LParen, "(")                                                                       \
    PUNCT(RParen, ")")                                                                       \
    PUNCT(LBracket, "[")                                                                     \
    PUNCT(RBracket, "]")                                                                     \
    PUNCT(LBrace, "{")                                                                       \
    PUNCT(RBrace, "}")                                                                       \
    PUNCT(Comma, ",")                                                                        \
    PUNCT(Colon, ":")                                                                        \
    PUNCT(Semicolon, ";")                                                                    \
    PUNCT(Dot, ".")                                                                          \
    PUNCT(DotDot, "..")                                                                      \
    PUNCT(DotDotEq, "..=")                                                                   \
    PUNCT(Arrow, "=>")                                                                       \
    PUNCT(Plus, "+")                                                                         \
    PUNCT(Minus, "-")                                                                        \
    PUNCT(Star, "*")                                                                         \
    PUNCT(Slash, "/")                                                                        \
    PUNCT(Percent, "%")                                                                      \
    PUNCT(Amp, "&")                                                                          \
    PUNCT(Pipe, "|")                                                                         \
    PUNCT(Caret, "^")                                                                        \
    PUNCT(Tilde, "~")                                                                        \
    PUNCT(Bang, "!")                                                                         \
    PUNCT(Shl, "<<")                                                                         \
    PUNCT(Shr, ">>")                                                                         \
    PUNCT(UShr, ">>>")                                                                       \
    PUNCT(AmpAmp, "&&")                                                                      \
    PUNCT(PipePipe, "||")                                                                    \
    PUNCT(EqEq, "==")                                                                        \
    PUNCT(NotEq, "!=")                                                                       \
    PUNCT(Lt, "<")                                                                           \
    PUNCT(Le, "<=")                                                                          \
    PUNCT(Gt, ">")                                                                           \
    PUNCT(Ge, ">=")                                                                          \
    PUNCT(Assign, "=")                                                                       \
    PUNCT(PlusEq, "+=")                                                                      \
    PUNCT(MinusEq, "-=")                                                                     \
    PUNCT(StarEq, "*=")                                                                      \
    PUNCT(SlashEq, "/=")                                                                     \
    PUNCT(PercentEq, "%=")                                                                   \
    PUNCT(AmpEq, "&=")                                                                       \
    PUNCT(PipeEq, "|=")                                                                      \
    PUNCT(CaretEq, "^=")                                                                     \
    PUNCT(ShlEq, "<<=")                                                                      \
    PUNCT(ShrEq, ">>=")                                                                      \
    PUNCT(UShrEq, ">>>=") /* not an assignment operator: lexed whole so the parser can say so */

enum class Tok : uint8_t {
#define NIDO_TOK_ENUM(name, spelling) name,
    NIDO_TOKENS(NIDO_TOK_ENUM, NIDO_TOK_ENUM, NIDO_TOK_ENUM)
#undef NIDO_TOK_ENUM
};

// The spelling of a kind: "let", "+=", "end of file".
const char* tokSpelling(Tok kind);

struct Token {
    Tok kind = Tok::Eof;
    Loc loc;           // first byte of the token; for InterpMid/InterpEnd the closing '}'
    std::string text;  // Ident: the name; String/Interp*: decoded text; Int/Float: as written
    int64_t intValue = 0;
    double floatValue = 0;
    // Int written in decimal as 9223372036854775808: valid only as the operand
    // of unary minus (giving INT64_MIN); intValue then holds INT64_MIN.
    bool needsMinus = false;
};

struct LexError {
    Loc loc;
    std::string message;
};

struct LexResult {
    std::vector<Token> tokens;     // always ends with Eof
    std::vector<LexError> errors;  // in source order
};

// Lexes a whole file. Never fails: after an error it reports it and goes on,
// so the parser still sees a complete token list.
LexResult lex(std::string_view source);

// How a token is named in error messages: 'foo', '+', '42', newline, end of file.
std::string describeToken(const Token& token);

}  // namespace nido::compiler
