// The few /proc and /sys files a static glibc + Boehm program reads, made up
// by the VMM from the guest's own state (NOTES.md lists them).
#pragma once

#include <optional>
#include <string>

namespace nido::hv::vmm {

struct Machine;

// The contents of `path` if it is one of the generated files.
std::optional<std::string> generatedFile(const Machine& m, const std::string& path);

}  // namespace nido::hv::vmm
