// The names compiled code uses for addresses of the run (vm/jit_refs.hpp):
// every kind round-trips through its name, and names that are not exactly
// a reference are refused, since the code cache's loader resolves names
// read from disk.
#include <doctest/doctest.h>

#include "vm/jit_refs.hpp"

namespace nido::vm::testing {

TEST_CASE("jit refs: each kind's name parses back to it") {
    for (size_t k = 0; k < std::size(kJitRefKindNames); k++) {
        for (uint32_t index : {0u, 7u, 4294967295u}) {
            JitRef r{JitRefKind(k), index};
            auto back = parseJitRef(jitRefName(r));
            REQUIRE(back);
            CHECK(back->kind == r.kind);
            CHECK(back->index == index);
        }
    }
    CHECK(jitRefName({JitRefKind::Function, 14}) == "nido.ref.function.14");
}

TEST_CASE("jit refs: other names are refused") {
    for (const char* name : {"", "nido.ref.", "nido.ref.function", "nido.ref.function.", "nido.ref.function.x",
                             "nido.ref.function.1.2", "nido.ref.function.-1", "nido.ref.function.4294967296",
                             "nido.ref.functions.1", "nido.ref.function.1 ", "nido.14.0", "memcpy"}) {
        CAPTURE(name);
        CHECK_FALSE(parseJitRef(name));
    }
}

}  // namespace nido::vm::testing
