// Builds Programs by hand for the runtime tests (test_runtime.cpp,
// test_builtins.cpp, test_format.cpp) and runs them with output captured.
// Every program gets a prelude module with the error classes the VM throws;
// tests then add classes and functions to the module "main" and give it a
// main function. Programs are verified before they run (unless a test says
// otherwise), so the tests exercise only bytecode the verifier accepts.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/unit/bytecode_asm.hpp"
#include "vm/builtins.hpp"
#include "vm/host.hpp"
#include "vm/program.hpp"
#include "vm/runtime.hpp"
#include "vm/verifier.hpp"

namespace nido::vm::rttest {

using namespace testing;  // Asm and the *Of() table builders

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
        p.types = fixedTypes();
        p.modules = {moduleOf("prelude"), moduleOf("main", {kPrelude})};

        errorClass = addClass("Error", kNone, {fieldOf("message", kTypeString)}, kPrelude);
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
        return type(typeOf(k, elem, value, c, std::move(params)));
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
    uint32_t intConst(int64_t v) { return constant(constantOf(ConstKind::Int, v, 0, "")); }
    uint32_t floatConst(double v) { return constant(constantOf(ConstKind::Float, 0, v, "")); }
    uint32_t stringConst(std::string v) { return constant(constantOf(ConstKind::String, 0, 0, std::move(v))); }
    // Code that pushes v: PUSH_INT when it fits the operand, else a constant.
    Asm pushInt(int64_t v) { return v == int32_t(v) ? Asm().op(Op::PUSH_INT, v) : Asm().op(Op::CONST, intConst(v)); }
    Asm pushFloat(double v) { return Asm().op(Op::CONST, floatConst(v)); }
    Asm pushString(std::string v) { return Asm().op(Op::CONST, stringConst(std::move(v))); }

    uint32_t addClass(std::string name, uint32_t super, std::vector<FieldDesc> fields, uint32_t module = kMain,
                      uint8_t flags = 0) {
        p.classes.push_back(classOf(std::move(name), module, flags, super, std::move(fields)));
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
        f = functionOf(s.name, module, s.flags, s.owner, s.params, s.ret, code, s.locals,
                       (s.flags & kFnAbstract) ? 0 : s.maxStack);
        f.captures = s.captures;
        f.handlers = s.handlers;
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
