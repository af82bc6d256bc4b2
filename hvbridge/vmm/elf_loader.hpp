// Loads a static x86-64 ELF executable (non-PIE, or static-pie placed at
// 0x400000) into guest memory at its addresses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "guest_memory.hpp"

namespace nido::hv::vmm {

struct LoadedSegment {
    uint64_t start, end;  // guest addresses, page-aligned
    uint32_t flags;       // PF_R | PF_W | PF_X
};

struct LoadedElf {
    uint64_t entry = 0;
    uint64_t phdr = 0;  // guest address of the program headers, for AT_PHDR
    uint64_t phnum = 0, phent = 0;
    uint64_t end = 0;  // first page past the last segment: where brk starts
    std::vector<LoadedSegment> segments;
};

bool loadElf(const std::string& path, GuestMemory& memory, LoadedElf& out, std::string& error);

}  // namespace nido::hv::vmm
