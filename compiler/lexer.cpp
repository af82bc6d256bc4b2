// The lexer (see lexer.hpp). One pass over the bytes; a stack of open
// brackets drives both the newline rule and the return from an interpolated
// expression to the rest of its string.
#include "compiler/lexer.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

namespace nido::compiler {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

int digitValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

bool isDigitOf(char c, int base) { return digitValue(c) < base; }

// Length of the well-formed UTF-8 sequence starting at s[pos] (a byte of
// 0x80 or more), or 0 when the bytes there are not one: a stray continuation
// byte, an overlong form, a surrogate, a code point past U+10FFFF or a
// sequence cut short.
size_t utf8Length(std::string_view s, size_t pos) {
    auto b = [&](size_t i) { return pos + i < s.size() ? uint8_t(s[pos + i]) : uint8_t(0); };
    uint8_t lead = b(0);
    size_t n = lead >= 0xC2 && lead <= 0xDF   ? 2
               : lead >= 0xE0 && lead <= 0xEF ? 3
               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                              : 0;
    if (n == 0) return 0;
    // The second byte's range depends on the lead; the others are 80-BF.
    uint8_t lo = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
    uint8_t hi = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
    if (b(1) < lo || b(1) > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if (b(i) < 0x80 || b(i) > 0xBF) return 0;
    return n;
}

// Tokens after which a line break ends the statement (LANGUAGE.md §1).
bool endsStatement(Tok k) {
    switch (k) {
    case Tok::Ident:
    case Tok::Int:
    case Tok::Float:
    case Tok::String:
    case Tok::InterpEnd:
    case Tok::RParen:
    case Tok::RBracket:
    case Tok::RBrace:
    case Tok::Return:
    case Tok::Break:
    case Tok::Continue:
    case Tok::True:
    case Tok::False:
    case Tok::Null:
    case Tok::This: return true;
    default: return false;
    }
}

// A line that starts with one of these continues the statement before it:
// `}` then `else {` on the next line, and method chains starting with `.`.
bool continuesLine(Tok k) { return k == Tok::Else || k == Tok::Catch || k == Tok::Finally || k == Tok::Dot; }

struct Spelled {
    std::string_view text;
    Tok kind;
};

#define NIDO_SKIP(name, spelling)
#define NIDO_SPELLED(name, spelling) {spelling, Tok::name},

const std::unordered_map<std::string_view, Tok>& keywords() {
    static const std::unordered_map<std::string_view, Tok> table = {NIDO_TOKENS(NIDO_SKIP, NIDO_SPELLED, NIDO_SKIP)};
    return table;
}

// Operators, longest first, so that matching the first prefix is maximal munch.
const std::vector<Spelled>& operators() {
    static const std::vector<Spelled> table = [] {
        std::vector<Spelled> ops = {NIDO_TOKENS(NIDO_SKIP, NIDO_SKIP, NIDO_SPELLED)};
        std::stable_sort(ops.begin(), ops.end(),
                         [](const Spelled& a, const Spelled& b) { return a.text.size() > b.text.size(); });
        return ops;
    }();
    return table;
}

#undef NIDO_SPELLED
#undef NIDO_SKIP

void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

class Lexer {
public:
    explicit Lexer(std::string_view src) : src_(src) {}
    LexResult run();

private:
    // An open bracket: '(', '[', '{', or '$' for an interpolation `${`, whose
    // loc is then the opening quote of its string.
    struct Open {
        char kind;
        Loc loc;
    };

    std::string_view src_;
    size_t pos_ = 0;
    uint32_t line_ = 1;
    size_t lineStart_ = 0;
    std::vector<Open> open_;
    // A line break that ends a statement has been seen; its Newline token is
    // emitted before the next token unless that token continues the line.
    bool newlinePending_ = false;
    Loc newlineLoc_;
    LexResult out_;

    Loc here() const { return {line_, uint32_t(pos_ - lineStart_ + 1)}; }
    bool at(char c, size_t ahead = 0) const { return pos_ + ahead < src_.size() && src_[pos_ + ahead] == c; }
    bool atEnd() const { return pos_ >= src_.size(); }
    void error(Loc loc, std::string message) { out_.errors.push_back({loc, std::move(message)}); }
    void emit(Tok kind, Loc loc, std::string text = {});
    void emit(Token token);
    void skipTrivia();
    void lineBreak();
    void closeInterpolations();
    void lexToken();
    void lexIdent();
    void lexNumber();
    bool scanDigits(int base, std::string& digits);
    void lexString(Loc quote, Loc tokenLoc, bool continuing);
    void lexEscape(std::string& text);
    void lexOperator();
    void unexpectedChar();
    size_t skipNonAscii();
};

LexResult Lexer::run() {
    // Editors on some systems start UTF-8 files with a byte-order mark.
    if (src_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = lineStart_ = 3;
    for (;;) {
        skipTrivia();
        if (atEnd()) break;
        lexToken();
    }
    closeInterpolations();
    emit(Tok::Eof, here());
    // Unterminated strings are found at their end but reported at their quote.
    std::stable_sort(out_.errors.begin(), out_.errors.end(), [](const LexError& a, const LexError& b) {
        return a.loc.line != b.loc.line ? a.loc.line < b.loc.line : a.loc.col < b.loc.col;
    });
    return std::move(out_);
}

void Lexer::emit(Tok kind, Loc loc, std::string text) {
    Token t;
    t.kind = kind;
    t.loc = loc;
    t.text = std::move(text);
    emit(std::move(t));
}

void Lexer::emit(Token token) {
    if (newlinePending_) {
        newlinePending_ = false;
        if (!continuesLine(token.kind)) {
            Token nl;
            nl.kind = Tok::Newline;
            nl.loc = newlineLoc_;
            out_.tokens.push_back(std::move(nl));
        }
    }
    out_.tokens.push_back(std::move(token));
}

void Lexer::skipTrivia() {
    while (!atEnd()) {
        char c = src_[pos_];
        if (c == '\n') {
            lineBreak();
            pos_++;
            line_++;
            lineStart_ = pos_;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            pos_++;
        } else if (c == '/' && at('/', 1)) {
            while (!atEnd() && src_[pos_] != '\n') {
                if (uint8_t(src_[pos_]) >= 0x80)
                    skipNonAscii();
                else
                    pos_++;
            }
        } else if (c == '/' && at('*', 1)) {
            Loc start = here();
            pos_ += 2;
            for (;;) {
                if (atEnd()) {
                    error(start, "unterminated block comment");
                    break;
                }
                if (at('*') && at('/', 1)) {
                    pos_ += 2;
                    break;
                }
                // A comment spanning lines separates statements like a line break.
                if (src_[pos_] == '\n') {
                    lineBreak();
                    line_++;
                    lineStart_ = pos_ + 1;
                }
                if (uint8_t(src_[pos_]) >= 0x80)
                    skipNonAscii();
                else
                    pos_++;
            }
        } else {
            break;
        }
    }
}

// Called at each '\n' outside strings, before the position moves past it.
void Lexer::lineBreak() {
    closeInterpolations();
    if (newlinePending_ || out_.tokens.empty()) return;
    bool inParens = !open_.empty() && (open_.back().kind == '(' || open_.back().kind == '[');
    if (!inParens && endsStatement(out_.tokens.back().kind)) {
        newlinePending_ = true;
        newlineLoc_ = here();
    }
}

// Strings never span lines, so at a line break (or the end of the file)
// every interpolation still open is cut off, together with any brackets
// opened inside it. One InterpEnd per interpolation keeps the parser's view
// balanced; one error, at the outermost string, is enough.
void Lexer::closeInterpolations() {
    auto first = std::find_if(open_.begin(), open_.end(), [](const Open& o) { return o.kind == '$'; });
    if (first == open_.end()) return;
    error(first->loc, "unterminated string");
    while (open_.size() > size_t(first - open_.begin())) {
        if (open_.back().kind == '$') emit(Tok::InterpEnd, here());
        open_.pop_back();
    }
}

void Lexer::lexToken() {
    char c = src_[pos_];
    if (isDigit(c)) {
        lexNumber();
    } else if (isIdentStart(c)) {
        lexIdent();
    } else if (c == '"') {
        Loc quote = here();
        pos_++;
        lexString(quote, quote, false);
    } else {
        lexOperator();
    }
}

void Lexer::lexIdent() {
    Loc loc = here();
    size_t start = pos_;
    while (!atEnd() && isIdentChar(src_[pos_])) pos_++;
    std::string_view word = src_.substr(start, pos_ - start);
    auto kw = keywords().find(word);
    if (kw != keywords().end()) {
        emit(kw->second, loc);
    } else {
        emit(Tok::Ident, loc, std::string(word));
    }
}

// Appends the digits of `base` at the position to `digits`, dropping the `_`
// separators. Returns false when a `_` does not sit between two digits.
bool Lexer::scanDigits(int base, std::string& digits) {
    bool ok = true;
    while (!atEnd()) {
        char c = src_[pos_];
        if (c == '_') {
            bool between = pos_ > 0 && isDigitOf(src_[pos_ - 1], base) && pos_ + 1 < src_.size() &&
                           isDigitOf(src_[pos_ + 1], base);
            ok = ok && between;
        } else if (isDigitOf(c, base)) {
            digits += c;
        } else {
            break;
        }
        pos_++;
    }
    return ok;
}

void Lexer::lexNumber() {
    Loc loc = here();
    size_t start = pos_;
    int base = 10;
    if (at('0') && (at('x', 1) || at('X', 1))) {
        base = 16;
        pos_ += 2;
    } else if (at('0') && (at('b', 1) || at('B', 1))) {
        base = 2;
        pos_ += 2;
    }
    std::string digits;
    bool ok = scanDigits(base, digits);
    bool isFloat = false;
    if (base == 10 && at('.') && pos_ + 1 < src_.size() && isDigit(src_[pos_ + 1])) {
        isFloat = true;
        digits += '.';
        pos_++;
        ok = scanDigits(10, digits) && ok;
    }
    if (base == 10 && (at('e') || at('E'))) {
        size_t sign = (at('+', 1) || at('-', 1)) ? 1 : 0;
        if (pos_ + 1 + sign < src_.size() && isDigit(src_[pos_ + 1 + sign])) {
            isFloat = true;
            digits += 'e';
            if (sign) digits += src_[pos_ + 1];
            pos_ += 1 + sign;
            ok = scanDigits(10, digits) && ok;
        }
    }
    // Letters or digits glued to the literal (`12ab`, `0b102`, `0x`) make it invalid as a whole.
    bool glued = !atEnd() && isIdentChar(src_[pos_]);
    while (!atEnd() && isIdentChar(src_[pos_])) pos_++;

    Token t;
    t.kind = isFloat ? Tok::Float : Tok::Int;
    t.loc = loc;
    t.text = std::string(src_.substr(start, pos_ - start));
    if (glued || digits.empty()) {
        error(loc, fmt::format("invalid number literal '{}'", t.text));
    } else if (!ok) {
        error(loc, fmt::format("'_' in number literal '{}' must stand between two digits", t.text));
    } else if (isFloat) {
        auto result = std::from_chars(digits.data(), digits.data() + digits.size(), t.floatValue);
        // Underflow rounds to zero quietly, as in C and Go; overflow is an error.
        if (result.ec == std::errc::result_out_of_range) {
            if (digits.find("e-") != std::string::npos) {
                t.floatValue = 0;
            } else {
                error(loc, "float literal out of range");
            }
        }
    } else if (base == 10) {
        if (digits.size() > 1 && digits[0] == '0') {
            error(loc, fmt::format("integer literal '{}' has a leading zero", t.text));
        }
        uint64_t v = 0;
        bool overflow = false;
        for (char c : digits) {
            uint64_t d = uint64_t(c - '0');
            if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) overflow = true;
            v = v * 10 + d;
        }
        constexpr uint64_t kMinMagnitude = uint64_t(1) << 63;
        if (overflow || v > kMinMagnitude) {
            error(loc, "integer literal out of range");
        } else {
            t.needsMinus = v == kMinMagnitude;
            t.intValue = int64_t(v);  // wraps to INT64_MIN when needsMinus
        }
    } else {
        // Hex and binary literals may use all 64 bits and are read as two's
        // complement (as in Java), so bit patterns such as SplitMix's
        // 0x9E3779B97F4A7C15 can be written directly.
        size_t first = digits.find_first_not_of('0');
        size_t bits = first == std::string::npos ? 0 : (digits.size() - first) * (base == 16 ? 4 : 1);
        if (first != std::string::npos && base == 16)
            bits -= 4 - size_t(std::bit_width(unsigned(digitValue(digits[first]))));
        if (bits > 64) {
            error(loc, "integer literal out of range");
        } else {
            uint64_t v = 0;
            for (char c : digits) v = v * uint64_t(base) + uint64_t(digitValue(c));
            t.intValue = int64_t(v);
        }
    }
    emit(std::move(t));
}

// Lexes string text from the position up to the closing quote or the next
// `${`. quote is where the string began; tokenLoc is the token's own position
// (the quote, or the '}' that ended the previous interpolated expression).
void Lexer::lexString(Loc quote, Loc tokenLoc, bool continuing) {
    std::string text;
    for (;;) {
        if (atEnd() || src_[pos_] == '\n') {
            error(quote, "unterminated string");
            emit(continuing ? Tok::InterpEnd : Tok::String, tokenLoc, std::move(text));
            return;
        }
        char c = src_[pos_];
        if (c == '"') {
            pos_++;
            emit(continuing ? Tok::InterpEnd : Tok::String, tokenLoc, std::move(text));
            return;
        }
        if (c == '$' && at('{', 1)) {
            pos_ += 2;
            emit(continuing ? Tok::InterpMid : Tok::InterpStart, tokenLoc, std::move(text));
            open_.push_back({'$', quote});
            return;
        }
        if (c == '\\') {
            lexEscape(text);
        } else if (uint8_t(c) >= 0x80) {
            size_t start = pos_;
            text += src_.substr(start, skipNonAscii());
        } else {
            text += c;
            pos_++;
        }
    }
}

void Lexer::lexEscape(std::string& text) {
    Loc loc = here();
    pos_++;                                     // the backslash
    if (atEnd() || src_[pos_] == '\n') return;  // lexString reports the unterminated string
    char c = src_[pos_++];
    switch (c) {
    case 'n': text += '\n'; return;
    case 't': text += '\t'; return;
    case 'r': text += '\r'; return;
    case '\\': text += '\\'; return;
    case '"': text += '"'; return;
    case '$': text += '$'; return;
    case '0': text += '\0'; return;
    case 'u': break;
    default:
        if (uint8_t(c) < 0x80 && c >= ' ') {
            error(loc, fmt::format("invalid escape sequence '\\{}'", c));
        } else {
            error(loc, "invalid escape sequence");
        }
        return;
    }
    // \u{X} with 1 to 6 hex digits.
    size_t start = pos_;
    uint32_t cp = 0;
    size_t count = 0;
    if (at('{')) {
        pos_++;
        while (!atEnd() && isDigitOf(src_[pos_], 16) && count < 7) {
            cp = cp * 16 + uint32_t(digitValue(src_[pos_++]));
            count++;
        }
    }
    if (count == 0 || count > 6 || !at('}')) {
        pos_ = start;
        error(loc, "invalid unicode escape: expected '\\u{' with 1 to 6 hex digits and '}'");
        return;
    }
    pos_++;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        error(loc, fmt::format("invalid unicode code point U+{:X}", cp));
        return;
    }
    appendUtf8(text, cp);
}

void Lexer::lexOperator() {
    Loc loc = here();
    std::string_view rest = src_.substr(pos_);
    const Spelled* op = nullptr;
    for (const Spelled& s : operators()) {
        if (rest.substr(0, s.text.size()) == s.text) {
            op = &s;
            break;
        }
    }
    if (!op) {
        unexpectedChar();
        return;
    }
    pos_ += op->text.size();
    switch (op->kind) {
    case Tok::LParen: open_.push_back({'(', loc}); break;
    case Tok::LBracket: open_.push_back({'[', loc}); break;
    case Tok::LBrace: open_.push_back({'{', loc}); break;
    case Tok::RParen:
        if (!open_.empty() && open_.back().kind == '(') open_.pop_back();
        break;
    case Tok::RBracket:
        if (!open_.empty() && open_.back().kind == '[') open_.pop_back();
        break;
    case Tok::RBrace: {
        // Braces decide the structure: a '}' also closes any '(' or '[' left
        // open inside its block, and ends an interpolated expression.
        auto it =
            std::find_if(open_.rbegin(), open_.rend(), [](const Open& o) { return o.kind == '{' || o.kind == '$'; });
        if (it == open_.rend()) break;
        Open closed = *it;
        open_.erase(std::next(it).base(), open_.end());
        if (closed.kind == '$') {
            lexString(closed.loc, loc, true);
            return;
        }
        break;
    }
    default: break;
    }
    emit(op->kind, loc);
}

// At a byte of 0x80 or more: skips one UTF-8 character, or reports the
// byte when it starts none (a source file is UTF-8) and skips it. Returns
// the number of bytes skipped.
size_t Lexer::skipNonAscii() {
    size_t n = utf8Length(src_, pos_);
    if (n == 0) {
        error(here(), fmt::format("invalid UTF-8 byte 0x{:02X}", uint8_t(src_[pos_])));
        n = 1;
    }
    pos_ += n;
    return n;
}

void Lexer::unexpectedChar() {
    Loc loc = here();
    uint8_t c = uint8_t(src_[pos_]);
    if (c >= 0x80) {
        // Show the whole UTF-8 character, not byte by byte.
        if (size_t n = utf8Length(src_, pos_))
            error(loc, fmt::format("unexpected character '{}'", src_.substr(pos_, n)));
        skipNonAscii();
    } else if (c < ' ' || c == 0x7F) {
        error(loc, fmt::format("unexpected control character 0x{:02X}", c));
        pos_++;
    } else {
        error(loc, fmt::format("unexpected character '{}'", char(c)));
        pos_++;
    }
}

}  // namespace

const char* tokSpelling(Tok kind) {
    static const char* const names[] = {
#define NIDO_TOK_NAME(name, spelling) spelling,
        NIDO_TOKENS(NIDO_TOK_NAME, NIDO_TOK_NAME, NIDO_TOK_NAME)
#undef NIDO_TOK_NAME
    };
    return names[size_t(kind)];
}

LexResult lex(std::string_view source) { return Lexer(source).run(); }

std::string describeToken(const Token& token) {
    switch (token.kind) {
    case Tok::Eof:
    case Tok::Newline:
    case Tok::String:
    case Tok::InterpStart: return tokSpelling(token.kind);
    case Tok::Ident:
    case Tok::Int:
    case Tok::Float: return fmt::format("'{}'", token.text);
    default: return fmt::format("'{}'", tokSpelling(token.kind));
    }
}

}  // namespace nido::compiler
