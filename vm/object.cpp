// Allocation of Nido objects on the Boehm heap (see object.hpp for layouts
// and gc.hpp for what keeps them alive).
#include "vm/object.hpp"

#include <algorithm>
#include <cstring>

#include "vm/gc.hpp"

namespace nido::vm {

String* newString(std::string_view bytes) {
    String* s = newStringUninit(int64_t(bytes.size()));
    if (s && !bytes.empty()) std::memcpy(s->bytes, bytes.data(), bytes.size());
    return s;
}

String* newStringUninit(int64_t len) {
    if (len < 0 || len > kMaxObjectBytes) return nullptr;
    // Atomic: the header holds no pointers and the bytes are not references.
    auto* s = static_cast<String*>(gcAllocAtomic(sizeof(String) + size_t(len) + 1));
    if (!s) return nullptr;
    s->kind = ObjKind::String;
    s->hash = 0;
    s->len = len;
    s->bytes[len] = '\0';
    return s;
}

// A zeroed element buffer for cap elements of kind elem.
static Value* newElements(ValKind elem, int64_t cap) {
    if (cap < 0 || cap > kMaxObjectBytes / int64_t(sizeof(Value))) return nullptr;
    size_t bytes = size_t(cap) * sizeof(Value);
    if (elem == ValKind::Ref) return static_cast<Value*>(gcAllocScanned(bytes));  // zeroed
    auto* data = static_cast<Value*>(gcAllocAtomic(bytes));
    if (data) std::memset(data, 0, bytes);
    return data;
}

Array* newArray(ValKind elem, int64_t len, int64_t cap) {
    cap = std::max({cap, len, int64_t(1)});
    auto* a = static_cast<Array*>(gcAllocScanned(sizeof(Array)));
    if (!a) return nullptr;
    a->data = newElements(elem, cap);
    if (!a->data) return nullptr;
    a->kind = ObjKind::Array;
    a->elem = elem;
    a->len = len;
    a->cap = cap;
    return a;
}

bool arrayReserve(Array* a, int64_t cap) {
    if (cap <= a->cap) return true;
    int64_t grown = std::max(cap, a->cap + a->cap / 2 + 4);
    Value* data = newElements(a->elem, grown);
    if (!data) {  // retry without the growth slack
        grown = cap;
        data = newElements(a->elem, cap);
        if (!data) return false;
    }
    std::memcpy(data, a->data, size_t(a->len) * sizeof(Value));
    Value* old = a->data;
    size_t oldLen = size_t(a->len);
    a->data = data;
    a->cap = grown;
    // A stale pointer (Boehm's conservative roots) may still pin the old
    // buffer; cleared, it keeps none of the elements alive.
    if (a->elem == ValKind::Ref) std::memset(old, 0, oldLen * sizeof(Value));
    return true;
}

bool arrayPush(Array* a, Value v) {
    if (a->len == a->cap && !arrayReserve(a, a->len + 1)) return false;
    a->data[a->len++] = v;
    return true;
}

Instance* newInstance(const RtClass* cls, uint32_t slots) {
    void* memory = gcAllocScanned(instanceBytes(slots));
    return memory ? initInstance(memory, cls, slots) : nullptr;
}

Instance* initInstance(void* memory, const RtClass* cls, uint32_t slots) {
    auto* o = static_cast<Instance*>(memory);
    o->kind = ObjKind::Instance;
    o->number = 0;
    o->cls = cls;
    std::memset(o->fields, 0, size_t(slots) * sizeof(Value));
    return o;
}

Closure* newClosure(const RtFunction* fn, uint32_t ncaptures) {
    auto* c = static_cast<Closure*>(gcAllocScanned(sizeof(Closure) + size_t(ncaptures) * sizeof(Value)));
    if (!c) return nullptr;
    c->kind = ObjKind::Closure;
    c->ncaptures = ncaptures;
    c->fn = fn;
    return c;
}

Box* newBox(Value v) {
    auto* b = static_cast<Box*>(gcAllocScanned(sizeof(Box)));
    if (!b) return nullptr;
    b->kind = ObjKind::Box;
    b->value = v;
    return b;
}

uint32_t stringHash(String* s) {
    if (s->hash != 0) return s->hash;
    uint32_t h = 2166136261u;
    for (int64_t i = 0; i < s->len; i++) h = (h ^ uint8_t(s->bytes[i])) * 16777619u;
    s->hash = h == 0 ? 1 : h;  // 0 means "not computed"
    return s->hash;
}

bool valuesEqual(ValKind kind, Value a, Value b) {
    switch (kind) {
    case ValKind::Int:
    case ValKind::Bool: return a.i == b.i;
    case ValKind::Float: return a.f == b.f;
    case ValKind::Ref:
        if (a.ref == b.ref) return true;
        if (!a.ref || !b.ref || a.ref->kind != ObjKind::String || b.ref->kind != ObjKind::String) return false;
        return stringsEqual(static_cast<String*>(a.ref), static_cast<String*>(b.ref));
    }
    return false;
}

}  // namespace nido::vm
