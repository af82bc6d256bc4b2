#include "cli/app_folder.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/run_flags.hpp"
#include "compiler/compiler.hpp"
#include "vm/loader.hpp"
#include "vm/module_file.hpp"
#include "vm/option_values.hpp"
#include "vm/package_load.hpp"
#include "vm/package_manifest.hpp"

namespace nido::cli {

namespace fs = std::filesystem;

namespace {

// Prints the one-line error (fail) for the functions here that answer bool.
bool refuse(const std::string& message) {
    fail(message);
    return false;
}

// The app manifest's keys besides the run options (which are the package
// manifest's keys, spelled as the flags are).
struct AppManifest {
    std::string name, version, entry;
    std::vector<std::string> resources;  // files and folders relative to the app folder
    bool resourcesGiven = false;
    std::vector<std::string> runFlags;  // "--allow-read=data" for "allow-read = data"
};

constexpr const char* kRunKeys[] = {"allow-read", "allow-write", "allow-env",  "isolate",
                                    "fuel",       "timeout",     "max-output", "max-heap"};

// The whole file, or false after its one-line error.
bool readText(const fs::path& path, std::string& out) {
    std::vector<uint8_t> bytes;
    std::string error;
    if (!vm::readBoundedFile(path.string(), bytes, error)) return refuse(error);
    out.assign(bytes.begin(), bytes.end());
    return true;
}

// The value with line breaks and NUL bytes shown as \n, \r and \0, for a one-line message.
std::string escaped(std::string_view value) {
    std::string out;
    for (char c : value) out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\0' ? "\\0" : std::string(1, c);
    return out;
}

bool readAppManifest(const fs::path& path, AppManifest& m) {
    std::string text;
    if (!readText(path, text)) return false;
    for (const vm::ManifestLine& line : vm::manifestLines(text)) {
        std::string key(line.key), value = vm::listWithoutSpaces(line.value);
        auto bad = [&](std::string_view why) {
            return refuse(fmt::format("{}:{}: {}", path.string(), line.number, why));
        };
        if (!line.hasEquals || value.empty()) return bad("expected 'key = value'");
        if (key == "name") {
            m.name = value;
        } else if (key == "version") {
            m.version = value;
        } else if (key == "entry") {
            m.entry = value;
        } else if (key == "resources") {
            m.resourcesGiven = true;
            auto items = vm::parseList(value);
            if (!items) return bad("expected 'resources = PATH,PATH,...'");
            m.resources.insert(m.resources.end(), items->begin(), items->end());
        } else if (std::find(std::begin(kRunKeys), std::end(kRunKeys), key) != std::end(kRunKeys)) {
            bool all = value == "*" && key.starts_with("allow-");
            m.runFlags.push_back(all ? "--" + key : fmt::format("--{}={}", key, value));
        } else {
            return bad(fmt::format("unknown key '{}'", key));
        }
    }
    return true;
}

// Adds the regular file at path (inner: its path in the package).
bool addResource(const fs::path& path, const std::string& inner, uint64_t& total, vm::PackageContents& out) {
    if (!vm::validResourcePath(inner)) return refuse(fmt::format("'{}' cannot be a resource path", inner));
    std::string bytes;
    if (!readText(path, bytes)) return false;
    total += bytes.size();
    if (total > vm::kMaxPackageBytes)
        return refuse(fmt::format("the resources pass the largest package ({} bytes)", vm::kMaxPackageBytes));
    out.resources.emplace_back(inner, std::move(bytes));
    return true;
}

// A file or folder below the app folder: regular files only, no symlinks
// (a package holds copies, and a link could reach outside the app).
bool addTree(const fs::path& root, const fs::path& path, bool everything, const fs::path& skip, uint64_t& total,
             vm::PackageContents& out) {
    std::error_code ec;
    auto st = fs::symlink_status(path, ec);
    std::string inner = fs::relative(path, root, ec).generic_string();
    if (ec || !fs::exists(st)) return refuse(fmt::format("cannot read '{}': no such file", path.string()));
    if (fs::is_symlink(st)) return refuse(fmt::format("'{}' is a symlink: a package holds files only", path.string()));
    if (fs::is_regular_file(st)) return addResource(path, inner, total, out);
    if (!fs::is_directory(st)) return refuse(fmt::format("'{}' is not a file or folder", path.string()));
    std::vector<fs::path> children;
    for (const auto& e : fs::directory_iterator(path, ec)) children.push_back(e.path());
    if (ec) return refuse(fmt::format("cannot list '{}': {}", path.string(), ec.message()));
    for (const fs::path& c : children) {
        // The default set leaves out sources, the app manifest, hidden files and the output.
        std::string name = c.filename().string();
        if (everything && (name.starts_with(".") || c.extension() == ".nd" ||
                           (path == root && name == kAppManifestName) || fs::equivalent(c, skip, ec)))
            continue;
        if (!addTree(root, c, everything, skip, total, out)) return false;
    }
    return true;
}

// Sorted, and no name given twice (two resources lines naming one file).
bool finishResources(vm::PackageContents& out) {
    auto& r = out.resources;
    std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < r.size(); i++) {
        if (r[i].first == r[i - 1].first) return refuse(fmt::format("resource '{}' is listed twice", r[i].first));
    }
    return true;
}

}  // namespace

