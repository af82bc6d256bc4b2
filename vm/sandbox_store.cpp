// The app's sandbox folder (see sandbox_store.hpp for the layout and why
// nothing in it is followed).
#include "vm/sandbox_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include <fmt/format.h>

namespace nido::vm {
namespace {

constexpr std::string_view kFormatMark = "nido sandbox 1\n";
// A deletion list longer than this is not one Nido wrote.
constexpr size_t kMaxDeletedBytes = 64 << 20;
constexpr int kFolderFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// The components of an absolute, normalised path ("/" has none).
std::vector<std::string> components(std::string_view key) {
    std::vector<std::string> out;
    size_t i = 1;
    while (i < key.size()) {
        size_t j = key.find('/', i);
        if (j == std::string_view::npos) j = key.size();
        out.emplace_back(key.substr(i, j - i));
        i = j + 1;
    }
    return out;
}

// A path for the deletion list: one line, reversible.
std::string escapeLine(std::string_view path) {
    std::string out;
    for (char c : path) {
        if (c == '%') {
            out += "%25";
        } else if (c == '\n') {
            out += "%0A";
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<std::string> unescapeLine(std::string_view line) {
    std::string out;
    for (size_t i = 0; i < line.size(); i++) {
        if (line[i] != '%') {
            out += line[i];
        } else if (line.substr(i, 3) == "%25") {
            out += '%';
            i += 2;
        } else if (line.substr(i, 3) == "%0A") {
            out += '\n';
            i += 2;
        } else {
            return std::nullopt;
        }
    }
    return out;
}

// Whether key is a path as the sandbox resolves them.
bool normalKey(std::string_view key) {
    if (!key.starts_with('/') || key.find('\0') != std::string_view::npos) return false;
    if (key == "/") return true;
    for (const std::string& c : components(key)) {
        if (c.empty() || c == "." || c == "..") return false;
    }
    return true;
}

// HOST: fstatat(2) of name in dirfd, not following a symlink.
FileKind kindAt(int dirfd, const char* name, bool& foreign) {
    struct stat st;
    foreign = false;
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return FileKind::None;
    if (S_ISDIR(st.st_mode)) return FileKind::Dir;
    if (S_ISREG(st.st_mode)) return FileKind::File;
    foreign = true;  // a symlink, FIFO, socket or device: Nido makes none
    return FileKind::None;
}

// HOST: reads the regular file name in dirfd (not following a symlink),
// at most limit bytes; nullopt when absent; sets err for anything else.
std::optional<std::string> readSmall(int dirfd, const char* name, size_t limit, std::string& err) {
    Fd fd(::openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno != ENOENT) err = fmt::format("{} cannot be read ({})", name, std::strerror(errno));
        return std::nullopt;
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || size_t(st.st_size) > limit) {
        err = fmt::format("{} is not a file Nido wrote", name);
        return std::nullopt;
    }
    std::string out;
    if (HostResult r = readOpened(fd.get(), name, out); !r.ok()) {
        err = r.message;
        return std::nullopt;
    }
    return out;
}

// HOST: removes name in dirfd and, for a folder, everything in it first,
// with *at calls that never follow a symlink. Counts what it removed.
std::string removeTree(int dirfd, const char* name, size_t& files, size_t& folders) {
    struct stat st;
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return std::strerror(errno);
    if (S_ISDIR(st.st_mode)) {
        Fd dir(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        std::vector<std::string> names;
        if (!dir.valid()) return fmt::format("{}: {}", name, std::strerror(errno));
        Fd keep(::fcntl(dir.get(), F_DUPFD_CLOEXEC, 0));
        if (HostResult r = listOpened(std::move(dir), name, names); !r.ok()) return r.message;
        for (const std::string& n : names) {
            if (std::string e = removeTree(keep.get(), n.c_str(), files, folders); !e.empty()) return e;
        }
        if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0) return fmt::format("{}: {}", name, std::strerror(errno));
        folders++;
        return "";
    }
    if (::unlinkat(dirfd, name, 0) != 0) return fmt::format("{}: {}", name, std::strerror(errno));
    files++;
    return "";
}

}  // namespace

std::string sandboxesFolder() {
    // HOST: getenv(3), read by the runtime (not the program) to place the folder.
    const char* data = std::getenv("XDG_DATA_HOME");
    if (data && data[0] == '/') return std::string(data) + "/nido/sandbox";
    const char* home = std::getenv("HOME");
    if (home && home[0] == '/') return std::string(home) + "/.local/share/nido/sandbox";
    return "";
}

std::string appSandboxFolder(const Isolation& iso, std::string& error) {
    if (!iso.sandboxDir.empty()) {
        if (iso.sandboxDir.find('\0') != std::string::npos) {
            error = "the sandbox folder path contains a NUL byte";
            return "";
        }
        return iso.sandboxDir;
    }
    if (!validAppName(iso.appName)) {
        error = fmt::format("'{}' cannot name a sandbox folder (no '/', not '.' or '..', 1 to 255 bytes)", iso.appName);
        return "";
    }
    std::string base = sandboxesFolder();
    if (base.empty()) {
        error = "no folder for the sandbox: set HOME or XDG_DATA_HOME, or use --isolate-dir";
        return "";
    }
    return base + "/" + iso.appName;
}

bool SandboxStore::exists() const {
    struct stat st;
    return ::lstat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);  // HOST: lstat(2)
}

std::string SandboxStore::load() {
    deleted_.clear();
    marked_ = false;
    // HOST: open(2) of the folder itself, not following a symlink there.
    Fd root(::open(dir_.c_str(), kFolderFlags));
    if (!root.valid()) {
        int err = errno;
        struct stat st;
        if (err == ENOENT) return "";
        if (::lstat(dir_.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
            return fmt::format("the sandbox folder \"{}\" is damaged: it is a symlink or not a folder", dir_);
        }
        return fmt::format("cannot open the sandbox folder \"{}\": {}", dir_, std::strerror(err));
    }
    std::string damage = readState(root.get());
    if (!damage.empty()) return fmt::format("the sandbox folder \"{}\" is damaged: {}", dir_, damage);
    root_ = std::move(root);
    return "";
}

std::string SandboxStore::readState(int root) {
    std::string err;
    std::optional<std::string> mark = readSmall(root, "format", kFormatMark.size() + 64, err);
    if (!err.empty()) return err;
    if (!mark) {
        // An empty folder (made by the user for --isolate-dir) becomes one
        // at the first write; anything else is not ours to write into.
        Fd list(::openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        std::vector<std::string> names;
        if (!list.valid() || !listOpened(std::move(list), dir_, names).ok() || !names.empty()) {
            return "it is not a Nido sandbox folder (no format mark)";
        }
        return "";
    }
    if (*mark != kFormatMark) return "its format mark is not \"nido sandbox 1\"";
    marked_ = true;
    bool foreign = false;
    if (kindAt(root, "files", foreign) != FileKind::Dir) return "files is missing or not a folder";
    std::optional<std::string> text = readSmall(root, "deleted", kMaxDeletedBytes, err);
    if (!err.empty()) return err;
    if (text) {
        size_t i = 0, line = 1;
        while (i < text->size()) {
            size_t j = text->find('\n', i);
            if (j == std::string::npos) return fmt::format("deleted: line {} has no end", line);
            std::optional<std::string> key = unescapeLine(std::string_view(*text).substr(i, j - i));
            if (!key || !normalKey(*key) || *key == "/") return fmt::format("deleted: line {} is not a path", line);
            deleted_.insert(std::move(*key));
            i = j + 1;
            line++;
        }
    }
    return "";
}

HostResult SandboxStore::damaged(std::string_view verb, const std::string& key, std::string_view what) const {
    return {HostStatus::Failed,
            fmt::format("cannot {} \"{}\": the sandbox folder \"{}\" is damaged: {}", verb, key, dir_, what)};
}

HostResult SandboxStore::cannotMake(std::string_view verb, const std::string& key, int err) const {
    return {HostStatus::Failed, fmt::format("cannot {} \"{}\": cannot make the sandbox folder \"{}\": {}", verb, key,
                                            dir_, std::strerror(err))};
}

HostResult SandboxStore::openRoot(bool create, std::string_view verb, const std::string& key) {
    if (files_.valid()) return {};
    if (!root_.valid()) {
        // HOST: open(2), mkdir(2) of the folder and its missing parents.
        root_ = Fd(::open(dir_.c_str(), kFolderFlags));
        if (!root_.valid() && errno == ENOENT && create) {
            for (size_t slash = dir_.find('/', 1); slash != std::string::npos; slash = dir_.find('/', slash + 1)) {
                ::mkdir(dir_.substr(0, slash).c_str(), 0700);  // errors show at the open below
            }
            if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return cannotMake(verb, key, errno);
            root_ = Fd(::open(dir_.c_str(), kFolderFlags));
        }
        if (!root_.valid()) {
            if (errno == ENOENT) return {};
            if (errno == ENOTDIR || errno == ELOOP) return damaged(verb, key, "it is a symlink or not a folder");
            return cannotMake(verb, key, errno);
        }
    }
    // HOST: openat(2), mkdirat(2): files/ and the format mark, made first.
    files_ = Fd(::openat(root_.get(), "files", kFolderFlags));
    if (!files_.valid() && errno == ENOENT && create) {
        if (HostResult r = writeAt(root_.get(), "format", dir_ + "/format", kFormatMark); !r.ok()) return r;
        if (::mkdirat(root_.get(), "files", 0700) != 0 && errno != EEXIST) return cannotMake(verb, key, errno);
        files_ = Fd(::openat(root_.get(), "files", kFolderFlags));
    }
    if (!files_.valid() && errno != ENOENT) return damaged(verb, key, "files is a symlink or not a folder");
    return {};
}

HostResult SandboxStore::openFolder(const std::string& key, size_t n, bool create, std::string_view verb, Fd& out,
                                    bool& missing) {
    missing = false;
    if (!normalKey(key)) return {HostStatus::Invalid, fmt::format("path \"{}\" is not resolved", key)};
    if (HostResult r = openRoot(create, verb, key); !r.ok()) return r;
    if (!files_.valid()) {
        missing = true;
        return {};
    }
    // HOST: fcntl(2) duplicates files/ to walk from; openat(2) and
    // mkdirat(2) one component at a time, never following a symlink.
    Fd cur(::fcntl(files_.get(), F_DUPFD_CLOEXEC, 0));
    if (!cur.valid()) return hostFailed(verb, key, errno);
    std::vector<std::string> comps = components(key);
    std::string below = "files";
    for (size_t i = 0; i < n; i++) {
        const char* c = comps[i].c_str();
        below += "/" + comps[i];
        bool foreign = false;
        FileKind k = kindAt(cur.get(), c, foreign);
        if (foreign) return damaged(verb, key, below + " is not a file or folder Nido made");
        if (k == FileKind::File || (k == FileKind::None && !create)) {
            if (create) return hostFailed(verb, key, ENOTDIR);
            missing = true;
            return {};
        }
        if (k == FileKind::None && ::mkdirat(cur.get(), c, 0700) != 0 && errno != EEXIST) {
            return hostFailed(verb, key, errno);
        }
        Fd next(::openat(cur.get(), c, kFolderFlags));
        if (!next.valid()) return damaged(verb, key, below + " changed while in use");
        cur = std::move(next);
    }
    out = std::move(cur);
    return {};
}

HostResult SandboxStore::kind(const std::string& key, std::string_view verb, FileKind& out) {
    out = FileKind::None;
    std::vector<std::string> comps = components(key);
    if (comps.empty()) {
        bool missing = false;
        Fd root;
        HostResult r = openFolder(key, 0, false, verb, root, missing);
        if (r.ok() && !missing) out = FileKind::Dir;
        return r;
    }
    Fd dir;
    bool missing = false;
    if (HostResult r = openFolder(key, comps.size() - 1, false, verb, dir, missing); !r.ok() || missing) return r;
    bool foreign = false;
    out = kindAt(dir.get(), comps.back().c_str(), foreign);
    if (foreign) return damaged(verb, key, "files" + key + " is not a file or folder Nido made");
    return {};
}

HostResult SandboxStore::openParent(const std::string& key, bool create, std::string_view verb, Fd& dir,
                                    std::string& name) {
    std::vector<std::string> comps = components(key);
    if (comps.empty()) return hostFailed(verb, key, verb == "remove" ? EBUSY : EISDIR);  // the root folder
    bool missing = false;
    if (HostResult r = openFolder(key, comps.size() - 1, create, verb, dir, missing); !r.ok()) return r;
    if (missing) return hostFailed(verb, key, ENOENT);
    name = std::move(comps.back());
    return {};
}

HostResult SandboxStore::read(const std::string& key, std::string& out) {
    Fd dir;
    std::string name;
    if (HostResult r = openParent(key, false, "read", dir, name); !r.ok()) return r;
    // HOST: openat(2) of the file itself, not following a symlink.
    Fd fd(::openat(dir.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ELOOP) return damaged("read", key, "files" + key + " is a symlink");
        return hostFailed("read", key, errno);
    }
    return readOpened(fd.get(), key, out);
}

HostResult SandboxStore::write(const std::string& key, std::string_view data) {
    Fd dir;
    std::string name;
    if (HostResult r = openParent(key, true, "write", dir, name); !r.ok()) return r;
    return writeAt(dir.get(), name.c_str(), key, data);
}

HostResult SandboxStore::append(const std::string& key, std::string_view data) {
    Fd dir;
    std::string name;
    if (HostResult r = openParent(key, true, "write", dir, name); !r.ok()) return r;
    return appendAt(dir.get(), name.c_str(), key, data);
}

HostResult SandboxStore::remove(const std::string& key) {
    Fd dir;
    std::string name;
    if (HostResult r = openParent(key, false, "remove", dir, name); !r.ok()) return r;
    return removeAt(dir.get(), name.c_str(), key);
}

HostResult SandboxStore::mkdir(const std::string& key) {
    Fd dir;
    bool missing = false;
    return openFolder(key, components(key).size(), true, "create", dir, missing);
}

HostResult SandboxStore::list(const std::string& key, std::vector<std::string>& out) {
    out.clear();
    Fd dir;
    bool missing = false;
    if (HostResult r = openFolder(key, components(key).size(), false, "list", dir, missing); !r.ok()) return r;
    if (missing) return hostFailed("list", key, ENOENT);
    // HOST: openat(2) of "." to read the folder the walk holds as O_PATH.
    Fd readable(::openat(dir.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!readable.valid()) return hostFailed("list", key, errno);
    return listOpened(std::move(readable), key, out);
}

bool SandboxStore::hidden(std::string_view key) const {
    if (deleted_.empty()) return false;
    while (key.size() > 1) {
        if (deleted_.count(std::string(key))) return true;
        key = key.substr(0, std::max<size_t>(key.rfind('/'), 1));
    }
    return false;
}

HostResult SandboxStore::setDeleted(const std::string& key, bool deleted, std::string_view verb) {
    if (deleted ? !deleted_.insert(key).second : deleted_.erase(key) == 0) return {};
    std::string text;
    for (const std::string& k : deleted_) text += escapeLine(k) + "\n";
    if (HostResult r = openRoot(true, verb, key); !r.ok()) return r;
    return writeAt(root_.get(), "deleted", dir_ + "/deleted", text);
}

std::string SandboxStore::entries(std::vector<StoredEntry>& out) {
    out.clear();
    FileKind top;
    if (HostResult r = kind("/", "list", top); !r.ok() || top == FileKind::None) return r.message;
    std::vector<std::string> todo{"/"};
    while (!todo.empty()) {
        std::string folder = std::move(todo.back());
        todo.pop_back();
        std::vector<std::string> names;
        HostResult r = list(folder, names);
        if (!r.ok()) return r.message;
        for (auto it = names.rbegin(); it != names.rend(); ++it) {
            std::string key = folder == "/" ? "/" + *it : folder + "/" + *it;
            FileKind k;
            if (HostResult kr = kind(key, "list", k); !kr.ok()) return kr.message;
            out.push_back({key, k});
            if (k == FileKind::Dir) todo.push_back(key);
        }
    }
    std::sort(out.begin(), out.end(), [](const StoredEntry& a, const StoredEntry& b) { return a.key < b.key; });
    return "";
}

std::string SandboxStore::destroy(size_t& files, size_t& folders) {
    files = folders = 0;
    files_ = Fd();
    // HOST: open(2) of the folder, not following a symlink there.
    root_ = Fd(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root_.valid()) return std::strerror(errno);
    size_t otherFiles = 0, otherFolders = 0;
    bool foreign = false;
    if (kindAt(root_.get(), "files", foreign) == FileKind::Dir) {
        if (std::string e = removeTree(root_.get(), "files", files, folders); !e.empty()) return e;
        folders--;  // files/ itself
    }
    Fd list(::fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
    std::vector<std::string> names;
    if (HostResult r = listOpened(std::move(list), dir_, names); !r.ok()) return r.message;
    for (const std::string& n : names) {
        if (std::string e = removeTree(root_.get(), n.c_str(), otherFiles, otherFolders); !e.empty()) return e;
    }
    root_ = Fd();
    deleted_.clear();
    // HOST: rmdir(2) of the now empty folder.
    if (::rmdir(dir_.c_str()) != 0) return std::strerror(errno);
    return "";
}

}  // namespace nido::vm
