// What `nido sandbox` shows and does (cli/cmd_sandbox.cpp prints it): the
// apps that have a sandbox folder, what one app wrote and deleted, how that
// differs from the host, and discarding it. These run for the user, not
// for a program: they read the host without a sandbox of their own, and
// never write anywhere but the app's sandbox folder (reset).
//
// Each returns the text to print; error set (one line) means status 2.
#pragma once

#include <string>

namespace nido::vm {

// `nido sandbox ls`: the apps with a sandbox folder.
std::string listSandboxes(std::string& error);
// `nido sandbox ls APP`: each file written ("written"), folder made
// ("folder") and host path deleted ("deleted"), by host path.
std::string describeSandbox(const std::string& app, std::string& error);
// `nido sandbox diff APP`: each entry as added, modified or deleted
// compared with the host now, with the changed lines of small text files.
std::string diffSandbox(const std::string& app, std::string& error);
// `nido sandbox reset APP`: removes the app's sandbox folder and says what
// went with it.
std::string resetSandbox(const std::string& app, std::string& error);

}  // namespace nido::vm
