// The object model: the 64-bit value slot and the layout of every heap
// object (strings, arrays, instances, closures, boxes; maps in map.hpp),
// with the functions that allocate them on the Boehm heap.
//
// Every object starts with a one-byte kind so that code which does not know
// a reference's static type (str(), map keys, error messages) can inspect
// it. The interpreter itself never tests kinds: the verifier proved them.
//
// Allocation functions return nullptr when the heap is exhausted; callers
// turn that into OutOfMemoryError (exceptions.hpp). Pointer-free payloads
// (string bytes, [int]/[float]/[bool] element buffers) are atomic, so the
// collector never scans them.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace nido::vm {

struct Obj;
struct RtClass;
struct RtFunction;

// One slot of a frame, field, global or array element. Untagged: the
// verifier knows which member is live. bool is stored as int 0 or 1.
// GCC documents reading a union member other than the one last written
// as a bit reinterpretation, which is what a slot means.
union Value {
    int64_t i;
    double f;
    Obj* ref;
};
static_assert(sizeof(Value) == 8);

inline Value intValue(int64_t i) { return Value{.i = i}; }
inline Value floatValue(double f) { return Value{.f = f}; }
inline Value refValue(Obj* o) { return Value{.ref = o}; }

enum class ObjKind : uint8_t { String, Array, Map, Instance, Closure, Box };

// What an array element or map value slot holds, so that str() can print
// it and the collector knows whether the buffer needs scanning.
enum class ValKind : uint8_t { Int, Float, Bool, Ref };

struct Obj {
    ObjKind kind;
};

// Immutable bytes. Allocated atomic in one block with a trailing NUL (not
// counted in len) so that C parsers such as strtod can read the bytes.
struct String : Obj {
    uint32_t hash;  // FNV-1a, 0 until first computed
    int64_t len;
    char bytes[];
};

// A growable array. data is atomic unless elem is Ref.
struct Array : Obj {
    ValKind elem;
    int64_t len;
    int64_t cap;
    Value* data;
};

// An object of a class. The hidden slot after the fields of Error classes
// holds the stack trace (exceptions.hpp).
struct Instance : Obj {
    uint32_t number;  // the N of ClassName@N, 0 until first printed
    const RtClass* cls;
    Value fields[];
};

struct Closure : Obj {
    uint32_t ncaptures;
    const RtFunction* fn;
    Value captures[];
};

// A variable captured by a closure.
struct Box : Obj {
    Value value;
};

// Largest string or array the VM attempts to allocate; bigger requests are
// out of memory at once, which also keeps every size computation far from
// overflow.
constexpr int64_t kMaxObjectBytes = int64_t(1) << 40;

String* newString(std::string_view bytes);
// A string of len bytes for the caller to fill (the NUL is already set).
String* newStringUninit(int64_t len);
// An array of len zero elements with room for cap.
Array* newArray(ValKind elem, int64_t len, int64_t cap);
// Makes room for at least cap elements; false when out of memory.
bool arrayReserve(Array* a, int64_t cap);
bool arrayPush(Array* a, Value v);
// An instance of cls with slots zeroed slots (fields plus hidden ones).
Instance* newInstance(const RtClass* cls, uint32_t slots);
// An instance of cls with its fields zero in memory of instanceBytes(slots).
Instance* initInstance(void* memory, const RtClass* cls, uint32_t slots);
inline size_t instanceBytes(uint32_t slots) { return sizeof(Instance) + size_t(slots) * sizeof(Value); }
Closure* newClosure(const RtFunction* fn, uint32_t ncaptures);
Box* newBox(Value v);

inline std::string_view view(const String* s) { return {s->bytes, size_t(s->len)}; }

// SEQ semantics: equal bytes, and null equals only null.
inline bool stringsEqual(const String* a, const String* b) {
    if (a == b) return true;
    if (!a || !b || a->len != b->len) return false;
    return std::memcmp(a->bytes, b->bytes, size_t(a->len)) == 0;
}

// Bytewise three-way comparison of two non-null strings.
inline int compareStrings(const String* a, const String* b) { return view(a).compare(view(b)); }

// The cached FNV-1a hash of s's bytes.
uint32_t stringHash(String* s);

// Element equality for indexOf/contains: ints and bools by value, floats by
// IEEE ==, strings by bytes, other references by identity.
bool valuesEqual(ValKind kind, Value a, Value b);

}  // namespace nido::vm
