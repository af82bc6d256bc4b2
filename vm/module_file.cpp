// .ndc serialisation (byte layout in docs/bytecode.md). The writer emits the
// Program field by field in table order, so equal Programs give equal bytes.
// The reader treats its input as hostile: every read is bounds-checked
// against the enclosing section, every count is capped by the bytes left
// before anything is reserved, and the first problem stops the parse with a
// one-line message naming the byte offset.
#include "vm/module_file.hpp"

#include <cstring>

#include <fmt/format.h>

namespace nido::vm {
namespace {

// Sections appear once each, in this order, tagged 1..6.
enum Section : uint8_t { kTypes = 1, kConstants, kModules, kClasses, kFunctions, kGlobals };
const char* const kSectionNames[] = {
    "", "type table", "constant pool", "module table", "class table", "function table", "global table"};

// Smallest encoding of one table entry, used to cap counts: a count larger
// than remaining / minimum cannot be honest.
constexpr size_t kMinType = 1, kMinConstant = 5, kMinModule = 20, kMinClass = 29, kMinField = 9;
constexpr size_t kMinFunction = 45, kMinGlobal = 12, kMinHandler = 16, kMinLine = 8;

class Writer {
public:
    std::vector<uint8_t> out;

    void u8(uint8_t v) { out.push_back(v); }
    void u16(uint16_t v) {
        for (int i = 0; i < 2; i++) out.push_back(uint8_t(v >> (8 * i)));
    }
    void u32(uint32_t v) {
        for (int i = 0; i < 4; i++) out.push_back(uint8_t(v >> (8 * i)));
    }
    void u64(uint64_t v) {
        for (int i = 0; i < 8; i++) out.push_back(uint8_t(v >> (8 * i)));
    }
    void str(const std::string& s) {
        u32(uint32_t(s.size()));
        out.insert(out.end(), s.begin(), s.end());
    }
    void list(const std::vector<uint32_t>& v) {
        u32(uint32_t(v.size()));
        for (uint32_t x : v) u32(x);
    }
    // Opens a section: tag and a length patched by end().
    size_t begin(Section s) {
        u8(s);
        u32(0);
        return out.size();
    }
    void end(size_t start) {
        uint32_t len = uint32_t(out.size() - start);
        for (int i = 0; i < 4; i++) out[start - 4 + i] = uint8_t(len >> (8 * i));
    }
};

void writeType(Writer& w, const TypeDesc& t) {
    w.u8(uint8_t(t.kind));
    switch (t.kind) {
    case TypeKind::Array:
    case TypeKind::Box: w.u32(t.elem); break;
    case TypeKind::Map:
        w.u32(t.elem);
        w.u32(t.value);
        break;
    case TypeKind::Func:
        w.u32(t.elem);
        w.list(t.params);
        break;
    case TypeKind::Class: w.u32(t.cls); break;
    default: break;
    }
}

void writeConstant(Writer& w, const Constant& k) {
    w.u8(uint8_t(k.kind));
    switch (k.kind) {
    case ConstKind::Int: w.u64(uint64_t(k.i)); break;
    case ConstKind::Float: {
        uint64_t bits;
        std::memcpy(&bits, &k.f, sizeof bits);
        w.u64(bits);
        break;
    }
    case ConstKind::String: w.str(k.s); break;
    }
}

void writeFunction(Writer& w, const FunctionDesc& f) {
    w.str(f.name);
    w.u32(f.module);
    w.u32(f.owner);
    w.u8(f.flags);
    w.list(f.params);
    w.u32(f.ret);
    w.list(f.locals);
    w.list(f.captures);
    w.u32(f.maxStack);
    w.u32(uint32_t(f.code.size()));
    w.out.insert(w.out.end(), f.code.begin(), f.code.end());
    w.u32(uint32_t(f.handlers.size()));
    for (const Handler& h : f.handlers) {
        w.u32(h.start);
        w.u32(h.end);
        w.u32(h.target);
        w.u32(h.catchClass);
    }
    w.u32(uint32_t(f.lines.size()));
    for (const LineEntry& l : f.lines) {
        w.u32(l.pc);
        w.u32(l.line);
    }
}

// Reads little-endian values up to limit_ (the end of the current section).
// The first failure records the message; later reads return zero, and the
// table loops stop at their next check of ok().
class Reader {
public:
    Reader(const uint8_t* data, size_t size, std::string& error)
        : data_(data), size_(size), limit_(size), error_(error) {}

    bool ok() const { return !failed_; }
    size_t pos() const { return pos_; }

    bool fail(std::string what, size_t at) {
        if (!failed_) error_ = fmt::format("{} at byte {}", what, at);
        failed_ = true;
        return false;
    }