bool isManifestFlag(const std::string& arg) {
    for (const char* key : kRunKeys) {
        std::string flag = fmt::format("--{}", key);
        if (arg == flag || arg.starts_with(flag + "=")) return true;
    }
    return arg == "-A" || arg == "--allow-all";
}

bool collectApp(const PackRequest& request, vm::PackageContents& out) {
    std::error_code ec;
    fs::path input(request.input);
    bool folder = fs::is_directory(input, ec);
    AppManifest app;
    fs::path entry;
    if (folder) {
        fs::path manifestPath = input / kAppManifestName;
        if (fs::exists(manifestPath, ec) && !readAppManifest(manifestPath, app)) return false;
        entry = input / (app.entry.empty() ? "main.nd" : app.entry);
        fs::path absolute = fs::absolute(input, ec).lexically_normal();
        if (!absolute.has_filename()) absolute = absolute.parent_path();  // "app/"
        if (app.name.empty()) app.name = absolute.filename().string();
    } else {
        if (input.extension() != ".nd")
            return refuse(fmt::format("pack needs an app folder or a .nd file, not '{}'", request.input));
        entry = input;
    }
    vm::Manifest m;
    m.name = !request.name.empty() ? request.name : !app.name.empty() ? app.name : entry.stem().string();
    m.version = !request.version.empty() ? request.version : !app.version.empty() ? app.version : "0";
    m.entry = entry.filename().string();
    if (!vm::validAppName(m.name))
        return refuse(
            fmt::format("bad app name '{}': no '/' or control characters, not '.' or '..', at most 255 "
                        "bytes; give one with --name",
                        escaped(m.name)));
    if (!vm::validVersion(m.version))
        return refuse(
            fmt::format("bad version '{}': no spaces or control characters, 1 to 64 bytes", escaped(m.version)));
    std::string error;
    std::vector<std::string> flags = app.runFlags;
    flags.insert(flags.end(), request.runFlags.begin(), request.runFlags.end());
    for (const std::string& f : flags) {
        if (parseRunFlag(f, m.run, error) != FlagParse::Parsed)
            return refuse(error.empty() ? fmt::format("'{}' cannot go in a manifest", f) : error);
    }
    if (!fs::is_regular_file(entry, ec))
        return refuse(fmt::format("no entry module '{}' (name it with 'entry = FILE.nd' in {})", entry.string(),
                                  kAppManifestName));

    compiler::Diagnostics diags;
    auto program = compiler::compileProgram(entry.string(), diags);
    if (!program) {
        fmt::print(stderr, "{}", diags.format());
        return false;
    }
    if (!vm::checkCompiledProgram(entry.string(), *program, error)) return refuse(error);
    out.program = vm::writeProgram(*program);
    out.programName = entry.stem().string() + ".ndc";
    if (std::string bad = vm::unwritableValue(m); !bad.empty())
        return refuse(
            fmt::format("'{}' cannot go in a manifest (no line breaks, commas or edge spaces, not '*')", escaped(bad)));
    out.manifest = vm::writeManifest(m);

    uint64_t total = 0;
    if (folder && app.resourcesGiven) {
        for (const std::string& r : app.resources) {
            fs::path p = (input / r).lexically_normal();
            if (fs::path(r).is_absolute() || fs::relative(p, input.lexically_normal()).string().starts_with(".."))
                return refuse(fmt::format("resource '{}' is outside the app folder", r));
            if (!addTree(input, input / r, false, request.outputPath, total, out)) return false;
        }
    } else if (folder && !addTree(input, input, true, request.outputPath, total, out)) {
        return false;
    }
    return finishResources(out);
}

}  // namespace nido::cli
