// Parser for the builtin signature grammar of builtins.def and
// intrinsics.def. The tables are compiled into the binary, so a malformed
// signature is a programming error caught by the unit tests (every entry is
// parsed there).
#include "vm/signature.hpp"

#include <array>
#include <cstdlib>
#include <cstring>

namespace nido::vm {
namespace {

struct SigParser {
    const char* p;

    SigType type() {
        SigType t;
        char c = *p++;
        switch (c) {
        case 'i': t.kind = SigKind::Int; break;
        case 'f': t.kind = SigKind::Float; break;
        case 'b': t.kind = SigKind::Bool; break;
        case 's': t.kind = SigKind::String; break;
        case 'v': t.kind = SigKind::Void; break;
        case 'R': t.kind = SigKind::AnyRef; break;
        case 'S': t.kind = SigKind::Stringified; break;
        case 'T':
        case 'U':
        case 'K':
        case 'V':
            t.kind = SigKind::Var;
            t.var = c;
            break;
        case '[':
            t.kind = SigKind::Array;
            t.args.push_back(type());
            expect(']');
            break;
        case '{':
            t.kind = SigKind::Map;
            t.args.push_back(type());
            expect(':');
            t.args.push_back(type());
            expect('}');
            break;
        case '(':
            t.kind = SigKind::Func;
            while (*p != ')') {
                t.args.push_back(type());
                if (*p == ',') p++;
            }
            p++;
            expect('>');
            t.args.push_back(type());
            break;
        default: std::abort();  // malformed table entry
        }
        return t;
    }

    void expect(char c) {
        if (*p++ != c) std::abort();  // malformed table entry
    }
};

Signature parse(const char* text) {
    Signature sig;
    SigParser sp{text};
    while (true) {
        while (*sp.p == ' ') sp.p++;
        if (std::strncmp(sp.p, "->", 2) == 0) break;
        sig.params.push_back(sp.type());
    }
    sp.p += 2;
    while (*sp.p == ' ') sp.p++;
    sig.result = sp.type();
    return sig;
}

}  // namespace

const Signature& builtinSignature(BuiltinId id) {
    static const auto table = [] {
        std::array<Signature, kBuiltinCount> all;
        for (int i = 0; i < kBuiltinCount; i++) all[i] = parse(kBuiltinInfo[i].signature);
        return all;
    }();
    return table[static_cast<int>(id)];
}

const Signature& intrinsicSignature(IntrinsicId id) {
    static const auto table = [] {
        std::array<Signature, kIntrinsicCount> all;
        for (int i = 0; i < kIntrinsicCount; i++) all[i] = parse(kIntrinsicInfo[i].signature);
        return all;
    }();
    return table[static_cast<int>(id)];
}

}  // namespace nido::vm