    // n more bytes available in the section?
    bool need(size_t n) {
        if (failed_) return false;
        if (limit_ - pos_ < n) return fail(fmt::format("truncated {}", context_), pos_);
        return true;
    }
    uint64_t le(int bytes) {
        if (!need(bytes)) return 0;
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++) v |= uint64_t(data_[pos_ + i]) << (8 * i);
        pos_ += bytes;
        return v;
    }
    uint8_t u8() { return uint8_t(le(1)); }
    uint16_t u16() { return uint16_t(le(2)); }
    uint32_t u32() { return uint32_t(le(4)); }
    uint64_t u64() { return le(8); }

    // A count of entries each at least minBytes long.
    uint32_t count(size_t minBytes, const char* what) {
        size_t at = pos_;
        uint32_t n = u32();
        if (ok() && n > (limit_ - pos_) / minBytes) {
            fail(fmt::format("{} count {} in {} exceeds the remaining input", what, n, context_), at);
            return 0;
        }
        return n;
    }
    void list(std::vector<uint32_t>& v, const char* what) {
        uint32_t n = count(4, what);
        v.reserve(n);
        for (uint32_t i = 0; i < n && ok(); i++) v.push_back(u32());
    }
    void bytes(std::vector<uint8_t>& v, size_t n) {
        if (!need(n)) return;
        v.assign(data_ + pos_, data_ + pos_ + n);
        pos_ += n;
    }
    void str(std::string& s) {
        uint32_t n = count(1, "string byte");
        if (!need(n)) return;
        s.assign(reinterpret_cast<const char*>(data_ + pos_), n);  // SAFETY: n bytes checked present above
        pos_ += n;
    }
    bool flag(const char* what) {
        size_t at = pos_;
        uint8_t b = u8();
        if (b > 1) fail(fmt::format("{} byte {} is not 0 or 1", what, b), at);
        return b == 1;
    }

    // Enters section s: checks tag and length, limits reads to its body.
    bool beginSection(Section s) {
        context_ = "section header";
        size_t at = pos_;
        uint8_t tag = u8();
        uint32_t len = u32();
        if (!ok()) return false;
        if (tag != s) {
            return fail(fmt::format("expected section {} ({}), found tag {}", int(s), kSectionNames[s], tag), at);
        }
        if (len > size_ - pos_) {
            return fail(fmt::format("{} length {} runs past the end of the file", kSectionNames[s], len), at);
        }
        limit_ = pos_ + len;
        context_ = kSectionNames[s];
        return true;
    }
    bool endSection() {
        if (!ok()) return false;
        if (pos_ != limit_) return fail(fmt::format("{} has {} unread bytes", context_, limit_ - pos_), pos_);
        limit_ = size_;
        return true;
    }

private:
    const uint8_t* data_;
    size_t size_, pos_ = 0, limit_;
    std::string& error_;
    const char* context_ = "header";
    bool failed_ = false;
};

void readType(Reader& r, TypeDesc& t) {
    size_t at = r.pos();
    uint8_t kind = r.u8();
    if (kind > uint8_t(TypeKind::Box)) {
        r.fail(fmt::format("unknown type kind {}", kind), at);
        return;
    }
    t.kind = TypeKind(kind);
    switch (t.kind) {
    case TypeKind::Array:
    case TypeKind::Box: t.elem = r.u32(); break;
    case TypeKind::Map:
        t.elem = r.u32();
        t.value = r.u32();
        break;
    case TypeKind::Func:
        t.elem = r.u32();
        r.list(t.params, "parameter");
        break;
    case TypeKind::Class: t.cls = r.u32(); break;
    default: break;
    }
}

void readConstant(Reader& r, Constant& k) {
    size_t at = r.pos();
    uint8_t kind = r.u8();
    switch (kind) {
    case uint8_t(ConstKind::Int): k.i = int64_t(r.u64()); break;
    case uint8_t(ConstKind::Float): {
        uint64_t bits = r.u64();
        std::memcpy(&k.f, &bits, sizeof bits);
        break;
    }
    case uint8_t(ConstKind::String): r.str(k.s); break;
    default: r.fail(fmt::format("unknown constant kind {}", kind), at); return;
    }
    k.kind = ConstKind(kind);
}

void readModule(Reader& r, ModuleDesc& m) {
    r.str(m.name);
    r.str(m.file);
    r.list(m.imports, "import");
    m.init = r.u32();
    m.main = r.u32();
}

void readClass(Reader& r, ClassDesc& c) {
    r.str(c.name);
    c.module = r.u32();
    c.flags = r.u8();
    c.super = r.u32();
    r.list(c.interfaces, "interface");
    uint32_t n = r.count(kMinField, "field");
    c.fields.resize(n);
    for (FieldDesc& f : c.fields) {
        if (!r.ok()) return;
        r.str(f.name);
        f.type = r.u32();
        f.isLet = r.flag("let");
    }
    r.list(c.methods, "method");
    c.constructor = r.u32();
}

void readFunction(Reader& r, FunctionDesc& f) {
    r.str(f.name);
    f.module = r.u32();
    f.owner = r.u32();
    f.flags = r.u8();
    r.list(f.params, "parameter");
    f.ret = r.u32();
    r.list(f.locals, "local");
    r.list(f.captures, "capture");
    f.maxStack = r.u32();
    r.bytes(f.code, r.count(1, "code byte"));
    f.handlers.resize(r.count(kMinHandler, "handler"));
    for (Handler& h : f.handlers) {
        h.start = r.u32();
        h.end = r.u32();
        h.target = r.u32();
        h.catchClass = r.u32();
    }
    f.lines.resize(r.count(kMinLine, "line entry"));
    for (LineEntry& l : f.lines) {
        l.pc = r.u32();
        l.line = r.u32();
    }
}

void readGlobal(Reader& r, GlobalDesc& g) {
    r.str(g.name);
    g.module = r.u32();
    g.type = r.u32();
}

// One section: tag, length, entry count, entries; starts gets each entry's
// file offset.
template <typename T, typename ReadEntry>
bool readSection(Reader& r, Section s, size_t minBytes, std::vector<T>& out, std::vector<uint32_t>& starts,
                 ReadEntry readEntry) {
    if (!r.beginSection(s)) return false;
    uint32_t n = r.count(minBytes, "entry");
    out.resize(n);
    starts.reserve(n);
    for (T& entry : out) {
        if (!r.ok()) return false;
        starts.push_back(uint32_t(r.pos()));
        readEntry(r, entry);
    }
    return r.endSection();
}

// A section: its tag and length (Writer::begin/end), the entry count, then
// each entry as writeEntry lays it out.
template <typename T, typename WriteEntry>
void writeSection(Writer& w, Section tag, const std::vector<T>& entries, WriteEntry writeEntry) {
    size_t start = w.begin(tag);
    w.u32(uint32_t(entries.size()));
    for (const T& e : entries) writeEntry(w, e);
    w.end(start);
}

}  // namespace

