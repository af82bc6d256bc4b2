// .ndc reader/writer tests: round trips, determinism, and hostile input
// (truncation, byte flips, swapped sections, lying counts) that must be
// rejected with a one-line message and never crash. Also exercises the
// disassembler on good and bad programs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "tests/unit/bytecode_asm.hpp"
#include "vm/disasm.hpp"
#include "vm/module_file.hpp"
#include "vm/opcodes.hpp"
#include "vm/verifier.hpp"

namespace nido::vm::testing {

Program sampleProgram();  // test_verifier.cpp

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Field-by-field equality (Program has no operator==).
bool sameProgram(const Program& a, const Program& b) {
    if (a.types != b.types || a.constants.size() != b.constants.size() || a.modules.size() != b.modules.size() ||
        a.classes.size() != b.classes.size() || a.functions.size() != b.functions.size() ||
        a.globals.size() != b.globals.size()) {
        return false;
    }
    for (size_t i = 0; i < a.constants.size(); i++) {
        const Constant &x = a.constants[i], &y = b.constants[i];
        if (x.kind != y.kind || x.i != y.i || !sameBits(x.f, y.f) || x.s != y.s) return false;
    }
    for (size_t i = 0; i < a.modules.size(); i++) {
        const ModuleDesc &x = a.modules[i], &y = b.modules[i];
        if (x.name != y.name || x.file != y.file || x.imports != y.imports || x.init != y.init || x.main != y.main) {
            return false;
        }
    }
    for (size_t i = 0; i < a.classes.size(); i++) {
        const ClassDesc &x = a.classes[i], &y = b.classes[i];
        if (x.name != y.name || x.module != y.module || x.flags != y.flags || x.super != y.super ||
            x.interfaces != y.interfaces || x.methods != y.methods || x.constructor != y.constructor ||
            x.fields.size() != y.fields.size()) {
            return false;
        }
        for (size_t f = 0; f < x.fields.size(); f++) {
            if (x.fields[f].name != y.fields[f].name || x.fields[f].type != y.fields[f].type ||
                x.fields[f].isLet != y.fields[f].isLet) {
                return false;
            }
        }
    }
    for (size_t i = 0; i < a.functions.size(); i++) {
        const FunctionDesc &x = a.functions[i], &y = b.functions[i];
        if (x.name != y.name || x.module != y.module || x.owner != y.owner || x.flags != y.flags ||
            x.params != y.params || x.ret != y.ret || x.locals != y.locals || x.captures != y.captures ||
            x.maxStack != y.maxStack || x.code != y.code || x.handlers.size() != y.handlers.size() ||
            x.lines.size() != y.lines.size()) {
            return false;
        }
        for (size_t h = 0; h < x.handlers.size(); h++) {
            const Handler &p = x.handlers[h], &q = y.handlers[h];
            if (p.start != q.start || p.end != q.end || p.target != q.target || p.catchClass != q.catchClass) {
                return false;
            }
        }
        for (size_t l = 0; l < x.lines.size(); l++) {
            if (x.lines[l].pc != y.lines[l].pc || x.lines[l].line != y.lines[l].line) return false;
        }
    }
    for (size_t i = 0; i < a.globals.size(); i++) {
        const GlobalDesc &x = a.globals[i], &y = b.globals[i];
        if (x.name != y.name || x.module != y.module || x.type != y.type) return false;
    }
    return true;
}

// Parses bytes; on failure checks the message shape and returns it.
std::string readError(const std::vector<uint8_t>& bytes, Program* out = nullptr) {
    Program p;
    std::string error;
    bool ok = readProgram(bytes.data(), bytes.size(), p, error);
    CHECK(ok == error.empty());
    if (!ok) {
        CHECK(error.find('\n') == std::string::npos);
        CHECK(error.find(" at byte ") != std::string::npos);
    }
    if (out) *out = std::move(p);
    return error;
}

// The sample program with every constant kind and odd values in it.
Program richProgram() {
    Program p = sampleProgram();
    Constant nan, neg, text;
    uint64_t payload = 0x7FF8000000001234ull;
    nan.kind = ConstKind::Float;
    std::memcpy(&nan.f, &payload, sizeof payload);
    neg.kind = ConstKind::Int;
    neg.i = INT64_MIN;
    text.kind = ConstKind::String;
    text.s = std::string("nul\0byte \xE2\x9C\x93", 13);
    p.constants.push_back(nan);
    p.constants.push_back(neg);
    p.constants.push_back(text);
    return p;
}

}  // namespace

