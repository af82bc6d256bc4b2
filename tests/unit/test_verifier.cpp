// Verifier tests. A sample program assembled by hand with bytecode_asm.hpp
// (classes, an interface, closures, builtins, a handler, merges) that must
// verify; then one broken variant per rule, each checking that the error
// names the offending thing. sampleProgram() is shared with
// test_module_file.cpp.
#include <doctest/doctest.h>

#include <functional>
#include <string>

#include <fmt/format.h>

#include "tests/unit/bytecode_asm.hpp"
#include "vm/module_file.hpp"
#include "vm/opcodes.hpp"
#include "vm/program.hpp"
#include "vm/signature.hpp"
#include "vm/verifier.hpp"

namespace nido::vm::testing {

// Indices in sampleProgram(), fixed by its construction order.
enum : uint32_t { M_PRELUDE, M_MAIN };
enum : uint32_t { C_ERROR, C_INDEX_ERROR, C_SHAPE, C_BASE, C_SQUARE };
enum : uint32_t {
    T_INT_ARRAY = kFixedTypeCount,
    T_ERROR,
    T_INDEX_ERROR,
    T_SHAPE,
    T_BASE,
    T_SQUARE,
    T_MAP,
    T_FUN,
    T_BOX,
    T_STR_ARRAY,
    T_FUN_AGAIN,  // a second entry equal to T_FUN
};
enum : uint32_t {
    F_ERROR_NEW,
    F_INDEX_NEW,
    F_SHAPE_AREA,
    F_BASE_NEW,
    F_BASE_AREA,
    F_BASE_DESCRIBE,
    F_SQUARE_NEW,
    F_SQUARE_AREA,
    F_INIT,
    F_LAMBDA,
    F_MAIN,
};
enum : uint32_t { K_TWO, K_SQUARE, K_HAS_AREA, K_A, K_B, K_X, K_BIG };

Program sampleProgram() {
    Program p;
    p.types = fixedTypes();
    p.types.push_back(typeOf(TypeKind::Array, kTypeInt));
    for (uint32_t c : {C_ERROR, C_INDEX_ERROR, C_SHAPE, C_BASE, C_SQUARE}) {
        p.types.push_back(typeOf(TypeKind::Class, kNone, kNone, c));
    }
    p.types.push_back(typeOf(TypeKind::Map, kTypeString, kTypeInt));
    p.types.push_back(typeOf(TypeKind::Func, kTypeInt, kNone, kNone, {kTypeInt}));
    p.types.push_back(typeOf(TypeKind::Box, kTypeInt));
    p.types.push_back(typeOf(TypeKind::Array, kTypeString));
    p.types.push_back(typeOf(TypeKind::Func, kTypeInt, kNone, kNone, {kTypeInt}));
    REQUIRE(p.types.size() == T_FUN_AGAIN + 1);

    p.constants = {constantOf(ConstKind::Float, 0, 2.0, ""),           constantOf(ConstKind::String, 0, 0, "square"),
                   constantOf(ConstKind::String, 0, 0, " has area "),  constantOf(ConstKind::String, 0, 0, "a"),
                   constantOf(ConstKind::String, 0, 0, "b"),           constantOf(ConstKind::String, 0, 0, "x"),
                   constantOf(ConstKind::Int, int64_t(1) << 40, 0, "")};

    p.modules = {moduleOf("prelude"), moduleOf("main", {M_PRELUDE})};
    p.modules[M_MAIN].init = F_INIT;
    p.modules[M_MAIN].main = F_MAIN;

    p.classes.push_back(classOf("Error", M_PRELUDE, 0, kNone, {fieldOf("message", kTypeString)}));
    p.classes.push_back(classOf("IndexError", M_PRELUDE, 0, C_ERROR, {}));
    p.classes.push_back(classOf("Shape", M_MAIN, kClassInterface, kNone, {}));
    p.classes.push_back(classOf("Base", M_MAIN, kClassAbstract, kNone,
                                {fieldOf("name", kTypeString), fieldOf("sides", kTypeInt, true)}));
    p.classes.push_back(classOf("Square", M_MAIN, 0, C_BASE, {fieldOf("side", kTypeFloat)}));
    p.classes[C_ERROR].constructor = F_ERROR_NEW;
    p.classes[C_INDEX_ERROR].constructor = F_INDEX_NEW;
    p.classes[C_SHAPE].methods = {F_SHAPE_AREA};
    p.classes[C_BASE].interfaces = {C_SHAPE};
    p.classes[C_BASE].methods = {F_BASE_AREA, F_BASE_DESCRIBE};
    p.classes[C_BASE].constructor = F_BASE_NEW;
    p.classes[C_SQUARE].methods = {F_SQUARE_AREA, F_BASE_DESCRIBE};
    p.classes[C_SQUARE].constructor = F_SQUARE_NEW;

    const uint8_t ctor = kFnMethod | kFnConstructor, method = kFnMethod, abstract = kFnMethod | kFnAbstract;
    auto& fns = p.functions;
    fns.push_back(functionOf(
        "Error.new", M_PRELUDE, ctor, C_ERROR, {T_ERROR, kTypeString}, kTypeVoid,
        Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::SET_FIELD, C_ERROR, 0).op(Op::RETURN_VOID)));
    fns.push_back(
        functionOf("IndexError.new", M_PRELUDE, ctor, C_INDEX_ERROR, {T_INDEX_ERROR, kTypeString}, kTypeVoid,
                   Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::CALL, F_ERROR_NEW).op(Op::RETURN_VOID)));
    fns.push_back(functionOf("Shape.area", M_MAIN, abstract, C_SHAPE, {T_SHAPE}, kTypeFloat, Asm(), {}, 0));
    fns.push_back(functionOf("Base.new", M_MAIN, ctor, C_BASE, {T_BASE, kTypeString}, kTypeVoid,
                             Asm()
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::LOAD_LOCAL, 1)
                                 .op(Op::SET_FIELD, C_BASE, 0)
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::PUSH_INT, 4)
                                 .op(Op::SET_FIELD, C_BASE, 1)
                                 .op(Op::RETURN_VOID)));
    fns.push_back(functionOf("Base.area", M_MAIN, abstract, C_BASE, {T_BASE}, kTypeFloat, Asm(), {}, 0));
    fns.push_back(functionOf("Base.describe", M_MAIN, method, C_BASE, {T_BASE}, kTypeString,
                             Asm()
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::GET_FIELD, C_BASE, 0)
                                 .op(Op::CONST, K_HAS_AREA)
                                 .op(Op::CONCAT)
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::CALL_VIRTUAL, C_BASE, 0)
                                 .call(BuiltinId::STR_FLOAT)
                                 .op(Op::CONCAT)
                                 .op(Op::RETURN)));
    fns.push_back(functionOf("Square.new", M_MAIN, ctor, C_SQUARE, {T_SQUARE, kTypeFloat}, kTypeVoid,
                             Asm()
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::CONST, K_SQUARE)
                                 .op(Op::CALL, F_BASE_NEW)
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::LOAD_LOCAL, 1)
                                 .op(Op::SET_FIELD, C_SQUARE, 2)
                                 .op(Op::RETURN_VOID)));
    fns.push_back(functionOf("Square.area", M_MAIN, method, C_SQUARE, {T_SQUARE}, kTypeFloat,
                             Asm()
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::GET_FIELD, C_SQUARE, 2)
                                 .op(Op::LOAD_LOCAL, 0)
                                 .op(Op::GET_FIELD, C_SQUARE, 2)
                                 .op(Op::FMUL)
                                 .op(Op::RETURN)));
    fns.push_back(functionOf("<init>", M_MAIN, kFnInit, kNone, {}, kTypeVoid,
                             Asm().op(Op::CONST, K_BIG).op(Op::STORE_GLOBAL, 0).op(Op::RETURN_VOID)));
    fns.push_back(
        functionOf("main.<lambda>", M_MAIN, kFnLambda, kNone, {kTypeInt}, kTypeInt,
                   Asm().op(Op::LOAD_CAPTURE, 0).op(Op::BOX_GET).op(Op::LOAD_LOCAL, 0).op(Op::IADD).op(Op::RETURN)));
    fns.back().captures = {T_BOX};

    // main: objects and calls of every kind, arrays, a closure over a box,
    // a map, a loop, a null/string merge and a try/catch.
    Asm m;
    m.op(Op::NEW, C_SQUARE).op(Op::DUP).op(Op::CONST, K_TWO).op(Op::CALL, F_SQUARE_NEW).op(Op::STORE_LOCAL, 0);
    m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_INTERFACE, C_SHAPE, 0).op(Op::POP);
    m.op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, C_SQUARE, 1).call(BuiltinId::PRINTLN);
    m.op(Op::PUSH_INT, 1)
        .op(Op::PUSH_INT, 2)
        .op(Op::PUSH_INT, 3)
        .op(Op::NEW_ARRAY, T_INT_ARRAY, 3)
        .op(Op::STORE_LOCAL, 1);
    m.op(Op::LOAD_LOCAL, 1).op(Op::PUSH_INT, 4).call(BuiltinId::ARRAY_PUSH);
    m.op(Op::PUSH_INT, 10).op(Op::BOX_NEW, T_BOX).op(Op::STORE_LOCAL, 2);
    m.op(Op::LOAD_LOCAL, 2).op(Op::MAKE_CLOSURE, F_LAMBDA).op(Op::STORE_LOCAL, 6);
    m.op(Op::LOAD_LOCAL, 1).op(Op::LOAD_LOCAL, 6).call(BuiltinId::ARRAY_MAP).op(Op::STORE_LOCAL, 1);
    m.op(Op::LOAD_LOCAL, 6).op(Op::PUSH_INT, 5).op(Op::CALL_CLOSURE, T_FUN_AGAIN).op(Op::POP);
    m.op(Op::CONST, K_A).op(Op::PUSH_INT, 1).op(Op::NEW_MAP, T_MAP, 1).op(Op::STORE_LOCAL, 3);
    m.op(Op::LOAD_LOCAL, 3).op(Op::CONST, K_B).op(Op::PUSH_INT, 2).op(Op::MAP_SET);
    m.op(Op::PUSH_INT, 0).op(Op::STORE_LOCAL, 4);
    m.label("loop").op(Op::LOAD_LOCAL, 4).op(Op::LOAD_LOCAL, 1).call(BuiltinId::ARRAY_LEN);
    m.op(Op::ILT).jump(Op::JUMP_IF_FALSE, "done");
    m.op(Op::LOAD_LOCAL, 4).op(Op::PUSH_INT, 1).op(Op::IADD).op(Op::STORE_LOCAL, 4).jump(Op::JUMP, "loop");
    m.label("done").op(Op::PUSH_TRUE).jump(Op::JUMP_IF_FALSE, "else").op(Op::PUSH_NULL).jump(Op::JUMP, "join");
    m.label("else").op(Op::CONST, K_X);
    m.label("join").op(Op::STORE_LOCAL, 7);
    m.label("try").op(Op::LOAD_LOCAL, 1).op(Op::PUSH_INT, 99).op(Op::ARRAY_GET).op(Op::POP);
    m.label("tryEnd").jump(Op::JUMP, "after");
    m.label("catch").op(Op::STORE_LOCAL, 5);
    m.label("after").op(Op::LOAD_GLOBAL, 0).op(Op::RETURN);
    fns.push_back(functionOf("main", M_MAIN, 0, kNone, {}, kTypeInt, m,
                             {T_SQUARE, T_INT_ARRAY, T_BOX, T_MAP, kTypeInt, T_ERROR, T_FUN, kTypeString}));
    fns.back().handlers = {{m.at("try"), m.at("tryEnd"), m.at("catch"), C_INDEX_ERROR}};
    fns.back().lines = {{0, 3}, {m.at("loop"), 7}, {m.at("try"), 9}};
    REQUIRE(fns.size() == F_MAIN + 1);

    // The other errors the VM throws, after everything the enums name: the
    // prelude must declare them all.
    for (std::string name : {"ArithmeticError", "KeyError", "NullError", "CastError", "ValueError", "IOError",
                             "PermissionError", "AssertionError", "StackOverflowError", "OutOfMemoryError"}) {
        auto c = uint32_t(p.classes.size()), t = uint32_t(p.types.size());
        p.types.push_back(typeOf(TypeKind::Class, kNone, kNone, c));
        p.classes.push_back(classOf(name, M_PRELUDE, 0, C_ERROR, {}));
        p.classes[c].constructor = uint32_t(fns.size());
        fns.push_back(functionOf(
            name + ".new", M_PRELUDE, ctor, c, {t, kTypeString}, kTypeVoid,
            Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::CALL, F_ERROR_NEW).op(Op::RETURN_VOID)));
    }

    GlobalDesc counter;
    counter.name = "counter";
    counter.module = M_MAIN;
    counter.type = kTypeInt;
    p.globals = {counter};
    return p;
}

