// The builtin dispatch table and helpers shared by the builtins_*.cpp files.
#include "vm/builtin_impl.hpp"

#include <array>

#include <fmt/format.h>

#include "vm/exceptions.hpp"
#include "vm/signature.hpp"

namespace nido::vm {

const BuiltinEntry* builtinTable() {
    static const auto table = [] {
        constexpr BuiltinFn fns[] = {
#define BUILTIN(id, recv, name, sig) &builtin_##id,
#include "vm/builtins.def"
#undef BUILTIN
        };
        std::array<BuiltinEntry, kBuiltinCount> t{};
        for (int i = 0; i < kBuiltinCount; i++) {
            const Signature& sig = builtinSignature(BuiltinId(i));
            BuiltinEntry& e = t[i];
            e.fn = fns[i];
            e.nargs = uint8_t(sig.params.size());
            e.hasResult = sig.result.kind != SigKind::Void;
            BuiltinReceiver recv = kBuiltinInfo[i].receiver;
            e.isMethod = recv != BuiltinReceiver::GLOBAL && recv != BuiltinReceiver::MODULE;
            e.name = kBuiltinInfo[i].name;
            // assert's message matters only when the assertion fails; a
            // null one is reported as "null" rather than refused.
            if (BuiltinId(i) == BuiltinId::ASSERT_MSG) continue;
            for (size_t p = e.isMethod ? 1 : 0; p < sig.params.size(); p++) {
                if (sig.params[p].kind == SigKind::String) e.stringArgs |= uint8_t(1u << p);
            }
        }
        return t;
    }();
    return table.data();
}

bool checkSlice(Vm& vm, int64_t start, int64_t end, int64_t length) {
    if (start >= 0 && start <= end && end <= length) return true;
    throwError(vm, ErrorKind::Index, fmt::format("slice {}..{} out of range for length {}", start, end, length));
    return false;
}

void returnString(Vm& vm, Value* args, String* s) {
    if (!s) {
        throwOutOfMemory(vm);
        return;
    }
    args[0].ref = s;
}

void returnArray(Vm& vm, Value* args, Array* a) {
    if (!a) {
        throwOutOfMemory(vm);
        return;
    }
    args[0].ref = a;
}

}  // namespace nido::vm
