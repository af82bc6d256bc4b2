// Translator tests: the execution form made from compiled programs. What
// programs compute is checked by tests/lang (also tests/lang/translator);
// these check that the translation does its job: loads fold into their
// users, results land in the locals a store names, comparisons fuse with
// branches, and --trace gets one instruction per bytecode instruction.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/unit/compile_in_folder.hpp"
#include "tests/unit/runtime_harness.hpp"
#include "vm/exec_disasm.hpp"
#include "vm/linker.hpp"
#include "vm/translator.hpp"
#include "vm/verifier.hpp"

using namespace nido;

namespace {

struct Translated {
    vm::Program program;
    vm::LinkedProgram linked;

    const vm::RtFunction& function(const std::string& name) const {
        auto it = std::find_if(linked.functions.begin(), linked.functions.end(),
                               [&](const vm::RtFunction& f) { return f.desc->name == name; });
        REQUIRE(it != linked.functions.end());
        return *it;
    }

    size_t count(const std::string& name, vm::XOp op) const {
        const auto& code = function(name).exec->code;
        return size_t(std::count_if(code.begin(), code.end(), [&](const vm::Insn& in) { return in.op == op; }));
    }
};

// Compiles, verifies, links and translates source (kept alive by out).
void translate(const std::string& source, bool fuse, Translated& out) {
    compiler::Diagnostics diags;
    auto program = testing::compileInFolder("nido_test_translator", source, {}, diags);
    INFO(diags.format());
    REQUIRE(program.has_value());
    out.program = std::move(*program);
    std::string error;
    REQUIRE(vm::verifyProgram(out.program, error));
    REQUIRE(vm::linkProgram(out.program, out.linked, error));
    REQUIRE(vm::translateProgram(out.linked, fuse, error));
}

const char* kSumLoop = R"(
fun sum(n: int): int {
    var s = 0
    var i = 0
    while i < n {
        s += i
        i += 1
    }
    return s
}
fun main() { println(sum(10)) }
)";

}  // namespace

TEST_CASE("a counting loop translates to seven instructions, four of them the loop") {
    Translated t;
    translate(kSumLoop, true, t);
    std::string listing = vm::disassembleExecFunction(t.function("sum"));
    INFO(listing);
    // s = 0, i = 0, the fused loop test, s += i, i += 1, the back jump
    // (rotated into the inverted test), return.
    CHECK(t.function("sum").exec->code.size() == 7);
    CHECK(t.count("sum", vm::XOp::JUMP_IF_IGE) == 1);
    CHECK(t.count("sum", vm::XOp::JUMP_IF_ILT) == 1);
    CHECK(t.count("sum", vm::XOp::JUMP) == 0);
    CHECK(t.count("sum", vm::XOp::MOVE) == 0);
    CHECK(listing.find("IADD             L1 = L1 L2") != std::string::npos);
    CHECK(listing.find("IADDI            L2 = L2 + 1") != std::string::npos);
}

TEST_CASE("without fusion every bytecode instruction is one instruction") {
    Translated t;
    translate(kSumLoop, false, t);
    for (const vm::RtFunction& fn : t.linked.functions) {
        if (!fn.exec) continue;
        const auto& code = fn.exec->code;
        // Distinct, increasing bytecode offsets: one instruction each.
        size_t bytecodeInstructions = 0;
        for (uint32_t pc = 0; pc < fn.desc->code.size();) {
            bytecodeInstructions++;
            pc += uint32_t(vm::instructionLength(vm::Op(fn.desc->code[pc])));
        }
        CHECK(code.size() == bytecodeInstructions);
        for (size_t i = 1; i < code.size(); i++) CHECK(code[i - 1].pc < code[i].pc);
        CHECK(code.size() == fn.exec->heights.size());
    }
}

TEST_CASE("float comparisons fuse only into branches that hold for NaN") {
    Translated t;
    translate(R"(
fun f(x: float, y: float): int {
    if x < y { return 1 }
    if !(x >= y) { return 2 }
    return 3
}
fun main() { println(f(1.0, 2.0)) }
)",
              true, t);
    INFO(vm::disassembleExecFunction(t.function("f")));
    CHECK(t.count("f", vm::XOp::JUMP_UNLESS_FLT) == 1);
    CHECK(t.count("f", vm::XOp::FLT) == 0);
}

// Compiled Nido never stores to a local while a load of it waits on the
// stack, but verified bytecode may: the waiting value is the old one.
TEST_CASE("a value loaded from a local keeps its old value when the local changes") {
    using namespace vm;
    using namespace vm::rttest;
    for (int variant = 0; variant < 3; variant++) {
        ProgramBuilder b;
        Asm m;
        m.op(Op::PUSH_INT, 7).op(Op::STORE_LOCAL, 0);
        m.op(Op::LOAD_LOCAL, 0);  // 7 waits on the stack
        if (variant == 0) m.op(Op::PUSH_INT, 5);
        if (variant == 1) m.op(Op::LOAD_LOCAL, 0).op(Op::PUSH_INT, 1).op(Op::IADD);  // x + 1, a result
        if (variant == 2) m.op(Op::PUSH_INT, 2).op(Op::PUSH_INT, 3).op(Op::IMUL);
        m.op(Op::STORE_LOCAL, 0);
        printInt(m);  // the waiting value
        printInt(m.op(Op::LOAD_LOCAL, 0)).op(Op::RETURN_VOID);
        b.setMain(m, {kTypeInt});
        RunResult r = b.run();
        CHECK(r.err == "");
        CHECK(r.out == std::vector<std::string>{"7\n5\n", "7\n8\n", "7\n6\n"}[size_t(variant)]);
    }
}
