// The parser, part two: expressions (precedence climbing over the levels
// of LANGUAGE.md §4) and type expressions. See parser_internal.hpp.
#include <memory>
#include <utility>

#include "compiler/parser_internal.hpp"

namespace nido::compiler::parsing {

namespace {

// The binary operators by level, loosest first (LANGUAGE.md §4). `is`, at
// the comparisons' level, is parsed apart because it takes a type.
struct BinaryOpInfo {
    Tok tok;
    int level;
    BinaryOp op;
};
constexpr BinaryOpInfo kBinaryOps[] = {
    {Tok::PipePipe, 1, BinaryOp::Or}, {Tok::AmpAmp, 2, BinaryOp::And}, {Tok::EqEq, 3, BinaryOp::Eq},
    {Tok::NotEq, 3, BinaryOp::Ne},    {Tok::Lt, 3, BinaryOp::Lt},      {Tok::Le, 3, BinaryOp::Le},
    {Tok::Gt, 3, BinaryOp::Gt},       {Tok::Ge, 3, BinaryOp::Ge},      {Tok::Plus, 4, BinaryOp::Add},
    {Tok::Minus, 4, BinaryOp::Sub},   {Tok::Pipe, 4, BinaryOp::BitOr}, {Tok::Caret, 4, BinaryOp::BitXor},
    {Tok::Star, 5, BinaryOp::Mul},    {Tok::Slash, 5, BinaryOp::Div},  {Tok::Percent, 5, BinaryOp::Rem},
    {Tok::Shl, 5, BinaryOp::Shl},     {Tok::Shr, 5, BinaryOp::Shr},    {Tok::UShr, 5, BinaryOp::UShr},
    {Tok::Amp, 5, BinaryOp::BitAnd},
};
constexpr int kComparisonLevel = 3;
constexpr int kTightestBinary = 5;

const BinaryOpInfo* binaryOp(Tok k) {
    for (const BinaryOpInfo& b : kBinaryOps) {
        if (b.tok == k) return &b;
    }
    return nullptr;
}

// A literal node of type Node holding value.
template <typename Node, typename Value>
ExprPtr literal(Loc loc, Value value) {
    auto node = std::make_unique<Node>(loc);
    node->value = std::move(value);
    return node;
}

}  // namespace

// ---- expressions --------------------------------------------------------------------

// Precedence climbing over the binary levels; `is` sits with the comparisons
// and takes a type on its right.
ExprPtr Parser::parseBinary(int level) {
    if (level > kTightestBinary) return parseCast();
    ExprPtr left = parseBinary(level + 1);
    Nest chain(*this, false);
    while (!panic_) {
        bool isIs = level == kComparisonLevel && check(Tok::Is);
        const BinaryOpInfo* info = binaryOp(cur().kind);
        if ((!isIs && (!info || info->level != level)) || !chain.deeper()) break;
        if (isIs) {
            auto is = std::make_unique<IsExpr>(advance().loc);
            is->operand = std::move(left);
            is->target = parseType();
            left = std::move(is);
            continue;
        }
        auto b = std::make_unique<Binary>(advance().loc);
        b->op = info->op;
        b->left = std::move(left);
        b->right = parseBinary(level + 1);
        left = std::move(b);
    }
    return left;
}

// expr as Type, binding tighter than every binary operator, looser than unary.
ExprPtr Parser::parseCast() {
    ExprPtr e = parseUnary();
    Nest chain(*this, false);
    while (!panic_ && check(Tok::As) && chain.deeper()) {
        auto as = std::make_unique<AsExpr>(advance().loc);
        as->operand = std::move(e);
        as->target = parseType();
        e = std::move(as);
    }
    return e;
}

// Prefix - ! ~. A minus directly before a number literal folds into a
// negative literal; that is also how -9223372036854775808 (INT64_MIN), whose
// magnitude alone does not fit in an int, is written.
ExprPtr Parser::parseUnary() {
    Nest nest(*this);
    if (!nest.ok) return std::make_unique<NullLit>(cur().loc);
    Loc loc = cur().loc;
    Tok k = cur().kind;
    Tok next = peek(1).kind;
    Tok afterNext = peek(2).kind;
    bool postfixFollows = afterNext == Tok::Dot || afterNext == Tok::LParen || afterNext == Tok::LBracket;
    if (k == Tok::Minus && next == Tok::Int && !postfixFollows) {
        advance();
        return literal<IntLit>(loc, int64_t(0 - uint64_t(advance().intValue)));  // INT64_MIN stays INT64_MIN
    }
    if (k == Tok::Minus && next == Tok::Float && !postfixFollows) {
        advance();
        return literal<FloatLit>(loc, -advance().floatValue);
    }
    if (k == Tok::Minus || k == Tok::Bang || k == Tok::Tilde) {
        advance();
        auto u = std::make_unique<Unary>(loc);
        u->op = k == Tok::Minus ? UnaryOp::Neg : k == Tok::Bang ? UnaryOp::Not : UnaryOp::BitNot;
        u->operand = parseUnary();
        return u;
    }
    return parsePostfix(parsePrimary());
}

// Member access, calls and indexing, left to right.
ExprPtr Parser::parsePostfix(ExprPtr e) {
    Nest chain(*this, false);
    while (!panic_ && (check(Tok::Dot) || check(Tok::LParen) || check(Tok::LBracket)) && chain.deeper()) {
        if (check(Tok::Dot)) {
            auto m = std::make_unique<Member>(advance().loc);
            m->nameLoc = cur().loc;
            m->name = expectName("member name after '.'");
            m->object = std::move(e);
            e = std::move(m);
        } else if (check(Tok::LParen)) {
            auto call = std::make_unique<Call>(advance().loc);
            call->callee = std::move(e);
            commaList(Tok::RParen, [&] { call->args.push_back(parseExpression()); });
            if (!panic_ && !misusedAssignment()) expect(Tok::RParen, "after arguments");
            e = std::move(call);
        } else if (check(Tok::LBracket)) {
            auto index = std::make_unique<Index>(advance().loc);
            index->object = std::move(e);
            index->index = parseExpression();
            if (!panic_ && !misusedAssignment()) expect(Tok::RBracket, "after index");
            e = std::move(index);
        } else {
            break;
        }
    }
    return e;
}

ExprPtr Parser::parsePrimary() {
    const Token& t = cur();
    switch (t.kind) {
    case Tok::Int:
        advance();
        if (t.needsMinus) errorAt(t.loc, "integer literal out of range");
        return literal<IntLit>(t.loc, t.intValue);
    case Tok::Float: advance(); return literal<FloatLit>(t.loc, t.floatValue);
    case Tok::String: advance(); return literal<StringLit>(t.loc, t.text);
    case Tok::InterpStart: return parseInterpolation();
    case Tok::True:
    case Tok::False: advance(); return literal<BoolLit>(t.loc, t.kind == Tok::True);
    case Tok::Null: advance(); return std::make_unique<NullLit>(t.loc);
    case Tok::This: advance(); return std::make_unique<This>(t.loc);
    case Tok::Super:
        advance();
        if (!check(Tok::LParen) && !check(Tok::Dot)) {
            errorAt(cur().loc, fmt::format("expected '(' or '.' after 'super', found {}", describeToken(cur())));
        }
        return std::make_unique<Super>(t.loc);
    case Tok::Ident: {
        advance();
        auto id = std::make_unique<Ident>(t.loc);
        id->name = t.text;
        return id;
    }
    case Tok::LParen: {
        if (atShortLambda()) return parseShortLambda();
        advance();
        ExprPtr e = parseExpression();
        if (!panic_ && !misusedAssignment()) expect(Tok::RParen, "after the expression");
        return e;
    }
    case Tok::LBracket: return parseArrayLit();
    case Tok::LBrace: return parseMapLit();
    case Tok::Fun: return parseLambda();
    default:
        errorAt(t.loc, fmt::format("expected expression, found {}", describeToken(t)));
        return std::make_unique<NullLit>(t.loc);
    }
}

// "a${x}b${y}" arrives as InterpStart("a") x InterpMid("b") y InterpEnd("").
ExprPtr Parser::parseInterpolation() {
    const Token& start = advance();
    auto interp = std::make_unique<Interp>(start.loc);
    auto addText = [&](const Token& t) {
        if (!t.text.empty()) interp->parts.push_back(literal<StringLit>(t.loc, t.text));
    };
    addText(start);
    while (!panic_) {
        interp->parts.push_back(parseExpression());
        if (panic_) break;
        if (!check(Tok::InterpMid) && !check(Tok::InterpEnd)) {
            errorAt(cur().loc,
                    fmt::format("expected '}}' after the interpolated expression, found {}", describeToken(cur())));
            break;
        }
        const Token& t = advance();
        addText(t);
        if (t.kind == Tok::InterpEnd) break;
    }
    return interp;
}

// [a, b, c], trailing comma allowed; line breaks inside are never newlines.
ExprPtr Parser::parseArrayLit() {
    auto arr = std::make_unique<ArrayLit>(advance().loc);
    commaList(Tok::RBracket, [&] { arr->elements.push_back(parseExpression()); });
    if (!panic_ && !misusedAssignment()) expect(Tok::RBracket, "after array elements");
    return arr;
}

// {k: v, ...}. The lexer treats '{' as a block, so a map written over several
// lines arrives with Newline tokens after its entries; they are skipped here.
// After an error the rest of the map is skipped, so that its '}' is not
// taken for the end of the enclosing block.
ExprPtr Parser::parseMapLit() {
    auto map = std::make_unique<MapLit>(advance().loc);
    skipNewlines();
    while (!check(Tok::RBrace)) {
        ExprPtr key = parseExpression();
        skipNewlines();
        if (panic_ || !expect(Tok::Colon, "after the map key")) break;
        skipNewlines();
        ExprPtr value = parseExpression();
        if (panic_) break;
        map->entries.emplace_back(std::move(key), std::move(value));
        skipNewlines();
        if (!match(Tok::Comma)) break;
        skipNewlines();
    }
    if (!panic_) expect(Tok::RBrace, "after map entries");
    if (panic_) skipPastClosingBrace();
    return map;
}

// fun(a: int): R { body }
ExprPtr Parser::parseLambda() {
    auto lambda = std::make_unique<Lambda>(advance().loc);
    parseParams(lambda->params, "after 'fun'");
    if (panic_) return lambda;
    if (match(Tok::Colon)) lambda->result = parseType();
    if (panic_) return lambda;
    lambda->body = parseBlock("to start the lambda body");
    return lambda;
}

// A '(' starts a short lambda when followed by `)` `=>`, or by a name and then
// ':', ',' or `)` `=>` (no parenthesised expression continues so). Line
// breaks inside parentheses produce no tokens, so this lookahead sees the
// parameter list as written.
bool Parser::atShortLambda() const {
    Tok a = peek(1).kind, b = peek(2).kind;
    if (a == Tok::RParen) return b == Tok::Arrow;
    if (a != Tok::Ident) return false;
    return b == Tok::Colon || b == Tok::Comma || (b == Tok::RParen && peek(3).kind == Tok::Arrow);
}

// (a: int) => expr or (a) => expr; the checker infers the result type, and
// the types of parameters written without one.
ExprPtr Parser::parseShortLambda() {
    auto lambda = std::make_unique<Lambda>(cur().loc);
    parseParams(lambda->params, "", true);
    if (panic_ || !expect(Tok::Arrow, "after the lambda parameters")) return lambda;
    lambda->exprBody = parseExpression();
    return lambda;
}

// ---- types ------------------------------------------------------------------------------

// int, Name, mod.Name, [T], {K: V}, fun(A, B): R (no result: void).
TypeExprPtr Parser::parseType() {
    Nest nest(*this);
    if (!nest.ok) return std::make_unique<TypeExpr>();
    auto t = std::make_unique<TypeExpr>();
    t->loc = cur().loc;
    switch (cur().kind) {
    case Tok::Ident: return parseNamedType("type");
    case Tok::LBracket:
        advance();
        t->kind = TypeExprKind::Array;
        t->args.push_back(parseType());
        if (!panic_) expect(Tok::RBracket, "after the array element type");
        return t;
    case Tok::LBrace:
        advance();
        t->kind = TypeExprKind::Map;
        t->args.push_back(parseType());
        if (!panic_) expect(Tok::Colon, "after the map key type");
        if (!panic_) t->args.push_back(parseType());
        if (!panic_) expect(Tok::RBrace, "after the map value type");
        return t;
    case Tok::Fun:
        advance();
        t->kind = TypeExprKind::Func;
        if (!expect(Tok::LParen, "after 'fun' in a function type")) return t;
        commaList(Tok::RParen, [&] { t->args.push_back(parseType()); });
        if (!panic_) expect(Tok::RParen, "after the parameter types");
        if (!panic_ && match(Tok::Colon)) t->result = parseType();
        return t;
    default: errorAt(cur().loc, fmt::format("expected type, found {}", describeToken(cur()))); return t;
    }
}

// Name or mod.Name; what names the expectation for the error message.
TypeExprPtr Parser::parseNamedType(std::string_view what) {
    auto t = std::make_unique<TypeExpr>();
    t->loc = cur().loc;
    t->name = expectName(what);
    if (!panic_ && check(Tok::Dot) && peek(1).kind == Tok::Ident) {
        advance();
        t->qualifier = std::move(t->name);
        t->name = advance().text;
    }
    return t;
}

}  // namespace nido::compiler::parsing
