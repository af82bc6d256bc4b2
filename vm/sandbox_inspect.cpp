// `nido sandbox`'s listings, comparison and reset (see sandbox_inspect.hpp).
#include "vm/sandbox_inspect.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "vm/sandbox_store.hpp"
#include "vm/text_diff.hpp"

namespace nido::vm {
namespace {

// Files larger than this are compared but their lines not shown.
constexpr off_t kMaxShownBytes = 256 * 1024;

// A path for one line of output: control characters as \xNN, so a file
// name cannot forge lines of the listing.
std::string shown(std::string_view path) {
    std::string out;
    for (char c : path) {
        auto u = static_cast<unsigned char>(c);
        out += u < 0x20 || u == 0x7f ? fmt::format("\\x{:02x}", u) : std::string(1, c);
    }
    return out;
}

// The app's sandbox folder, loaded. False with error set when the name is
// bad or there is no place for sandboxes; present false when the app has
// no folder. damage is what load found wrong ("" when nothing).
bool openApp(const std::string& app, SandboxStore& store, bool& present, std::string& damage, std::string& error) {
    Isolation iso;
    iso.appName = app;
    std::string dir = appSandboxFolder(iso, error);
    if (dir.empty()) return false;
    store = SandboxStore(dir);
    struct stat st;
    present = ::lstat(dir.c_str(), &st) == 0;  // HOST: lstat(2), for what is there at all
    if (present) damage = store.load();
    return true;
}

// Opens and loads the app's folder for ls and diff and lists its entries:
// false with error set, or with text set when there is nothing to show.
bool openForReading(const std::string& app, SandboxStore& store, std::vector<StoredEntry>& entries, std::string& text,
                    std::string& error) {
    bool present = false;
    std::string damage;
    if (!openApp(app, store, present, damage, error)) return false;
    if (!present) {
        text = fmt::format("app \"{}\" has no sandbox folder ({})\n", shown(app), shown(store.dir()));
        return false;
    }
    if (!damage.empty()) {
        error = damage;
        return false;
    }
    error = store.entries(entries);
    return error.empty();
}

// HOST: lstat(2) of a host path for the comparison.
std::optional<struct stat> hostStat(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
    return st;
}

// HOST: reads a whole file (the user's own command: no sandbox).
std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return std::move(s).str();
}

// HOST: whether two files hold the same bytes, read in pieces.
bool sameBytes(const std::string& a, const std::string& b) {
    std::ifstream x(a, std::ios::binary), y(b, std::ios::binary);
    if (!x || !y) return false;
    char bx[65536], by[65536];
    while (true) {
        x.read(bx, sizeof bx);
        y.read(by, sizeof by);
        if (x.gcount() != y.gcount() || !std::equal(bx, bx + x.gcount(), by)) return false;
        if (!x || !y) return !x && !y;
    }
}

// The changed lines of a small text file ("" when not shown).
std::string textChanges(const std::optional<std::string>& before, const std::string& stored) {
    std::optional<std::string> after = slurp(stored);
    if (!after || after->size() > size_t(kMaxShownBytes) || (before && before->size() > size_t(kMaxShownBytes))) {
        return "";
    }
    return lineDiff(before.value_or(""), *after).value_or("");
}

}  // namespace

