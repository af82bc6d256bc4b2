// The insertion-ordered hash map (layout and invariants in map.hpp).
#include "vm/map.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "vm/gc.hpp"

namespace nido::vm {
namespace {

// At most this many entries: positions must fit the 32-bit index slots.
constexpr int64_t kMaxEntries = int64_t(1) << 30;

// SplitMix64's finaliser: spreads consecutive ints over the whole index.
uint64_t mix(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

uint64_t hashKey(KeyKind kind, Value key) {
    uint64_t h = 0;
    switch (kind) {
    case KeyKind::Int:
    case KeyKind::Bool: h = mix(uint64_t(key.i)); break;
    case KeyKind::String: h = key.ref ? mix(stringHash(static_cast<String*>(key.ref))) : 0; break;
    case KeyKind::Object: h = mix(uint64_t(reinterpret_cast<uintptr_t>(key.ref))); break;
    }
    return h >> 1;  // top bit clear: never kDeadEntry
}

bool keysEqual(KeyKind kind, Value a, Value b) {
    if (kind == KeyKind::String) return stringsEqual(static_cast<String*>(a.ref), static_cast<String*>(b.ref));
    return a.i == b.i;  // ints, bools, and object identity (same bits)
}

// Rebuilds the index for entries[0, used) with size slots (a power of two).
bool rebuildIndex(Map* m, uint64_t size) {
    auto* index = static_cast<uint32_t*>(gcAllocAtomic(size * sizeof(uint32_t)));
    if (!index) return false;
    std::memset(index, 0, size * sizeof(uint32_t));
    uint64_t mask = size - 1;
    for (int64_t e = 0; e < m->used; e++) {
        if (!entryLive(m->entries[e])) continue;
        uint64_t i = m->entries[e].hash & mask;
        while (index[i] != 0) i = (i + 1) & mask;
        index[i] = uint32_t(e + 1);
    }
    m->index = index;
    m->indexMask = mask;
    return true;
}

// Moves the live entries into a new array of cap entries (cap >= count)
// and rebuilds the index; on failure the map is unchanged.
bool resize(Map* m, int64_t cap) {
    if (cap > kMaxEntries) return false;
    bool pointers = m->keyKind == KeyKind::String || m->keyKind == KeyKind::Object || m->valueKind == ValKind::Ref;
    size_t bytes = size_t(cap) * sizeof(MapEntry);
    auto* entries = static_cast<MapEntry*>(pointers ? gcAllocScanned(bytes) : gcAllocAtomic(bytes));
    if (!entries) return false;
    int64_t n = 0;
    for (int64_t e = 0; e < m->used; e++) {
        if (entryLive(m->entries[e])) entries[n++] = m->entries[e];
    }
    MapEntry* oldEntries = m->entries;
    int64_t oldUsed = m->used;
    m->entries = entries;
    m->used = n;
    if (!rebuildIndex(m, std::bit_ceil(uint64_t(cap) * 2))) {
        m->entries = oldEntries;
        m->used = oldUsed;
        return false;
    }
    m->cap = cap;
    // As for arrays (object.cpp): a pinned old buffer must hold nothing.
    if (pointers && oldEntries) std::memset(oldEntries, 0, size_t(oldUsed) * sizeof(MapEntry));
    return true;
}

// Makes room for one more entry: compacts when at least half the entries
// are dead, else grows by half, or by less when the heap has no room for
// that (near the heap limit the map still takes what fits).
bool makeRoom(Map* m) {
    if (m->used < m->cap) return true;
    if (m->cap > 0 && m->count * 2 <= m->used) return resize(m, m->cap);
    if (resize(m, std::max<int64_t>(8, m->cap + m->cap / 2))) return true;
    return m->cap >= 64 && resize(m, m->cap + m->cap / 8);
}

// Index slot holding key's entry, or the empty slot where it would go.
uint64_t probe(const Map* m, Value key, uint64_t hash) {
    uint64_t i = hash & m->indexMask;
    while (m->index[i] != 0) {
        const MapEntry& e = m->entries[m->index[i] - 1];
        if (e.hash == hash && keysEqual(m->keyKind, e.key, key)) return i;
        i = (i + 1) & m->indexMask;
    }
    return i;
}

}  // namespace

Map* newMap(KeyKind keyKind, ValKind valueKind, int64_t cap) {
    auto* m = static_cast<Map*>(gcAllocScanned(sizeof(Map)));
    if (!m) return nullptr;
    m->kind = ObjKind::Map;
    m->keyKind = keyKind;
    m->valueKind = valueKind;
    m->count = m->used = m->cap = 0;
    m->entries = nullptr;
    m->index = nullptr;
    m->indexMask = 0;
    if (cap > 0 && !resize(m, cap)) return nullptr;
    return m;
}

Value* mapFind(Map* m, Value key) {
    if (m->count == 0) return nullptr;
    uint64_t hash = hashKey(m->keyKind, key);
    uint32_t slot = m->index[probe(m, key, hash)];
    return slot == 0 ? nullptr : &m->entries[slot - 1].value;
}

bool mapSet(Map* m, Value key, Value value) {
    if (Value* v = mapFind(m, key)) {
        *v = value;
        return true;
    }
    if (!makeRoom(m)) return false;
    uint64_t hash = hashKey(m->keyKind, key);
    m->index[probe(m, key, hash)] = uint32_t(m->used + 1);
    m->entries[m->used++] = MapEntry{key, value, hash};
    m->count++;
    return true;
}

void mapRemove(Map* m, Value key) {
    if (m->count == 0) return;
    uint32_t slot = m->index[probe(m, key, hashKey(m->keyKind, key))];
    if (slot == 0) return;
    // The index slot stays, pointing at a dead entry: probes walk past it.
    MapEntry& e = m->entries[slot - 1];
    e = MapEntry{Value{.i = 0}, Value{.i = 0}, kDeadEntry};
    m->count--;
}

}  // namespace nido::vm