namespace {

std::string verifyError(const Program& p) {
    std::string error;
    bool ok = verifyProgram(p, error);
    CHECK(ok == error.empty());
    CHECK(error.find('\n') == std::string::npos);
    return error;
}

// The sample program with one more function, "probe", in module main;
// tweak adjusts it further. Returns the verifier's error ("" when it passes).
std::string probe(const Asm& code, uint32_t ret = kTypeVoid, std::vector<uint32_t> locals = {},
                  const std::function<void(FunctionDesc&)>& tweak = {}) {
    Program p = sampleProgram();
    p.functions.push_back(functionOf("probe", M_MAIN, 0, kNone, {}, ret, code, std::move(locals)));
    if (tweak) tweak(p.functions.back());
    return verifyError(p);
}

// Checks the sample program (or base) with one change; returns the error.
std::string mutated(const std::function<void(Program&)>& change, const Program& base = sampleProgram()) {
    Program p = base;
    change(p);
    return verifyError(p);
}

// Replaces main's body with `return 0`, for changes that would break it.
void trivialMain(Program& p) {
    FunctionDesc& m = p.functions[F_MAIN];
    m.code = Asm().op(Op::PUSH_INT, 0).op(Op::RETURN).code();
    m.handlers.clear();
    m.lines.clear();
}

#define CHECK_ERROR(err, text)                                            \
    do {                                                                  \
        std::string e_ = (err);                                           \
        CHECK_MESSAGE(e_.find(text) != std::string::npos, "error: ", e_); \
    } while (0)

}  // namespace

