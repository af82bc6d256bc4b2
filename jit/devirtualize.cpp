// Class-hierarchy analysis for virtual calls (see devirtualize.hpp).
#include "jit/devirtualize.hpp"

#include <algorithm>

namespace nido::jit {

using namespace vm;

const RtFunction* onlyImplementation(const LinkedProgram& lp, uint32_t cls, uint16_t slot) {
    const auto& classes = lp.classes;
    const RtFunction* only = classes[cls].vtable[slot];
    for (const RtClass& c : classes) {
        bool subclass = false;
        for (const RtClass* p = &c; p && !subclass; p = p->super) subclass = p == &classes[cls];
        if (subclass && c.vtable[slot] != only) return nullptr;
    }
    return only;
}

std::vector<Implementation> implementations(const LinkedProgram& lp, uint32_t cls, uint16_t slot) {
    constexpr size_t kMaxImplementations = 4, kMaxClasses = 8;
    std::vector<Implementation> found;
    size_t classes = 0;
    for (const RtClass& c : lp.classes) {
        if (c.isInterface || (c.desc->flags & kClassAbstract)) continue;
        bool subclass = false;
        for (const RtClass* p = &c; p && !subclass; p = p->super) subclass = p->index == cls;
        if (!subclass) continue;
        auto same = [&](const Implementation& im) { return im.fn == c.vtable[slot]; };
        auto it = std::find_if(found.begin(), found.end(), same);
        if (it == found.end()) it = found.insert(found.end(), Implementation{c.vtable[slot], {}});
        it->classes.push_back(&c);
        if (found.size() > kMaxImplementations || ++classes > kMaxClasses) return {};
    }
    return found;
}

}  // namespace nido::jit
