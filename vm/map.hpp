// Nido's {K: V}: an insertion-ordered hash map, laid out like CPython's
// dict. Entries live in an array in insertion order; a separate
// open-addressing index (linear probing, power-of-two size, at most half
// full) maps hashes to entry positions. Removing marks the entry dead and
// leaves its index slot in place, where it acts as a tombstone; when the
// entry array fills up it is compacted (many dead entries) or grown, and
// the index is rebuilt. So iteration, keys() and values() follow insertion
// order, and a key removed and inserted again moves to the end.
//
// Keys are ints, bools, strings (by bytes) or objects (by identity, which
// is stable because Boehm never moves objects).
#pragma once

#include <cstdint>

#include "vm/object.hpp"

namespace nido::vm {

enum class KeyKind : uint8_t { Int, Bool, String, Object };

// The ValKind an array of such keys (keys()) holds.
inline ValKind keyValKind(KeyKind k) {
    switch (k) {
    case KeyKind::Int: return ValKind::Int;
    case KeyKind::Bool: return ValKind::Bool;
    default: return ValKind::Ref;
    }
}

struct MapEntry {
    Value key;
    Value value;
    uint64_t hash;  // top bit clear for live entries; kDeadEntry once removed
};

constexpr uint64_t kDeadEntry = ~uint64_t(0);

struct Map : Obj {
    KeyKind keyKind;
    ValKind valueKind;
    int64_t count;       // live entries
    int64_t used;        // entries[0, used) are live or dead
    int64_t cap;         // room in entries
    MapEntry* entries;   // atomic unless keys or values are references
    uint32_t* index;     // atomic; 0 is an empty slot, else entry position + 1
    uint64_t indexMask;  // index size - 1
};

// An empty map with room for cap entries.
Map* newMap(KeyKind keyKind, ValKind valueKind, int64_t cap);
// The value slot of key, or nullptr when absent. The pointer is valid until
// the next insertion.
Value* mapFind(Map* m, Value key);
// Inserts or replaces; false when out of memory (the map is unchanged).
bool mapSet(Map* m, Value key, Value value);
// Removes key if present.
void mapRemove(Map* m, Value key);

inline bool entryLive(const MapEntry& e) { return e.hash != kDeadEntry; }

}  // namespace nido::vm
