// Frame encoding shared by the guest's /init and the host (guest_protocol.hpp).
#include "hvbridge/guest_protocol.hpp"

namespace nido::hv {

void appendFrame(std::string& out, FrameKind kind, std::string_view payload) {
    out.push_back(char(kFrameMagic));
    out.push_back(char(kind));
    out.push_back(char(payload.size() & 0xff));
    out.push_back(char(payload.size() >> 8));
    out.append(payload);
}

void appendU32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; i++) out.push_back(char(v >> (8 * i)));
}

void appendU64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; i++) out.push_back(char(v >> (8 * i)));
}

uint32_t readU32(std::string_view bytes, size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= uint32_t(uint8_t(bytes[at + i])) << (8 * i);
    return v;
}

uint64_t readU64(std::string_view bytes, size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= uint64_t(uint8_t(bytes[at + i])) << (8 * i);
    return v;
}

}  // namespace nido::hv
