/* The Computer Language Benchmarks Game fannkuch-redux (sequential version). */
#include <stdio.h>

static void fannkuch(int n, int *checksum_out, int *max_out) {
    int perm[32], perm1[32], count[32];
    for (int i = 0; i < n; i++) { perm[i] = 0; perm1[i] = i; count[i] = 0; }
    int maxFlips = 0, checksum = 0, permCount = 0, r = n;
    while (1) {
        while (r != 1) {
            count[r - 1] = r;
            r--;
        }
        for (int i = 0; i < n; i++) perm[i] = perm1[i];
        int flips = 0;
        int k = perm[0];
        while (k != 0) {
            int i = 0, j = k;
            while (i < j) {
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                i++;
                j--;
            }
            flips++;
            k = perm[0];
        }
        if (flips > maxFlips) maxFlips = flips;
        if (permCount % 2 == 0) checksum += flips;
        else checksum -= flips;
        /* Next permutation. */
        while (1) {
            if (r == n) {
                *checksum_out = checksum;
                *max_out = maxFlips;
                return;
            }
            int perm0 = perm1[0];
            for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r]--;
            if (count[r] > 0) break;
            r++;
        }
        permCount++;
    }
}

int main(void) {
    const int n = 9;
    int checksum, maxFlips;
    fannkuch(n, &checksum, &maxFlips);
    printf("%d\nPfannkuchen(%d) = %d\n", checksum, n, maxFlips);
    return 0;
}
