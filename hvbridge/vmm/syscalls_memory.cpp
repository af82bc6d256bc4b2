// Memory system calls: brk, mmap, munmap, mremap, mprotect, madvise. The
// guest's memory is its RAM identity-mapped, so these move ownership in the
// AddressSpace; GuestMemory::freshen makes each newly owned range read as
// zero. Freed pages stay mapped on the host for cheap reuse. The break and
// the mmap pool are shared with the entry page, which serves the common
// calls without an exit (syscall_entry_abi.h); the VMM takes its changes
// back at every exit.
#include <sys/mman.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>

#include "guest_layout.hpp"
#include "machine.hpp"
#include "syscalls.hpp"

namespace nido::hv::vmm {

namespace {

uint64_t pageUp(uint64_t v) { return (v + layout::kPageSize - 1) & ~(layout::kPageSize - 1); }
bool pageAligned(uint64_t v) { return (v & (layout::kPageSize - 1)) == 0; }

// Makes a newly owned range zero and faults in the part the guest will
// likely touch (see GuestMemory::populate for the costs): the start of an
// ordinary mapping up to kPrefaultLimit, only the top of a stack or of a
// MAP_NORESERVE reservation. The Nido runtime maps a 256 MB stack and a 40 MB
// area at start-up and touches little of either: populating all of the 40 MB
// cost it ~10 ms; malloc- and Boehm-heavy programs ran no faster with 64 MB.
constexpr uint64_t kPrefaultLimit = 4ull << 20;
constexpr uint64_t kSparsePrefault = 1ull << 20;

void prefault(Machine& m, uint64_t addr, uint64_t len, bool sparse) {
    uint64_t ahead = std::min(len, sparse ? kSparsePrefault : kPrefaultLimit);
    m.memory.populate(sparse ? addr + len - ahead : addr, ahead);
}

void giveToGuest(Machine& m, uint64_t addr, uint64_t len, bool sparse) {
    m.memory.freshen(addr, len);
    prefault(m, addr, len, sparse);
}

bool sparseMapping(uint64_t flags) { return flags & (MAP_STACK | MAP_GROWSDOWN | MAP_NORESERVE); }

// How far past a requested break the VMM gives memory, for the entry page
// to grow into without an exit: glibc's malloc grows by 132 KiB or more.
constexpr uint64_t kBreakSlack = 2ull << 20;

// Tells the entry page the VMM's break. START and TOP are rewritten every
// time, so a guest that scribbled on them only misleads its own fast path.
void publishBreak(Machine& m) {
    m.memory.setSharedWord(NIDO_VMM_SHARED_BRK_START, m.space.breakStart());
    m.memory.setSharedWord(NIDO_VMM_SHARED_BRK_CURRENT, m.space.currentBreak());
    m.memory.setSharedWord(NIDO_VMM_SHARED_BRK_TOP, m.space.breakTop());
}

// The mmap pool: anonymous private mappings the entry page serves in the
// guest. A Nido hello maps 297 MB in 8 such calls (Boehm's first heap chunks,
// its 256 MiB program stack, a 40 MB interpreter area and two smaller ones),
// all from the first pool. Untouched pages cost nothing, so the pool is large.
constexpr uint64_t kPoolBytes = 1ull << 30;
constexpr uint64_t kPoolMemoryShare = 2;  // at most half of guest RAM

uint64_t poolBytes(const Machine& m) { return std::min(kPoolBytes, m.memory.size() / kPoolMemoryShare); }

void publishPool(Machine& m) {
    m.memory.setSharedWord(NIDO_VMM_SHARED_POOL_LOW, m.space.poolLow());
    m.memory.setSharedWord(NIDO_VMM_SHARED_POOL_NEXT, m.space.poolNext());
}

// Ends the pool: its pages not handed out go back to the free list, known
// to be zero, so that giving them out again costs no clearing.
void retirePool(Machine& m) {
    m.memory.markZero(m.space.poolLow(), m.space.poolNext() - m.space.poolLow());
    m.space.retirePool();
    publishPool(m);
}

// Invariant the entry page relies on: the pool's pages read as zero. A new
// pool is as large as the largest free range allows, if that holds `least`.
void refillPool(Machine& m, uint64_t least) {
    retirePool(m);
    if (m.space.replacePool(poolBytes(m), least))
        m.memory.freshen(m.space.poolLow(), m.space.poolNext() - m.space.poolLow());
    publishPool(m);
}

// Whether an mmap is of the kind the entry page serves from the pool (it
// exited because the pool had too little left, or before the entry page was
// installed).
bool poolable(const Machine& m, uint64_t flags, uint64_t len) {
    constexpr uint64_t kPoolFlags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK;
    return (flags & ~kPoolFlags) == 0 && (flags & (MAP_PRIVATE | MAP_ANONYMOUS)) == (MAP_PRIVATE | MAP_ANONYMOUS) &&
           len <= poolBytes(m);
}

// Pages from the pool's top, after replacing a pool with too little left; 0
// if there is no room. They are zero already.
uint64_t takeFromPool(Machine& m, uint64_t len) {
    if (m.space.poolNext() - m.space.poolLow() < len) refillPool(m, len);
    uint64_t addr = m.space.takeFromPool(len);
    publishPool(m);
    return addr;
}

// Before a range changes hands outside the entry page: a range that overlaps
// the pool's unused pages (only a confused or hostile guest names them) ends
// the pool, so that no page is both in the pool and given elsewhere.
void leavePoolAlone(Machine& m, uint64_t addr, uint64_t len) {
    if (m.space.overlapsPool(addr, len)) retirePool(m);
}

// Invariant the entry page relies on: the pages in [pageUp(break), breakTop)
// read as zero. Growth gives new pages zeroed; a shrink zeroes the pages it
// drops (they stay owned, as the slack above the break).
int64_t brk(Machine& m, uint64_t requested) {
    uint64_t before = m.space.currentBreak(), topBefore = m.space.breakTop();
    uint64_t after = m.space.setBreak(requested, kBreakSlack);
    if (m.space.breakTop() > topBefore) {
        // Faults in only what was asked for: the slack may never be touched.
        m.memory.freshen(topBefore, m.space.breakTop() - topBefore);
        m.memory.populate(topBefore, std::min(pageUp(after) - topBefore, kPrefaultLimit));
    }
    if (pageUp(after) < pageUp(before)) m.memory.freshen(pageUp(after), pageUp(before) - pageUp(after));
    publishBreak(m);
    return static_cast<int64_t>(after);
}

// Copies a file's bytes into a fresh private mapping (writes are not shared back).
int64_t fillFromFile(Machine& m, uint64_t addr, uint64_t len, int fd, int64_t offset) {
    uint64_t done = 0;
    while (done < len) {
        int64_t n = m.files->pread(fd, m.memory.user(addr + done, len - done), len - done, offset + done);
        if (n < 0) return n;
        if (n == 0) break;
        done += n;
    }
    return 0;
}

int64_t mmap(Machine& m, uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, int fd, int64_t offset) {
    if (len == 0 || !pageAligned(static_cast<uint64_t>(offset))) return -EINVAL;
    len = pageUp(len);
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (!pageAligned(addr)) return -EINVAL;
        if ((flags & MAP_FIXED_NOREPLACE) && !m.space.isFree(addr, len)) return -EEXIST;
        if (!m.memory.user(addr, len)) return -ENOMEM;
        leavePoolAlone(m, addr, len);
        if (!m.space.claim(addr, len)) return -ENOMEM;
    } else {
        addr = poolable(m, flags, len) ? takeFromPool(m, len) : 0;
        if (addr != 0) {
            prefault(m, addr, len, sparseMapping(flags));
            return static_cast<int64_t>(addr);
        }
        addr = m.space.allocate(len);
        if (addr == 0 && m.space.poolNext() > m.space.poolLow()) {
            // Memory is short: the pool's unused pages are the last resort.
            retirePool(m);
            addr = m.space.allocate(len);
        }
        if (addr == 0) return -ENOMEM;
    }
    if (prot == PROT_NONE) {
        m.memory.freshen(addr, len);
    } else {
        giveToGuest(m, addr, len, sparseMapping(flags));
    }
    if (!(flags & MAP_ANONYMOUS)) {
        if (int64_t r = fillFromFile(m, addr, len, fd, offset); r < 0) {
            m.space.release(addr, len);
            return r;
        }
    }
    return static_cast<int64_t>(addr);
}

int64_t munmap(Machine& m, uint64_t addr, uint64_t len) {
    if (!pageAligned(addr) || len == 0) return -EINVAL;
    len = pageUp(len);
    if (!m.memory.user(addr, len)) return -EINVAL;
    leavePoolAlone(m, addr, len);
    m.space.release(addr, len);
    return 0;
}

int64_t mremap(Machine& m, uint64_t old, uint64_t oldLen, uint64_t newLen, uint64_t flags) {
    if (!pageAligned(old) || newLen == 0 || (flags & MREMAP_FIXED)) return -EINVAL;
    oldLen = pageUp(oldLen);
    newLen = pageUp(newLen);
    if (!m.memory.user(old, std::max(oldLen, newLen))) return -EFAULT;
    if (newLen <= oldLen) {
        munmap(m, old + newLen, oldLen - newLen);
        return static_cast<int64_t>(old);
    }
    leavePoolAlone(m, old, std::max(oldLen, newLen));
    if (m.space.isFree(old + oldLen, newLen - oldLen)) {
        m.space.claim(old + oldLen, newLen - oldLen);
        giveToGuest(m, old + oldLen, newLen - oldLen, false);
        return static_cast<int64_t>(old);
    }
    if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
    uint64_t moved = m.space.allocate(newLen);
    if (moved == 0) return -ENOMEM;
    giveToGuest(m, moved, newLen, false);
    std::memcpy(m.memory.user(moved, oldLen), m.memory.user(old, oldLen), oldLen);
    munmap(m, old, oldLen);
    return static_cast<int64_t>(moved);
}

}  // namespace

