// Reading and writing .ndc files: the portable, little-endian serialisation of
// a Program (layout in docs/bytecode.md, architecture decision 3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vm/program.hpp"

namespace nido::vm {

constexpr uint8_t kNdcMagic[4] = {0x7F, 'N', 'D', 'C'};
constexpr uint16_t kNdcVersion = 1;

// Serialises p; the same Program always gives the same bytes.
std::vector<uint8_t> writeProgram(const Program& p);

// Parses bytes into out. On malformed input returns false and sets error to a
// one-line description with the byte offset ("truncated constant pool at byte 123").
// Never crashes and never allocates more than the input can justify.
bool readProgram(const uint8_t* data, size_t size, Program& out, std::string& error);

}  // namespace nido::vm
