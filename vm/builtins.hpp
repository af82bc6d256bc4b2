// Built-in function ids and their descriptions, expanded from builtins.def.
#pragma once

#include <cstdint>

namespace nido::vm {

enum class BuiltinId : uint16_t {
#define BUILTIN(id, recv, name, sig) id,
#include "vm/builtins.def"
#undef BUILTIN
};

enum class BuiltinReceiver : uint8_t { GLOBAL, STRING, ARRAY, MAP };

struct BuiltinInfo {
    const char* id;
    BuiltinReceiver receiver;
    const char* name;
    const char* signature;
};

inline constexpr BuiltinInfo kBuiltinInfo[] = {
#define BUILTIN(id, recv, name, sig) {#id, BuiltinReceiver::recv, name, sig},
#include "vm/builtins.def"
#undef BUILTIN
};

constexpr int kBuiltinCount = int(sizeof(kBuiltinInfo) / sizeof(kBuiltinInfo[0]));

inline const BuiltinInfo& builtinInfo(BuiltinId id) { return kBuiltinInfo[static_cast<int>(id)]; }

}  // namespace nido::vm
