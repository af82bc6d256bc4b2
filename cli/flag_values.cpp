#include "cli/flag_values.hpp"

#include <fmt/core.h>

namespace nido::cli {

bool valueFlag(const std::vector<std::string>& args, size_t& i, std::string_view name, std::string& value,
               std::string& error) {
    std::string_view a = args[i];
    if (!hasFlag(a, name)) return false;
    if (a.size() == name.size()) {
        if (i + 1 == args.size()) {
            error = fmt::format("{} needs a value", name);
            return true;
        }
        value = args[++i];
        return true;
    }
    value = std::string(a.substr(name.size() + 1));
    if (value.empty()) error = fmt::format("{} needs a value", name);
    return true;
}

bool hasFlag(std::string_view arg, std::string_view name) {
    return arg == name || (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
}

}  // namespace nido::cli
