// Memory system calls: brk, mmap, munmap, mremap, mprotect, madvise. The
// guest's memory is its RAM identity-mapped, so these move ownership in the
// AddressSpace; GuestMemory::freshen makes each newly owned range read as
// zero. Freed pages stay mapped on the host for cheap reuse.
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

void giveToGuest(Machine& m, uint64_t addr, uint64_t len, bool sparse) {
    m.memory.freshen(addr, len);
    uint64_t ahead = std::min(len, sparse ? kSparsePrefault : kPrefaultLimit);
    m.memory.populate(sparse ? addr + len - ahead : addr, ahead);
}

// How far past a requested break the VMM gives memory, for the entry page
// to grow into without an exit: glibc's malloc grows by 132 KiB or more.
constexpr uint64_t kBreakSlack = 2ull << 20;

// SAFETY: the fields are fixed offsets inside the shared page, inside RAM.
uint64_t sharedField(Machine& m, uint64_t field) {
    uint64_t value;
    std::memcpy(&value, m.memory.raw(layout::kSharedPage + field, 8), 8);
    return value;
}

// SAFETY: as for sharedField.
void setSharedField(Machine& m, uint64_t field, uint64_t value) {
    std::memcpy(m.memory.raw(layout::kSharedPage + field, 8), &value, 8);
}

// Tells the entry page the VMM's break. START and TOP are rewritten every
// time, so a guest that scribbled on them only misleads its own fast path.
void publishBreak(Machine& m) {
    setSharedField(m, NIDO_VMM_SHARED_BRK_START, m.space.breakStart());
    setSharedField(m, NIDO_VMM_SHARED_BRK_CURRENT, m.space.currentBreak());
    setSharedField(m, NIDO_VMM_SHARED_BRK_TOP, m.space.breakTop());
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
        if (!m.memory.user(addr, len) || !m.space.claim(addr, len)) return -ENOMEM;
    } else {
        addr = m.space.allocate(len);
        if (addr == 0) return -ENOMEM;
    }
    if (prot == PROT_NONE) {
        m.memory.freshen(addr, len);
    } else {
        giveToGuest(m, addr, len, flags & (MAP_STACK | MAP_GROWSDOWN | MAP_NORESERVE));
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

void startGuestBreak(Machine& m) {
    uint64_t start = m.space.breakStart();
    m.space.setBreak(start + 1, kBreakSlack);
    m.space.setBreak(start, 0);
    m.memory.freshen(pageUp(start), m.space.breakTop() - pageUp(start));
    publishBreak(m);
}

void adoptGuestBreak(Machine& m) { m.space.adoptBreak(sharedField(m, NIDO_VMM_SHARED_BRK_CURRENT)); }

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
