// The package's resources as a read-only folder: files by path, folders
// implied by the paths below them.
#include "vm/package_vfs.hpp"

#include <set>

namespace nido::vm {

PackageResources::PackageResources(std::vector<std::pair<std::string, std::string>> files) {
    for (auto& [name, bytes] : files) files_.emplace(std::move(name), std::move(bytes));
}

std::optional<std::string> PackageResources::inside(std::string_view path, std::string_view cwd) {
    std::vector<std::string_view> parts;
    auto fold = [&](std::string_view p) {
        while (!p.empty()) {
            size_t slash = p.find('/');
            std::string_view comp = p.substr(0, slash);
            p = slash == std::string_view::npos ? std::string_view() : p.substr(slash + 1);
            if (comp.empty() || comp == ".") continue;
            if (comp == "..") {
                if (!parts.empty()) parts.pop_back();
            } else {
                parts.push_back(comp);
            }
        }
    };
    if (!path.starts_with('/')) fold(cwd);
    fold(path);
    if (parts.empty() || parts[0] != kResourceRoot.substr(1)) return std::nullopt;
    std::string inner;
    for (size_t i = 1; i < parts.size(); i++) {
        if (i > 1) inner += '/';
        inner += parts[i];
    }
    return inner;
}

const std::string* PackageResources::file(const std::string& inner) const {
    auto it = files_.find(inner);
    return it == files_.end() ? nullptr : &it->second;
}

bool PackageResources::isDir(const std::string& inner) const {
    if (inner.empty()) return true;
    auto it = files_.lower_bound(inner + "/");
    return it != files_.end() && it->first.starts_with(inner + "/");
}

bool PackageResources::list(const std::string& inner, std::vector<std::string>& out) const {
    if (!isDir(inner)) return false;
    std::string prefix = inner.empty() ? "" : inner + "/";
    std::set<std::string> names;
    for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.starts_with(prefix); ++it) {
        std::string_view rest = std::string_view(it->first).substr(prefix.size());
        names.emplace(rest.substr(0, rest.find('/')));
    }
    out.assign(names.begin(), names.end());
    return true;
}

}  // namespace nido::vm
