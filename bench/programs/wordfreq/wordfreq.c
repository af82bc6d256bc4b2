/* wordfreq.c -- generate text with an LCG, split it into words, count them in a map
 * and print the ten most frequent words (by count, then alphabetically). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *WORDS[] = {"the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
    "as", "was", "with", "be", "by", "on", "not", "he", "this", "are"};
static const char *SUFFIXES[] = {"", "s", "ed", "ing", "ly"};

static uint64_t seed = 12345;

static uint64_t nextRand(void) {
    seed = (seed * 1664525u + 1013904223u) % 4294967296u;
    return seed >> 8;
}

/* Open-addressing hash map from string to count. */
typedef struct {
    char *key;
    long count;
} Entry;

static Entry *table;
static size_t cap = 16, used = 0;

static uint64_t hash(const char *s, size_t len) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return h;
}

static void insertRaw(Entry *t, size_t c, char *key, long count) {
    size_t i = hash(key, strlen(key)) & (c - 1);
    while (t[i].key) i = (i + 1) & (c - 1);
    t[i].key = key;
    t[i].count = count;
}

static void add(const char *s, size_t len) {
    size_t i = hash(s, len) & (cap - 1);
    while (table[i].key) {
        if (strlen(table[i].key) == len && memcmp(table[i].key, s, len) == 0) {
            table[i].count++;
            return;
        }
        i = (i + 1) & (cap - 1);
    }
    char *k = malloc(len + 1);
    memcpy(k, s, len);
    k[len] = 0;
    table[i].key = k;
    table[i].count = 1;
    if (++used * 2 > cap) {
        size_t nc = cap * 2;
        Entry *nt = calloc(nc, sizeof(Entry));
        for (size_t j = 0; j < cap; j++)
            if (table[j].key) insertRaw(nt, nc, table[j].key, table[j].count);
        free(table);
        table = nt;
        cap = nc;
    }
}

static int cmp(const void *pa, const void *pb) {
    const Entry *a = pa, *b = pb;
    if (a->count != b->count) return a->count < b->count ? 1 : -1;
    return strcmp(a->key, b->key);
}

int main(void) {
    int n = 1500000;
    int perLine = 10;

    size_t tcap = (size_t)n * 10 + 16, tlen = 0;
    char *text = malloc(tcap);
    int inLine = 0;
    for (int i = 0; i < n; i++) {
        uint64_t a = nextRand() % 20;
        uint64_t b = nextRand() % (a + 1);
        uint64_t s = nextRand() % 5;
        if (inLine > 0) text[tlen++] = ' ';
        else if (tlen > 0) text[tlen++] = '\n';
        size_t wl = strlen(WORDS[b]), sl = strlen(SUFFIXES[s]);
        memcpy(text + tlen, WORDS[b], wl);
        tlen += wl;
        memcpy(text + tlen, SUFFIXES[s], sl);
        tlen += sl;
        if (++inLine == perLine) inLine = 0;
    }
    text[tlen] = 0;

    table = calloc(cap, sizeof(Entry));
    long total = 0;
    size_t p = 0;
    while (p <= tlen) {
        size_t le = p;
        while (le < tlen && text[le] != '\n') le++;
        size_t q = p;
        while (q <= le) {
            size_t we = q;
            while (we < le && text[we] != ' ') we++;
            if (we > q) {
                add(text + q, we - q);
                total++;
            }
            q = we + 1;
        }
        p = le + 1;
    }

    Entry *list = malloc(used * sizeof(Entry));
    size_t k = 0;
    for (size_t j = 0; j < cap; j++)
        if (table[j].key) list[k++] = table[j];
    qsort(list, used, sizeof(Entry), cmp);

    printf("%zu bytes, %ld words, %zu distinct\n", tlen, total, used);
    for (size_t j = 0; j < used && j < 10; j++) printf("%s %ld\n", list[j].key, list[j].count);
    return 0;
}
