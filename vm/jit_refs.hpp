// The run-time addresses compiled code uses, by name. Compiled code never
// holds an address of this run as a number: it refers to a symbol such as
// `nido.ref.function.3` (plus a constant offset), which the JIT defines for the compile and the
// code cache's loader (code_cache.hpp) resolves again in a later run, where
// the same function, class or helper lives at another address. Both sides
// compute the address here, so they cannot disagree.
//
// Header-only: the JIT plugin uses it too and links nothing of nido.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vm/linker.hpp"

namespace nido::vm {

enum class JitRefKind : uint8_t {
    Function,  // &functions[index]
    Code,      // functions[index].code: its instructions (Frame::ip values)
    Global,    // &globals[index]: a module variable
    Constant,  // the string object of constants[index]
    Class,     // &classes[index]
    Helper,    // where JitHelpers keeps its index-th function pointer
};

struct JitRef {
    JitRefKind kind;
    uint32_t index = 0;
};

constexpr std::string_view kJitRefPrefix = "nido.ref.";
constexpr std::string_view kJitRefKindNames[] = {"function", "code", "global", "constant", "class", "helper"};

inline std::string jitRefName(const JitRef& r) {
    return std::string(kJitRefPrefix) + std::string(kJitRefKindNames[size_t(r.kind)]) + "." + std::to_string(r.index);
}

// The reference a symbol name stands for; nullopt for any other name.
inline std::optional<JitRef> parseJitRef(std::string_view name) {
    if (!name.starts_with(kJitRefPrefix)) return std::nullopt;
    name.remove_prefix(kJitRefPrefix.size());
    size_t dot = name.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    JitRef r{};
    bool known = false;
    for (size_t k = 0; k < std::size(kJitRefKindNames); k++) {
        if (name.substr(0, dot) == kJitRefKindNames[k]) {
            r.kind = JitRefKind(k);
            known = true;
        }
    }
    std::string_view digits = name.substr(dot + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), r.index);
    if (!known || digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return r;
}

// Where r is in program lp; nullptr when r is out of its range (a damaged
// cache file) or names a constant that is not a string.
inline const void* jitRefAddress(const JitRef& r, const LinkedProgram& lp, const JitHelpers& helpers) {
    switch (r.kind) {
    case JitRefKind::Function: return r.index < lp.functions.size() ? &lp.functions[r.index] : nullptr;
    case JitRefKind::Code: return r.index < lp.functions.size() ? lp.functions[r.index].code : nullptr;
    case JitRefKind::Global: return r.index < lp.program->globals.size() ? &lp.globals[r.index] : nullptr;
    case JitRefKind::Constant:
        if (r.index >= lp.program->constants.size() || lp.program->constants[r.index].kind != ConstKind::String)
            return nullptr;
        return lp.constants[r.index].ref;
    case JitRefKind::Class: return r.index < lp.classes.size() ? &lp.classes[r.index] : nullptr;
    case JitRefKind::Helper:
        if (r.index >= sizeof(JitHelpers) / sizeof(void*)) return nullptr;
        return &reinterpret_cast<void* const*>(&helpers)[r.index];
    }
    return nullptr;
}

}  // namespace nido::vm