TEST_CASE("the sample program verifies") {
    CHECK(verifyError(sampleProgram()) == "");
    CHECK(probe(Asm().op(Op::RETURN_VOID)) == "");
}

TEST_CASE("every builtin signature parses") {
    for (int i = 0; i < kBuiltinCount; i++) {
        const Signature& sig = builtinSignature(BuiltinId(i));
        BuiltinReceiver recv = kBuiltinInfo[i].receiver;
        if (recv != BuiltinReceiver::GLOBAL && recv != BuiltinReceiver::MODULE) CHECK(!sig.params.empty());
        for (const SigType& t : sig.params) CHECK(t.kind != SigKind::Void);
    }
    CHECK(builtinSignature(BuiltinId::ARRAY_MAP).result.kind == SigKind::Array);
    for (int i = 0; i < kIntrinsicCount; i++) {
        const Signature& sig = intrinsicSignature(IntrinsicId(i));
        if (kIntrinsicInfo[i].receiver != BuiltinReceiver::GLOBAL) CHECK(!sig.params.empty());
        for (const SigType& t : sig.params) CHECK(t.kind != SigKind::Void);
        // The instruction gets the result type: it must be a single type.
        CHECK(sig.result.kind != SigKind::Void);
        CHECK(opInfo(kIntrinsicInfo[i].op).format == OperandFormat::U32);
    }
    CHECK(intrinsicSignature(IntrinsicId::ARRAY_FILL).result.kind == SigKind::Array);
}

TEST_CASE("type table rules") {
    CHECK_ERROR(mutated([](Program& p) { p.types[2].kind = TypeKind::Int; }), "in type 2: fixed entry must be float");
    CHECK_ERROR(mutated([](Program& p) { p.types.resize(3); }), "fixed types are required");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Array, uint32_t(p.types.size()))); }),
                "refers to itself");
    CHECK_ERROR(mutated([](Program& p) {
                    uint32_t a = uint32_t(p.types.size());
                    p.types.push_back(typeOf(TypeKind::Func, kTypeVoid, kNone, kNone, {a + 1}));
                    p.types.push_back(typeOf(TypeKind::Map, kTypeInt, a));
                }),
                "refers to itself");
    CHECK_ERROR(mutated([](Program& p) {
                    for (int i = 0; i < 40; i++) {
                        p.types.push_back(typeOf(TypeKind::Array, uint32_t(p.types.size()) - 1));
                    }
                }),
                "nested deeper than");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Class, kNone, kNone, 99)); }),
                "class 99 out of range");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Array, 999)); }),
                "component type 999 out of range");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Map, kTypeFloat, kTypeInt)); }),
                "map key type float");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Class, kTypeInt, kNone, C_BASE)); }),
                "fields set or missing");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind::Array, kTypeVoid)); }), "void component");
    CHECK_ERROR(mutated([](Program& p) { p.types.push_back(typeOf(TypeKind(77))); }), "unknown type kind 77");
}

TEST_CASE("class hierarchy rules") {
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_BASE].super = C_SQUARE; }), "superclass chain is cyclic");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].super = C_SHAPE; }), "superclass Shape is an interface");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_BASE].interfaces = {C_ERROR}; }), "which is not an interface");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SHAPE].interfaces = {C_SHAPE}; }), "interface extends itself");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].super = 42; }), "superclass 42 out of range");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SHAPE].fields = {fieldOf("x", kTypeInt)}; }),
                "an interface has no fields");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].fields[0].type = kTypeVoid; }), "field side has bad type");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].flags = 8; }), "in class Square: unknown flags");
}