void startGuestMemory(Machine& m) {
    uint64_t start = m.space.breakStart();
    m.space.setBreak(start + 1, kBreakSlack);
    m.space.setBreak(start, 0);
    m.memory.freshen(pageUp(start), m.space.breakTop() - pageUp(start));
    publishBreak(m);
    refillPool(m, 0);
}

void adoptGuestMemory(Machine& m) {
    m.space.adoptBreak(m.memory.sharedWord(NIDO_VMM_SHARED_BRK_CURRENT));
    // The pool first: a range logged below may have come from it since the last exit.
    m.space.adoptPoolNext(m.memory.sharedWord(NIDO_VMM_SHARED_POOL_NEXT));
    uint64_t logged = std::min<uint64_t>(m.memory.sharedWord(NIDO_VMM_SHARED_UNMAP_COUNT), NIDO_VMM_UNMAP_SLOTS);
    for (uint64_t i = 0; i < logged; ++i) {
        uint64_t entry = NIDO_VMM_SHARED_UNMAPS + i * 16;
        munmap(m, m.memory.sharedWord(entry), m.memory.sharedWord(entry + 8));
    }
    m.memory.setSharedWord(NIDO_VMM_SHARED_UNMAP_COUNT, 0);
    publishPool(m);
}

bool memorySyscall(Machine& m, uint64_t number, const uint64_t* a, int64_t& result) {
    switch (number) {
    case SYS_brk: result = brk(m, a[0]); return true;
    case SYS_mmap:
        result = mmap(m, a[0], a[1], a[2], a[3], static_cast<int>(a[4]), static_cast<int64_t>(a[5]));
        return true;
    case SYS_munmap: result = munmap(m, a[0], a[1]); return true;
    case SYS_mremap: result = mremap(m, a[0], a[1], a[2], a[3]); return true;
    case SYS_mprotect:  // protections are not enforced; see address_space.hpp
    case SYS_msync:
    case SYS_mlock:
    case SYS_munlock: result = 0; return true;
    case SYS_madvise:
        if (a[2] == MADV_DONTNEED && pageAligned(a[0])) m.memory.freshen(a[0], pageUp(a[1]));
        result = 0;
        return true;
    default: return false;
    }
}

}  // namespace nido::hv::vmm
