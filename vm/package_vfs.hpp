// The resource files of a running package as a read-only virtual folder
// (ThinApp's virtual file system): the program sees the app folder's files
// under /app (docs/package.md, "Resources"). The host layer (host.cpp)
// asks here first for every path under /app while a package runs; reads
// need no --allow-read, and every write, removal or folder creation there
// fails.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nido::vm {

constexpr std::string_view kResourceRoot = "/app";

class PackageResources {
public:
    // files: (path relative to the app folder, bytes), as readPackage gives them.
    explicit PackageResources(std::vector<std::pair<std::string, std::string>> files);

    // The path inside the package ("" for /app itself) that path names,
    // taken lexically against cwd (`.` and `..` folded, no symlinks: none
    // exist in the package); nullopt when it is not at or below /app.
    static std::optional<std::string> inside(std::string_view path, std::string_view cwd);

    // The file's bytes, or nullptr when inner is not a file.
    const std::string* file(const std::string& inner) const;
    bool isDir(const std::string& inner) const;
    // The names directly in the folder inner, sorted bytewise; false when
    // inner is not a folder.
    bool list(const std::string& inner, std::vector<std::string>& out) const;

private:
    std::map<std::string, std::string> files_;
};

}  // namespace nido::vm
