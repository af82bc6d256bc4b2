// [T] methods (LANGUAGE.md section 7).
//
// Builtins that call back into Nido (sort with a comparator, map, filter)
// must survive the callback changing the array: map and filter re-read the
// length on every step, and the sorts work on a private copy that is
// written back only when sorting finished without an error (into at most
// the array's current length).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"

namespace nido::vm {
namespace {

// Stable bottom-up merge sort of n values. before(x, y) says whether x
// must come before y: 1 yes, 0 no, -1 an error is pending (the sort stops).
// Any answers, even inconsistent ones, keep every access in bounds. Returns
// the buffer holding the result (work or tmp), or nullptr after an error.
template <typename Before>
Value* mergeSort(Value* work, Value* tmp, int64_t n, Before before) {
    for (int64_t width = 1; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = std::min(lo + width, n), hi = std::min(lo + 2 * width, n);
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int r = before(work[j], work[i]);  // take the right one only if strictly first: stable
                if (r < 0) return nullptr;
                tmp[k++] = r ? work[j++] : work[i++];
            }
            while (i < mid) tmp[k++] = work[i++];
            while (j < hi) tmp[k++] = work[j++];
        }
        std::swap(work, tmp);
    }
    return work;
}

// Sorts a's elements on a copy (scanned like a's own buffer), then writes
// them back.
template <typename Before>
void sortArray(Vm& vm, Array* a, Before before) {
    int64_t n = a->len;
    Array* work = newArray(a->elem, n, n);
    Array* tmp = work ? newArray(a->elem, n, n) : nullptr;
    if (!tmp) {
        throwOutOfMemory(vm);
        return;
    }
    std::memcpy(work->data, a->data, size_t(n) * sizeof(Value));
    Value* sorted = mergeSort(work->data, tmp->data, n, before);
    if (!sorted) return;
    std::memcpy(a->data, sorted, size_t(std::min(n, a->len)) * sizeof(Value));
}

Closure* callbackOrThrow(Vm& vm, Value v) {
    auto* f = static_cast<Closure*>(v.ref);
    if (!f) throwError(vm, ErrorKind::Null, "call of null function");
    return f;
}

}  // namespace

void builtin_ARRAY_LEN(Vm&, Value* args) { args[0].i = asArray(args[0])->len; }

void builtin_ARRAY_PUSH(Vm& vm, Value* args) {
    if (!arrayPush(asArray(args[0]), args[1])) throwOutOfMemory(vm);
}

void builtin_ARRAY_POP(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    if (a->len == 0) {
        throwError(vm, ErrorKind::Index, "pop from empty array");
        return;
    }
    args[0] = a->data[--a->len];
    a->data[a->len].i = 0;  // drop the reference
}

// 0 <= i <= len: i == len appends.
void builtin_ARRAY_INSERT(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    int64_t i = args[1].i;
    if (i < 0 || i > a->len) {
        throwIndexError(vm, i, a->len);
        return;
    }
    if (!arrayReserve(a, a->len + 1)) {
        throwOutOfMemory(vm);
        return;
    }
    std::memmove(a->data + i + 1, a->data + i, size_t(a->len - i) * sizeof(Value));
    a->data[i] = args[2];
    a->len++;
}

void builtin_ARRAY_REMOVE_AT(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    int64_t i = args[1].i;
    if (i < 0 || i >= a->len) {
        throwIndexError(vm, i, a->len);
        return;
    }
    args[0] = a->data[i];
    std::memmove(a->data + i, a->data + i + 1, size_t(a->len - i - 1) * sizeof(Value));
    a->data[--a->len].i = 0;
}

void builtin_ARRAY_SLICE(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    int64_t start = args[1].i, end = args[2].i;
    if (!checkSlice(vm, start, end, a->len)) return;
    Array* r = newArray(a->elem, end - start, end - start);
    if (r) std::memcpy(r->data, a->data + start, size_t(end - start) * sizeof(Value));
    returnArray(vm, args, r);
}

void builtin_ARRAY_INDEX_OF(Vm&, Value* args) {
    Array* a = asArray(args[0]);
    int64_t found = -1;
    for (int64_t i = 0; i < a->len && found < 0; i++) {
        if (valuesEqual(a->elem, a->data[i], args[1])) found = i;
    }
    args[0].i = found;
}

void builtin_ARRAY_CONTAINS(Vm& vm, Value* args) {
    builtin_ARRAY_INDEX_OF(vm, args);
    args[0].i = args[0].i >= 0;
}

