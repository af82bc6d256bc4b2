// The disassembler: `nido disasm` prints whole programs, the interpreter's
// trace mode prints single instructions. It runs on unverified input too (a
// listing is how one looks at a file the verifier rejected), so every index
// is bounds-checked and shown as "<bad index N>" when it is out of range, and
// class chains and type nesting are walked with bounds.
#include "vm/disasm.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "vm/builtins.hpp"
#include "vm/opcodes.hpp"

namespace nido::vm {
namespace {

// Names and type texts longer than this are cut: the listing stays readable
// and a hostile type table cannot make it grow exponentially.
constexpr size_t kMaxText = 300;
constexpr int kMaxTypeNesting = 16;

std::string bad(uint32_t i) { return fmt::format("<bad index {}>", i); }

// A name from the file, made safe for one line.
std::string clean(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, kMaxText)) {
        auto b = static_cast<unsigned char>(c);
        out += (b < 0x20 || b == 0x7F) ? '?' : c;
    }
    if (s.size() > kMaxText) out += "...";
    return out.empty() ? "<unnamed>" : out;
}

// A string literal: quoted, with escapes for quotes, backslashes and control bytes.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s.substr(0, kMaxText)) {
        auto b = static_cast<unsigned char>(c);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default: out += (b < 0x20 || b == 0x7F) ? fmt::format("\\x{:02x}", b) : std::string(1, c);
        }
    }
    return out + (s.size() > kMaxText ? "\"..." : "\"");
}

// Floats keep a '.', 'e', "inf" or "nan" so they never read as ints.
std::string floatText(double f) {
    std::string s = fmt::format("{}", f);
    if (s.find_first_of(".ein") == std::string::npos) s += ".0";
    return s;
}

void appendType(const Program& p, uint32_t t, int depth, std::string& out) {
    if (out.size() > kMaxText) {
        if (!out.ends_with("...")) out += "...";
        return;
    }
    if (t >= p.types.size()) {
        out += fmt::format("<bad type {}>", t);
        return;
    }
    if (depth > kMaxTypeNesting) {
        out += "...";
        return;
    }
    const TypeDesc& d = p.types[t];
    switch (d.kind) {
    case TypeKind::Void: out += "void"; return;
    case TypeKind::Int: out += "int"; return;
    case TypeKind::Float: out += "float"; return;
    case TypeKind::Bool: out += "bool"; return;
    case TypeKind::String: out += "string"; return;
    case TypeKind::Null: out += "null"; return;
    case TypeKind::Class: out += d.cls < p.classes.size() ? clean(p.classes[d.cls].name) : bad(d.cls); return;
    case TypeKind::Array:
        out += "[";
        appendType(p, d.elem, depth + 1, out);
        out += "]";
        return;
    case TypeKind::Box:
        out += "box<";
        appendType(p, d.elem, depth + 1, out);
        out += ">";
        return;
    case TypeKind::Map:
        out += "{";
        appendType(p, d.elem, depth + 1, out);
        out += ": ";
        appendType(p, d.value, depth + 1, out);
        out += "}";
        return;
    case TypeKind::Func:
        out += "fun(";
        for (size_t i = 0; i < d.params.size() && out.size() <= kMaxText; i++) {
            if (i) out += ", ";
            appendType(p, d.params[i], depth + 1, out);
        }
        out += ")";
        if (d.elem != kTypeVoid) {
            out += ": ";
            appendType(p, d.elem, depth + 1, out);
        }
        return;
    }
    out += fmt::format("<bad type kind {}>", int(d.kind));
}

std::string className(const Program& p, uint32_t c) { return c < p.classes.size() ? clean(p.classes[c].name) : bad(c); }
std::string functionName(const Program& p, uint32_t f) {
    return f < p.functions.size() ? clean(p.functions[f].name) : bad(f);
}
std::string moduleName(const Program& p, uint32_t m) {
    return m < p.modules.size() ? clean(p.modules[m].name) : bad(m);
}

std::string constantText(const Program& p, uint32_t k) {
    if (k >= p.constants.size()) return bad(k);
    const Constant& c = p.constants[k];
    switch (c.kind) {
    case ConstKind::Int: return fmt::format("{}", c.i);
    case ConstKind::Float: return floatText(c.f);
    case ConstKind::String: return quoted(c.s);
    }
    return fmt::format("<bad constant kind {}>", int(c.kind));
}

// "Class.field" for field f of c's full layout (inherited fields first).
std::string fieldText(const Program& p, uint32_t c, uint32_t f) {
    std::vector<uint32_t> chain;  // c up to its root, or up to where a broken program's chain cycles
    for (uint32_t x = c; x < p.classes.size() && std::find(chain.begin(), chain.end(), x) == chain.end();
         x = p.classes[x].super) {
        chain.push_back(x);
    }
    if (chain.empty()) return bad(c);
    uint64_t base = 0;
    for (size_t i = chain.size(); i-- > 0;) {
        const ClassDesc& k = p.classes[chain[i]];
        if (f < base + k.fields.size()) return clean(p.classes[c].name) + "." + clean(k.fields[f - base].name);
        base += k.fields.size();
    }
    return clean(p.classes[c].name) + "." + bad(f);
}

