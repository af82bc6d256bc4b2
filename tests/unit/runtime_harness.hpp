// Builds Programs by hand for the runtime tests (test_runtime.cpp,
// test_builtins.cpp, test_format.cpp) and runs them with output captured.
// Every program gets a prelude module with the error classes the VM throws;
// tests then add classes and functions to the module "main" and give it a
// main function. Programs are verified before they run (unless a test says
// otherwise), so the tests exercise only bytecode the verifier accepts.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "vm/builtins.hpp"
#include "vm/host.hpp"
#include "vm/opcodes.hpp"
#include "vm/program.hpp"
#include "vm/runtime.hpp"
#include "vm/verifier.hpp"

namespace nido::vm::rttest {

// Assembles instructions; jumps name labels that code() resolves, and
// line() records a line-table entry at the current pc.
class Asm {
public:
    Asm& op(Op o) {
        code_.push_back(uint8_t(o));
        return *this;
    }
    Asm& op(Op o, int64_t a) {
        op(o);
        put(uint64_t(a), operandBytes(opInfo(o).format));
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
        code_.insert(code_.end(), other.code_.begin(), other.code_.end());
        return *this;
    }
    uint32_t pc() const { return uint32_t(code_.size()); }
    uint32_t at(const std::string& name) const { return labels_.at(name); }
    const std::vector<LineEntry>& lines() const { return lines_; }
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

struct FnSpec {
    FnSpec(std::string name, std::vector<uint32_t> params = {}, uint32_t ret = kTypeVoid,
           std::vector<uint32_t> locals = {}, uint8_t flags = 0, uint32_t owner = kNone)
        : name(std::move(name)),
          params(std::move(params)),
          ret(ret),
          locals(std::move(locals)),
          flags(flags),
          owner(owner) {}

    std::string name;
    std::vector<uint32_t> params;
    uint32_t ret = kTypeVoid;
    std::vector<uint32_t> locals;  // beyond the parameters
    uint8_t flags = 0;
    uint32_t owner = kNone;
    std::vector<uint32_t> captures;
    std::vector<Handler> handlers;
    uint32_t maxStack = 32;
};

struct RunResult {
    int status = 0;
    std::string out;
    std::string err;
};

class ProgramBuilder {
public:
    static constexpr uint32_t kPrelude = 0, kMain = 1;
    static constexpr const char* kErrorNames[] = {
        "ArithmeticError", "IndexError",      "KeyError",       "NullError",          "CastError",       "ValueError",
        "IOError",         "PermissionError", "AssertionError", "StackOverflowError", "OutOfMemoryError"};

    ProgramBuilder() {
        for (uint32_t k = 0; k < kFixedTypeCount; k++) type(TypeKind(k));
        ModuleDesc prelude, main;
        prelude.name = "prelude";
        prelude.file = "prelude.nd";
        main.name = "main";
        main.file = "main.nd";
        main.imports = {kPrelude};
        p.modules = {prelude, main};

        errorClass = addClass("Error", kNone, {field("message", kTypeString)}, kPrelude);
        uint32_t self = classType(errorClass);
        p.classes[errorClass].constructor = addFunction(
            {"Error.new", {self, kTypeString}, kTypeVoid, {}, kFnMethod | kFnConstructor, errorClass},
            Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::SET_FIELD, errorClass, 0).op(Op::RETURN_VOID),
            kPrelude);
        for (const char* name : kErrorNames) subclassError(name, errorClass, kPrelude);
    }

    // A subclass of base constructed from a message, like the prelude's.
    uint32_t subclassError(const std::string& name, uint32_t base, uint32_t module = kMain) {
        uint32_t c = addClass(name, base, {}, module);
        p.classes[c].constructor =
            addFunction({name + ".new", {classType(c), kTypeString}, kTypeVoid, {}, kFnMethod | kFnConstructor, c},
                        Asm()
                            .op(Op::LOAD_LOCAL, 0)
                            .op(Op::LOAD_LOCAL, 1)
                            .op(Op::CALL, p.classes[base].constructor)
                            .op(Op::RETURN_VOID),
                        module);
        return c;
    }

    uint32_t cls(const std::string& name) const {
        for (uint32_t c = 0; c < p.classes.size(); c++) {
            if (p.classes[c].name == name) return c;
        }
        FAIL("no class " << name);
        return kNone;
    }
    uint32_t ctor(const std::string& name) const { return p.classes[cls(name)].constructor; }

