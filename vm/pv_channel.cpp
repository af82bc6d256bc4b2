// The guest side of the paravirtual channel (pv_channel.hpp).
#include "vm/pv_channel.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "hvbridge/vmm/pv_abi.hpp"

namespace nido::vm::pv {

namespace {

using hv::pv::RecordHeader;
using hv::pv::RingHeader;

// 64 KiB: the host layer's stdout buffer size, so a full buffer is one
// record and a run of them costs one doorbell each.
constexpr size_t kRingBytes = 64 * 1024 + sizeof(RingHeader) + sizeof(RecordHeader);

// In .bss, so it costs nothing outside a micro-VM. Holds no GC references.
alignas(4096) uint8_t gRing[kRingBytes];

RingHeader& header() {
    // SAFETY: gRing is aligned and starts with the header the VMM agreed to.
    return *reinterpret_cast<RingHeader*>(gRing);
}

// HOST: the registration hypercall; a real kernel answers -ENOSYS.
bool registerRing() {
    const char* flag = std::getenv(hv::pv::kEnvironmentFlag);
    if (!flag || std::strcmp(flag, "1") != 0) return false;
    return ::syscall(static_cast<long>(hv::pv::kRegisterRing), gRing, kRingBytes) == 0;
}

// HOST: the doorbell hypercall; the VMM empties the ring before answering
// (or ends the run if the host's stdout is gone).
void ringDoorbell() { ::syscall(static_cast<long>(hv::pv::kDoorbell)); }

}  // namespace

bool active() {
    static const bool registered = registerRing();
    return registered;
}

void write(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        RingHeader& h = header();
        size_t room = h.capacity - h.used;
        if (room <= sizeof(RecordHeader)) {
            ringDoorbell();
            continue;
        }
        size_t n = std::min(bytes.size(), room - sizeof(RecordHeader));
        RecordHeader record{static_cast<uint32_t>(fd), static_cast<uint32_t>(n)};
        uint8_t* at = gRing + sizeof(RingHeader) + h.used;
        std::memcpy(at, &record, sizeof record);
        std::memcpy(at + sizeof record, bytes.data(), n);
        // The VMM reads `used` only when the guest stops, so the record is
        // complete before it can count.
        h.used += static_cast<uint32_t>(sizeof record + n);
        bytes.remove_prefix(n);
    }
}

}  // namespace nido::vm::pv