TEST_CASE("module files round-trip and are deterministic") {
    Program p = richProgram();
    std::vector<uint8_t> bytes = writeProgram(p);
    CHECK(std::memcmp(bytes.data(), kNdcMagic, 4) == 0);
    CHECK((bytes[4] | bytes[5] << 8) == kNdcVersion);
    Program back;
    REQUIRE(readError(bytes, &back) == "");
    CHECK(sameProgram(p, back));
    CHECK(writeProgram(back) == bytes);
    CHECK(writeProgram(richProgram()) == bytes);

    std::string error;
    CHECK(verifyProgram(back, error));
    CHECK(error == "");

    Program empty;
    Program emptyBack;
    CHECK(readError(writeProgram(empty), &emptyBack) == "");
    CHECK(sameProgram(empty, emptyBack));
}

TEST_CASE("every truncation of a module file is rejected") {
    std::vector<uint8_t> bytes = writeProgram(richProgram());
    for (size_t n = 0; n < bytes.size(); n++) {
        std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + n);
        CHECK(readError(prefix) != "");
    }
    CHECK(readError({}) == "not a Nido module file (bad magic) at byte 0");
    CHECK(readError({0x7F, 'N', 'D', 'C', 1}) == "truncated header at byte 4");
}

TEST_CASE("header, sections and counts are checked") {
    std::vector<uint8_t> bytes = writeProgram(sampleProgram());
    auto with = [&](size_t at, uint8_t value) {
        std::vector<uint8_t> b = bytes;
        b[at] = value;
        return readError(b);
    };
    CHECK(with(1, 'X') == "not a Nido module file (bad magic) at byte 0");
    CHECK(with(4, 9) == "unsupported format version 9 (expected 1) at byte 4");
    CHECK(with(6, 2) == "expected section 1 (type table), found tag 2 at byte 6");
    CHECK(with(10, 0x7F).find("type table length") != std::string::npos);

    std::vector<uint8_t> trailing = bytes;
    trailing.push_back(0);
    CHECK(readError(trailing) == "trailing garbage of 1 bytes at byte " + std::to_string(bytes.size()));

    // A count far beyond the section: rejected before anything is reserved.
    std::vector<uint8_t> count = bytes;
    count[11] = count[12] = count[13] = count[14] = 0xFF;
    CHECK(readError(count) == "entry count 4294967295 in type table exceeds the remaining input at byte 11");

    // An unknown type kind names its byte.
    CHECK(with(15, 42) == "unknown type kind 42 at byte 15");
}

TEST_CASE("sections in the wrong order are rejected") {
    std::vector<uint8_t> bytes = writeProgram(sampleProgram());
    // Locate the sections and swap the first two.
    std::vector<std::pair<size_t, size_t>> sections;  // start, total length including header
    for (size_t at = 6; at < bytes.size();) {
        size_t len = bytes[at + 1] | bytes[at + 2] << 8 | bytes[at + 3] << 16 | size_t(bytes[at + 4]) << 24;
        sections.push_back({at, 5 + len});
        at += 5 + len;
    }
    REQUIRE(sections.size() == 6);
    std::vector<uint8_t> swapped(bytes.begin(), bytes.begin() + 6);
    for (int s : {1, 0, 2, 3, 4, 5}) {
        swapped.insert(swapped.end(), bytes.begin() + sections[s].first,
                       bytes.begin() + sections[s].first + sections[s].second);
    }
    CHECK(readError(swapped) == "expected section 1 (type table), found tag 2 at byte 6");
}