void builtin_ARRAY_REVERSE(Vm&, Value* args) {
    Array* a = asArray(args[0]);
    std::reverse(a->data, a->data + a->len);
}

void builtin_ARRAY_SORT_INT(Vm& vm, Value* args) {
    sortArray(vm, asArray(args[0]), [](Value x, Value y) { return int(x.i < y.i); });
}

// Ascending, nan last; -0.0 and 0.0 are equal and keep their order.
void builtin_ARRAY_SORT_FLOAT(Vm& vm, Value* args) {
    sortArray(vm, asArray(args[0]),
              [](Value x, Value y) { return int(!std::isnan(x.f) && (std::isnan(y.f) || x.f < y.f)); });
}

// Bytewise; a null element throws like `<` on null strings.
void builtin_ARRAY_SORT_STRING(Vm& vm, Value* args) {
    sortArray(vm, asArray(args[0]), [&](Value x, Value y) {
        auto *a = asString(x), *b = asString(y);
        if (!a || !b) {
            throwError(vm, ErrorKind::Null, "comparison with null");
            return -1;
        }
        return int(compareStrings(a, b) < 0);
    });
}

// x comes before y when cmp(x, y) < 0.
void builtin_ARRAY_SORT_BY(Vm& vm, Value* args) {
    Closure* cmp = callbackOrThrow(vm, args[1]);
    if (!cmp) return;
    sortArray(vm, asArray(args[0]), [&](Value x, Value y) {
        Value pair[2] = {x, y}, r{};
        if (!callClosure(vm, cmp, pair, 2, &r)) return -1;
        return int(r.i < 0);
    });
}

void builtin_ARRAY_MAP(Vm& vm, Value* args) {
    Closure* f = callbackOrThrow(vm, args[1]);
    if (!f) return;
    Array* a = asArray(args[0]);
    Array* out = newArray(f->fn->retKind, 0, a->len);
    if (!out) {
        throwOutOfMemory(vm);
        return;
    }
    for (int64_t i = 0; i < a->len; i++) {
        Value x = a->data[i], r{};
        if (!callClosure(vm, f, &x, 1, &r)) return;
        if (!arrayPush(out, r)) {
            throwOutOfMemory(vm);
            return;
        }
    }
    args[0].ref = out;
}

void builtin_ARRAY_FILTER(Vm& vm, Value* args) {
    Closure* f = callbackOrThrow(vm, args[1]);
    if (!f) return;
    Array* a = asArray(args[0]);
    Array* out = newArray(a->elem, 0, 0);
    if (!out) {
        throwOutOfMemory(vm);
        return;
    }
    for (int64_t i = 0; i < a->len; i++) {
        Value x = a->data[i], keep{};
        if (!callClosure(vm, f, &x, 1, &keep)) return;
        if (keep.i && !arrayPush(out, x)) {
            throwOutOfMemory(vm);
            return;
        }
    }
    args[0].ref = out;
}

// Null elements read "null", as in string concatenation. The result is
// sized first and written straight into the new string.
void builtin_ARRAY_JOIN(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    std::string_view sep = view(asString(args[1]));
    auto piece = [&](int64_t i) {
        const String* s = asString(a->data[i]);
        return s ? view(s) : std::string_view("null");
    };
    // Every piece and the separator are at most kMaxObjectBytes, so each
    // step's comparison cannot overflow.
    int64_t total = 0;
    for (int64_t i = 0; i < a->len; i++) {
        int64_t more = int64_t(piece(i).size()) + (i > 0 ? int64_t(sep.size()) : 0);
        if (more > kMaxObjectBytes - total) {
            throwOutOfMemory(vm);
            return;
        }
        total += more;
    }
    String* r = newStringUninit(total);
    if (!r) {
        throwOutOfMemory(vm);
        return;
    }
    char* out = r->bytes;
    for (int64_t i = 0; i < a->len; i++) {
        if (i > 0 && !sep.empty()) {
            std::memcpy(out, sep.data(), sep.size());
            out += sep.size();
        }
        std::string_view p = piece(i);
        if (!p.empty()) std::memcpy(out, p.data(), p.size());
        out += p.size();
    }
    args[0].ref = r;
}

void builtin_ARRAY_COPY(Vm& vm, Value* args) {
    Array* a = asArray(args[0]);
    Array* r = newArray(a->elem, a->len, a->len);
    if (r) std::memcpy(r->data, a->data, size_t(a->len) * sizeof(Value));
    returnArray(vm, args, r);
}

}  // namespace nido::vm