// Function slot s of class c's method list, with the function it holds.
std::string slotText(const Program& p, uint32_t c, uint32_t s) {
    if (c >= p.classes.size()) return bad(c);
    const auto& methods = p.classes[c].methods;
    return fmt::format("{} #{} ({})", clean(p.classes[c].name), s,
                       s < methods.size() ? functionName(p, methods[s]) : bad(s));
}

std::string slotType(const Program& p, const std::vector<uint32_t>& types, uint32_t n) {
    return n < types.size() ? fmt::format("{} ({})", n, typeName(p, types[n])) : bad(n);
}

uint16_t u16At(const uint8_t* o) { return uint16_t(o[0] | o[1] << 8); }
uint32_t u32At(const uint8_t* o) {
    return uint32_t(o[0]) | uint32_t(o[1]) << 8 | uint32_t(o[2]) << 16 | uint32_t(o[3]) << 24;
}

// The operand text of a decoded instruction.
std::string operandText(const Program& p, const FunctionDesc& fn, uint32_t pc, Op op, const uint8_t* o) {
    switch (op) {
    case Op::CONST: return constantText(p, u32At(o));
    case Op::PUSH_INT: return fmt::format("{}", int32_t(u32At(o)));
    case Op::LOAD_LOCAL:
    case Op::STORE_LOCAL: return slotType(p, fn.locals, u16At(o));
    case Op::LOAD_CAPTURE: return slotType(p, fn.captures, u16At(o));
    case Op::LOAD_GLOBAL:
    case Op::STORE_GLOBAL: {
        uint32_t g = u32At(o);
        return g < p.globals.size() ? clean(p.globals[g].name) : bad(g);
    }
    case Op::BOX_NEW:
    case Op::NEW_ARRAY_FILL:
    case Op::CALL_CLOSURE: return typeName(p, u32At(o));
    case Op::GET_FIELD:
    case Op::SET_FIELD: return fieldText(p, u32At(o), u16At(o + 4));
    case Op::JUMP:
    case Op::JUMP_IF_FALSE:
    case Op::JUMP_IF_TRUE: return fmt::format("-> {:04}", int64_t(pc) + int32_t(u32At(o)));
    case Op::IS:
    case Op::AS:
    case Op::NEW: return className(p, u32At(o));
    case Op::NEW_ARRAY:
    case Op::NEW_MAP: return fmt::format("{}, {}", typeName(p, u32At(o)), u32At(o + 4));
    case Op::CALL:
    case Op::MAKE_CLOSURE: return functionName(p, u32At(o));
    case Op::CALL_VIRTUAL:
    case Op::CALL_INTERFACE: return slotText(p, u32At(o), u16At(o + 4));
    case Op::CALL_BUILTIN: {
        uint16_t b = u16At(o);
        if (b >= kBuiltinCount) return bad(b);
        return fmt::format("{} ({}: {})", kBuiltinInfo[b].id, kBuiltinInfo[b].name, kBuiltinInfo[b].signature);
    }
    default: return "";
    }
}

// The name of one FunctionFlags bit if set in flags; unknown bits in hex.
std::string flagText(uint8_t flags, uint8_t bit) {
    switch (flags & bit) {
    case 0: return "";
    case kFnMethod: return " method";
    case kFnAbstract: return " abstract";
    case kFnLambda: return " lambda";
    case kFnInit: return " init";
    case kFnConstructor: return " constructor";
    default: return fmt::format(" 0x{:02X}", bit);
    }
}