std::vector<uint8_t> writeProgram(const Program& p) {
    Writer w;
    for (uint8_t b : kNdcMagic) w.u8(b);
    w.u16(kNdcVersion);

    writeSection(w, kTypes, p.types, writeType);
    writeSection(w, kConstants, p.constants, writeConstant);
    writeSection(w, kModules, p.modules, [](Writer& w, const ModuleDesc& m) {
        w.str(m.name);
        w.str(m.file);
        w.list(m.imports);
        w.u32(m.init);
        w.u32(m.main);
    });
    writeSection(w, kClasses, p.classes, [](Writer& w, const ClassDesc& c) {
        w.str(c.name);
        w.u32(c.module);
        w.u8(c.flags);
        w.u32(c.super);
        w.list(c.interfaces);
        w.u32(uint32_t(c.fields.size()));
        for (const FieldDesc& f : c.fields) {
            w.str(f.name);
            w.u32(f.type);
            w.u8(f.isLet ? 1 : 0);
        }
        w.list(c.methods);
        w.u32(c.constructor);
    });
    writeSection(w, kFunctions, p.functions, writeFunction);
    writeSection(w, kGlobals, p.globals, [](Writer& w, const GlobalDesc& g) {
        w.str(g.name);
        w.u32(g.module);
        w.u32(g.type);
    });
    return std::move(w.out);
}

bool readProgram(const uint8_t* data, size_t size, Program& out, std::string& error) {
    out = Program{};
    error.clear();
    Reader r(data, size, error);
    if (size < sizeof kNdcMagic || std::memcmp(data, kNdcMagic, sizeof kNdcMagic) != 0) {
        return r.fail("not a Nido module file (bad magic)", 0);
    }
    r.u32();
    uint16_t version = r.u16();
    if (!r.ok()) return false;
    if (version != kNdcVersion) {
        return r.fail(fmt::format("unsupported format version {} (expected {})", version, kNdcVersion), 4);
    }

    EntryOffsets& at = out.offsets;
    bool ok = readSection(r, kTypes, kMinType, out.types, at.types, readType) &&
              readSection(r, kConstants, kMinConstant, out.constants, at.constants, readConstant) &&
              readSection(r, kModules, kMinModule, out.modules, at.modules, readModule) &&
              readSection(r, kClasses, kMinClass, out.classes, at.classes, readClass) &&
              readSection(r, kFunctions, kMinFunction, out.functions, at.functions, readFunction) &&
              readSection(r, kGlobals, kMinGlobal, out.globals, at.globals, readGlobal);
    if (ok && r.pos() != size) ok = r.fail(fmt::format("trailing garbage of {} bytes", size - r.pos()), r.pos());
    if (!ok) out = Program{};
    return ok;
}

}  // namespace nido::vm