    // The type table entry equal to t, appended if new.
    uint32_t type(const TypeDesc& t) {
        for (uint32_t i = 0; i < p.types.size(); i++) {
            if (p.types[i] == t) return i;
        }
        p.types.push_back(t);
        return uint32_t(p.types.size() - 1);
    }
    uint32_t type(TypeKind k, uint32_t elem = kNone, uint32_t value = kNone, uint32_t c = kNone,
                  std::vector<uint32_t> params = {}) {
        TypeDesc t;
        t.kind = k;
        t.elem = elem;
        t.value = value;
        t.cls = c;
        t.params = std::move(params);
        return type(t);
    }
    uint32_t arrayOf(uint32_t elem) { return type(TypeKind::Array, elem); }
    uint32_t mapOf(uint32_t key, uint32_t value) { return type(TypeKind::Map, key, value); }
    uint32_t funcOf(std::vector<uint32_t> params, uint32_t ret) {
        return type(TypeKind::Func, ret, kNone, kNone, std::move(params));
    }
    uint32_t boxOf(uint32_t elem) { return type(TypeKind::Box, elem); }
    uint32_t classType(uint32_t c) { return type(TypeKind::Class, kNone, kNone, c); }

    uint32_t constant(const Constant& c) {
        p.constants.push_back(c);
        return uint32_t(p.constants.size() - 1);
    }
    uint32_t intConst(int64_t v) { return constant({ConstKind::Int, v, 0, ""}); }
    uint32_t floatConst(double v) { return constant({ConstKind::Float, 0, v, ""}); }
    uint32_t stringConst(std::string v) { return constant({ConstKind::String, 0, 0, std::move(v)}); }

    static FieldDesc field(std::string name, uint32_t type) {
        FieldDesc f;
        f.name = std::move(name);
        f.type = type;
        return f;
    }

    uint32_t addClass(std::string name, uint32_t super, std::vector<FieldDesc> fields, uint32_t module = kMain,
                      uint8_t flags = 0) {
        ClassDesc c;
        c.name = std::move(name);
        c.module = module;
        c.flags = flags;
        c.super = super;
        c.fields = std::move(fields);
        p.classes.push_back(std::move(c));
        return uint32_t(p.classes.size() - 1);
    }

    // Index the next function will get, for code that calls itself.
    uint32_t nextFunction() const { return uint32_t(p.functions.size()); }
    uint32_t reserveFunction() {
        p.functions.emplace_back();
        return uint32_t(p.functions.size() - 1);
    }
    void defineFunction(uint32_t index, const FnSpec& s, const Asm& code, uint32_t module = kMain) {
        FunctionDesc& f = p.functions[index];
        f.name = s.name;
        f.module = module;
        f.owner = s.owner;
        f.flags = s.flags;
        f.params = s.params;
        f.ret = s.ret;
        f.locals = s.params;
        f.locals.insert(f.locals.end(), s.locals.begin(), s.locals.end());
        f.captures = s.captures;
        f.maxStack = (s.flags & kFnAbstract) ? 0 : s.maxStack;
        f.code = code.code();
        f.handlers = s.handlers;
        f.lines = code.lines();
    }
    uint32_t addFunction(const FnSpec& s, const Asm& code, uint32_t module = kMain) {
        uint32_t index = reserveFunction();
        defineFunction(index, s, code, module);
        return index;
    }

    uint32_t global(uint32_t type) {
        GlobalDesc g;
        g.name = "g";
        g.name += std::to_string(p.globals.size());  // not "g" + ...: GCC 12's -Wrestrict misfires on it
        g.module = kMain;
        g.type = type;
        p.globals.push_back(g);
        return uint32_t(p.globals.size() - 1);
    }

    // main with the given code; locals beyond the parameters as listed.
    void setMain(const Asm& code, std::vector<uint32_t> locals = {}, uint32_t ret = kTypeVoid,
                 std::vector<Handler> handlers = {}, std::vector<uint32_t> params = {}) {
        FnSpec s("main", std::move(params), ret, std::move(locals));
        s.handlers = std::move(handlers);
        p.modules[kMain].main = addFunction(s, code);
    }

    RunResult run(const std::vector<std::string>& args = {}, RunOptions opts = {}, bool verify = true) const {
        if (verify) {
            std::string error;
            bool ok = verifyProgram(p, error);
            INFO("verifier: " << error);
            REQUIRE(ok);
        }
        RunResult r;
        HostCapture capture;
        r.status = runProgram(p, args, opts);
        r.out = capture.out;
        r.err = capture.err;
        return r;
    }

    Program p;
    uint32_t errorClass = 0;
};

// Code that prints the value on top of the stack with str() and println.
inline Asm& printInt(Asm& a) { return a.call(BuiltinId::STR_INT).call(BuiltinId::PRINTLN); }
inline Asm& printFloat(Asm& a) { return a.call(BuiltinId::STR_FLOAT).call(BuiltinId::PRINTLN); }
inline Asm& printBool(Asm& a) { return a.call(BuiltinId::STR_BOOL).call(BuiltinId::PRINTLN); }
inline Asm& printRef(Asm& a) { return a.call(BuiltinId::STR_REF).call(BuiltinId::PRINTLN); }

}  // namespace nido::vm::rttest