void listFunction(const Program& p, uint32_t index, std::string& out) {
    const FunctionDesc& fn = p.functions[index];
    out += fmt::format("\nfun #{} {}(", index, clean(fn.name));
    for (size_t i = 0; i < fn.params.size(); i++) out += (i ? ", " : "") + typeName(p, fn.params[i]);
    out += fmt::format("): {}   ; module {}", typeName(p, fn.ret), moduleName(p, fn.module));
    if (fn.owner != kNone) out += fmt::format(", owner {}", className(p, fn.owner));
    if (fn.flags != 0) {
        out += ", flags:";
        for (uint8_t bit = 1; bit != 0; bit <<= 1) out += flagText(fn.flags, bit);
    }
    out += fmt::format("\n  maxStack {}\n", fn.maxStack);
    for (size_t i = 0; i < fn.locals.size(); i++) out += fmt::format("  local {}: {}\n", i, typeName(p, fn.locals[i]));
    for (size_t i = 0; i < fn.captures.size(); i++) {
        out += fmt::format("  capture {}: {}\n", i, typeName(p, fn.captures[i]));
    }

    size_t line = 0;  // cursor into fn.lines (sorted by pc in valid files)
    uint32_t shownLine = 0;
    for (uint32_t pc = 0; pc < fn.code.size();) {
        std::string text = disassembleInstruction(p, fn, pc);
        while (line < fn.lines.size() && fn.lines[line].pc <= pc) line++;
        if (line > 0 && fn.lines[line - 1].line != shownLine) {
            shownLine = fn.lines[line - 1].line;
            text += fmt::format("   ; line {}", shownLine);
        }
        out += "  " + text + "\n";
        uint8_t byte = fn.code[pc];
        if (byte >= kOpCount || pc + instructionLength(Op(byte)) > fn.code.size()) break;  // cannot decode further
        pc += instructionLength(Op(byte));
    }
    for (const Handler& h : fn.handlers) {
        out += fmt::format("  handler {:04}..{:04} -> {:04} catch {}\n", h.start, h.end, h.target,
                           h.catchClass == kNone ? "all" : className(p, h.catchClass));
    }
}

}  // namespace

std::string typeName(const Program& p, uint32_t type) {
    std::string out;
    appendType(p, type, 0, out);
    return out;
}

std::string disassembleInstruction(const Program& p, const FunctionDesc& fn, uint32_t pc) {
    if (pc >= fn.code.size()) return fmt::format("{:04}  <pc out of range>", pc);
    uint8_t byte = fn.code[pc];
    if (byte >= kOpCount) return fmt::format("{:04}  <bad opcode 0x{:02X}>", pc, byte);
    Op op = Op(byte);
    const OpInfo& info = opInfo(op);
    if (pc + instructionLength(op) > fn.code.size()) {
        return fmt::format("{:04}  {}  <truncated operand>", pc, info.name);
    }
    std::string operand = operandText(p, fn, pc, op, fn.code.data() + pc + 1);
    return operand.empty() ? fmt::format("{:04}  {}", pc, info.name)
                           : fmt::format("{:04}  {}  {}", pc, info.name, operand);
}

std::string disassemble(const Program& p) {
    std::string out =
        fmt::format("; {} types, {} constants, {} modules, {} classes, {} functions, {} globals\n", p.types.size(),
                    p.constants.size(), p.modules.size(), p.classes.size(), p.functions.size(), p.globals.size());
    out += "\nconstants:\n";
    for (uint32_t k = 0; k < p.constants.size(); k++) out += fmt::format("  #{}  {}\n", k, constantText(p, k));
    out += "\ntypes:\n";
    for (uint32_t t = 0; t < p.types.size(); t++) out += fmt::format("  #{}  {}\n", t, typeName(p, t));
    out += "\nmodules:\n";
    for (uint32_t m = 0; m < p.modules.size(); m++) {
        const ModuleDesc& md = p.modules[m];
        out += fmt::format("  #{}  {} ({})", m, clean(md.name), clean(md.file));
        for (uint32_t i : md.imports) out += " import " + moduleName(p, i);
        if (md.init != kNone) out += " init " + functionName(p, md.init);
        if (md.main != kNone) out += " main " + functionName(p, md.main);
        out += "\n";
    }
    out += "\nclasses:\n";
    for (uint32_t c = 0; c < p.classes.size(); c++) {
        const ClassDesc& cd = p.classes[c];
        out += fmt::format("  #{}  {}{}{}", c, cd.flags & kClassAbstract ? "abstract " : "",
                           cd.flags & kClassInterface ? "interface " : "class ", clean(cd.name));
        if (cd.super != kNone) out += " extends " + className(p, cd.super);
        for (size_t i = 0; i < cd.interfaces.size(); i++) {
            out += (i ? ", " : " implements ") + className(p, cd.interfaces[i]);
        }
        out += fmt::format("   ; module {}\n", moduleName(p, cd.module));
        for (const FieldDesc& f : cd.fields) {
            out += fmt::format("    {} {}: {}\n", f.isLet ? "let" : "var", clean(f.name), typeName(p, f.type));
        }
        for (size_t s = 0; s < cd.methods.size(); s++) {
            out += fmt::format("    method #{}  {}\n", s, functionName(p, cd.methods[s]));
        }
        if (cd.constructor != kNone) out += "    constructor " + functionName(p, cd.constructor) + "\n";
    }
    out += "\nglobals:\n";
    for (uint32_t g = 0; g < p.globals.size(); g++) {
        const GlobalDesc& gd = p.globals[g];
        out += fmt::format("  #{}  {}: {}   ; module {}\n", g, clean(gd.name), typeName(p, gd.type),
                           moduleName(p, gd.module));
    }
    for (uint32_t f = 0; f < p.functions.size(); f++) listFunction(p, f, out);
    return out;
}

}  // namespace nido::vm
