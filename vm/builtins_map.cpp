// {K: V} methods (LANGUAGE.md section 7); the map itself is in map.hpp.
#include "vm/builtin_impl.hpp"

namespace nido::vm {
namespace {

// The keys (or values) of m in insertion order, as a new array.
void collect(Vm& vm, Value* args, bool keys) {
    Map* m = asMap(args[0]);
    Array* a = newArray(keys ? keyValKind(m->keyKind) : m->valueKind, m->count, m->count);
    if (a) {
        int64_t n = 0;
        for (int64_t e = 0; e < m->used; e++) {
            if (entryLive(m->entries[e])) a->data[n++] = keys ? m->entries[e].key : m->entries[e].value;
        }
    }
    returnArray(vm, args, a);
}

}  // namespace

void builtin_MAP_GET_OR(Vm&, Value* args) {
    const Value* v = mapFind(asMap(args[0]), args[1]);
    args[0] = v ? *v : args[2];
}

void builtin_MAP_HAS(Vm&, Value* args) { args[0].i = mapFind(asMap(args[0]), args[1]) != nullptr; }

// A missing key is not an error.
void builtin_MAP_REMOVE(Vm&, Value* args) { mapRemove(asMap(args[0]), args[1]); }

void builtin_MAP_LEN(Vm&, Value* args) { args[0].i = asMap(args[0])->count; }

void builtin_MAP_KEYS(Vm& vm, Value* args) { collect(vm, args, true); }

void builtin_MAP_VALUES(Vm& vm, Value* args) { collect(vm, args, false); }

}  // namespace nido::vm
