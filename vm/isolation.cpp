#include "vm/isolation.hpp"

#include "vm/option_values.hpp"
#include "vm/sandbox.hpp"

namespace nido::vm {

namespace {

constexpr std::string_view kModeNames[] = {"merged", "writecopy", "full"};

}  // namespace

std::string_view isolationModeName(IsolationMode mode) { return kModeNames[size_t(mode)]; }

std::optional<IsolationMode> parseIsolationMode(std::string_view text) {
    for (size_t i = 0; i < std::size(kModeNames); i++) {
        if (text == kModeNames[i]) return IsolationMode(i);
    }
    return std::nullopt;
}

bool parseIsolate(std::string_view value, Isolation& iso) {
    size_t colon = value.find(':');
    auto mode = parseIsolationMode(value.substr(0, colon));
    if (!mode) return false;
    if (colon == std::string_view::npos) {
        iso.defaultMode = *mode;
        iso.defaultGiven = true;
        return true;
    }
    auto paths = parseList(value.substr(colon + 1));
    if (!paths) return false;
    for (std::string& path : *paths) iso.rules.push_back({std::move(path), *mode});
    return true;
}

IsolationMode modeOf(IsolationMode defaultMode, const std::vector<IsolationRule>& rules, std::string_view key) {
    IsolationMode mode = defaultMode;
    size_t longest = 0;
    for (const IsolationRule& rule : rules) {
        if (pathWithin(key, rule.path) && rule.path.size() >= longest) {
            longest = rule.path.size();
            mode = rule.mode;
        }
    }
    return mode;
}

bool validAppName(std::string_view name) {
    if (name.empty() || name.size() > 255 || name == "." || name == "..") return false;
    for (char c : name) {
        if (c == '/' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    }
    return true;
}

}  // namespace nido::vm
