// The isolation modes at work (vm/isolation.hpp, docs/sandbox.md): the view
// of the files a program gets for paths whose mode is writecopy or full.
// The host layer (vm/host.cpp) hands a file call here once the path is
// resolved and allowed: permissions decide whether, the mode decides where.
//   writecopy  a path shows the app's sandbox copy if it has one, else the
//              host file, unless the app removed it (a whiteout). Writes,
//              appends and new folders go to the sandbox (an append first
//              copies the host file); removing a host file records a
//              whiteout and leaves the host file alone.
//   full       only the sandbox exists. The rule's own folder, the working
//              folder (when full) and the folders above them exist, empty,
//              from the start, so the app has somewhere to write.
// A listing merges the host's and the sandbox's entries, each shown when a
// lookup of it under its own mode finds it, so listDir, exists, isDir and
// readFile always agree.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vm/host_files.hpp"
#include "vm/isolation.hpp"
#include "vm/sandbox_store.hpp"

namespace nido::vm {

class IsolatedFiles {
public:
    // Every path merged: involves() is always false.
    IsolatedFiles() = default;
    // Resolves the rules' paths against cwd now and, when a mode other than
    // merged is in force, finds and checks the app's sandbox folder.
    IsolatedFiles(const Isolation& iso, const std::string& cwd);

    // What keeps the run from starting ("" when nothing): a bad app name,
    // a damaged sandbox folder.
    const std::string& startError() const { return error_; }

    // The mode of a resolved path: the longest rule containing it wins.
    IsolationMode modeOf(std::string_view key) const;
    // Whether a call on key is this layer's: its mode is not merged, or
    // (listing) a rule below it is not merged.
    bool involves(std::string_view key, bool listing = false) const;
    // The program's path resolved: in full mode lexically (the host is not
    // looked at), else as the sandbox resolves it, symlinks followed.
    std::string resolve(const Sandbox& sandbox, std::string_view path, bool followLast) const;

    // The fs calls on a resolved, allowed path; results as the host layer's.
    HostResult readFile(const std::string& key, std::string& out);
    HostResult writeFile(const std::string& key, std::string_view data);
    HostResult appendFile(const std::string& key, std::string_view data);
    HostResult kind(const std::string& key, FileKind& out);
    HostResult listDir(const std::string& key, std::vector<std::string>& out);
    HostResult remove(const std::string& key);
    // Folders the sandbox does not allow writing are taken as they are.
    HostResult mkdirs(const Sandbox& sandbox, const std::string& key);

private:
    // What key is in this view.
    HostResult look(const std::string& key, Access a, std::string_view verb, FileKind& out);
    // Whether key's parent is a folder in this view.
    HostResult parentIsFolder(const std::string& key, Access a, std::string_view verb, bool& out);
    // The names in folder key (which look found), merged and filtered.
    HostResult names(const std::string& key, Access a, std::string_view verb, std::vector<std::string>& out);

    bool active_ = false;
    bool anyFull_ = false;
    IsolationMode default_ = IsolationMode::Merged;
    std::vector<IsolationRule> rules_;  // paths resolved
    std::set<std::string> implied_;     // full-mode folders that exist from the start
    SandboxStore store_;
    std::string error_;
};

// path against cwd with "." and ".." folded and nothing looked up.
std::string lexicalPath(std::string_view path, std::string_view cwd);

}  // namespace nido::vm
