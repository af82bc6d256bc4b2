// Built-in function ids and their descriptions, expanded from builtins.def
// and intrinsics.def.
#pragma once

#include <cstdint>

#include "vm/opcodes.hpp"

namespace nido::vm {

enum class BuiltinId : uint16_t {
#define BUILTIN(id, recv, name, sig) id,
#include "vm/builtins.def"
#undef BUILTIN
};

enum class BuiltinReceiver : uint8_t { GLOBAL, STRING, ARRAY, MAP, MODULE };

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

enum class IntrinsicId : uint8_t {
#define INTRINSIC(id, recv, name, sig, op) id,
#include "vm/intrinsics.def"
#undef INTRINSIC
};

struct IntrinsicInfo {
    const char* id;
    BuiltinReceiver receiver;
    const char* name;
    const char* signature;
    Op op;  // emitted with the call's result type as operand
};

inline constexpr IntrinsicInfo kIntrinsicInfo[] = {
#define INTRINSIC(id, recv, name, sig, op) {#id, BuiltinReceiver::recv, name, sig, Op::op},
#include "vm/intrinsics.def"
#undef INTRINSIC
};

constexpr int kIntrinsicCount = int(sizeof(kIntrinsicInfo) / sizeof(kIntrinsicInfo[0]));

inline const IntrinsicInfo& intrinsicInfo(IntrinsicId id) { return kIntrinsicInfo[static_cast<int>(id)]; }

}  // namespace nido::vm
