// The app's sandbox folder: where the files of writecopy and full mode
// paths land (vm/isolated_files.hpp, docs/sandbox.md). Layout of APP/:
//   format    "nido sandbox 1\n": marks the folder as Nido's
//   files/    the app's files at their host paths: files/home/u/notes.txt
//             holds what the app wrote to /home/u/notes.txt
//   deleted   the host paths the app removed in writecopy mode (whiteouts),
//             one a line, "%" and newline written as %25 and %0A
// The folder is made at the app's first write, 0700.
//
// SAFETY. Keys are host paths already resolved and checked (absolute, no
// "." or ".." and no empty component), so they cannot climb out of files/.
// Below APP/ every component is opened relative to its parent with
// O_NOFOLLOW and acted on with *at calls, so no symlink there is ever
// followed: Nido never makes one, and one found (made by someone else) or
// anything that is neither file nor folder is reported as damage, never
// used. The folders above APP/ ($XDG_DATA_HOME...) belong to the user and
// may be symlinks.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "vm/host_files.hpp"
#include "vm/isolation.hpp"

namespace nido::vm {

// Where the apps' sandbox folders live: $XDG_DATA_HOME/nido/sandbox (when
// set and absolute), else $HOME/.local/share/nido/sandbox; "" when neither
// variable helps.
std::string sandboxesFolder();

// The app's sandbox folder: iso.sandboxDir when set, else
// sandboxesFolder()/APP. "" with error set when there is none.
std::string appSandboxFolder(const Isolation& iso, std::string& error);

// One entry of files/, for `nido sandbox`: its host path and kind.
struct StoredEntry {
    std::string key;
    FileKind kind = FileKind::None;
};

class SandboxStore {
public:
    SandboxStore() = default;
    explicit SandboxStore(std::string dir) : dir_(std::move(dir)) {}

    const std::string& dir() const { return dir_; }
    // Whether the folder exists (as a folder, not a symlink).
    bool exists() const;
    // Reads an existing folder's format mark and deletion list: "" or a
    // one-line message saying what is wrong with it. A missing folder is an
    // empty sandbox.
    std::string load();

    // The operations on files/, naming key and verb in messages.
    HostResult kind(const std::string& key, std::string_view verb, FileKind& out);
    HostResult read(const std::string& key, std::string& out);
    HostResult write(const std::string& key, std::string_view data);
    HostResult append(const std::string& key, std::string_view data);
    HostResult remove(const std::string& key);
    HostResult mkdir(const std::string& key);
    HostResult list(const std::string& key, std::vector<std::string>& out);

    // Whether key or a folder above it is recorded as deleted.
    bool hidden(std::string_view key) const;
    // Records key as deleted (deleted true) or not, saving the list.
    HostResult setDeleted(const std::string& key, bool deleted, std::string_view verb);
    const std::set<std::string>& deletions() const { return deleted_; }

    // Every file and folder below files/, parents first; "" or what is wrong.
    std::string entries(std::vector<StoredEntry>& out);
    // Whether load found Nido's format mark.
    bool marked() const { return marked_; }
    // Removes the whole folder without following any symlink in it,
    // counting the files and folders removed below files/: "" or what
    // went wrong.
    std::string destroy(size_t& files, size_t& folders);

private:
    // Opens files/ and the folders of key's first n components (creating
    // them when create), into out; missing set when one is absent or a
    // file. Damage and OS errors are reported naming key and verb.
    HostResult openFolder(const std::string& key, size_t n, bool create, std::string_view verb, Fd& out, bool& missing);
    // The format mark and deletion list of the folder open as root: "" or
    // what is wrong.
    std::string readState(int root);
    // openFolder for key's parent: dir and the last component, name.
    // ENOENT when a folder on the way is missing, EISDIR (EBUSY for
    // remove) for "/".
    HostResult openParent(const std::string& key, bool create, std::string_view verb, Fd& dir, std::string& name);
    HostResult openRoot(bool create, std::string_view verb, const std::string& key);
    HostResult damaged(std::string_view verb, const std::string& key, std::string_view what) const;
    HostResult cannotMake(std::string_view verb, const std::string& key, int err) const;

    std::string dir_;
    Fd root_;   // APP/, once opened
    Fd files_;  // APP/files/, once opened
    std::set<std::string> deleted_;
    bool marked_ = false;
};

}  // namespace nido::vm