TEST_CASE("vtable rules") {
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].methods = {F_SQUARE_AREA}; }),
                "in class Square: vtable shorter");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SQUARE_AREA].ret = kTypeInt; }),
                "does not match the signature of the superclass's slot");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].methods[0] = F_BASE_AREA; }),
                "in class Square: method 0 (Base.area) is abstract in a concrete class");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_BASE].methods[1] = F_SQUARE_AREA; }),
                "belongs to a class that is not an ancestor");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].methods.push_back(F_SQUARE_NEW); }), "is not a method");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].methods.push_back(F_SQUARE_AREA); }),
                "repeats a method name");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].methods[1] = 500; }), "method 500 out of range");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SQUARE_AREA].params[0] = T_BASE; }),
                "in Square.area: receiver must be of type Square");
    CHECK_ERROR(mutated([](Program& p) {
                    p.functions[F_SHAPE_AREA].flags = kFnMethod;
                    p.functions[F_SHAPE_AREA].code = Asm().op(Op::RETURN_VOID).code();
                }),
                "must be an abstract method of the interface");
}

TEST_CASE("interface implementation rules") {
    // A concrete class that claims Shape but has no area.
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_INDEX_ERROR].interfaces = {C_SHAPE}; }),
                "in class IndexError: does not implement Shape.area");
    // Same name, different signature.
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SHAPE_AREA].ret = kTypeInt; }),
                "in class Base: Base.area does not match the signature of Shape.area");
    // Interfaces reach subclasses, also through interface extension: the
    // abstract IndexError may defer Shape.area, its concrete subclass may not.
    CHECK_ERROR(
        mutated([](Program& p) {
            ClassDesc outer = classOf("Outer", M_MAIN, kClassInterface, kNone, {});
            outer.interfaces = {C_SHAPE};
            p.classes.push_back(outer);
            p.classes[C_INDEX_ERROR].flags = kClassAbstract;
            p.classes[C_INDEX_ERROR].interfaces = {uint32_t(p.classes.size() - 1)};
            uint32_t sub = uint32_t(p.classes.size()), subType = uint32_t(p.types.size());
            p.types.push_back(typeOf(TypeKind::Class, kNone, kNone, sub));
            p.functions.push_back(functionOf(
                "Sub.new", M_MAIN, kFnMethod | kFnConstructor, sub, {subType, kTypeString}, kTypeVoid,
                Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).op(Op::CALL, F_INDEX_NEW).op(Op::RETURN_VOID)));
            ClassDesc subclass = classOf("Sub", M_MAIN, 0, C_INDEX_ERROR, {});
            subclass.constructor = uint32_t(p.functions.size() - 1);
            p.classes.push_back(subclass);
        }),
        "in class Sub: does not implement Shape.area");
    // An abstract class may leave an interface method to its subclasses.
    CHECK(mutated([](Program& p) {
              p.classes[C_BASE].methods = {F_BASE_DESCRIBE};
              p.classes[C_SQUARE].methods = {F_BASE_DESCRIBE, F_SQUARE_AREA};
              p.functions[F_BASE_DESCRIBE].code = Asm().op(Op::CONST, K_X).op(Op::RETURN).code();
              trivialMain(p);
          }) == "");
}

TEST_CASE("constructor and function header rules") {
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].constructor = kNone; }),
                "in class Square: constructor missing");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SQUARE_NEW].flags = kFnMethod; }),
                "is not a constructor of this class returning void");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_SQUARE].constructor = F_BASE_NEW; }), "is not a constructor");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_BASE_AREA].code = Asm().op(Op::NOP).code(); }),
                "in Base.area: an abstract function has no code");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SQUARE_AREA].code.clear(); }), "in Square.area: no code");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].locals[0] = kTypeVoid; }), "local 0 has bad type");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_SQUARE_AREA].locals[0] = T_BASE; }),
                "local 0 differs from parameter 0");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].maxStack = 70000; }), "maxStack above 65535");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].locals.resize(70000, kTypeInt); }),
                "more than 65535 locals");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].code.resize((16 << 20) + 1); }), "larger than 16 MiB");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].captures = {kTypeInt}; }), "only lambdas have captures");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].flags = 64; }), "in main: unknown flags");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].lines = {{5, 1}, {2, 2}}; }), "out of order");
    CHECK_ERROR(mutated([](Program& p) {
                    p.functions[F_INIT].params = {kTypeInt};
                    p.functions[F_INIT].locals = {kTypeInt};
                }),
                "an initialiser takes nothing");
}

TEST_CASE("Error class, handlers, modules and globals") {
    CHECK_ERROR(mutated([](Program& p) { p.modules[M_PRELUDE].name = "std"; }),
                "no class Error in a module named prelude");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_ERROR].fields[0].type = kTypeInt; }), "message: string");
    CHECK_ERROR(mutated([](Program& p) { p.classes[C_INDEX_ERROR].flags = kClassAbstract; }),
                "in class IndexError: a built-in error must be a concrete Error subclass");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].handlers[0].catchClass = C_SQUARE; }),
                "catches class 4, which is not an Error");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].handlers[0].end = 100000; }), "handler 0 range");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].handlers[0].start += 1; }),
                "handler 0 offsets are not instruction starts");
    CHECK_ERROR(mutated([](Program& p) { p.modules[M_MAIN].init = F_MAIN; }), "in module main: initialiser");
    CHECK_ERROR(mutated([](Program& p) { p.functions[F_MAIN].ret = kTypeString; }), "main must be a plain function");
    CHECK_ERROR(mutated([](Program& p) { p.modules[M_MAIN].imports = {7}; }), "import 7 out of range");
    CHECK_ERROR(mutated([](Program& p) { p.globals[0].type = kTypeVoid; }), "in global counter");
    CHECK_ERROR(mutated([](Program& p) { p.constants[0].kind = ConstKind(9); }), "in constant 0: unknown kind 9");
    CHECK_ERROR(mutated([](Program& p) {
                    for (ClassDesc& c : p.classes)
                        if (c.name == "KeyError") c.name = "KeyErr";
                }),
                "in module prelude: no class KeyError");
    CHECK_ERROR(mutated([](Program& p) { p.modules[M_MAIN].main = kNone; }),
                "in module main: the program's last module has no main");
}

