// File operations on a file or folder already opened and verified: the
// pieces the host layer's file calls are made of (vm/host.cpp), shared with
// the app's sandbox folder (vm/sandbox_store.cpp) so that both read, write,
// append, list and remove alike. `path` in each names the file in messages:
// the program's resolved path, also when the bytes live in the sandbox
// folder.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vm/host.hpp"
#include "vm/sandbox.hpp"

namespace nido::vm {

enum class FileKind : uint8_t { None, File, Dir };

// `cannot VERB "PATH": strerror(err)`.
HostResult hostFailed(std::string_view verb, std::string_view path, int err);

// The whole file open as fd.
HostResult readOpened(int fd, std::string_view path, std::string& out);
// Atomically replaces name in the folder dirfd (see hostWriteFile).
HostResult writeAt(int dirfd, const char* name, std::string_view path, std::string_view data);
// Appends to name in the folder dirfd, creating it; never follows a symlink.
HostResult appendAt(int dirfd, const char* name, std::string_view path, std::string_view data);
// The entry names of the folder open as fd (taken over), sorted bytewise.
HostResult listOpened(Fd fd, std::string_view path, std::vector<std::string>& out);
// Removes the file, symlink or empty folder name in the folder dirfd.
HostResult removeAt(int dirfd, const char* name, std::string_view path);

// The host's side of a path the caller has resolved and checked against
// the sandbox: what the isolation layer (vm/isolated_files.hpp) sees of the
// host, each verified for access a where it opens. A dangling symlink is
// FileKind::None, anything not a folder FileKind::File.
HostResult hostReadChecked(const std::string& resolved, Access a, std::string& out);
HostResult hostKindChecked(const std::string& resolved, Access a, FileKind& out);
HostResult hostListChecked(const std::string& resolved, Access a, std::vector<std::string>& out);
// Whether resolved's parent is a folder on the host.
HostResult hostParentChecked(const std::string& resolved, Access a, bool& isFolder);
// Creates the one folder resolved on the host (its parent exists).
HostResult hostMkdirChecked(const std::string& resolved);

}  // namespace nido::vm
