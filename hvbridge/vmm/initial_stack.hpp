// The System V initial process stack: argc, argv, envp and the aux vector,
// with the strings and AT_RANDOM bytes above them, as Linux's execve builds it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "elf_loader.hpp"
#include "guest_memory.hpp"

namespace nido::hv::vmm {

// Builds the stack below `top`; returns the initial RSP (16-byte aligned, at
// argc), or 0 when the strings take more than a quarter of the stack.
uint64_t buildInitialStack(GuestMemory& memory, uint64_t top, const LoadedElf& elf,
                           const std::vector<std::string>& argv, const std::vector<std::string>& envp);

}  // namespace nido::hv::vmm
