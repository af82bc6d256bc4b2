// Anonymous mmap and munmap as the entry page serves them from the VMM's
// pool (syscall_entry_abi.h): many more bytes mapped and unmapped than the
// guest has, each new mapping zero; a pool the guest spoils (its unused
// pages unmapped, its shared fields scribbled on) still hands out distinct
// zero pages; and exhausted memory is ENOMEM, after which freed memory
// serves again. Run with --mem 256M.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define SHARED_PAGE 0x57000ul
#define POOL_LOW (SHARED_PAGE + 0x48)
#define POOL_NEXT (SHARED_PAGE + 0x50)

static void* anon(size_t len) { return mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); }

// Whether every page of p reads as zero where dirty() writes.
static int zeroPages(const unsigned char* p, size_t len) {
    for (size_t i = 0; i < len; i += 4096)
        if (p[i] || p[len - 1]) return 0;
    return 1;
}

static void dirty(unsigned char* p, size_t len) {
    for (size_t i = 0; i < len; i += 4096) p[i] = 0x5a;
    p[len - 1] = 0x5a;
}

int main(void) {
    // 3,000 rounds of up to 512 KiB, 750 MiB in all: only reuse makes it fit.
    int zero = 1, failed = 0;
    uint64_t total = 0, seed = 1;
    void* held[8] = {0};
    size_t heldLen[8] = {0};
    for (int i = 0; i < 3000; ++i) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = 4096 + (seed >> 33) % (1 << 19);
        unsigned char* p = anon(len);
        if (p == MAP_FAILED) {
            ++failed;
            continue;
        }
        zero &= zeroPages(p, len);
        dirty(p, len);
        total += len;
        int slot = i % 8;  // a few stay mapped a while, so frees interleave
        if (held[slot]) munmap(held[slot], heldLen[slot]);
        held[slot] = p;
        heldLen[slot] = len;
    }
    for (int i = 0; i < 8; ++i) munmap(held[i], heldLen[i]);
    printf("mapped more than 512 MiB in 3000 calls: %d, each zero: %d, failed: %d\n", total > (512u << 20), zero,
           failed);

    // The guest unmaps pool pages it was never given, then scribbles on the
    // pool's fields: later mappings are still zero and do not overlap.
    uint64_t next = *(volatile uint64_t*)POOL_NEXT;
    munmap((void*)(next - (1 << 20)), 1 << 20);
    *(volatile uint64_t*)POOL_NEXT = 0x1000;
    *(volatile uint64_t*)POOL_LOW = 0x2000;
    unsigned char* x = anon(1 << 20);
    unsigned char* y = anon(1 << 20);
    int apart = x != MAP_FAILED && y != MAP_FAILED && (x + (1 << 20) <= y || y + (1 << 20) <= x) &&
                (uintptr_t)x >= 0x400000 && (uintptr_t)y >= 0x400000;
    int clean = apart && zeroPages(x, 1 << 20) && zeroPages(y, 1 << 20);
    printf("spoilt pool: apart %d, zero %d\n", apart, clean);
    munmap(x, 1 << 20);
    munmap(y, 1 << 20);

    // Exhaustion: 1 MiB at a time until the VMM says no.
    static void* all[4096];
    int n = 0;
    void* p;
    while (n < 4096 && (p = anon(1 << 20)) != MAP_FAILED) {
        dirty(p, 1 << 20);
        all[n++] = p;
    }
    int enomem = errno == ENOMEM;
    for (int i = 0; i < n; ++i) munmap(all[i], 1 << 20);
    unsigned char* again = anon(16 << 20);
    printf("exhausted: ENOMEM %d after more than 128 MiB %d, mapped again and zero %d\n", enomem, n > 128,
           again != MAP_FAILED && zeroPages(again, 16 << 20));
    return 0;
}
