// Tiering inside one process, as an embedder runs programs one after
// another (RunOptions::endsProcess false): a hot function compiled on the
// compile thread while the program runs, a run that ends while a compile
// is in progress (it waits for it: the next run must not find the thread
// reading a freed program, which the ASan build would catch), the
// synchronous modes. Without the JIT plugin beside nido_unit every
// function stays interpreted and only the results are checked.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/unit/compile_in_folder.hpp"
#include "vm/host.hpp"
#include "vm/runtime.hpp"
#include "vm/verifier.hpp"

using namespace nido;

namespace {

// A loop that gets hot (OSR) and a function called often enough to be.
const char* kHot = R"(
fun step(x: int): int { return (x * 1103515245 + 12345) % 2147483648 }

fun main() {
    var x = 1
    for i in 0..300000 {
        x = step(x)
    }
    println(x)
}
)";
const char* kHotOut = "680765729\n";

// twice and main's loop get hot just before main returns.
const char* kEndsHot = R"(
fun twice(i: int): int { return i * 2 }

fun main() {
    var s = 0
    for i in 0..2001 {
        s += twice(i)
    }
    println(s)
}
)";

bool hasPlugin() {
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
    return std::filesystem::exists(self.parent_path() / "libnido_jit.so");
}

struct Outcome {
    int status = 0;
    std::string out, err;
    int compiled = 0, unfinished = 0;
    double background = -1;
};

Outcome run(const std::string& source, vm::RunOptions opts) {
    compiler::Diagnostics diags;
    auto program = testing::compileInFolder("nido_test_tiering", source, {}, diags);
    INFO(diags.format());
    REQUIRE(program.has_value());
    std::string error;
    REQUIRE(vm::verifyProgram(*program, error));
    Outcome o;
    opts.stats = true;
    {
        vm::HostCapture capture;
        o.status = vm::runProgram(*program, {}, opts);
        o.out = capture.out;
        o.err = capture.err;
    }
    std::smatch m;
    if (std::regex_search(o.err, m, std::regex(R"((\d+) functions compiled in [\d.]+ ms \(([\d.]+) ms)"))) {
        o.compiled = std::stoi(m[1]);
        o.background = std::stod(m[2]);
    }
    if (std::regex_search(o.err, m, std::regex(R"((\d+) still queued or compiling)"))) o.unfinished = std::stoi(m[1]);
    return o;
}

}  // namespace

TEST_CASE("tiering: a hot program compiled in the background gives the interpreter's results") {
    Outcome o = run(kHot, {});
    INFO(o.err);
    CHECK(o.status == 0);
    CHECK(o.out == kHotOut);
    if (!hasPlugin()) return;
    // step and main's loop were each asked for once; the run waited for
    // the compile in progress and dropped what the thread had not begun.
    CHECK(o.compiled + o.unfinished == 2);
    if (o.compiled > 0) CHECK(o.background > 0);
}

TEST_CASE("tiering: a run that ends while compiling waits for it, and the next run goes on") {
    for (int i = 0; i < 3; i++) {
        Outcome o = run(kEndsHot, {});
        INFO(o.err);
        CHECK(o.status == 0);
        CHECK(o.out == "4002000\n");
        // twice and main got hot: the compile in progress finished, what
        // was still queued was dropped.
        if (hasPlugin()) CHECK(o.compiled + o.unfinished == 2);
    }
    Outcome next = run(kHot, {});
    CHECK(next.out == kHotOut);
}

TEST_CASE("tiering: synchronous compiles (no thread allowed, --jit=eager)") {
    vm::RunOptions noThread;
    noThread.jitThreadAllowed = false;
    vm::RunOptions eager;
    eager.jit = vm::JitMode::Eager;
    for (const vm::RunOptions& opts : {noThread, eager}) {
        Outcome o = run(kHot, opts);
        INFO(o.err);
        CHECK(o.status == 0);
        CHECK(o.out == kHotOut);
        CHECK(o.unfinished == 0);
        if (!hasPlugin()) continue;
        CHECK(o.compiled >= 1);
        CHECK(o.background == 0);
    }
}
