// Guest RAM and its page tables.
#include "guest_memory.hpp"

#include <sys/mman.h>

#include <cerrno>

#include "guest_layout.hpp"

namespace nido::hv::vmm {

namespace {

constexpr uint64_t kPresent = 1, kWritable = 2, kUser = 4, kAccessed = 0x20, kDirty = 0x40, kLarge = 0x80;
// Accessed and dirty set up front so the CPU never has to write them back.
constexpr uint64_t kTableFlags = kPresent | kWritable | kUser | kAccessed;

// Used pages up to this much are cleared with memset, keeping their mappings;
// a larger run (a dropped 256 MiB stack) is cheaper to give back.
constexpr uint64_t kClearInPlaceLimit = 4ull << 20;

uint64_t alignDown(uint64_t v, uint64_t a) { return v & ~(a - 1); }
uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

}  // namespace

GuestMemory::~GuestMemory() {
    // SAFETY: base_/size_ are exactly the mapping made in create().
    if (base_) munmap(base_, size_);
}

bool GuestMemory::create(uint64_t bytes, std::string& error) {
    // SAFETY: a fresh private anonymous mapping owned by this object. NORESERVE
    // because most of a large guest RAM is never touched.
    // 2 MiB of slack so that the start is 2 MiB aligned like the guest's pages.
    uint64_t mapped = bytes + layout::kLargePage;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        error = std::string("cannot map guest memory: ") + strerror(errno);
        return false;
    }
    auto start = reinterpret_cast<uint64_t>(p);
    uint64_t aligned = alignUp(start, layout::kLargePage);
    // SAFETY: both pieces are the unused slack of the mapping just made.
    if (aligned > start) munmap(p, aligned - start);
    if (aligned + bytes < start + mapped)
        munmap(reinterpret_cast<void*>(aligned + bytes), start + mapped - aligned - bytes);
    base_ = reinterpret_cast<uint8_t*>(aligned);
    // SAFETY: advice on our own mapping; failure only costs speed. Huge
    // host pages let KVM map guest RAM 2 MiB at a time: measured on PVM, a
    // guest's first touch of a 4 KiB page fell from ~5 us to ~0.1 us, and a
    // Nido hello's time inside KVM_RUN from ~14.5 ms to ~9.5 ms.
    madvise(base_, bytes, MADV_HUGEPAGE);
    size_ = bytes;
    used_.assign((bytes / layout::kPageSize + 63) / 64, 0);
    return true;
}

uint8_t* GuestMemory::user(uint64_t addr, uint64_t len) const {
    if (addr < layout::kUserStart || addr > size_ || len > size_ - addr) return nullptr;
    return base_ + addr;
}

uint8_t* GuestMemory::raw(uint64_t addr, uint64_t len) const {
    if (addr > size_ || len > size_ - addr) return nullptr;
    return base_ + addr;
}

// SAFETY: the fields are fixed offsets inside the shared page, inside RAM.
uint64_t GuestMemory::sharedWord(uint64_t field) const {
    uint64_t value;
    std::memcpy(&value, raw(layout::kSharedPage + field, 8), 8);
    return value;
}

// SAFETY: as for sharedWord.
void GuestMemory::setSharedWord(uint64_t field, uint64_t value) {
    std::memcpy(raw(layout::kSharedPage + field, 8), &value, 8);
}

bool GuestMemory::readString(uint64_t addr, std::string& out, size_t max) const {
    out.clear();
    for (size_t i = 0; i < max; ++i) {
        const uint8_t* p = user(addr + i, 1);
        if (!p) return false;
        if (*p == 0) return true;
        out.push_back(static_cast<char>(*p));
    }
    return false;
}

