// The execution form of a function: what the interpreter runs. The
// translator (translator.hpp) makes it from the verified bytecode at link
// time, turning the operand stack into frame slots: a stack machine's
// pushes and pops become three-address instructions over locals, most
// loads vanish into their users, and a comparison fuses with the branch
// that follows it. The instructions are listed in exec_ops.def.
#pragma once

#include <cstdint>
#include <vector>

namespace nido::vm {

struct RtClass;
struct RtFunction;

enum class XOp : uint16_t {
#define EXEC(name, doc) name,
#include "vm/exec_ops.def"
#undef EXEC
};

constexpr int kXOpCount = 0
#define EXEC(name, doc) +1
#include "vm/exec_ops.def"
#undef EXEC
    ;

const char* xopName(XOp op);

// One instruction, 16 bytes. pc is the byte offset of the bytecode
// instruction it comes from: handler ranges, line numbers and --trace read
// the bytecode's tables through it.
struct Insn {
    XOp op;
    uint16_t a, b, c;
    int32_t k;
    uint32_t pc;
};
static_assert(sizeof(Insn) == 16);

// A CALL_INTERFACE site's last receiver class and the method it resolved to.
struct InterfaceCache {
    uint32_t iface = 0;
    const RtClass* cls = nullptr;
    const RtFunction* target = nullptr;
};

struct ExecCode {
    std::vector<Insn> code;
    std::vector<uint16_t> heights;         // operand stack height before each instruction (--trace)
    std::vector<uint32_t> handlerTargets;  // the instruction index of each bytecode handler's target
    std::vector<InterfaceCache> caches;
};

}  // namespace nido::vm
