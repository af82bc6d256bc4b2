// Which heap blocks Boehm scans for pointers: payloads that cannot hold one
// (string bytes, the elements of [int], [float] and [bool]) are allocated
// atomic, so the collector never reads them; everything that can refer to
// another object is scanned.
#include <doctest/doctest.h>
#include <gc/gc.h>
#include <gc/gc_inline.h>
#include <gc/gc_mark.h>

#include "vm/gc.hpp"
#include "vm/object.hpp"

namespace nido::vm {
namespace {

bool pointerFree(const void* block) {
    return GC_get_kind_and_size(GC_base(const_cast<void*>(block)), nullptr) == GC_I_PTRFREE;
}

}  // namespace

TEST_CASE("pointer-free payloads are atomic, the rest is scanned") {
    gcInit();
    String* s = newString("some bytes");
    REQUIRE(s);
    CHECK(pointerFree(s));

    for (ValKind elem : {ValKind::Int, ValKind::Float, ValKind::Bool}) {
        Array* a = newArray(elem, 3, 3);
        REQUIRE(a);
        CHECK(pointerFree(a->data));
        CHECK_FALSE(pointerFree(a));  // the header points to the elements
        REQUIRE(arrayReserve(a, 1000));
        CHECK(pointerFree(a->data));  // a grown buffer too
    }
    Array* refs = newArray(ValKind::Ref, 3, 3);
    REQUIRE(refs);
    CHECK_FALSE(pointerFree(refs->data));
    REQUIRE(arrayReserve(refs, 1000));
    CHECK_FALSE(pointerFree(refs->data));
}

}  // namespace nido::vm
