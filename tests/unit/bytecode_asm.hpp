// The unit tests' bytecode assembler and Program table builders, shared by
// every test that writes bytecode by hand instead of compiling source: the
// verifier tests (test_verifier.cpp), the module file and disassembler tests
// (test_module_file.cpp) and the runtime tests through runtime_harness.hpp.
// Asm emits instructions in the encoding of docs/bytecode.md; jumps name
// labels that code() resolves, line() records line-table entries and then()
// appends another fragment. The *Of() functions build one table entry each.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "vm/builtins.hpp"
#include "vm/opcodes.hpp"
#include "vm/program.hpp"

namespace nido::vm::testing {

class Asm {
public:
    Asm& op(Op o) {
        code_.push_back(uint8_t(o));
        return *this;
    }
    Asm& op(Op o, int64_t a) {
        op(o);
        int n = operandBytes(opInfo(o).format);
        REQUIRE((n == 2 || n == 4));
        put(uint64_t(a), n);
        return *this;
    }
    Asm& op(Op o, uint32_t a, uint32_t b) {
        op(o);
        put(a, 4);
        put(b, opInfo(o).format == OperandFormat::U32_U16 ? 2 : 4);
        return *this;
    }
    Asm& call(BuiltinId id) { return op(Op::CALL_BUILTIN, int64_t(id)); }
    // PUSH_INT of a value that fits its 32-bit operand.
    Asm& i(int64_t v) {
        REQUIRE(v == int32_t(v));
        return op(Op::PUSH_INT, v);
    }
    Asm& jump(Op o, const std::string& label) {
        fixups_.push_back({pc(), label});
        return op(o, 0);
    }
    Asm& label(const std::string& name) {
        labels_[name] = pc();
        return *this;
    }
    Asm& line(uint32_t n) {
        lines_.push_back({pc(), n});
        return *this;
    }
    // Appends another fragment (labels must not clash).
    Asm& then(const Asm& other) {
        uint32_t base = pc();
        for (auto& [name, at] : other.labels_) labels_[name] = base + at;
        for (auto& [from, name] : other.fixups_) fixups_.push_back({base + from, name});
        for (const LineEntry& l : other.lines_) lines_.push_back({base + l.pc, l.line});
        code_.insert(code_.end(), other.code_.begin(), other.code_.end());
        return *this;
    }
    uint32_t pc() const { return uint32_t(code_.size()); }
    uint32_t at(const std::string& name) const { return labels_.at(name); }
    const std::vector<LineEntry>& lines() const { return lines_; }
    // The bytes, with every jump's offset filled in.
    std::vector<uint8_t> code() const {
        std::vector<uint8_t> code = code_;
        for (auto& [from, name] : fixups_) {
            uint32_t off = labels_.at(name) - from;
            for (int i = 0; i < 4; i++) code[from + 1 + i] = uint8_t(off >> (8 * i));
        }
        return code;
    }

private:
    void put(uint64_t v, int bytes) {
        for (int i = 0; i < bytes; i++) code_.push_back(uint8_t(v >> (8 * i)));
    }
    std::vector<uint8_t> code_;
    std::map<std::string, uint32_t> labels_;
    std::vector<std::pair<uint32_t, std::string>> fixups_;
    std::vector<LineEntry> lines_;
};

inline TypeDesc typeOf(TypeKind k, uint32_t elem = kNone, uint32_t value = kNone, uint32_t cls = kNone,
                       std::vector<uint32_t> params = {}) {
    TypeDesc t;
    t.kind = k;
    t.elem = elem;
    t.value = value;
    t.cls = cls;
    t.params = std::move(params);
    return t;
}

// The fixed entries every type table starts with.
inline std::vector<TypeDesc> fixedTypes() {
    std::vector<TypeDesc> types;
    for (uint32_t k = 0; k < kFixedTypeCount; k++) types.push_back(typeOf(TypeKind(k)));
    return types;
}

inline Constant constantOf(ConstKind k, int64_t i, double f, std::string s) {
    Constant c;
    c.kind = k;
    c.i = i;
    c.f = f;
    c.s = std::move(s);
    return c;
}

inline FieldDesc fieldOf(std::string name, uint32_t type, bool isLet = false) {
    FieldDesc f;
    f.name = std::move(name);
    f.type = type;
    f.isLet = isLet;
    return f;
}

inline ClassDesc classOf(std::string name, uint32_t module, uint8_t flags, uint32_t super,
                         std::vector<FieldDesc> fields) {
    ClassDesc c;
    c.name = std::move(name);
    c.module = module;
    c.flags = flags;
    c.super = super;
    c.fields = std::move(fields);
    return c;
}

// A function whose locals are its parameters followed by extra; code and
// line table come from the assembler.
inline FunctionDesc functionOf(std::string name, uint32_t module, uint8_t flags, uint32_t owner,
                               std::vector<uint32_t> params, uint32_t ret, const Asm& code,
                               std::vector<uint32_t> extra = {}, uint32_t maxStack = 4) {
    FunctionDesc f;
    f.name = std::move(name);
    f.module = module;
    f.owner = owner;
    f.flags = flags;
    f.params = params;
    f.ret = ret;
    f.locals = std::move(params);
    f.locals.insert(f.locals.end(), extra.begin(), extra.end());
    f.maxStack = maxStack;
    f.code = code.code();
    f.lines = code.lines();
    return f;
}

// A module whose source file is name.nd.
inline ModuleDesc moduleOf(std::string name, std::vector<uint32_t> imports = {}) {
    ModuleDesc m;
    m.file = name + ".nd";
    m.name = std::move(name);
    m.imports = std::move(imports);
    return m;
}

}  // namespace nido::vm::testing