TEST_CASE("a table error in a module file names where the entry starts") {
    std::vector<uint8_t> bytes = writeProgram(sampleProgram());
    Program p;
    std::string error;
    REQUIRE(readProgram(bytes.data(), bytes.size(), p, error));
    REQUIRE(p.offsets.functions.size() == p.functions.size());
    REQUIRE(p.offsets.classes.size() == p.classes.size());
    // An entry starts with its name: u32 length, then the bytes.
    auto nameAt = [&](uint32_t at) {
        uint32_t len = bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | uint32_t(bytes[at + 3]) << 24;
        return std::string(bytes.begin() + at + 4, bytes.begin() + at + 4 + len);
    };
    CHECK(nameAt(p.offsets.functions[F_BASE_DESCRIBE]) == "Base.describe");
    CHECK(nameAt(p.offsets.classes[C_SQUARE]) == "Square");
    CHECK(nameAt(p.offsets.modules[M_MAIN]) == "main");

    Program bad = p;
    bad.functions[F_BASE_DESCRIBE].ret = 999;
    CHECK(verifyError(bad) == fmt::format("in Base.describe (entry at byte {}): bad result type 999",
                                          p.offsets.functions[F_BASE_DESCRIBE]));
    bad = p;
    bad.classes[C_SQUARE].super = 999;
    CHECK(
        verifyError(bad).starts_with(fmt::format("in class Square (entry at byte {}): ", p.offsets.classes[C_SQUARE])));
    // Code errors count from the function's first code byte, like nido disasm.
    bad = p;
    bad.functions[F_MAIN].code[0] = 0xFF;
    CHECK(verifyError(bad).starts_with("in main at byte 0: "));
}

TEST_CASE("decoding rules") {
    CHECK_ERROR(probe(Asm().op(Op(200))), "in probe at byte 0: unknown opcode 0xC8");
    std::vector<uint8_t> cut = Asm().op(Op::PUSH_INT, 1).code();
    cut.pop_back();
    CHECK_ERROR(probe(Asm(), kTypeVoid, {}, [&](FunctionDesc& f) { f.code = cut; }),
                "PUSH_INT operand runs past the end");
    CHECK_ERROR(probe(Asm().op(Op::JUMP, 2).op(Op::RETURN_VOID)),
                "at byte 0: jump target 2 is not an instruction start");
    CHECK_ERROR(probe(Asm().op(Op::JUMP, -10)), "jump target -10");
    CHECK_ERROR(probe(Asm().op(Op::NOP)), "at byte 0: execution falls off the end of the code");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_TRUE).op(Op::JUMP_IF_TRUE, -2).op(Op::RETURN_VOID)),
                "at byte 1: jump target -1");
    CHECK(probe(Asm().op(Op::PUSH_TRUE).op(Op::JUMP_IF_TRUE, -1).op(Op::RETURN_VOID)) == "");
}

TEST_CASE("stack rules") {
    CHECK_ERROR(probe(Asm().op(Op::POP).op(Op::RETURN_VOID)), "at byte 0: POP pops from an empty stack");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::DUP).op(Op::POP).op(Op::POP).op(Op::RETURN_VOID), kTypeVoid, {},
                      [](FunctionDesc& f) { f.maxStack = 1; }),
                "at byte 5: DUP pushes beyond maxStack 1");
    // Different depths and different types at a merge point.
    Asm depth;
    depth.op(Op::PUSH_TRUE).jump(Op::JUMP_IF_TRUE, "j").op(Op::PUSH_INT, 1).label("j").op(Op::RETURN_VOID);
    CHECK_ERROR(probe(depth), "stack [int] does not match [] at byte 11");
    Asm types;
    types.op(Op::PUSH_TRUE).jump(Op::JUMP_IF_TRUE, "a").op(Op::PUSH_INT, 1).jump(Op::JUMP, "j");
    types.label("a").op(Op::CONST, K_X).label("j").op(Op::POP).op(Op::RETURN_VOID);
    CHECK_ERROR(probe(types), "does not match");
    // null merges into string whichever arrives first.
    Asm merge;
    merge.op(Op::PUSH_TRUE).jump(Op::JUMP_IF_TRUE, "a").op(Op::PUSH_NULL).jump(Op::JUMP, "j");
    merge.label("a").op(Op::CONST, K_X).label("j").call(BuiltinId::STRING_LEN).op(Op::RETURN);
    CHECK(probe(merge, kTypeInt) == "");
    // A loop whose stack grows each time round never settles.
    Asm grow;
    grow.label("top").op(Op::PUSH_INT, 1).jump(Op::JUMP, "top");
    CHECK_ERROR(probe(grow), "does not match");
}

TEST_CASE("locals, globals, constants and captures") {
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 3).op(Op::RETURN_VOID)), "local 3 out of range");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::STORE_LOCAL, 0).op(Op::RETURN_VOID), kTypeVoid, {kTypeInt}),
                "STORE_LOCAL expects int, found string");
    CHECK(probe(Asm().op(Op::PUSH_NULL).op(Op::STORE_LOCAL, 0).op(Op::RETURN_VOID), kTypeVoid, {T_SQUARE}) == "");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_GLOBAL, 9).op(Op::RETURN_VOID)), "global 9 out of range");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::STORE_GLOBAL, 0).op(Op::RETURN_VOID)),
                "STORE_GLOBAL expects int, found string");
    CHECK_ERROR(probe(Asm().op(Op::CONST, 77).op(Op::RETURN_VOID)), "constant 77 out of range");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_CAPTURE, 0).op(Op::RETURN_VOID)), "LOAD_CAPTURE outside a lambda");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_CAPTURE, 1).op(Op::POP).op(Op::RETURN_VOID), kTypeVoid, {},
                      [](FunctionDesc& f) {
                          f.flags = kFnLambda;
                          f.captures = {T_BOX};
                      }),
                "capture 1 out of range");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::BOX_NEW, T_INT_ARRAY).op(Op::POP).op(Op::RETURN_VOID)),
                "BOX_NEW needs a box type");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::BOX_NEW, T_BOX).op(Op::POP).op(Op::RETURN_VOID)),
                "BOX_NEW expects int, found string");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::BOX_GET).op(Op::POP).op(Op::RETURN_VOID)),
                "BOX_GET expects a box, found int");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_TRUE).op(Op::BOX_SET).op(Op::RETURN_VOID), kTypeVoid, {T_BOX}),
        "BOX_SET expects int as box value, found bool");
}

