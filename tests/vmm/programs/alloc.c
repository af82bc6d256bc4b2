// Allocates and frees 200 MB in total through malloc, in sizes from 16 bytes
// to 4 MB (so both brk and mmap, and mremap through realloc), checking the
// contents; prints a checksum.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    enum { kSlots = 1024 };
    static char* slots[kSlots];
    static size_t sizes[kSlots];
    uint64_t total = 0, sum = 0, seed = 42;
    while (total < 200u << 20) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t i = (seed >> 33) % kSlots;
        size_t size = (seed >> 40) % 8 == 0 ? ((seed >> 20) % (4u << 20)) + 1 : ((seed >> 24) % 4096) + 16;
        if (slots[i]) {
            if (slots[i][0] != (char)i || slots[i][sizes[i] - 1] != (char)i) {
                printf("corrupted slot %zu\n", i);
                return 1;
            }
            sum += sizes[i];
            if (seed & 1) {
                free(slots[i]);
                slots[i] = NULL;
                continue;
            }
            slots[i] = realloc(slots[i], size);
        } else {
            slots[i] = malloc(size);
        }
        if (!slots[i]) {
            printf("out of memory after %llu bytes\n", (unsigned long long)total);
            return 1;
        }
        memset(slots[i], (char)i, size);
        sizes[i] = size;
        total += size;
    }
    printf("allocated %llu MB, checksum %llu\n", (unsigned long long)(total >> 20), (unsigned long long)sum);
    return 0;
}
