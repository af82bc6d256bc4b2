// The parser, part one: error reporting and recovery, declarations and
// statements. Expressions and types are in parser_exprs.cpp; the Parser
// class and how errors are handled are described in parser_internal.hpp.
#include "compiler/parser.hpp"

#include <optional>
#include <utility>

#include "compiler/parser_internal.hpp"

namespace nido::compiler {

namespace parsing {

namespace {

bool before(Loc a, Loc b) { return a.line != b.line ? a.line < b.line : a.col < b.col; }

constexpr std::pair<Tok, AssignOp> kAssignOps[] = {
    {Tok::Assign, AssignOp::Set},   {Tok::PlusEq, AssignOp::Add},   {Tok::MinusEq, AssignOp::Sub},
    {Tok::StarEq, AssignOp::Mul},   {Tok::SlashEq, AssignOp::Div},  {Tok::PercentEq, AssignOp::Rem},
    {Tok::AmpEq, AssignOp::BitAnd}, {Tok::PipeEq, AssignOp::BitOr}, {Tok::CaretEq, AssignOp::BitXor},
    {Tok::ShlEq, AssignOp::Shl},    {Tok::ShrEq, AssignOp::Shr},
};

std::optional<AssignOp> assignOp(Tok k) {
    for (const auto& [tok, op] : kAssignOps) {
        if (tok == k) return op;
    }
    return std::nullopt;
}

bool isOpener(Tok k) { return k == Tok::LParen || k == Tok::LBracket || k == Tok::LBrace; }
bool isCloser(Tok k) { return k == Tok::RParen || k == Tok::RBracket || k == Tok::RBrace; }

// The keywords that begin the next item at each level, where recover() may stop.
bool startsItem(Level level, Tok k) {
    switch (level) {
    case Level::Declaration:
        return k == Tok::Import || k == Tok::Fun || k == Tok::Class || k == Tok::Interface || k == Tok::Abstract ||
               k == Tok::Let || k == Tok::Var;
    case Level::Member:
        return k == Tok::Var || k == Tok::Let || k == Tok::Fun || k == Tok::New || k == Tok::Abstract ||
               k == Tok::Override;
    case Level::Statement:
        return k == Tok::Let || k == Tok::Var || k == Tok::If || k == Tok::While || k == Tok::For || k == Tok::Return ||
               k == Tok::Break || k == Tok::Continue || k == Tok::Throw || k == Tok::Try;
    }
    return false;
}

}  // namespace

// ---- errors -------------------------------------------------------------------

// Reports the lexer's errors that lie before upTo (all of them when null), so
// that lexical and syntax errors come out in source order.
void Parser::flushLexErrors(const Loc* upTo) {
    while (nextLexError_ < lexErrors_.size() && (!upTo || !before(*upTo, lexErrors_[nextLexError_].loc))) {
        const LexError& e = lexErrors_[nextLexError_++];
        diags_.error(path_, source_, e.loc, e.message);
    }
}

void Parser::report(Loc loc, const std::string& message) {
    flushLexErrors(&loc);
    diags_.error(path_, source_, loc, message);
}

// Reports a syntax error and enters panic mode, unless already in it.
void Parser::errorAt(Loc loc, const std::string& message) {
    if (panic_) return;
    panic_ = true;
    report(loc, message);
}

bool Parser::expect(Tok k, std::string_view context) {
    if (match(k)) return true;
    errorAt(cur().loc, fmt::format("expected '{}' {}, found {}", tokSpelling(k), context, describeToken(cur())));
    return false;
}

// Consumes an identifier and returns its name; what names the expectation
// for the error message ("name after 'let'").
std::string Parser::expectName(std::string_view what) {
    if (check(Tok::Ident)) return advance().text;
    errorAt(cur().loc, fmt::format("expected {}, found {}", what, describeToken(cur())));
    return {};
}

// An assignment operator right after an expression that is not the target
// of an assignment statement: `if (x = 1)`, `f(x = 1)`, `let y = x = 1`.
bool Parser::misusedAssignment() {
    if (!assignOp(cur().kind)) return false;
    errorAt(cur().loc, "assignment is a statement, not an expression");
    return true;
}

// A statement or declaration ends at a newline or ';', or just before a '}'
// or the end of the file.
void Parser::expectEnd() {
    if (match(Tok::Newline) || match(Tok::Semicolon) || check(Tok::RBrace) || check(Tok::Eof)) return;
    if (misusedAssignment()) return;
    if (check(Tok::DotDot) || check(Tok::DotDotEq)) {
        errorAt(cur().loc, fmt::format("a range with '{}' is only allowed in a for loop", tokSpelling(cur().kind)));
    } else {
        errorAt(cur().loc, fmt::format("unexpected {} at end of statement", describeToken(cur())));
    }
}

// Leaves panic mode after an error in the item that began at token start.
// Skips to a keyword that begins the next item or, inside blocks and
// classes, to the end of the line (a newline or ';' outside any brackets
// opened since) or to the '}' that closes the block or class. Always moves
// past at least one token, so the caller's loop cannot stall.
void Parser::recover(Level level, size_t start) {
    panic_ = false;
    int depth = 0;
    while (!check(Tok::Eof)) {
        Tok k = cur().kind;
        // Declarations span lines: at the top level only a keyword ends the skip.
        if (depth == 0 && level != Level::Declaration) {
            if (k == Tok::Newline || k == Tok::Semicolon) {
                advance();
                break;
            }
            if (k == Tok::RBrace) break;
        }
        if (depth == 0 && pos_ > start && startsItem(level, k)) break;
        if (isOpener(k)) depth++;
        if (isCloser(k) && depth > 0) depth--;
        advance();
    }
    if (pos_ == start) advance();
}

// Skips to just past the '}' that closes the innermost brace already opened.
void Parser::skipPastClosingBrace() {
    int depth = 0;
    while (!check(Tok::Eof)) {
        Tok k = advance().kind;
        if (k == Tok::LBrace) depth++;
        if (k == Tok::RBrace && depth-- == 0) return;
    }
}

// ---- declarations ---------------------------------------------------------------

void Parser::parseModule(Module& m) {
    while (!done()) {
        if (match(Tok::Newline) || match(Tok::Semicolon)) continue;
        size_t start = pos_;
        parseDeclaration(m);
        if (!panic_) expectEnd();
        if (panic_) recover(Level::Declaration, start);
    }
    flushLexErrors(nullptr);
}

// Parses one top-level declaration and adds it to m unless it had an error.
void Parser::parseDeclaration(Module& m) {
    switch (cur().kind) {
    case Tok::Import: {
        advance();
        Import imp;
        imp.loc = cur().loc;
        imp.name = expectName("module name after 'import'");
        if (!panic_) m.imports.push_back(std::move(imp));
        return;
    }
    case Tok::Let:
    case Tok::Var: {
        auto decl = parseVarDecl(false);
        if (!panic_) m.globals.push_back(std::move(decl));
        return;
    }
    case Tok::Fun: {
        FunDecl f;
        parseFunction(f, BodyRule::Required);
        if (!panic_) m.functions.push_back(std::move(f));
        return;
    }
    case Tok::Abstract:
        advance();
        if (!check(Tok::Class)) {
            errorAt(cur().loc, fmt::format("expected 'class' after 'abstract', found {}", describeToken(cur())));
            return;
        }
        parseClass(m, true, false);
        return;
    case Tok::Class: parseClass(m, false, false); return;
    case Tok::Interface: parseClass(m, false, true); return;
    case Tok::RBrace: errorAt(cur().loc, "unexpected '}'"); return;
    default:
        errorAt(cur().loc, fmt::format("expected a declaration (import, let, var, fun, class or interface), found {}",
                                       describeToken(cur())));
    }
}

// name [: Type] [= init] after `let` or `var` (the current token), for
// variables and fields; returns whether `let` was written. The caller checks
// which of type and init are required.
bool Parser::parseBinding(Loc& loc, std::string& name, TypeExprPtr& type, ExprPtr& init) {
    bool isLet = advance().kind == Tok::Let;
    loc = cur().loc;
    name = expectName(isLet ? "name after 'let'" : "name after 'var'");
    if (!panic_ && match(Tok::Colon)) type = parseType();
    if (panic_) return isLet;
    if (match(Tok::Assign)) {
        init = parseExpression();
    } else if (!atStatementEnd()) {
        errorAt(cur().loc, fmt::format("expected {} after '{}', found {}", type ? "'='" : "':' or '='", name,
                                       describeToken(cur())));
    }
    return isLet;
}

// A local (local) or module variable. Locals and `let` module variables need
// an initializer; `var` module variables need a type or one.
std::unique_ptr<VarDecl> Parser::parseVarDecl(bool local) {
    auto decl = std::make_unique<VarDecl>(cur().loc);
    decl->isLet = parseBinding(decl->loc, decl->name, decl->type, decl->init);
    if (panic_ || decl->init) return decl;
    if (local || decl->isLet) {
        errorAt(decl->loc, fmt::format("variable {} needs an initializer", decl->name));
    } else if (!decl->type) {
        errorAt(decl->loc, fmt::format("module variable {} needs a type or an initializer", decl->name));
    }
    return decl;
}

// fun name(params) [: Result] { body }, at the `fun` keyword. Abstract and
// interface methods have no body.
void Parser::parseFunction(FunDecl& f, BodyRule rule) {
    advance();
    f.loc = cur().loc;
    f.name = expectName("function name after 'fun'");
    if (panic_) return;
    parseParams(f.params, fmt::format("after '{}'", f.name));
    if (panic_) return;
    if (match(Tok::Colon)) f.result = parseType();
    if (panic_) return;
    if (rule == BodyRule::Required) {
        f.body = parseBlock(fmt::format("to start the body of {}", f.name));
    } else if (check(Tok::LBrace)) {
        errorAt(cur().loc, fmt::format("{} '{}' cannot have a body",
                                       rule == BodyRule::Abstract ? "abstract method" : "interface method", f.name));
    }
}

// (name: Type, ...), trailing comma allowed. With typesOptional (short
// lambdas) a parameter may be a bare name, its type left null for the
// checker to infer from the expected function type.
void Parser::parseParams(std::vector<Param>& params, std::string_view context, bool typesOptional) {
    if (!expect(Tok::LParen, context)) return;
    commaList(Tok::RParen, [&] {
        Param p;
        p.loc = cur().loc;
        p.name = expectName("parameter name");
        if (panic_ || (typesOptional && !check(Tok::Colon))) {
            if (!panic_) params.push_back(std::move(p));
            return;
        }
        if (!match(Tok::Colon)) {
            errorAt(cur().loc,
                    fmt::format("expected ':' and a type after parameter {}, found {}", p.name, describeToken(cur())));
        }
        if (!panic_) p.type = parseType();
        if (!panic_) params.push_back(std::move(p));
    });
    if (!panic_) expect(Tok::RParen, "after parameters");
}

// [abstract] class Name [extends Base] [implements I, J] { members }, or
// interface Name { methods }, at the `class` or `interface` keyword.
void Parser::parseClass(Module& m, bool isAbstract, bool isInterface) {
    advance();
    ClassDecl c;
    c.isAbstract = isAbstract;
    c.isInterface = isInterface;
    c.loc = cur().loc;
    c.name = expectName(isInterface ? "interface name" : "class name");
    if (!isInterface && !panic_ && match(Tok::Extends)) {
        c.superclass = parseNamedType("class name after 'extends'");
        if (!panic_ && check(Tok::Comma))
            errorAt(cur().loc, "a class extends one class only; interfaces follow 'implements'");
    }
    if (!isInterface && !panic_ && match(Tok::Implements)) {
        do {
            c.interfaces.push_back(parseNamedType("interface name after 'implements'"));
        } while (!panic_ && match(Tok::Comma));
    }
    if (panic_ || !expect(Tok::LBrace, isInterface ? "to start the interface body" : "to start the class body")) return;
    while (!check(Tok::RBrace) && !done()) {
        if (match(Tok::Newline) || match(Tok::Semicolon)) continue;
        size_t start = pos_;
        parseMember(c);
        if (!panic_) expectEnd();
        if (panic_) recover(Level::Member, start);
    }
    if (check(Tok::Eof)) {
        errorAt(cur().loc, fmt::format("expected '}}' to close {} {} (line {}), found end of file",
                                       isInterface ? "interface" : "class", c.name, c.loc.line));
        return;
    }
    match(Tok::RBrace);
    m.classes.push_back(std::move(c));
}

// One field, constructor or method of c; added to c unless it had an error.
void Parser::parseMember(ClassDecl& c) {
    if (c.isInterface && !check(Tok::Fun)) {
        errorAt(cur().loc, fmt::format("expected a method ('fun name(...): Type') in interface {}, found {}", c.name,
                                       describeToken(cur())));
        return;
    }
    Loc modifierLoc = cur().loc;
    bool isAbstract = false, isOverride = false;
    while (check(Tok::Abstract) || check(Tok::Override)) {
        bool& flag = check(Tok::Abstract) ? isAbstract : isOverride;
        if (flag) {
            errorAt(cur().loc, fmt::format("duplicate '{}'", tokSpelling(cur().kind)));
            return;
        }
        flag = true;
        advance();
    }
    if ((isAbstract || isOverride) && !check(Tok::Fun)) {
        errorAt(modifierLoc, fmt::format("'{}' applies only to methods", isAbstract ? "abstract" : "override"));
        return;
    }
    switch (cur().kind) {
    case Tok::Var:
    case Tok::Let: {
        FieldDecl f;
        f.isLet = parseBinding(f.loc, f.name, f.type, f.init);
        if (panic_) return;
        if (!f.type && !f.init) {
            errorAt(f.loc, fmt::format("field {} needs a type or an initializer", f.name));
            return;
        }
        c.fields.push_back(std::move(f));
        return;
    }
    case Tok::New: {
        auto ctor = std::make_unique<CtorDecl>();
        ctor->loc = advance().loc;
        parseParams(ctor->params, "after 'new'");
        if (panic_) return;
        ctor->body = parseBlock("to start the constructor body");
        if (panic_) return;
        // Not a syntax error: report it without panic and keep parsing the class.
        if (c.ctor) {
            report(ctor->loc, fmt::format("class {} has more than one constructor", c.name));
            return;
        }
        c.ctor = std::move(ctor);
        return;
    }
    case Tok::Fun: {
        FunDecl f;
        f.isAbstract = isAbstract;
        f.isOverride = isOverride;
        parseFunction(f, c.isInterface ? BodyRule::Interface : isAbstract ? BodyRule::Abstract : BodyRule::Required);
        if (!panic_) c.methods.push_back(std::move(f));
        return;
    }
    default:
        errorAt(cur().loc, fmt::format("expected a field, constructor or method in class {}, found {}", c.name,
                                       describeToken(cur())));
    }
}

// ---- statements -------------------------------------------------------------------

// { statements }, context completing "expected '{' ..." when the brace is missing.
std::unique_ptr<Block> Parser::parseBlock(std::string_view context) {
    auto block = std::make_unique<Block>(cur().loc);
    if (!expect(Tok::LBrace, context)) return block;
    while (!check(Tok::RBrace) && !done()) {
        if (match(Tok::Newline) || match(Tok::Semicolon)) continue;
        size_t start = pos_;
        StmtPtr s = parseStatement();
        if (!panic_) expectEnd();
        if (panic_) {
            recover(Level::Statement, start);
            continue;
        }
        block->stmts.push_back(std::move(s));
    }
    if (check(Tok::Eof)) {
        errorAt(cur().loc,
                fmt::format("expected '}}' to close the block opened at line {}, found end of file", block->loc.line));
    }
    match(Tok::RBrace);
    return block;
}

StmtPtr Parser::parseStatement() {
    Nest nest(*this);
    if (!nest.ok) return nullptr;
    Loc loc = cur().loc;
    switch (cur().kind) {
    case Tok::Let:
    case Tok::Var: return parseVarDecl(true);
    case Tok::If: return parseIf();
    case Tok::While: return parseWhile();
    case Tok::For: return parseFor();
    case Tok::Try: return parseTry();
    case Tok::LBrace: return parseBlock("");
    case Tok::Break: advance(); return std::make_unique<Break>(loc);
    case Tok::Continue: advance(); return std::make_unique<Continue>(loc);
    case Tok::Return: {
        advance();
        auto r = std::make_unique<Return>(loc);
        if (!atStatementEnd()) r->value = parseExpression();
        return r;
    }
    case Tok::Throw: {
        advance();
        auto t = std::make_unique<Throw>(loc);
        t->value = parseExpression();
        return t;
    }
    case Tok::Fun:
        if (peek(1).kind == Tok::Ident) {
            errorAt(peek(1).loc, fmt::format("a function cannot be declared inside a block; write 'let {} = fun(...) "
                                             "{{ ... }}'",
                                             peek(1).text));
            return nullptr;
        }
        return parseSimpleStatement();
    default: return parseSimpleStatement();
    }
}

// if cond { } [else if ... | else { }]
StmtPtr Parser::parseIf() {
    Nest nest(*this);  // else-if chains recurse here
    if (!nest.ok) return nullptr;
    auto s = std::make_unique<If>(advance().loc);
    s->cond = parseExpression();
    if (panic_ || misusedAssignment()) return nullptr;
    s->then = parseBlock("after the if condition");
    if (panic_ || !match(Tok::Else)) return s;
    if (check(Tok::If)) {
        s->otherwise = parseIf();
    } else {
        s->otherwise = parseBlock("after 'else'");
    }
    return s;
}

StmtPtr Parser::parseWhile() {
    auto s = std::make_unique<While>(advance().loc);
    s->cond = parseExpression();
    if (panic_ || misusedAssignment()) return nullptr;
    s->body = parseBlock("after the while condition");
    return s;
}

// for x in lo..hi { } / lo..=hi / for x in iterable { }. The bounds are whole
// expressions: '..' binds looser than every binary operator.
StmtPtr Parser::parseFor() {
    Loc loc = advance().loc;
    Loc varLoc = cur().loc;
    std::string var = expectName("loop variable name after 'for'");
    if (panic_ || !expect(Tok::In, "after the loop variable")) return nullptr;
    ExprPtr first = parseExpression();
    if (panic_ || misusedAssignment()) return nullptr;
    if (check(Tok::DotDot) || check(Tok::DotDotEq)) {
        auto s = std::make_unique<ForRange>(loc);
        s->inclusive = advance().kind == Tok::DotDotEq;
        s->var = std::move(var);
        s->varLoc = varLoc;
        s->lo = std::move(first);
        s->hi = parseExpression();
        if (panic_ || misusedAssignment()) return nullptr;
        s->body = parseBlock("after the for range");
        return s;
    }
    auto s = std::make_unique<ForEach>(loc);
    s->var = std::move(var);
    s->varLoc = varLoc;
    s->iterable = std::move(first);
    s->body = parseBlock("after the for clause");
    return s;
}

// try { } catch e: Type { } ... [finally { }]
StmtPtr Parser::parseTry() {
    auto s = std::make_unique<Try>(advance().loc);
    s->body = parseBlock("after 'try'");
    while (!panic_ && check(Tok::Catch)) {
        Catch c;
        c.loc = advance().loc;
        c.var = expectName("variable name after 'catch'");
        if (panic_) return nullptr;
        if (!match(Tok::Colon)) {
            errorAt(cur().loc,
                    fmt::format("expected ':' and an error class after '{}', found {}", c.var, describeToken(cur())));
            return nullptr;
        }
        c.type = parseNamedType("error class name");
        if (panic_) return nullptr;
        c.body = parseBlock("after the catch clause");
        s->catches.push_back(std::move(c));
    }
    if (!panic_ && match(Tok::Finally)) s->finally = parseBlock("after 'finally'");
    if (!panic_ && s->catches.empty() && !s->finally) {
        errorAt(cur().loc,
                fmt::format("expected 'catch' or 'finally' after the try block, found {}", describeToken(cur())));
    }
    return s;
}

// An assignment, or an expression statement, which must be a call.
StmtPtr Parser::parseSimpleStatement() {
    Loc start = cur().loc;
    ExprPtr e = parseExpression();
    if (panic_) return nullptr;
    if (check(Tok::UShrEq)) {
        errorAt(cur().loc, "'>>>=' is not an assignment operator; write 'x = x >>> n'");
        return nullptr;
    }
    if (auto op = assignOp(cur().kind)) {
        if (e->kind != ExprKind::Ident && e->kind != ExprKind::Member && e->kind != ExprKind::Index) {
            errorAt(start, "cannot assign to this expression");
            return nullptr;
        }
        auto a = std::make_unique<Assign>(advance().loc);
        a->op = *op;
        a->target = std::move(e);
        a->value = parseExpression();
        return a;
    }
    if (!atStatementEnd()) {
        expectEnd();
        return nullptr;
    }
    if (e->kind != ExprKind::Call) {
        errorAt(start, "expression is not a statement");
        return nullptr;
    }
    auto s = std::make_unique<ExprStmt>(start);
    s->expr = std::move(e);
    return s;
}

}  // namespace parsing

std::unique_ptr<Module> parseModule(const std::string& path, const std::string& moduleName, const std::string& source,
                                    Diagnostics& diags) {
    auto m = std::make_unique<Module>();
    m->name = moduleName;
    m->path = path;
    parsing::Parser(path, source, diags, lex(source)).parseModule(*m);
    return m;
}

}  // namespace nido::compiler