TEST_CASE("arithmetic and comparison operand types") {
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::CONST, K_X).op(Op::IADD).op(Op::RETURN), kTypeInt),
                "at byte 10: IADD expects int, found string");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::FNEG).op(Op::RETURN), kTypeFloat),
                "FNEG expects float, found int");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_TRUE).op(Op::IEQ).op(Op::RETURN), kTypeBool),
                "IEQ expects two ints or two bools, found int and bool");
    CHECK(probe(Asm().op(Op::PUSH_TRUE).op(Op::PUSH_FALSE).op(Op::IEQ).op(Op::RETURN), kTypeBool) == "");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_NULL).op(Op::SEQ).op(Op::RETURN), kTypeBool),
                "SEQ expects string, found int");
    CHECK(probe(Asm().op(Op::PUSH_NULL).op(Op::CONST, K_X).op(Op::SEQ).op(Op::RETURN), kTypeBool) == "");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_NULL).op(Op::REQ).op(Op::RETURN), kTypeBool),
                "REQ expects two references, found int and null");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 0).op(Op::JUMP_IF_FALSE, 5).op(Op::RETURN_VOID)),
                "JUMP_IF_FALSE expects bool, found int");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_TRUE).op(Op::CONST, K_X).op(Op::CONCAT).op(Op::RETURN), kTypeString),
                "CONCAT expects string, found bool");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::NOT).op(Op::RETURN), kTypeBool), "NOT expects bool, found int");
}

TEST_CASE("object rules") {
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::GET_FIELD, C_SQUARE, 2).op(Op::RETURN), kTypeFloat),
                "GET_FIELD expects Square as receiver, found int");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::GET_FIELD, C_SQUARE, 2).op(Op::RETURN), kTypeFloat, {T_BASE}),
                "GET_FIELD expects Square as receiver, found Base");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::GET_FIELD, C_SQUARE, 0).op(Op::RETURN), kTypeString, {T_SQUARE}) ==
          "");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::GET_FIELD, C_SQUARE, 3).op(Op::RETURN), kTypeFloat, {T_SQUARE}),
        "GET_FIELD field 3 out of range for class Square");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::GET_FIELD, C_SHAPE, 0).op(Op::RETURN), kTypeFloat, {T_SHAPE}),
                "GET_FIELD on interface Shape");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::SET_FIELD, C_SQUARE, 1).op(Op::RETURN_VOID),
              kTypeVoid, {T_SQUARE}),
        "SET_FIELD of let field sides outside the constructor of Base");
    // The subclass constructor may not assign its parent's let field either.
    CHECK_ERROR(mutated([](Program& p) {
                    p.functions[F_SQUARE_NEW].code = Asm()
                                                         .op(Op::LOAD_LOCAL, 0)
                                                         .op(Op::PUSH_INT, 1)
                                                         .op(Op::SET_FIELD, C_SQUARE, 1)
                                                         .op(Op::RETURN_VOID)
                                                         .code();
                }),
                "in Square.new at byte 8: SET_FIELD of let field sides");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::SET_FIELD, C_SQUARE, 2).op(Op::RETURN_VOID),
              kTypeVoid, {T_SQUARE}),
        "SET_FIELD expects float as field value, found int");
    CHECK_ERROR(probe(Asm().op(Op::NEW, C_BASE).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW of abstract class or interface Base");
    CHECK_ERROR(probe(Asm().op(Op::NEW, C_SHAPE).op(Op::POP).op(Op::RETURN_VOID)), "interface Shape");
    CHECK_ERROR(probe(Asm().op(Op::NEW, 99).op(Op::POP).op(Op::RETURN_VOID)), "NEW class 99 out of range");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::IS, C_SQUARE).op(Op::RETURN), kTypeBool),
                "IS expects an object, found int");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::AS, C_SQUARE).op(Op::RETURN), T_SQUARE, {T_SHAPE}) == "");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::RETURN), T_SQUARE, {T_SHAPE}),
                "RETURN expects Square as result, found Shape");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::RETURN), T_SHAPE, {T_SQUARE}) == "");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::RETURN), T_SQUARE, {T_ERROR}), "found Error");
}

