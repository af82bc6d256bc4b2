// The sandbox policy a program runs under (deny by default): what the
// --allow-* flags granted. Stdio, clocks and the program's own arguments are
// always allowed; files and environment variables only as listed here.
// The host layer enforces it (vm/host.hpp); nothing else consults it.
#pragma once

#include <string>
#include <vector>

namespace nido::vm {

struct Permissions {
    bool readAll = false;                // --allow-read with no list
    bool writeAll = false;               // --allow-write with no list
    bool envAll = false;                 // --allow-env with no list
    std::vector<std::string> readPaths;  // --allow-read=PATH,... as given (resolved by the host layer)
    std::vector<std::string> writePaths;
    std::vector<std::string> envNames;  // --allow-env=NAME,...
};

}  // namespace nido::vm
