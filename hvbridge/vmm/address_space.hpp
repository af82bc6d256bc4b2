// The guest's dynamic memory: brk growing up from the executable's end and
// mmap regions handed out top-down below the stack guard, from one free list,
// and the mmap pool: a stretch owned by the guest whose pages the entry page
// hands out itself (syscall_entry_abi.h), from the top down.
// Guest-virtual equals guest-physical, so this only decides who owns what;
// protections are not enforced (mprotect succeeds and changes nothing).
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace nido::hv::vmm {

class AddressSpace {
public:
    // The guest owns nothing in [low, high) yet; brk starts at `low`.
    void init(uint64_t low, uint64_t high);

    // Linux brk(2): moves the break if the pages are free; returns the break.
    // Growth claims `slack` bytes more than asked (if free), so that the
    // guest can grow its break inside them without an exit; the pages stay
    // owned up to breakTop() when the break shrinks.
    uint64_t setBreak(uint64_t requested, uint64_t slack);
    // Takes a break the guest moved itself (the entry page's brk), if it
    // lies in [breakStart(), breakTop()]; anything else is ignored.
    void adoptBreak(uint64_t guestBreak);
    uint64_t breakStart() const { return brkStart_; }
    uint64_t currentBreak() const { return brk_; }
    uint64_t breakTop() const { return brkTop_; }

    // A free page-aligned range of `len` bytes, highest first; 0 if none.
    uint64_t allocate(uint64_t len);
    // Marks [addr, addr+len) owned (MAP_FIXED); false if outside the range.
    bool claim(uint64_t addr, uint64_t len);
    // Gives [addr, addr+len) back; pages not owned are ignored.
    void release(uint64_t addr, uint64_t len);
    // True if all of [addr, addr+len) is free.
    bool isFree(uint64_t addr, uint64_t len) const;
    // Owned mmap ranges, ascending (for /proc/self/maps); the pool's pages
    // not yet handed out are left out.
    std::vector<std::pair<uint64_t, uint64_t>> mappedRanges() const;

    // Gives back what is left of the pool, then claims a new one: the top
    // `len` bytes of the largest free range, or all of it if smaller; none
    // (an empty pool, false) if that is less than `least`. The pool is
    // [poolLow(), poolNext()); the guest takes pages from its top.
    bool replacePool(uint64_t len, uint64_t least);
    // The top `len` bytes of the pool, handed out as the entry page does; 0
    // if the pool has less.
    uint64_t takeFromPool(uint64_t len);
    // Gives back the pool's pages not yet handed out; the pool is then empty.
    void retirePool();
    // Takes the pool's top as the guest moved it, if it lies in [poolLow(),
    // poolNext()] (the pool only shrinks); anything else is ignored.
    void adoptPoolNext(uint64_t guestNext);
    // True if [addr, addr+len) overlaps the pool's pages not yet handed out.
    bool overlapsPool(uint64_t addr, uint64_t len) const;
    uint64_t poolLow() const { return poolLow_; }
    uint64_t poolNext() const { return poolNext_; }

private:
    std::map<uint64_t, uint64_t> free_;  // start -> end, disjoint, merged
    uint64_t low_ = 0, high_ = 0;
    uint64_t brkStart_ = 0, brk_ = 0, brkTop_ = 0;  // brkTop_: page-aligned end of owned break pages
    uint64_t poolLow_ = 0, poolNext_ = 0;           // owned, not yet handed out by the entry page
};

}  // namespace nido::hv::vmm
