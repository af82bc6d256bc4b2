// Names of x86-64 Linux system calls.
#pragma once

#include <cstdint>
#include <string>

namespace nido::hv::vmm {

// "write" for 1; "syscall_N" for a number with no name.
std::string syscallName(uint64_t number);

}  // namespace nido::hv::vmm