TEST_CASE("array, map and string rules") {
    CHECK_ERROR(probe(Asm().op(Op::NEW_ARRAY, T_MAP, 0).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY needs an array type, 12 is {string: int}");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::NEW_ARRAY, T_INT_ARRAY, 1).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY expects int as array element, found string");
    CHECK_ERROR(probe(Asm().op(Op::NEW_ARRAY, T_INT_ARRAY, 1).op(Op::POP).op(Op::RETURN_VOID)),
                "pops from an empty stack");
    // NEW_ARRAY_FILL t: count int, value assignable to t's element; pushes t.
    auto fill = [](Op count, Op value, uint32_t t) { return Asm().op(count, 0).op(value).op(Op::NEW_ARRAY_FILL, t); };
    CHECK(probe(fill(Op::PUSH_INT, Op::PUSH_NULL, T_STR_ARRAY).op(Op::RETURN), T_STR_ARRAY) == "");
    CHECK(probe(Asm().op(Op::PUSH_INT, 2).op(Op::LOAD_LOCAL, 0).op(Op::NEW_ARRAY_FILL, T_STR_ARRAY).op(Op::RETURN),
                T_STR_ARRAY, {kTypeString}) == "");
    CHECK_ERROR(probe(fill(Op::PUSH_INT, Op::PUSH_NULL, T_MAP).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY_FILL needs an array type, 12 is {string: int}");
    CHECK_ERROR(probe(fill(Op::PUSH_INT, Op::PUSH_NULL, 999).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY_FILL type 999 out of range");
    CHECK_ERROR(probe(fill(Op::PUSH_INT, Op::PUSH_TRUE, T_INT_ARRAY).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY_FILL expects int as array element, found bool");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_TRUE).op(Op::PUSH_INT, 1).op(Op::NEW_ARRAY_FILL, T_INT_ARRAY).op(Op::RETURN),
                      T_INT_ARRAY),
                "NEW_ARRAY_FILL expects int as count, found bool");
    CHECK_ERROR(probe(fill(Op::PUSH_INT, Op::PUSH_NULL, T_STR_ARRAY).op(Op::RETURN), T_INT_ARRAY),
                "RETURN expects [int] as result, found [string]");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::NEW_ARRAY_FILL, T_INT_ARRAY).op(Op::POP).op(Op::RETURN_VOID)),
                "NEW_ARRAY_FILL pops from an empty stack");
    CHECK_ERROR(
        probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 1).op(Op::NEW_MAP, T_MAP, 1).op(Op::POP).op(Op::RETURN_VOID)),
        "NEW_MAP expects string as map key, found int");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::PUSH_INT, 0).op(Op::ARRAY_GET).op(Op::RETURN), kTypeInt),
                "ARRAY_GET expects an array, found string");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_NULL).op(Op::PUSH_INT, 0).op(Op::ARRAY_GET).op(Op::RETURN), kTypeInt),
                "ARRAY_GET expects an array, found null");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 0).op(Op::CONST, K_X).op(Op::ARRAY_SET).op(Op::RETURN_VOID),
              kTypeVoid, {T_INT_ARRAY}),
        "ARRAY_SET expects int as array element, found string");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 0).op(Op::MAP_GET).op(Op::RETURN), kTypeInt, {T_MAP}),
        "MAP_GET expects string as map key, found int");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CONST, K_X).op(Op::CONST, K_X).op(Op::MAP_SET).op(Op::RETURN_VOID),
              kTypeVoid, {T_MAP}),
        "MAP_SET expects int as map value, found string");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CONST, K_X).op(Op::MAP_GET).op(Op::RETURN), kTypeInt, {T_MAP}) ==
          "");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 0).op(Op::STRING_GET).op(Op::RETURN), kTypeInt),
                "STRING_GET expects string, found int");
}

TEST_CASE("call rules") {
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL, F_BASE_AREA).op(Op::RETURN), kTypeFloat, {T_SQUARE}),
                "CALL of Base.area, which is abstract");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::CALL, F_LAMBDA).op(Op::RETURN), kTypeInt),
                "CALL of main.<lambda>");
    CHECK_ERROR(probe(Asm().op(Op::CALL, F_INIT).op(Op::RETURN_VOID)), "CALL of <init>");
    CHECK_ERROR(probe(Asm().op(Op::CALL, 1000).op(Op::RETURN_VOID)), "CALL function 1000 out of range");
    CHECK_ERROR(probe(Asm().op(Op::NEW, C_SQUARE).op(Op::PUSH_INT, 2).op(Op::CALL, F_SQUARE_NEW).op(Op::RETURN_VOID)),
                "CALL expects float for argument 1 of Square.new, found int");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_TWO).op(Op::CALL, F_SQUARE_NEW).op(Op::RETURN_VOID)),
                "pops from an empty stack");
    // Virtual calls: the static class types the receiver.
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, C_SQUARE, 2).op(Op::RETURN), kTypeFloat, {T_SQUARE}),
        "CALL_VIRTUAL method 2 out of range for Square");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, C_SQUARE, 0).op(Op::RETURN), kTypeFloat, {T_BASE}),
        "CALL_VIRTUAL expects Square for argument 0 of Square.area, found Base");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, C_BASE, 0).op(Op::RETURN), kTypeFloat, {T_SQUARE}) ==
          "");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_VIRTUAL, C_SHAPE, 0).op(Op::RETURN), kTypeFloat, {T_SHAPE}),
        "CALL_VIRTUAL on Shape, which is an interface");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_INTERFACE, C_BASE, 0).op(Op::RETURN), kTypeFloat, {T_BASE}),
        "CALL_INTERFACE on Base, which is not an interface");
    CHECK_ERROR(
        probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CALL_INTERFACE, C_SHAPE, 0).op(Op::RETURN), kTypeFloat, {T_ERROR}),
        "CALL_INTERFACE expects Shape for argument 0 of Shape.area, found Error");
    // Closures: structural Func types, closure below its arguments.
    CHECK_ERROR(probe(Asm().op(Op::PUSH_NULL).op(Op::CALL_CLOSURE, T_INT_ARRAY).op(Op::RETURN_VOID)),
                "CALL_CLOSURE needs a function type");
    CHECK_ERROR(probe(Asm().op(Op::LOAD_LOCAL, 0).op(Op::CONST, K_X).op(Op::CALL_CLOSURE, T_FUN).op(Op::RETURN),
                      kTypeInt, {T_FUN}),
                "CALL_CLOSURE expects int for argument 0, found string");
    CHECK_ERROR(
        probe(Asm().op(Op::PUSH_INT, 1).op(Op::PUSH_INT, 1).op(Op::CALL_CLOSURE, T_FUN).op(Op::RETURN), kTypeInt),
        "CALL_CLOSURE expects fun(int): int as closure, found int");
    CHECK(probe(Asm().op(Op::PUSH_NULL).op(Op::PUSH_INT, 1).op(Op::CALL_CLOSURE, T_FUN).op(Op::RETURN), kTypeInt) ==
          "");
    // MAKE_CLOSURE synthesizes fun(Square): float, which the table lacks.
    CHECK_ERROR(probe(Asm().op(Op::MAKE_CLOSURE, F_SQUARE_AREA).op(Op::RETURN), T_FUN),
                "RETURN expects fun(int): int as result, found fun(Square): float");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::MAKE_CLOSURE, F_LAMBDA).op(Op::RETURN), T_FUN),
                "MAKE_CLOSURE expects box<int> as capture, found string");
    CHECK_ERROR(probe(Asm().op(Op::MAKE_CLOSURE, F_BASE_AREA).op(Op::POP).op(Op::RETURN_VOID)),
                "MAKE_CLOSURE of Base.area");
    CHECK_ERROR(probe(Asm().op(Op::MAKE_CLOSURE, F_SQUARE_NEW).op(Op::POP).op(Op::RETURN_VOID)), "a constructor");
}