void GuestMemory::freshen(uint64_t addr, uint64_t len) {
    if (!user(addr, len) || len == 0) return;
    uint64_t first = addr / layout::kPageSize, last = alignUp(addr + len, layout::kPageSize) / layout::kPageSize;
    uint64_t page = first;
    while (page < last) {
        bool used = isUsed(page);
        uint64_t run = endOfRun(page, last, used);
        markUsed(page, run);
        uint64_t start = page * layout::kPageSize, bytes = (run - page) * layout::kPageSize;
        if (!used) {
            // Never handed out: still zero.
        } else if (bytes <= kClearInPlaceLimit) {
            std::memset(base_ + start, 0, bytes);
        } else {
            // SAFETY: a page-aligned range of our own mapping; DONTNEED on private
            // anonymous memory makes it read as zero.
            madvise(base_ + start, bytes, MADV_DONTNEED);
        }
        page = run;
    }
}

void GuestMemory::markZero(uint64_t addr, uint64_t len) {
    if (!user(addr, len)) return;
    uint64_t last = alignUp(addr + len, layout::kPageSize) / layout::kPageSize;
    for (uint64_t page = addr / layout::kPageSize; page < last; ++page)
        used_[page / 64] &= ~(uint64_t{1} << (page % 64));
}

uint64_t GuestMemory::endOfRun(uint64_t page, uint64_t last, bool used) const {
    const uint64_t same = used ? ~uint64_t{0} : 0;
    while (page < last) {
        if (page % 64 == 0 && last - page >= 64 && used_[page / 64] == same) {
            page += 64;
        } else if (isUsed(page) == used) {
            ++page;
        } else {
            break;
        }
    }
    return page;
}

void GuestMemory::markUsed(uint64_t first, uint64_t last) {
    for (uint64_t page = first; page < last;) {
        if (page % 64 == 0 && last - page >= 64) {
            used_[page / 64] = ~uint64_t{0};
            page += 64;
        } else {
            used_[page / 64] |= uint64_t{1} << (page % 64);
            ++page;
        }
    }
}

void GuestMemory::populate(uint64_t addr, uint64_t len) {
    uint8_t* p = raw(addr, len);
    if (!p || len == 0) return;
    uint64_t start = alignDown(addr, layout::kPageSize), end = alignUp(addr + len, layout::kPageSize);
    // SAFETY: a page-aligned range of our own mapping; failure only costs speed.
    madvise(base_ + start, end - start, MADV_POPULATE_WRITE);
}

void GuestMemory::buildPageTables(uint64_t stackGuard) {
    auto entry = [&](uint64_t table, uint64_t index) -> uint64_t& {
        // SAFETY: the tables are 8-byte aligned pages inside RAM (create() mapped them).
        return reinterpret_cast<uint64_t*>(base_ + table)[index];
    };
    uint64_t gigabytes = alignUp(size_, 1ull << 30) >> 30;
    entry(layout::kPml4, 0) = layout::kPdpt | kTableFlags;
    for (uint64_t g = 0; g < gigabytes; ++g) {
        uint64_t pd = layout::kPageDirectories + g * layout::kPageSize;
        entry(layout::kPdpt, g) = pd | kTableFlags;
        for (uint64_t i = 0; i < 512; ++i) {
            uint64_t addr = (g << 30) + i * layout::kLargePage;
            if (addr >= size_) break;
            if (addr == layout::kProbeHoleStart || addr == stackGuard) continue;
            entry(pd, i) = addr | kTableFlags | kDirty | kLarge;
        }
    }
    entry(layout::kPageDirectories, 0) = layout::kLowPageTable | kTableFlags;
    auto low = [&](uint64_t addr, uint64_t flags) {
        entry(layout::kLowPageTable, addr / layout::kPageSize) = addr | flags | kPresent | kAccessed | kDirty;
    };
    low(layout::kGdt, kWritable);  // the CPU sets the TSS descriptor's busy bit
    low(layout::kIdt, 0);
    for (uint64_t i = 0; i < layout::kTssPages; ++i) low(layout::kTss + i * layout::kPageSize, kWritable);
    low(layout::kSyscallEntry, kUser);
    low(layout::kFaultStubs, 0);
    low(layout::kSharedPage, kUser | kWritable);
    for (uint64_t a = layout::kIstStack; a < layout::kIstStackTop; a += layout::kPageSize) low(a, kWritable);
}

}  // namespace nido::hv::vmm
