// The guest's CPUID (cpuid_model.hpp).
#include "cpuid_model.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <system_error>
#include <vector>

namespace nido::hv::vmm {

namespace {

constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, uint64_t);  // for an 8-byte header
constexpr uint32_t kCacheLeaf = 4, kDescriptorLeaf = 2, kHighestBasicLeaf = 0xc;
enum CacheKind : uint32_t { kNone = 0, kData = 1, kInstruction = 2, kUnified = 3 };

// Intel's leaf-2 descriptors for 64-byte lines that glibc's table knows
// (sysdeps/x86/dl-cacheinfo.h, intel_02_known), largest first per level.
struct Descriptor {
    uint8_t code;
    uint32_t level;
    CacheKind kind;  // kUnified for L2 and L3
    uint64_t bytes;
};
constexpr std::array<Descriptor, 20> kDescriptors = {{
    {0x2c, 1, kData, 32 << 10},        {0x0e, 1, kData, 24 << 10},       {0x0d, 1, kData, 16 << 10},
    {0x30, 1, kInstruction, 32 << 10}, {0x4e, 2, kUnified, 6 << 20},     {0x48, 2, kUnified, 3 << 20},
    {0x7d, 2, kUnified, 2 << 20},      {0x7c, 2, kUnified, 1 << 20},     {0x7b, 2, kUnified, 512 << 10},
    {0x7a, 2, kUnified, 256 << 10},    {0xec, 3, kUnified, 24ull << 20}, {0xeb, 3, kUnified, 18ull << 20},
    {0x4d, 3, kUnified, 16ull << 20},  {0xea, 3, kUnified, 12ull << 20}, {0xe4, 3, kUnified, 8ull << 20},
    {0x4a, 3, kUnified, 6ull << 20},   {0xe3, 3, kUnified, 4ull << 20},  {0xe2, 3, kUnified, 2ull << 20},
    {0xd2, 3, kUnified, 2ull << 20},   {0xd1, 3, kUnified, 1ull << 20},
}};

// The descriptor for one cache leaf 4 describes; 0 if none fits.
uint8_t descriptorFor(const kvm_cpuid_entry2& cache) {
    auto kind = static_cast<CacheKind>(cache.eax & 0x1f);
    uint32_t level = (cache.eax >> 5) & 0x7;
    uint64_t line = (cache.ebx & 0xfff) + 1;
    uint64_t bytes =
        (uint64_t{cache.ebx >> 22} + 1) * (((cache.ebx >> 12) & 0x3ff) + 1) * line * (uint64_t{cache.ecx} + 1);
    if (line != 64) return 0;
    uint8_t smallest = 0;
    for (const Descriptor& d : kDescriptors) {
        if (d.level != level || (level == 1 ? d.kind != kind : kind == kInstruction || kind == kData)) continue;
        if (d.bytes <= bytes) return d.code;
        smallest = d.code;
    }
    return smallest;
}

}  // namespace

void shapeGuestCpuid(kvm_cpuid_entry2* entries, uint32_t count) {
    kvm_cpuid_entry2* descriptors = nullptr;
    std::vector<uint8_t> codes;
    for (uint32_t i = 0; i < count; ++i) {
        kvm_cpuid_entry2& e = entries[i];
        if (e.function == 0 && e.eax > kHighestBasicLeaf) e.eax = kHighestBasicLeaf;
        if (e.function == kDescriptorLeaf) descriptors = &e;
        if (e.function == kCacheLeaf && (e.eax & 0x1f) != kNone) {
            if (uint8_t code = descriptorFor(e)) codes.push_back(code);
        }
    }
    // Up to 15 descriptors fit one round; a CPU with no usable leaf 4 keeps its leaf 2.
    if (!descriptors || codes.empty() || codes.size() > 15) return;
    std::array<uint8_t, 16> bytes{};
    bytes[0] = 1;  // one round of leaf 2
    for (std::size_t i = 0; i < codes.size(); ++i) bytes[i + 1] = codes[i];
    auto word = [&](int r) {
        return uint32_t{bytes[r * 4]} | uint32_t{bytes[r * 4 + 1]} << 8 | uint32_t{bytes[r * 4 + 2]} << 16 |
               uint32_t{bytes[r * 4 + 3]} << 24;
    };
    descriptors->eax = word(0);
    descriptors->ebx = word(1);
    descriptors->ecx = word(2);
    descriptors->edx = word(3);
}

SupportedCpuid::SupportedCpuid() {
    try {
        thread_ = std::thread([this] { query(); });
    } catch (const std::system_error&) {
        query();  // no thread to be had: ask now
    }
}

SupportedCpuid::~SupportedCpuid() {
    if (thread_.joinable()) thread_.join();
}

void SupportedCpuid::query() {
    int kvm = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm < 0) {
        error_ = std::string("cannot open /dev/kvm: ") + strerror(errno);
        return;
    }
    table_->nent = kMaxCpuidEntries;
    // SAFETY: table_ is a CpuidTable with room for the nent entries it declares.
    if (ioctl(kvm, kGetSupportedCpuid, table_.get()) < 0) {
        error_ = std::string("KVM_GET_SUPPORTED_CPUID: ") + strerror(errno);
    } else {
        shapeGuestCpuid(table_->entries, table_->nent);
    }
    ::close(kvm);
}

const CpuidTable* SupportedCpuid::guestTable(std::string& error) {
    if (thread_.joinable()) thread_.join();
    if (!error_.empty()) return error = error_, nullptr;
    return table_.get();
}

}  // namespace nido::hv::vmm
