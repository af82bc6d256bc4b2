// Internal to the parser: the Parser class shared by parser.cpp
// (declarations, statements, error recovery) and parser_exprs.cpp
// (expressions and types). Nothing outside the parser includes this file.
//
// Error handling follows clox's panic mode: the first error in a statement
// sets panic_, which silences further errors and makes every loop stop, so
// the parse functions unwind with whatever they have. The innermost
// statement, member or declaration loop then drops the broken item, skips
// tokens to a boundary (recover) and clears panic_. Blocks inside
// expressions (lambda bodies) recover on their own, so an error there costs
// only its statement.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/ast.hpp"
#include "compiler/diagnostics.hpp"
#include "compiler/lexer.hpp"

namespace nido::compiler::parsing {

// Deepest syntax tree accepted: nested expressions, statements and types,
// and links of left-associative chains (`a + b + c`, `a.b().c`), which grow
// the tree one level per link. The parser, and the checker and code
// generator after it, recurse once per level on the C++ stack; 256 is far
// beyond hand-written code and keeps every pass well inside a default 8 MiB
// thread stack, sanitizer builds included (the parser takes up to 8 KiB per
// level there).
constexpr int kMaxNesting = 256;

// Where recover() may stop: the keywords that start the next item at each level.
enum class Level { Declaration, Member, Statement };

// Which body a function declaration must have.
enum class BodyRule { Required, Abstract, Interface };

class Parser {
public:
    Parser(const std::string& path, const std::string& source, Diagnostics& diags, LexResult lexed)
        : path_(path),
          source_(source),
          diags_(diags),
          toks_(std::move(lexed.tokens)),
          lexErrors_(std::move(lexed.errors)) {}

    void parseModule(Module& m);

private:
    const std::string& path_;
    const std::string& source_;
    Diagnostics& diags_;
    std::vector<Token> toks_;
    std::vector<LexError> lexErrors_;
    size_t nextLexError_ = 0;
    size_t pos_ = 0;
    bool panic_ = false;
    int depth_ = 0;

    // Counts levels of tree depth for as long as it lives: one when created
    // with entered, one more per deeper(). ok is false (and an error
    // reported) once past kMaxNesting.
    struct Nest {
        Parser& p;
        int levels = 0;
        bool ok = true;
        explicit Nest(Parser& parser, bool entered = true) : p(parser) {
            if (entered) deeper();
        }
        bool deeper() {
            levels++;
            if (++p.depth_ > kMaxNesting && ok) {
                ok = false;
                p.errorAt(p.cur().loc, fmt::format("code is nested too deeply (limit {} levels)", kMaxNesting));
            }
            return ok;
        }
        ~Nest() { p.depth_ -= levels; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;
    };

    // ---- tokens
    const Token& cur() const { return toks_[pos_]; }
    const Token& peek(size_t n) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
    bool check(Tok k) const { return cur().kind == k; }
    const Token& advance() {
        const Token& t = toks_[pos_];
        if (pos_ + 1 < toks_.size()) pos_++;
        return t;
    }
    bool match(Tok k) {
        if (!check(k)) return false;
        advance();
        return true;
    }
    bool done() const { return check(Tok::Eof) || diags_.full(); }
    bool atStatementEnd() const {
        return check(Tok::Newline) || check(Tok::Semicolon) || check(Tok::RBrace) || check(Tok::Eof);
    }
    void skipNewlines() {
        while (match(Tok::Newline)) {
        }
    }
    // Calls item for each element of a comma-separated list that ends before
    // close (not consumed); a trailing comma is allowed. Stops at an error.
    template <typename F>
    void commaList(Tok close, F item) {
        while (!check(close)) {
            item();
            if (panic_ || !match(Tok::Comma)) break;
        }
    }

    // ---- errors
    void flushLexErrors(const Loc* upTo);
    void report(Loc loc, const std::string& message);
    void errorAt(Loc loc, const std::string& message);
    bool expect(Tok k, std::string_view context);
    std::string expectName(std::string_view what);
    bool misusedAssignment();
    void expectEnd();
    void recover(Level level, size_t start);
    void skipPastClosingBrace();

    // ---- declarations
    void parseDeclaration(Module& m);
    bool parseBinding(Loc& loc, std::string& name, TypeExprPtr& type, ExprPtr& init);
    std::unique_ptr<VarDecl> parseVarDecl(bool local);
    void parseFunction(FunDecl& f, BodyRule rule);
    void parseParams(std::vector<Param>& params, std::string_view context, bool typesOptional = false);
    void parseClass(Module& m, bool isAbstract, bool isInterface);
    void parseMember(ClassDecl& c);

    // ---- statements
    std::unique_ptr<Block> parseBlock(std::string_view context);
    StmtPtr parseStatement();
    StmtPtr parseIf();
    StmtPtr parseWhile();
    StmtPtr parseFor();
    StmtPtr parseTry();
    StmtPtr parseSimpleStatement();

    // ---- expressions
    ExprPtr parseExpression() { return parseBinary(1); }
    ExprPtr parseBinary(int level);
    ExprPtr parseCast();
    ExprPtr parseUnary();
    ExprPtr parsePostfix(ExprPtr e);
    ExprPtr parsePrimary();
    ExprPtr parseInterpolation();
    ExprPtr parseArrayLit();
    ExprPtr parseMapLit();
    ExprPtr parseLambda();
    ExprPtr parseShortLambda();
    bool atShortLambda() const;

    // ---- types
    TypeExprPtr parseType();
    TypeExprPtr parseNamedType(std::string_view what);
};

}  // namespace nido::compiler::parsing
