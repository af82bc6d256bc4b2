// Native-object loader tests. The objects are real: llc-19 makes them at
// build time from tests/unit/native_objects/*.ll (CMakeLists.txt says how
// each is compiled). Good ones are linked against this binary and called;
// others must be refused with a reason; damaged copies (every truncation,
// thousands of byte and bit flips) must be refused or loaded, never crash.
// Code from a damaged object is never called: a flip may leave a valid
// object with garbage instructions.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>

#include "vm/native_object.hpp"

namespace nido::vm::testing {
namespace {

double testScale(double x) { return x * 10; }
double (*const testScaleSlot)(double) = testScale;  // as JitHelpers holds a helper
int64_t testCounter = 0;

// What the objects' external symbols mean in this binary.
const void* resolveTestSymbol(std::string_view name) {
    if (name == "test.scale") return reinterpret_cast<const void*>(&testScale);
    if (name == "test.scaleSlot") return &testScaleSlot;
    if (name == "test.counter") return &testCounter;
    return nullptr;
}

// The object file the build made from native_objects/<name>.ll; empty when
// the build found no llc.
std::vector<uint8_t> testObject(const std::string& name) {
#ifdef NIDO_TEST_NATIVE_OBJECTS
    std::ifstream in(std::string(NIDO_TEST_NATIVE_OBJECTS) + "/" + name + ".o", std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
#else
    return {};
#endif
}

bool missing(const std::vector<uint8_t>& object) {
    if (!object.empty()) return false;
    MESSAGE("no object files: the build found no LLVM 19 llc; skipped");
    return true;
}

const void* load(const std::vector<uint8_t>& object, std::string_view entry, std::string& why) {
    return loadNativeObject(object, entry, resolveTestSymbol, why);
}

// The function `entry` of a good object, of type F.
template <class F>
F* loadFunction(const std::vector<uint8_t>& object, std::string_view entry) {
    std::string why;
    const void* code = load(object, entry, why);
    REQUIRE_MESSAGE(code, why);
    // SAFETY: the entry of a good object, which has this signature in its .ll file.
    return reinterpret_cast<F*>(const_cast<void*>(code));
}

// The permissions ("r-xp") of the mapping holding `address`, from /proc/self/maps.
std::string permissionsAt(const void* address) {
    auto at = reinterpret_cast<uintptr_t>(address);
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long start = 0, end = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) == 3 && start <= at && at < end) {
            return perms;
        }
    }
    return "";
}

}  // namespace

TEST_CASE("native object: JIT-like code reaches its constants, strings, jump tables, externals and itself") {
    std::vector<uint8_t> object = testObject("jit_like");
    if (missing(object)) return;
    auto fib = loadFunction<int64_t(int64_t)>(object, "fib");
    CHECK(fib(20) == 6765);
    CHECK(permissionsAt(reinterpret_cast<const void*>(fib)) == "r-xp");
    auto poly = loadFunction<double(double)>(object, "poly");
    CHECK(poly(2.0) == 51.25);  // testScale(2 * 2.5 + 0.125)
    auto counterPlus = loadFunction<int64_t(int64_t)>(object, "counterPlus");
    testCounter = 37;
    CHECK(counterPlus(5) == 42);
    auto greetingByte = loadFunction<char(int64_t)>(object, "greetingByte");
    CHECK(greetingByte(1) == 'e');
    CHECK(greetingByte(4) == 'o');
    auto dense = loadFunction<int64_t(int64_t)>(object, "dense");
    CHECK(dense(0) == 11);
    CHECK(dense(1) == 27);
    CHECK(dense(2) == 64);
    CHECK(dense(3) == 48);
    CHECK(dense(4) == 55);
    CHECK(dense(9) == -1);
    auto choose = loadFunction<double(int64_t)>(object, "choose");
    CHECK(choose(3) == 1.5);
    CHECK(choose(-3) == -2.25);
}

TEST_CASE("native object: 32-bit PC-relative calls and constants within the region") {
    std::vector<uint8_t> object = testObject("near_calls");
    if (missing(object)) return;
    CHECK(loadFunction<int64_t(int64_t)>(object, "fib")(25) == 75025);
    CHECK(loadFunction<double(double)>(object, "halfPlus")(3.0) == 1.75);
}

TEST_CASE("native object: refused objects say why") {
    std::vector<uint8_t> jitLike = testObject("jit_like");
    if (missing(jitLike)) return;
    struct Case {
        std::vector<uint8_t> object;
        const char* entry;
        SymbolResolver resolve;
        std::string reason;
    };
    const SymbolResolver knowsNothing = [](std::string_view) { return nullptr; };
    const Case cases[] = {
        {jitLike, "nope", resolveTestSymbol, "no function nope in the object"},
        {jitLike, "poly", knowsNothing, "unresolved symbol 'test.scaleSlot'"},
        // This binary and the mmap'd region are far more than 2 GiB apart.
        {testObject("far_call"), "callScale", resolveTestSymbol, "relocation 0 of .rela.text out of range"},
        {testObject("got"), "readCounter", resolveTestSymbol,
         "relocation 0 of .rela.text has the unsupported type 42"},  // R_X86_64_REX_GOTPCRELX
        {testObject("writable"), "countCall", resolveTestSymbol, "section .lbss is writable"},
        {{}, "fib", resolveTestSymbol, "not an ELF file"},
        {{0x7f, 'E', 'L', 'F', 1, 1, 1}, "fib", resolveTestSymbol, "not an ELF file"},
    };
    for (const Case& c : cases) {
        std::string why;
        CHECK(loadNativeObject(c.object, c.entry, c.resolve, why) == nullptr);
        CHECK(why == c.reason);
    }
}

TEST_CASE("native object: damaged objects are refused or loaded, never crash") {
    for (const char* name : {"jit_like", "near_calls"}) {
        std::vector<uint8_t> good = testObject(name);
        if (missing(good)) return;
        std::string why;
        // llc writes the section header table last: every truncation loses part of it.
        for (size_t size = 0; size < good.size(); size++) {
            std::vector<uint8_t> cut(good.begin(), good.begin() + ptrdiff_t(size));
            CHECK(load(cut, "fib", why) == nullptr);
            CHECK(!why.empty());
        }
        // Every single-bit flip, then random replacements of one byte.
        int loaded = 0, refused = 0;
        auto loadDamaged = [&](const std::vector<uint8_t>& damaged) {
            why.clear();
            if (load(damaged, "fib", why)) {
                loaded++;
                return;
            }
            refused++;
            CHECK(!why.empty());
            CHECK(why.find('\n') == std::string::npos);
        };
        std::vector<uint8_t> damaged = good;
        for (size_t at = 0; at < good.size(); at++) {
            for (int bit = 0; bit < 8; bit++) {
                damaged[at] ^= uint8_t(1u << bit);
                loadDamaged(damaged);
                damaged[at] = good[at];
            }
        }
        std::mt19937 random(20240611);
        for (int i = 0; i < 4000; i++) {
            size_t at = random() % damaged.size();
            damaged[at] = uint8_t(random());
            loadDamaged(damaged);
            damaged[at] = good[at];
        }
        MESSAGE(std::string(name) << ": " << good.size() << " truncations refused; of " << loaded + refused << " flips "
                                  << loaded << " loaded, " << refused << " refused");
        CHECK(loaded > 0);
        CHECK(refused > 0);
    }
}

}  // namespace nido::vm::testing
