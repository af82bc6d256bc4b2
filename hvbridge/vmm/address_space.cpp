// The free list behind brk and mmap.
#include "address_space.hpp"

#include <algorithm>

#include "guest_layout.hpp"

namespace nido::hv::vmm {

namespace {

uint64_t pageUp(uint64_t v) { return (v + layout::kPageSize - 1) & ~(layout::kPageSize - 1); }

}  // namespace

void AddressSpace::init(uint64_t low, uint64_t high) {
    low_ = low;
    high_ = high;
    brkStart_ = brk_ = low;
    brkTop_ = pageUp(low);
    poolLow_ = poolNext_ = 0;
    free_.clear();
    if (brkTop_ < high) free_[brkTop_] = high;
}

uint64_t AddressSpace::setBreak(uint64_t requested, uint64_t slack) {
    if (requested < brkStart_ || requested >= high_) return brk_;
    uint64_t needed = pageUp(requested);
    if (needed > brkTop_) {
        uint64_t wanted = std::min(needed + pageUp(slack), high_);
        if (isFree(brkTop_, wanted - brkTop_)) {
            needed = wanted;
        } else if (!isFree(brkTop_, needed - brkTop_)) {
            return brk_;
        }
        claim(brkTop_, needed - brkTop_);
        brkTop_ = needed;
    }
    brk_ = requested;
    return brk_;
}

void AddressSpace::adoptBreak(uint64_t guestBreak) {
    if (guestBreak >= brkStart_ && guestBreak <= brkTop_) brk_ = guestBreak;
}

uint64_t AddressSpace::allocate(uint64_t len) {
    len = pageUp(len);
    if (len == 0) return 0;
    for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
        auto [start, end] = *it;
        // Keep the page just above the break free so a growing brk heap is not
        // fenced in by the first mmap.
        uint64_t floor = start == brkTop_ ? start + layout::kPageSize : start;
        if (end - floor < len || end < floor) continue;
        uint64_t addr = end - len;
        claim(addr, len);
        return addr;
    }
    return 0;
}

bool AddressSpace::claim(uint64_t addr, uint64_t len) {
    uint64_t end = addr + pageUp(len);
    if (addr < low_ || end > high_ || end < addr) return false;
    auto it = free_.upper_bound(addr);
    if (it != free_.begin()) --it;
    while (it != free_.end() && it->first < end) {
        auto [fs, fe] = *it;
        if (fe <= addr) {
            ++it;
            continue;
        }
        it = free_.erase(it);
        if (fs < addr) free_[fs] = addr;
        if (fe > end) free_[end] = fe;
    }
    return true;
}

void AddressSpace::release(uint64_t addr, uint64_t len) {
    uint64_t end = std::min(addr + pageUp(len), high_);
    addr = std::max(addr, low_);
    if (addr >= end) return;
    claim(addr, end - addr);  // drop any overlap, then insert one merged range
    auto next = free_.lower_bound(end);
    if (next != free_.end() && next->first == end) {
        end = next->second;
        free_.erase(next);
    }
    auto prev = free_.lower_bound(addr);
    if (prev != free_.begin()) {
        --prev;
        if (prev->second == addr) {
            prev->second = end;
            return;
        }
    }
    free_[addr] = end;
}

bool AddressSpace::isFree(uint64_t addr, uint64_t len) const {
    auto it = free_.upper_bound(addr);
    if (it == free_.begin()) return false;
    --it;
    return it->first <= addr && addr + len <= it->second;
}

std::vector<std::pair<uint64_t, uint64_t>> AddressSpace::mappedRanges() const {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    uint64_t cursor = brkTop_;
    auto add = [&](uint64_t start, uint64_t end) {
        if (start >= end) return;
        if (poolLow_ < poolNext_ && start < poolNext_ && poolLow_ < end) {
            if (start < poolLow_) out.push_back({start, poolLow_});
            if (poolNext_ < end) out.push_back({poolNext_, end});
            return;
        }
        out.push_back({start, end});
    };
    for (auto [start, end] : free_) {
        add(cursor, start);
        cursor = std::max(cursor, end);
    }
    add(cursor, high_);
    return out;
}

bool AddressSpace::replacePool(uint64_t len, uint64_t least) {
    retirePool();
    uint64_t start = 0, end = 0;
    for (auto [s, e] : free_) {
        uint64_t floor = s == brkTop_ ? s + layout::kPageSize : s;  // as allocate() does
        if (e > floor && e - floor >= end - start) start = floor, end = e;
    }
    uint64_t size = std::min(end - start, pageUp(len));
    if (size == 0 || size < least) return false;
    claim(end - size, size);
    poolLow_ = end - size;
    poolNext_ = end;
    return true;
}

uint64_t AddressSpace::takeFromPool(uint64_t len) {
    len = pageUp(len);
    if (len == 0 || poolNext_ - poolLow_ < len) return 0;
    poolNext_ -= len;
    return poolNext_;
}

void AddressSpace::retirePool() {
    if (poolLow_ < poolNext_) release(poolLow_, poolNext_ - poolLow_);
    poolLow_ = poolNext_ = 0;
}

void AddressSpace::adoptPoolNext(uint64_t guestNext) {
    if (guestNext >= poolLow_ && guestNext <= poolNext_ && (guestNext & (layout::kPageSize - 1)) == 0)
        poolNext_ = guestNext;
}

bool AddressSpace::overlapsPool(uint64_t addr, uint64_t len) const {
    return poolLow_ < poolNext_ && addr < poolNext_ && poolLow_ < addr + len;
}

}  // namespace nido::hv::vmm
