#include "vm/option_values.hpp"

#include <charconv>

namespace nido::vm {

std::optional<uint64_t> parseNumber(std::string_view text) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return n;
}

std::optional<uint64_t> parseSize(std::string_view text) {
    uint64_t scale = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 'K':
        case 'k': scale = 1ull << 10; break;
        case 'M':
        case 'm': scale = 1ull << 20; break;
        case 'G':
        case 'g': scale = 1ull << 30; break;
        default: break;
        }
        if (scale != 1) text.remove_suffix(1);
    }
    auto n = parseNumber(text);
    if (!n || *n > (1ull << 44) / scale) return std::nullopt;
    return *n * scale;
}

std::optional<std::vector<std::string>> parseList(std::string_view text) {
    std::vector<std::string> out;
    while (true) {
        size_t comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        if (item.empty()) return std::nullopt;
        out.emplace_back(item);
        if (comma == std::string_view::npos) return out;
        text.remove_prefix(comma + 1);
    }
}

std::optional<double> parseDuration(std::string_view text) {
    double scale = 1;
    if (text.ends_with("ms")) {
        scale = 0.001;
        text.remove_suffix(2);
    } else if (text.ends_with('s')) {
        text.remove_suffix(1);
    } else if (text.ends_with('m')) {
        scale = 60;
        text.remove_suffix(1);
    } else if (text.ends_with('h')) {
        scale = 3600;
        text.remove_suffix(1);
    }
    double n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    double seconds = n * scale;
    if (!(seconds > 0) || seconds > kMaxDurationSeconds) return std::nullopt;
    return seconds;
}

}  // namespace nido::vm
