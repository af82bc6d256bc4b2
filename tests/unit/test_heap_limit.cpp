// The heap limit (--max-heap) and out-of-memory handling: allocation
// returns nullptr instead of crashing, sizes never overflow, collection
// gives the room back, and programs see OutOfMemoryError.
//
// These tests share the process heap with every other unit test, and
// Boehm never shrinks its heap, so each limit is set relative to the heap
// the process already holds (a limit below it would have no effect).
#include <doctest/doctest.h>
#include <gc/gc.h>

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "tests/unit/runtime_harness.hpp"
#include "vm/gc.hpp"
#include "vm/map.hpp"
#include "vm/object.hpp"

namespace nido::vm::rttest {
namespace {

using B = BuiltinId;

constexpr uint64_t kMiB = uint64_t(1) << 20;

// The current heap plus room MiB, rounded to whole MiB.
uint64_t limitWithRoom(uint64_t room) { return (uint64_t(GC_get_heap_size()) / kMiB + 1 + room) * kMiB; }

// Lifts the limit again when a test ends, whatever happened.
struct HeapLimit {
    explicit HeapLimit(uint64_t bytes) { gcSetHeapLimit(bytes); }
    ~HeapLimit() { gcSetHeapLimit(0); }
    HeapLimit(const HeapLimit&) = delete;
    HeapLimit& operator=(const HeapLimit&) = delete;
};

// A chain of [next, 64 KiB string] arrays, grown until allocation fails or
// count links exist; returns the number of links made. Out of line, so the
// chain is garbage once it returns.
[[gnu::noinline]] int64_t chain(int64_t count) {
    Array* head = nullptr;
    for (int64_t n = 0; n < count; n++) {
        Array* link = newArray(ValKind::Ref, 2, 2);
        String* payload = link ? newStringUninit(64 * 1024) : nullptr;
        if (!payload) return n;
        link->data[0].ref = head;
        link->data[1].ref = payload;
        head = link;
    }
    return count;
}

TEST_CASE("sizes beyond any heap are refused without overflow") {
    gcInit();
    CHECK(newStringUninit(-1) == nullptr);
    CHECK(newStringUninit(kMaxObjectBytes) == nullptr);
    CHECK(newStringUninit(INT64_MAX) == nullptr);
    CHECK(newArray(ValKind::Int, INT64_MAX, INT64_MAX) == nullptr);
    CHECK(newArray(ValKind::Ref, int64_t(1) << 61, 0) == nullptr);
    CHECK(newArray(ValKind::Float, 0, int64_t(1) << 40) == nullptr);
    CHECK(gcAllocScanned(SIZE_MAX) == nullptr);
    CHECK(gcAllocAtomic(SIZE_MAX - 8) == nullptr);
    CHECK(gcAllocRoot(SIZE_MAX) == nullptr);

    Array* a = newArray(ValKind::Int, 3, 3);
    REQUIRE(a);
    Value* data = a->data;
    CHECK_FALSE(arrayReserve(a, INT64_MAX));
    CHECK_FALSE(arrayReserve(a, int64_t(1) << 40));
    CHECK(a->data == data);  // unchanged
    CHECK(a->len == 3);
    CHECK(arrayPush(a, intValue(4)));
    CHECK(a->len == 4);
}

TEST_CASE("a limited heap refuses allocation, and collection gives the room back") {
    gcInit();
    HeapLimit limit(limitWithRoom(24));
    CHECK(gcHeapLimit() > 0);
    int64_t filled = chain(100000);
    CHECK(filled < 100000);  // ran out long before 6 GiB
    CHECK(filled > 16);
    // Requests larger than the limit fail at once.
    CHECK(newStringUninit(int64_t(gcHeapLimit())) == nullptr);
    // The chain is garbage now: the same amount fits again, twice over.
    CHECK(chain(filled / 2) == filled / 2);
    CHECK(chain(filled / 2) == filled / 2);
}

TEST_CASE("a map growing past the limit fails its insertion and stays intact") {
    gcInit();
    HeapLimit limit(limitWithRoom(16));
    Map* m = newMap(KeyKind::Int, ValKind::Int, 0);
    REQUIRE(m);
    int64_t n = 0;
    while (n < (int64_t(1) << 28) && mapSet(m, intValue(n), intValue(n * 2))) n++;
    CHECK(n < (int64_t(1) << 28));
    CHECK(m->count == n);
    Value* first = mapFind(m, intValue(0));
    Value* last = mapFind(m, intValue(n - 1));
    REQUIRE(first);
    REQUIRE(last);
    CHECK(first->i == 0);
    CHECK(last->i == 2 * (n - 1));
    CHECK(mapFind(m, intValue(n)) == nullptr);
}

// main: fills [[int]] xs until OutOfMemoryError, catches it and prints its
// message. That the room comes back once xs is dropped is checked by
// tests/lang/heap/fill_catch_recover.nd in a process of its own: here the
// heap is shared with every earlier test, and stale words on a reused
// thread stack can keep their garbage alive.
ProgramBuilder fillProgram(bool catchIt) {
    ProgramBuilder b;
    uint32_t ints = b.arrayOf(kTypeInt), chunks = b.arrayOf(ints);
    Asm m;
    m.op(Op::NEW_ARRAY, chunks, 0).op(Op::STORE_LOCAL, 0);
    m.label("try").label("loop").line(3).op(Op::LOAD_LOCAL, 0);
    m.op(Op::PUSH_INT, 1000).op(Op::PUSH_INT, 7).op(Op::NEW_ARRAY_FILL, ints).call(B::ARRAY_PUSH);
    m.jump(Op::JUMP, "loop").label("end");
    m.label("catch").line(5).op(Op::GET_FIELD, b.errorClass, 0).call(B::PRINTLN);
    m.op(Op::RETURN_VOID);
    std::vector<Handler> h;
    if (catchIt) h.push_back({m.at("try"), m.at("end"), m.at("catch"), b.cls("OutOfMemoryError")});
    b.setMain(m, {chunks}, kTypeVoid, h);
    return b;
}

TEST_CASE("a program past the limit catches OutOfMemoryError") {
    gcInit();
    RunOptions opts;
    opts.maxHeapBytes = limitWithRoom(16);
    std::string message = fmt::format("heap limit of {} MiB exhausted", opts.maxHeapBytes / kMiB);
    RunResult r = fillProgram(true).run({}, opts);
    CHECK(r.status == 0);
    CHECK(r.out == message + "\n");
    CHECK(r.err == "");
    CHECK(gcHeapLimit() == 0);  // lifted after the run
}

TEST_CASE("an uncaught OutOfMemoryError ends the run with status 1 and a trace") {
    gcInit();
    RunOptions opts;
    opts.maxHeapBytes = limitWithRoom(16);
    RunResult r = fillProgram(false).run({}, opts);
    CHECK(r.status == 1);
    CHECK(r.out == "");
    CHECK(r.err == fmt::format("OutOfMemoryError: heap limit of {} MiB exhausted\n  at main (main.nd:3)\n",
                               opts.maxHeapBytes / kMiB));
}

TEST_CASE("huge single requests throw OutOfMemoryError with or without a limit") {
    gcInit();
    for (uint64_t limit : {uint64_t(0), limitWithRoom(16)}) {
        ProgramBuilder b;
        uint32_t ints = b.arrayOf(kTypeInt);
        Asm m;
        m.label("try").line(2).op(Op::CONST, b.intConst(int64_t(1) << 40)).op(Op::PUSH_INT, 0);
        m.op(Op::NEW_ARRAY_FILL, ints).call(B::ARRAY_LEN).op(Op::POP).label("end").op(Op::RETURN_VOID);
        m.label("catch").op(Op::GET_FIELD, b.errorClass, 0).call(B::PRINTLN);
        m.line(4).op(Op::CONST, b.stringConst("x")).op(Op::CONST, b.intConst(int64_t(1) << 40));
        m.call(B::STRING_REPEAT).call(B::PRINTLN).op(Op::RETURN_VOID);
        b.setMain(m, {}, kTypeVoid, {{m.at("try"), m.at("end"), m.at("catch"), b.cls("OutOfMemoryError")}});
        RunOptions opts;
        opts.maxHeapBytes = limit;
        std::string message =
            limit ? fmt::format("heap limit of {} MiB exhausted", limit / kMiB) : std::string("out of memory");
        RunResult r = b.run({}, opts);
        CHECK(r.status == 1);
        CHECK(r.out == message + "\n");
        CHECK(r.err == "OutOfMemoryError: " + message + "\n  at main (main.nd:4)\n");
    }
}

TEST_CASE("a heap too small to start the program gives one line and status 2") {
    gcInit();
    // A 2 MiB string constant cannot fit a 1 MiB heap, whatever the
    // process already holds: the link fails.
    ProgramBuilder b;
    b.setMain(Asm().op(Op::CONST, b.stringConst(std::string(2 * kMiB, 'x'))).call(B::PRINTLN).op(Op::RETURN_VOID));
    RunOptions opts;
    opts.maxHeapBytes = kMiB;
    RunResult r = b.run({}, opts);
    CHECK(r.status == 2);
    CHECK(r.out == "");
    CHECK(r.err == "nido: link error: heap limit of 1 MiB exhausted at start-up\n");
}

}  // namespace
}  // namespace nido::vm::rttest
