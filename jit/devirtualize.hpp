// Which methods a virtual call can run. The loaded program is the whole
// program (no classes are loaded later), so the answer is exact: the code
// generator calls a single implementation directly and tests the
// receiver's class against a few (calls.cpp, dispatchByClass).
#pragma once

#include <cstdint>
#include <vector>

#include "vm/linker.hpp"

namespace nido::jit {

// A method a virtual call may run, with the classes whose instances run it.
struct Implementation {
    const vm::RtFunction* fn;
    std::vector<const vm::RtClass*> classes;
};

// The method every class that can be the receiver runs for vtable slot
// slot of class cls, when the program has just one (then the call needs no
// vtable); else nullptr.
const vm::RtFunction* onlyImplementation(const vm::LinkedProgram& lp, uint32_t cls, uint16_t slot);

// The methods that instances of cls and its subclasses run for vtable slot
// slot, each with the classes that run it. Empty when too many to test
// inline.
std::vector<Implementation> implementations(const vm::LinkedProgram& lp, uint32_t cls, uint16_t slot);

}  // namespace nido::jit
