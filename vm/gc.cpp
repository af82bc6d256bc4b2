// Boehm GC glue (the invariant is at the top of gc.hpp).
#include "vm/gc.hpp"

#include <gc/gc.h>
#include <gc/gc_mark.h>

#include <mutex>

namespace nido::vm {
namespace {

GcRootSource* gSources = nullptr;  // guarded by Boehm's allocation lock
GC_push_other_roots_proc gPreviousPush = nullptr;

// Called by Boehm while marking: chain to whoever installed a hook before
// us, then push every registered source.
void GC_CALLBACK pushOtherRoots() {
    if (gPreviousPush) gPreviousPush();
    for (GcRootSource* s = gSources; s; s = s->next) s->push(s->ctx);
}

void* addSource(void* arg) {
    auto* source = static_cast<GcRootSource*>(arg);
    source->next = gSources;
    gSources = source;
    return nullptr;
}

void* removeSource(void* arg) {
    auto* source = static_cast<GcRootSource*>(arg);
    for (GcRootSource** p = &gSources; *p; p = &(*p)->next) {
        if (*p == source) {
            *p = source->next;
            break;
        }
    }
    return nullptr;
}

}  // namespace

void gcInit() {
    static std::once_flag once;
    std::call_once(once, [] {
        GC_INIT();
        // Heap-growth warnings would land in the Nido program's stderr; an
        // exhausted heap surfaces as OutOfMemoryError instead.
        GC_set_warn_proc(GC_ignore_warn_proc);
        GC_allow_register_threads();
        gPreviousPush = GC_get_push_other_roots();
        GC_set_push_other_roots(pushOtherRoots);
    });
}

// Taking the allocation lock keeps the list stable while a collection
// walks it on another thread.
void gcAddRootSource(GcRootSource* source) { GC_call_with_alloc_lock(addSource, source); }

void gcRemoveRootSource(GcRootSource* source) { GC_call_with_alloc_lock(removeSource, source); }

void gcPushRange(const void* begin, const void* end) {
    if (begin < end) GC_push_all(const_cast<void*>(begin), const_cast<void*>(end));
}

void* gcAllocRoot(size_t bytes) { return GC_MALLOC_UNCOLLECTABLE(bytes); }

void gcFree(void* p) { GC_FREE(p); }

}  // namespace nido::vm
