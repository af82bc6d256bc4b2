// Loads one ELF64 x86-64 relocatable object, as the JIT plugin's code
// generator makes them (code model small, PIC, absolute symbols), into fresh
// executable memory without LLVM: native code kept on disk comes back in a
// later run without loading libLLVM. Plain C++ on malloc and mmap (no Boehm
// heap): it may run on a thread the collector does not know. The bytes come
// from disk and are treated as hostile: a damaged file is refused with a
// one-line reason, never read or written out of bounds.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace nido::vm {

// Resolves an undefined symbol of the object; nullptr: unknown (the load fails).
using SymbolResolver = std::function<const void*(std::string_view name)>;

// Links the object `bytes` into one fresh read+execute region and returns
// the address of its defined function `entry`. On any problem returns
// nullptr, maps nothing and sets `why` (one line). The region of a loaded
// object is never freed: its code lives until the process ends.
const void* loadNativeObject(std::span<const uint8_t> bytes, std::string_view entry, const SymbolResolver& resolve,
                             std::string& why);

}  // namespace nido::vm
