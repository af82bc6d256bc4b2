// Guest RAM: one anonymous host mapping registered as KVM memory slot 0 at
// guest-physical 0, and the identity page tables that map it for the guest.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace nido::hv::vmm {

class GuestMemory {
public:
    GuestMemory() = default;
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;
    ~GuestMemory();

    // Maps `bytes` (a multiple of 2 MiB) of host memory; false with `error` set on failure.
    bool create(uint64_t bytes, std::string& error);
    uint64_t size() const { return size_; }
    uint8_t* hostBase() const { return base_; }

    // Host pointer to guest range [addr, addr+len) if it lies in memory the
    // guest may own (not the VMM's low structures); nullptr otherwise.
    uint8_t* user(uint64_t addr, uint64_t len) const;
    // Host pointer to any guest range inside RAM (for the VMM's own use).
    uint8_t* raw(uint64_t addr, uint64_t len) const;

    template <typename T>
    bool read(uint64_t addr, T& out) const {
        const uint8_t* p = user(addr, sizeof(T));
        if (p) std::memcpy(&out, p, sizeof(T));
        return p != nullptr;
    }
    template <typename T>
    bool write(uint64_t addr, const T& value) {
        uint8_t* p = user(addr, sizeof(T));
        if (p) std::memcpy(p, &value, sizeof(T));
        return p != nullptr;
    }
    // A word of the shared page the entry page's fast paths use
    // (syscall_entry_abi.h), at a NIDO_VMM_SHARED_* offset. The guest can
    // write the page: what is read from it is hostile.
    uint64_t sharedWord(uint64_t field) const;
    void setSharedWord(uint64_t field, uint64_t value);

    // Reads a NUL-terminated string of at most `max` bytes; false if unterminated or out of range.
    bool readString(uint64_t addr, std::string& out, size_t max = 4096) const;

    // Makes a page-aligned range read as zero for a new owner (mmap, brk,
    // MADV_DONTNEED). Pages the guest used before are cleared in place,
    // keeping their host and guest mappings: a guest's first touch of a page
    // costs 14-27 us, or 1.6 us when the host page exists (NOTES.md), so
    // giving pages back on every munmap would make each reuse pay that again.
    void freshen(uint64_t addr, uint64_t len);
    // Records that a page-aligned range reads as zero although it was handed
    // out: the pool's pages the guest never took, when the pool ends. (A guest
    // that wrote there anyway gets its own bytes back later, nothing else.)
    void markZero(uint64_t addr, uint64_t len);
    // Faults the host pages of a range in ahead of the guest (contents
    // unchanged). Measured here (a nested host, PVM): a guest's first touch of
    // a page the host already has costs 0.1-0.25 us, of one it has not ~70 us;
    // populating costs the host ~0.2 us a page. Guest RAM is advised as huge
    // host pages (MADV_HUGEPAGE, create()), which cut the guest's side of a
    // first touch to ~0.1 us once the 2 MiB page exists.
    void populate(uint64_t addr, uint64_t len);

    // Writes the identity page tables: 2 MiB pages over RAM, 4 KiB pages in
    // the first 2 MiB, holes at the null page, the probe hole and the stack guard.
    void buildPageTables(uint64_t stackGuard);

private:
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    // One bit per 4 KiB page: owned by the guest since freshen(), so maybe
    // dirty. Words, so that freshen() skips 64 pages of one state at a time
    // (it marks the whole mmap pool at start-up: 512 MiB for 1 GiB of RAM).
    std::vector<uint64_t> used_;
    bool isUsed(uint64_t page) const { return (used_[page / 64] >> (page % 64)) & 1; }
    // The first page in [page, last) whose state differs from `used`, or last.
    uint64_t endOfRun(uint64_t page, uint64_t last, bool used) const;
    void markUsed(uint64_t first, uint64_t last);
};

}  // namespace nido::hv::vmm
