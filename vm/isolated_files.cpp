// The isolation modes' view of the files (see isolated_files.hpp).
#include "vm/isolated_files.hpp"

#include <cerrno>

#include <fmt/format.h>

namespace nido::vm {
namespace {

std::string parentOf(std::string_view key) {
    size_t slash = key.rfind('/');
    return slash == 0 ? "/" : std::string(key.substr(0, slash));
}

std::string childOf(std::string_view folder, std::string_view name) {
    return folder == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", folder, name);
}

// Adds path and every folder above it.
void addWithAncestors(std::set<std::string>& to, std::string path) {
    while (true) {
        to.insert(path);
        if (path == "/") return;
        path = parentOf(path);
    }
}

}  // namespace

std::string lexicalPath(std::string_view path, std::string_view cwd) {
    std::vector<std::string_view> parts;
    auto walk = [&](std::string_view p) {
        size_t i = 0;
        while (i <= p.size()) {
            size_t j = p.find('/', i);
            if (j == std::string_view::npos) j = p.size();
            std::string_view c = p.substr(i, j - i);
            if (c == "..") {
                if (!parts.empty()) parts.pop_back();
            } else if (!c.empty() && c != ".") {
                parts.push_back(c);
            }
            i = j + 1;
        }
    };
    if (!path.starts_with('/')) walk(cwd);
    walk(path);
    std::string out;
    for (std::string_view c : parts) out += fmt::format("/{}", c);
    return out.empty() ? "/" : out;
}

IsolatedFiles::IsolatedFiles(const Isolation& iso, const std::string& cwd) : default_(iso.defaultMode) {
    for (const IsolationRule& rule : iso.rules) {
        if (rule.path.empty() || rule.path.find('\0') != std::string::npos ||
            (!rule.path.starts_with('/') && cwd.empty())) {
            error_ = fmt::format("cannot resolve the --isolate path \"{}\"", rule.path);
            return;
        }
        rules_.push_back({resolvePath(rule.path, cwd), rule.mode});
    }
    auto notMerged = [](IsolationMode m) { return m != IsolationMode::Merged; };
    active_ = notMerged(default_);
    anyFull_ = default_ == IsolationMode::Full;
    for (const IsolationRule& rule : rules_) {
        active_ = active_ || notMerged(rule.mode);
        if (rule.mode == IsolationMode::Full) {
            anyFull_ = true;
            addWithAncestors(implied_, rule.path);
        }
    }
    if (!active_) return;
    if (default_ == IsolationMode::Full) implied_.insert("/");
    if (!cwd.empty() && modeOf(cwd) == IsolationMode::Full) addWithAncestors(implied_, cwd);
    Isolation where = iso;
    if (!where.sandboxDir.empty() && !where.sandboxDir.starts_with('/')) {
        if (cwd.empty()) {
            error_ = fmt::format("cannot resolve the --isolate-dir path \"{}\"", where.sandboxDir);
            return;
        }
        where.sandboxDir = resolvePath(where.sandboxDir, cwd);
    }
    std::string dir = appSandboxFolder(where, error_);
    if (dir.empty()) return;
    store_ = SandboxStore(dir);
    error_ = store_.load();
}

IsolationMode IsolatedFiles::modeOf(std::string_view key) const { return vm::modeOf(default_, rules_, key); }

bool IsolatedFiles::involves(std::string_view key, bool listing) const {
    if (!active_) return false;
    if (modeOf(key) != IsolationMode::Merged) return true;
    if (!listing) return false;
    for (const IsolationRule& rule : rules_) {
        if (rule.mode != IsolationMode::Merged && rule.path != key && pathWithin(rule.path, key)) return true;
    }
    return false;
}

std::string IsolatedFiles::resolve(const Sandbox& sandbox, std::string_view path, bool followLast) const {
    if (anyFull_) {
        std::string lexical = lexicalPath(path, sandbox.cwd());
        if (modeOf(lexical) == IsolationMode::Full) return lexical;
    }
    return sandbox.resolve(path, followLast);
}

HostResult IsolatedFiles::look(const std::string& key, Access a, std::string_view verb, FileKind& out) {
    out = FileKind::None;
    IsolationMode mode = modeOf(key);
    if (mode == IsolationMode::Merged) return hostKindChecked(key, a, out);
    if (mode == IsolationMode::WriteCopy && store_.hidden(key)) return {};
    if (HostResult r = store_.kind(key, verb, out); !r.ok() || out != FileKind::None) return r;
    if (mode == IsolationMode::Full) {
        if (implied_.count(key)) out = FileKind::Dir;
        return {};
    }
    return hostKindChecked(key, a, out);
}

HostResult IsolatedFiles::parentIsFolder(const std::string& key, Access a, std::string_view verb, bool& out) {
    out = false;
    std::string parent = parentOf(key);
    IsolationMode mode = modeOf(parent);
    if (mode == IsolationMode::Merged) return hostParentChecked(key, a, out);
    if (mode == IsolationMode::WriteCopy && store_.hidden(parent)) return {};
    FileKind k;
    if (HostResult r = store_.kind(parent, verb, k); !r.ok() || k != FileKind::None) {
        out = k == FileKind::Dir;
        return r;
    }
    if (mode == IsolationMode::Full) {
        out = implied_.count(parent) > 0;
        return {};
    }
    return hostParentChecked(key, a, out);
}

HostResult IsolatedFiles::names(const std::string& key, Access a, std::string_view verb,
                                std::vector<std::string>& out) {
    out.clear();
    IsolationMode mode = modeOf(key);
    std::set<std::string> all;
    std::vector<std::string> some;
    FileKind k = FileKind::None;
    bool hostShows = mode == IsolationMode::Merged || (mode == IsolationMode::WriteCopy && !store_.hidden(key));
    if (hostShows) {
        if (HostResult r = hostKindChecked(key, a, k); !r.ok()) return r;
        if (k == FileKind::Dir) {
            if (HostResult r = hostListChecked(key, a, some); !r.ok()) return r;
            all.insert(some.begin(), some.end());
        }
    }
    // Also for a merged folder: entries of isolated rules below it.
    if (HostResult r = store_.kind(key, verb, k); !r.ok()) return r;
    if (k == FileKind::Dir) {
        if (HostResult r = store_.list(key, some); !r.ok()) return r;
        all.insert(some.begin(), some.end());
    }
    for (const std::string& path : implied_) {
        if (path != "/" && parentOf(path) == key) all.insert(path.substr(path.rfind('/') + 1));
    }
    for (const std::string& name : all) {
        if (HostResult r = look(childOf(key, name), a, verb, k); !r.ok()) return r;
        if (k != FileKind::None) out.push_back(name);
    }
    return {};  // std::set keeps them sorted bytewise
}

HostResult IsolatedFiles::readFile(const std::string& key, std::string& out) {
    FileKind k;
    if (HostResult r = look(key, Access::Read, "read", k); !r.ok()) return r;
    if (k == FileKind::None) return hostFailed("read", key, ENOENT);
    if (k == FileKind::Dir) return hostFailed("read", key, EISDIR);
    FileKind stored;
    if (HostResult r = store_.kind(key, "read", stored); !r.ok()) return r;
    if (stored == FileKind::File) return store_.read(key, out);
    return hostReadChecked(key, Access::Read, out);
}

HostResult IsolatedFiles::writeFile(const std::string& key, std::string_view data) {
    FileKind k;
    bool parentOk = false;
    if (HostResult r = look(key, Access::Write, "write", k); !r.ok()) return r;
    if (k == FileKind::Dir) return hostFailed("write", key, EISDIR);
    if (HostResult r = parentIsFolder(key, Access::Write, "write", parentOk); !r.ok()) return r;
    if (!parentOk) return hostFailed("write", key, ENOENT);
    if (HostResult r = store_.write(key, data); !r.ok()) return r;
    return store_.setDeleted(key, false, "write");
}

HostResult IsolatedFiles::appendFile(const std::string& key, std::string_view data) {
    FileKind k, stored;
    bool parentOk = false;
    if (HostResult r = look(key, Access::Write, "write", k); !r.ok()) return r;
    if (k == FileKind::Dir) return hostFailed("write", key, EISDIR);
    if (HostResult r = parentIsFolder(key, Access::Write, "write", parentOk); !r.ok()) return r;
    if (!parentOk) return hostFailed("write", key, ENOENT);
    if (HostResult r = store_.kind(key, "write", stored); !r.ok()) return r;
    if (stored == FileKind::File) return store_.append(key, data);
    // The first change to a host file: copy it into the sandbox, then append.
    std::string copy;
    if (k == FileKind::File) {
        if (HostResult r = hostReadChecked(key, Access::Write, copy); !r.ok()) return r;
    }
    copy.append(data);
    if (HostResult r = store_.write(key, copy); !r.ok()) return r;
    return store_.setDeleted(key, false, "write");
}

HostResult IsolatedFiles::kind(const std::string& key, FileKind& out) { return look(key, Access::Read, "read", out); }

HostResult IsolatedFiles::listDir(const std::string& key, std::vector<std::string>& out) {
    FileKind k;
    if (HostResult r = look(key, Access::Read, "list", k); !r.ok()) return r;
    if (k == FileKind::None) return hostFailed("list", key, ENOENT);
    if (k == FileKind::File) return hostFailed("list", key, ENOTDIR);
    return names(key, Access::Read, "list", out);
}

HostResult IsolatedFiles::remove(const std::string& key) {
    FileKind k, stored;
    IsolationMode mode = modeOf(key);
    if (HostResult r = look(key, Access::Write, "remove", k); !r.ok()) return r;
    if (k == FileKind::None) return hostFailed("remove", key, ENOENT);
    if (mode == IsolationMode::Full && implied_.count(key)) return hostFailed("remove", key, EBUSY);
    if (k == FileKind::Dir) {
        std::vector<std::string> inside;
        if (HostResult r = names(key, Access::Write, "remove", inside); !r.ok()) return r;
        if (!inside.empty()) return hostFailed("remove", key, ENOTEMPTY);
    }
    if (HostResult r = store_.kind(key, "remove", stored); !r.ok()) return r;
    if (stored != FileKind::None) {
        if (HostResult r = store_.remove(key); !r.ok()) return r;
    }
    if (mode != IsolationMode::WriteCopy) return {};
    // The host file stays; a whiteout hides it from now on.
    if (HostResult r = hostKindChecked(key, Access::Write, k); !r.ok() || k == FileKind::None) return r;
    return store_.setDeleted(key, true, "remove");
}

HostResult IsolatedFiles::mkdirs(const Sandbox& sandbox, const std::string& key) {
    std::string path;
    size_t pos = 1;
    while (pos < key.size()) {
        size_t slash = key.find('/', pos);
        if (slash == std::string::npos) slash = key.size();
        path = key.substr(0, slash);
        bool last = slash == key.size();
        pos = slash + 1;
        if (!sandbox.allows(Access::Write, path)) continue;  // above the grants: as it is
        FileKind k;
        if (HostResult r = look(path, Access::Write, "create", k); !r.ok()) return r;
        if (k == FileKind::Dir) continue;
        if (k == FileKind::File) return hostFailed("create", key, last ? EEXIST : ENOTDIR);
        if (modeOf(path) == IsolationMode::Merged) {
            if (HostResult r = hostMkdirChecked(path); !r.ok()) return r;
            continue;
        }
        if (HostResult r = store_.mkdir(path); !r.ok()) return r;
        if (HostResult r = store_.setDeleted(path, false, "create"); !r.ok()) return r;
    }
    return {};
}

}  // namespace nido::vm