TEST_CASE("random corruption never crashes reader, verifier or disassembler") {
    std::vector<uint8_t> bytes = writeProgram(richProgram());
    std::mt19937 rng(12345);
    int accepted = 0;
    for (int round = 0; round < 3000; round++) {
        std::vector<uint8_t> b = bytes;
        int flips = 1 + int(rng() % 4);
        for (int i = 0; i < flips; i++) {
            size_t at = rng() % b.size();
            b[at] = round % 2 ? uint8_t(rng()) : uint8_t(b[at] ^ (1u << (rng() % 8)));
        }
        if (round % 7 == 0) b.resize(rng() % b.size());
        Program p;
        if (readError(b, &p) != "") continue;
        accepted++;
        std::string error;
        bool ok = verifyProgram(p, error);
        CHECK(ok == error.empty());
        CHECK(error.find('\n') == std::string::npos);
        CHECK(!disassemble(p).empty());
    }
    CHECK(accepted > 0);
}

TEST_CASE("disassembly resolves operands to names") {
    Program p = sampleProgram();
    std::string text = disassemble(p);
    CHECK(text.find("GET_FIELD  Square.side") != std::string::npos);
    CHECK(text.find("SET_FIELD  Base.sides") != std::string::npos);
    CHECK(text.find("CONST  \" has area \"") != std::string::npos);
    CHECK(text.find("CONST  2.0") != std::string::npos);
    CHECK(text.find("CALL  Square.new") != std::string::npos);
    CHECK(text.find("CALL_INTERFACE  Shape #0 (Shape.area)") != std::string::npos);
    CHECK(text.find("CALL_BUILTIN  ARRAY_MAP (map: [T] (T)>U -> [U])") != std::string::npos);
    CHECK(text.find("LOAD_GLOBAL  counter") != std::string::npos);
    CHECK(text.find("; line 7") != std::string::npos);
    CHECK(text.find("handler") != std::string::npos);
    CHECK(text.find("abstract class Base implements Shape") != std::string::npos);
    CHECK(text.find("let sides: int") != std::string::npos);
    CHECK(typeName(p, 12) == "{string: int}");
    CHECK(typeName(p, 13) == "fun(int): int");
    CHECK(typeName(p, 500) == "<bad type 500>");

    const FunctionDesc& main =
        *std::find_if(p.functions.begin(), p.functions.end(), [](const FunctionDesc& f) { return f.name == "main"; });
    CHECK(disassembleInstruction(p, main, 0) == "0000  NEW  Square");
    CHECK(disassembleInstruction(p, main, 5) == "0005  DUP");
    CHECK(disassembleInstruction(p, main, 100000) == "100000  <pc out of range>");
}

TEST_CASE("disassembly of broken programs shows bad indices") {
    Program p = sampleProgram();
    FunctionDesc f;
    f.name = "bad";
    // The last instruction, CONST, lacks its operand.
    f.code = Asm().op(Op::CALL, 99).op(Op::GET_FIELD, 1, 9).op(Op::JUMP, -16).op(Op::CONST).code();
    f.locals = {999};
    p.types.push_back(TypeDesc{});
    p.types.back().kind = TypeKind::Array;
    p.types.back().elem = uint32_t(p.types.size() - 1);  // a cycle
    p.classes[0].super = 0;                              // a cycle
    p.functions.push_back(f);
    std::string text = disassemble(p);
    CHECK(text.find("CALL  <bad index 99>") != std::string::npos);
    CHECK(text.find("GET_FIELD  IndexError.<bad index 9>") != std::string::npos);
    CHECK(text.find("CONST  <truncated operand>") != std::string::npos);
    CHECK(text.find("<bad type 999>") != std::string::npos);
    CHECK(text.find("[[[[") != std::string::npos);
    CHECK(disassembleInstruction(p, p.functions.back(), 12) == "0012  JUMP  -> -004");
    p.functions.back().code = {0xEE};
    CHECK(disassembleInstruction(p, p.functions.back(), 0) == "0000  <bad opcode 0xEE>");
}

}  // namespace nido::vm::testing
