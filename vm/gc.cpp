// Boehm GC glue (the invariant is at the top of gc.hpp).
#include "vm/gc.hpp"

#include <gc/gc.h>
#include <gc/gc_mark.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

#ifdef __GLIBC__
extern "C" void* __libc_stack_end;  // the stack pointer on entry to the program
// The program's data and bss, and (null in a static program) its dynamic section.
extern "C" char __data_start[] __attribute__((weak));
extern "C" char _end[];
extern "C" const char _DYNAMIC[] __attribute__((weak));
#endif

namespace nido::vm {
namespace {

GcRootSource* gSources = nullptr;  // guarded by Boehm's allocation lock
GC_push_other_roots_proc gPreviousPush = nullptr;

// No single object is ever larger than this (1 TiB), whatever the machine.
constexpr uint64_t kMaxRequestBytes = uint64_t(1) << 40;

std::atomic<uint64_t> gHeapLimit{0};
// The largest request worth handing to Boehm: the heap limit, else RAM
// plus swap (set by gcInit).
std::atomic<uint64_t> gMaxRequest{kMaxRequestBytes};
uint64_t gMachineBytes = kMaxRequestBytes;

// Boehm calls this when even a collection and heap growth could not find
// room: the allocation returns nullptr and the caller throws.
void* GC_CALLBACK refuseAllocation(size_t) { return nullptr; }

// HOST: physical memory plus swap, a bound on any heap this process can
// have; kMaxRequestBytes when unknown.
uint64_t machineBytes() {
    struct sysinfo info {};
    if (sysinfo(&info) != 0 || info.mem_unit == 0) return kMaxRequestBytes;
    uint64_t pages = uint64_t(info.totalram) + uint64_t(info.totalswap);
    if (pages == 0 || pages > kMaxRequestBytes / info.mem_unit) return kMaxRequestBytes;
    return pages * info.mem_unit;
}

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

// Boehm may refuse a request without collecting first (when little was
// allocated since the last collection, or after an earlier refusal that
// no slow-path allocation has reset yet). So a refusal is final only
// after a full collection, with dead stack cleared: garbage never causes
// OutOfMemoryError.
template <typename Alloc>
void* allocate(size_t bytes, Alloc alloc) {
    if (bytes > gMaxRequest.load(std::memory_order_relaxed)) return nullptr;
    if (void* p = alloc(bytes)) return p;
    gcClearDeadStack();  // say, a builtin's string_view into a big string
    GC_gcollect();
    return alloc(bytes);
}

// Boehm's parallel marker threads take a short run ~0.1 ms to start and
// pay off only once there is a heap to mark, so they start after the
// first collection that finds the heap past this size.
constexpr size_t kParallelMarkHeapBytes = size_t(4) << 20;

void armMarkerProbe();

// The probe's finalizer: Boehm runs it after a collection, at a later
// allocation and without its lock held, so it may start threads.
void GC_CALLBACK startMarkersOnceBig(void*, void*) {
    if (GC_get_heap_size() >= kParallelMarkHeapBytes) {
        GC_start_mark_threads();
    } else {
        armMarkerProbe();
    }
}

// The probe is a finalizable object that nothing references: the next
// collection frees it and queues its finalizer.
void armMarkerProbe() {
    if (void* probe = GC_MALLOC_ATOMIC(1)) {
        GC_REGISTER_FINALIZER_NO_ORDER(probe, startMarkersOnceBig, nullptr, nullptr, nullptr);
    }
}

// The JIT plugin and LLVM keep no Nido references in their static data,
// which is megabytes that every collection would otherwise scan.
int GC_CALLBACK scanLibraryData(const char* library, void*, size_t) {
    return std::strstr(library, "libLLVM") == nullptr && std::strstr(library, "libnido_jit") == nullptr;
}

}  // namespace

void gcInit() {
    static std::once_flag once;
    std::call_once(once, [] {
#ifdef __GLIBC__
        // Where the main thread's stack ends, which Boehm would otherwise
        // find by parsing /proc/self/maps: the C library's entry frame.
        GC_stack_base mainStack{};
        mainStack.mem_base = __libc_stack_end;
        GC_set_stackbottom(nullptr, &mainStack);
#endif
        // No collection of the empty heap at start-up (5% of a short run).
        // It would seed the black list, which the first real collection
        // does as well: until then a block may be handed out that a stale
        // word in static data seems to reference, and so be kept.
        GC_set_dont_precollect(1);
        GC_register_has_static_roots_callback(scanLibraryData);
#ifdef __GLIBC__
        // A static program registers its data itself (below): no search for
        // it, which probes with a deliberate SIGSEGV below the executable (in
        // a micro-VM, a fault through the guest's exception stubs: ~0.7 ms).
        if (!_DYNAMIC) GC_set_no_dls(1);
#endif
        GC_INIT();
#ifdef __GLIBC__
        // A static program (nido-static, the guest's runtime): Boehm finds
        // its data by probing down from _end and takes the code with it,
        // 5 MB scanned at every collection instead of 0.5.
        if (!_DYNAMIC && __data_start) {
            GC_clear_roots();
            GC_add_roots(__data_start, _end);
        }
#endif
        // Heap-growth warnings would land in the Nido program's stderr; an
        // exhausted heap surfaces as OutOfMemoryError instead.
        GC_set_warn_proc(GC_ignore_warn_proc);
        GC_set_oom_fn(refuseAllocation);
        gMachineBytes = machineBytes();
        gMaxRequest = gMachineBytes;
        gPreviousPush = GC_get_push_other_roots();
        GC_set_push_other_roots(pushOtherRoots);
        armMarkerProbe();
    });
}

// Taking the allocation lock keeps the list stable while a collection
// walks it on another thread.
void gcAddRootSource(GcRootSource* source) { GC_call_with_alloc_lock(addSource, source); }

void gcRemoveRootSource(GcRootSource* source) { GC_call_with_alloc_lock(removeSource, source); }

void gcPushRange(const void* begin, const void* end) {
    if (begin < end) GC_push_all(const_cast<void*>(begin), const_cast<void*>(end));
}

void* gcAllocRoot(size_t bytes) {
    return allocate(bytes, [](size_t n) { return GC_MALLOC_UNCOLLECTABLE(n); });
}

void gcFree(void* p) { GC_FREE(p); }

[[gnu::noinline]] void gcClearDeadStack() {
    char dead[64 * 1024];
    std::memset(dead, 0, sizeof dead);
    asm volatile("" : : "r"(dead) : "memory");  // keep the stores
}

void gcSetHeapLimit(uint64_t bytes) {
    gHeapLimit = bytes;
    gMaxRequest = bytes != 0 ? std::min(bytes, gMachineBytes) : gMachineBytes;
    GC_set_max_heap_size(GC_word(bytes));
}

uint64_t gcHeapLimit() { return gHeapLimit; }

void* gcAllocScanned(size_t bytes) {
    return allocate(bytes, [](size_t n) { return GC_MALLOC(n); });  // Boehm clears it
}

void* gcAllocScannedBatch(size_t bytes) {
    if (bytes > gMaxRequest.load(std::memory_order_relaxed)) return nullptr;
    return GC_malloc_many(bytes);
}

void* gcAllocAtomic(size_t bytes) {
    return allocate(bytes, [](size_t n) { return GC_MALLOC_ATOMIC(n); });
}

}  // namespace nido::vm
