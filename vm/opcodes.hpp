// Opcode enum, names and operand layouts, all expanded from opcodes.def.
#pragma once

#include <cstdint>

namespace nido::vm {

// Operand layouts after the opcode byte.
enum class OperandFormat : uint8_t {
    NONE,     // no operand
    U16,      // local slot, capture index, builtin id
    U32,      // constant, global, class, function or type index
    I32,      // branch offset from the branch's first byte; or an inline int
    U32_U16,  // class index + field index / vtable slot / interface method
    U32_U32,  // type index + element count
};

// Operand bytes for each format (the opcode byte not included).
constexpr int operandBytes(OperandFormat f) {
    switch (f) {
    case OperandFormat::NONE: return 0;
    case OperandFormat::U16: return 2;
    case OperandFormat::U32: return 4;
    case OperandFormat::I32: return 4;
    case OperandFormat::U32_U16: return 6;
    case OperandFormat::U32_U32: return 8;
    }
    return 0;
}

// Marks a stack effect that the verifier computes from the operands.
constexpr int VAR = -1;

enum class Op : uint8_t {
#define OP(name, fmt, pops, pushes, doc) name,
#include "vm/opcodes.def"
#undef OP
};

constexpr int kOpCount = 0
#define OP(name, fmt, pops, pushes, doc) +1
#include "vm/opcodes.def"
#undef OP
    ;

struct OpInfo {
    const char* name;
    OperandFormat format;
    int pops;
    int pushes;
    const char* doc;
};

inline constexpr OpInfo kOpInfo[] = {
#define OP(name, fmt, pops, pushes, doc) {#name, OperandFormat::fmt, pops, pushes, doc},
#include "vm/opcodes.def"
#undef OP
};

inline const OpInfo& opInfo(Op op) { return kOpInfo[static_cast<int>(op)]; }

// Whole instruction length in bytes, opcode included.
inline int instructionLength(Op op) { return 1 + operandBytes(opInfo(op).format); }

}  // namespace nido::vm