std::string listSandboxes(std::string& error) {
    std::string base = sandboxesFolder();
    if (base.empty()) {
        error = "no folder for sandboxes: set HOME or XDG_DATA_HOME";
        return "";
    }
    std::vector<std::string> apps;
    // HOST: opendir(3)/readdir(3) of the folder of sandboxes.
    if (DIR* d = ::opendir(base.c_str())) {
        while (const dirent* e = ::readdir(d)) {
            struct stat st;
            std::string name = e->d_name;
            if (validAppName(name) && ::lstat((base + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
                apps.push_back(name);
            }
        }
        ::closedir(d);
    }
    std::sort(apps.begin(), apps.end());
    if (apps.empty()) return fmt::format("no app has a sandbox folder ({})\n", shown(base));
    std::string out = fmt::format("apps with a sandbox folder in {}:\n", shown(base));
    for (const std::string& app : apps) {
        SandboxStore store(base + "/" + app);
        std::vector<StoredEntry> entries;
        std::string damage = store.load();
        if (damage.empty()) damage = store.entries(entries);
        size_t files = std::count_if(entries.begin(), entries.end(),
                                     [](const StoredEntry& e) { return e.kind == FileKind::File; });
        out += damage.empty()
                   ? fmt::format("  {}  ({} files, {} deleted)\n", shown(app), files, store.deletions().size())
                   : fmt::format("  {}  ({})\n", shown(app), damage);
    }
    return out;
}

std::string describeSandbox(const std::string& app, std::string& error) {
    SandboxStore store;
    std::vector<StoredEntry> entries;
    std::string text;
    if (!openForReading(app, store, entries, text, error)) return text;
    std::set<std::string> holdsSomething;  // folders with an entry below them
    for (const StoredEntry& e : entries) holdsSomething.insert(e.key.substr(0, std::max<size_t>(e.key.rfind('/'), 1)));
    std::string out = fmt::format("sandbox of app \"{}\": {}\n", shown(app), shown(store.dir()));
    for (const StoredEntry& e : entries) {
        if (e.kind == FileKind::File) {
            out += fmt::format("written  {}\n", shown(e.key));
        } else if (!holdsSomething.count(e.key)) {
            std::optional<struct stat> host = hostStat(e.key);
            if (!host || !S_ISDIR(host->st_mode)) out += fmt::format("folder   {}/\n", shown(e.key));
        }
    }
    for (const std::string& key : store.deletions()) out += fmt::format("deleted  {}\n", shown(key));
    if (entries.empty() && store.deletions().empty()) out += "(nothing written or deleted)\n";
    return out;
}

std::string diffSandbox(const std::string& app, std::string& error) {
    SandboxStore store;
    std::vector<StoredEntry> entries;
    std::string text;
    if (!openForReading(app, store, entries, text, error)) return text;
    std::string out;
    for (const StoredEntry& e : entries) {
        std::string stored = store.dir() + "/files" + e.key;
        std::optional<struct stat> host = hostStat(e.key);
        if (e.kind == FileKind::Dir) {
            if (!host || !S_ISDIR(host->st_mode)) out += fmt::format("added     {}/\n", shown(e.key));
            continue;
        }
        if (!host) {
            out += fmt::format("added     {}\n{}", shown(e.key), textChanges(std::nullopt, stored));
        } else if (!S_ISREG(host->st_mode)) {
            out += fmt::format("modified  {} (not a file on the host)\n", shown(e.key));
        } else if (!sameBytes(e.key, stored)) {
            std::optional<std::string> before = host->st_size <= kMaxShownBytes ? slurp(e.key) : std::nullopt;
            out += fmt::format("modified  {}\n{}", shown(e.key), before ? textChanges(before, stored) : "");
        }
    }
    for (const std::string& key : store.deletions()) {
        out += hostStat(key) ? fmt::format("deleted   {}\n", shown(key))
                             : fmt::format("deleted   {} (gone from the host too)\n", shown(key));
    }
    if (out.empty()) out = "no differences from the host\n";
    return fmt::format("sandbox of app \"{}\" compared with the host:\n{}", shown(app), out);
}

std::string resetSandbox(const std::string& app, std::string& error) {
    SandboxStore store;
    bool present = false;
    std::string damage;
    if (!openApp(app, store, present, damage, error)) return "";
    if (!present) return fmt::format("app \"{}\" has no sandbox folder: nothing to reset\n", shown(app));
    if (!damage.empty() && !store.marked()) {
        error = fmt::format("{}; not removing what Nido did not make", damage);
        return "";
    }
    size_t deletions = store.deletions().size(), files = 0, folders = 0;
    if (std::string failure = store.destroy(files, folders); !failure.empty()) {
        error = fmt::format("cannot remove \"{}\": {}", store.dir(), failure);
        return "";
    }
    return fmt::format("removed the sandbox of app \"{}\" ({}): {} files, {} folders, {} deletions\n", shown(app),
                       shown(store.dir()), files, folders, deletions);
}

}  // namespace nido::vm
