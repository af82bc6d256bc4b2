#include "compiler/diagnostics.hpp"

#include <fmt/format.h>

namespace nido::compiler {

namespace {

std::string lineOf(const std::string& source, uint32_t line) {
    size_t start = 0;
    for (uint32_t l = 1; l < line && start < source.size(); l++) {
        size_t nl = source.find('\n', start);
        if (nl == std::string::npos) return "";
        start = nl + 1;
    }
    size_t end = source.find('\n', start);
    std::string text = source.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    // Control bytes (a stray '\r' or NUL) would garble the terminal; tabs stay.
    for (char& c : text)
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) c = '?';
    return text;
}

}  // namespace

void Diagnostics::error(const std::string& path, const std::string& source, Loc loc, std::string message) {
    if (full()) return;
    errors_.push_back({path, loc, std::move(message)});
    sourceLines_.push_back(lineOf(source, loc.line));
}

std::string Diagnostics::format() const {
    std::string out;
    for (size_t i = 0; i < errors_.size(); i++) {
        const Diagnostic& d = errors_[i];
        out += fmt::format("{}:{}:{}: error: {}\n", d.path, d.loc.line, d.loc.col, d.message);
        const std::string& text = sourceLines_[i];
        if (text.empty()) continue;
        out += "    " + text + "\n    ";
        // Columns count bytes. One space per character before the column
        // (UTF-8 continuation bytes add none) and tabs kept as tabs, so the
        // caret lines up under the offending character.
        for (uint32_t c = 1; c < d.loc.col && c - 1 < text.size(); c++) {
            char ch = text[c - 1];
            if ((static_cast<unsigned char>(ch) & 0xC0) == 0x80) continue;
            out += ch == '\t' ? '\t' : ' ';
        }
        out += "^\n";
    }
    return out;
}

}  // namespace nido::compiler
