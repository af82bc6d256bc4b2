// SHA-256 (FIPS 180-4), for the hashes in a package (docs/package.md). Own
// code, no dependency: a package is checked before anything in it is used.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace nido::vm {

using Sha256Digest = std::array<uint8_t, 32>;

class Sha256 {
public:
    Sha256();
    void update(const uint8_t* data, size_t size);
    Sha256Digest finish();

private:
    void block(const uint8_t* p);

    uint32_t state_[8];
    uint8_t pending_[64];
    size_t pendingSize_ = 0;
    uint64_t totalBytes_ = 0;
};

Sha256Digest sha256(const uint8_t* data, size_t size);

// The digest as 64 lowercase hex digits.
std::string hexDigest(const Sha256Digest& d);

}  // namespace nido::vm
