// The `nido` subcommands, one file each (cli/cmd_*.cpp). Each takes the
// arguments after its name and returns the process exit status. Errors are
// one line on stderr starting "nido: ", with status 2 (ARCHITECTURE.md).
#pragma once

#include <string>
#include <vector>

namespace nido::cli {

using Args = std::vector<std::string>;

int cmdRun(const Args& args);
int cmdBuild(const Args& args);
int cmdCheck(const Args& args);
int cmdDisasm(const Args& args);
int cmdHelp(const Args& args);
int cmdHv(const Args& args);
int cmdSandbox(const Args& args);
int cmdPack(const Args& args);

// Prints "nido: message" to stderr and returns 2, the usage/load status.
int fail(const std::string& message);

}  // namespace nido::cli