TEST_CASE("builtin calls follow their signatures") {
    auto call = [](BuiltinId id) { return Asm().op(Op::LOAD_LOCAL, 0).op(Op::LOAD_LOCAL, 1).call(id); };
    CHECK_ERROR(probe(call(BuiltinId::ARRAY_PUSH).op(Op::RETURN_VOID), kTypeVoid, {T_INT_ARRAY, kTypeString}),
                "CALL_BUILTIN ARRAY_PUSH argument 1 does not accept string");
    CHECK(probe(call(BuiltinId::ARRAY_PUSH).op(Op::RETURN_VOID), kTypeVoid, {T_STR_ARRAY, kTypeNull}) == "");
    CHECK_ERROR(probe(call(BuiltinId::MIN_FLOAT).op(Op::RETURN), kTypeFloat, {kTypeFloat, kTypeInt}),
                "CALL_BUILTIN MIN_FLOAT argument 1 does not accept int");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).call(BuiltinId::PRINTLN).op(Op::RETURN_VOID)),
                "PRINTLN argument 0 does not accept int");
    CHECK_ERROR(probe(Asm().op(Op::CALL_BUILTIN, 999).op(Op::RETURN_VOID)), "builtin 999 out of range");
    CHECK_ERROR(probe(call(BuiltinId::ARRAY_SORT_BY).op(Op::RETURN_VOID), kTypeVoid, {T_INT_ARRAY, T_FUN}),
                "ARRAY_SORT_BY argument 1 does not accept fun(int): int");
    CHECK_ERROR(probe(call(BuiltinId::ARRAY_JOIN).op(Op::RETURN), kTypeString, {T_INT_ARRAY, kTypeString}),
                "ARRAY_JOIN argument 0 does not accept [int]");
    // Results are built from the bindings: keys() of {string: int} is [string].
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).call(BuiltinId::MAP_KEYS).op(Op::RETURN), T_STR_ARRAY, {T_MAP}) == "");
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).call(BuiltinId::ARRAY_POP).op(Op::RETURN), kTypeVoid, {T_INT_ARRAY},
                [](FunctionDesc& f) { f.ret = f.locals[0]; })
              .find("found int") != std::string::npos);
    CHECK(probe(Asm().op(Op::LOAD_LOCAL, 0).call(BuiltinId::STR_REF).op(Op::RETURN), kTypeString, {T_SQUARE}) == "");
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).call(BuiltinId::STR_REF).op(Op::RETURN), kTypeString),
                "STR_REF argument 0 does not accept int");
}

TEST_CASE("returns and throws") {
    CHECK_ERROR(probe(Asm().op(Op::PUSH_INT, 1).op(Op::RETURN)), "RETURN in a void function");
    CHECK_ERROR(probe(Asm().op(Op::RETURN_VOID), kTypeInt), "RETURN_VOID in a function returning a value");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::RETURN), kTypeInt), "RETURN expects int as result, found string");
    CHECK_ERROR(probe(Asm().op(Op::CONST, K_X).op(Op::THROW)), "THROW expects Error to throw, found string");
    CHECK(probe(Asm().op(Op::NEW, C_INDEX_ERROR).op(Op::THROW)) == "");
    CHECK(probe(Asm().op(Op::PUSH_NULL).op(Op::THROW)) == "");
    // At a handler the stack is exactly [the caught class]; catch-all gives Error.
    auto handled = [](uint32_t catchClass, Op use) {
        Asm a;
        a.op(Op::NEW, C_INDEX_ERROR).op(Op::THROW).label("h").op(use).op(Op::RETURN_VOID);
        return probe(a, kTypeVoid, {}, [&](FunctionDesc& f) { f.handlers = {{0, 5, 6, catchClass}}; });
    };
    CHECK(handled(C_INDEX_ERROR, Op::POP) == "");
    CHECK_ERROR(handled(kNone, Op::INEG), "at byte 6: INEG expects int, found Error");
    CHECK_ERROR(handled(C_INDEX_ERROR, Op::INEG), "INEG expects int, found IndexError");
    // Normal flow into a handler target must bring the same stack.
    Asm shared;
    shared.op(Op::PUSH_INT, 1).label("h").op(Op::POP).op(Op::RETURN_VOID);
    CHECK_ERROR(probe(shared, kTypeVoid, {},
                      [](FunctionDesc& f) {
                          f.handlers = {{0, 5, 5, kNone}};
                      }),
                "stack [int] does not match [Error] at byte 5");
}

TEST_CASE("hostile programs never crash the verifier") {
    // Every single-field corruption of the sample: the verifier must answer.
    Program base = sampleProgram();
    for (uint32_t v : {0u, 1u, 5u, 7u, 1000u, kNone}) {
        for (size_t i = 0; i < base.types.size(); i++) {
            mutated([&](Program& p) { p.types[i].elem = v; }, base);
            mutated([&](Program& p) { p.types[i].cls = v; }, base);
        }
        for (size_t c = 0; c < base.classes.size(); c++) {
            mutated([&](Program& p) { p.classes[c].super = v; }, base);
            mutated([&](Program& p) { p.classes[c].constructor = v; }, base);
        }
        for (size_t f = 0; f < base.functions.size(); f++) {
            mutated([&](Program& p) { p.functions[f].owner = v; }, base);
            mutated([&](Program& p) { p.functions[f].ret = v; }, base);
        }
    }
    // Every byte of main's code set to small, large, opcode and non-opcode values.
    for (size_t pc = 0; pc < base.functions[F_MAIN].code.size(); pc++) {
        for (int b : {0x00, 0x01, 0x05, 0x10, 0x41, 0x4A, 0x51, 0x52, 0x80, 0xFF}) {
            mutated([&](Program& p) { p.functions[F_MAIN].code[pc] = uint8_t(b); }, base);
        }
    }
}

}  // namespace nido::vm::testing
