// The VMM side of the paravirtual channel (pv_channel.hpp, pv_abi.hpp).
#include "pv_channel.hpp"

#include <cerrno>
#include <cstring>

#include "machine.hpp"
#include "pv_abi.hpp"

namespace nido::hv::vmm {

namespace {

// A ring larger than this is refused: the guest side uses 64 KiB.
constexpr uint64_t kMaxRingBytes = 16ull << 20;

// Registration: the ring must lie in guest-owned memory (not the VMM's low
// structures); it is looked up again at every drain, never cached as a host
// pointer the guest could later move out from under.
int64_t registerRing(Machine& m, uint64_t address, uint64_t bytes) {
    if (!m.config.paravirtual) return -ENOSYS;
    if (bytes < sizeof(pv::RingHeader) + sizeof(pv::RecordHeader) + 1 || bytes > kMaxRingBytes) return -EINVAL;
    if (!m.memory.user(address, bytes)) return -EFAULT;
    pv::RingHeader header{0, static_cast<uint32_t>(bytes - sizeof(pv::RingHeader))};
    m.memory.write(address, header);
    m.pvRing = address;
    m.pvRingBytes = bytes;
    return 0;
}

void ringFault(Machine& m, const char* what) {
    m.end(MicroVmResult::Outcome::Fault, 1, std::string("guest fault: paravirtual ring ") + what);
}

}  // namespace

void drainPvRing(Machine& m) {
    if (!m.pvRing || m.stop) return;
    // SAFETY: user() checked the whole ring lies in guest RAM; the vCPU is
    // stopped, so nothing changes it while we read. Every length is checked
    // against `used`, and `used` against the registered size.
    uint8_t* ring = m.memory.user(m.pvRing, m.pvRingBytes);
    if (!ring) return ringFault(m, "is no longer in guest memory");
    pv::RingHeader header;
    std::memcpy(&header, ring, sizeof header);
    if (header.used == 0) return;
    uint64_t capacity = m.pvRingBytes - sizeof header;
    if (header.used > capacity) return ringFault(m, "claims more bytes than it holds");
    const uint8_t* data = ring + sizeof header;
    uint64_t at = 0;
    while (at < header.used) {
        pv::RecordHeader record;
        if (header.used - at < sizeof record) return ringFault(m, "ends inside a record header");
        std::memcpy(&record, data + at, sizeof record);
        at += sizeof record;
        if (record.length > header.used - at) return ringFault(m, "has a record longer than the ring");
        if (record.fd != 1 && record.fd != 2) return ringFault(m, "names a stream other than 1 and 2");
        ++m.pvRecords;
        m.pvBytes += record.length;
        const uint8_t* bytes = data + at;
        uint64_t left = record.length;
        while (left > 0) {
            int64_t n = m.files->write(static_cast<int>(record.fd), bytes, left);
            if (n == -EPIPE) return m.end(MicroVmResult::Outcome::Exited, 1, "");  // as `nido run` does
            if (n <= 0) {
                return m.end(MicroVmResult::Outcome::Error, 1,
                             std::string("cannot write the guest's output: ") + std::strerror(static_cast<int>(-n)));
            }
            bytes += n;
            left -= static_cast<uint64_t>(n);
        }
        at += record.length;
    }
    header.used = 0;
    std::memcpy(ring, &header, sizeof header);
}

std::string handleHypercall(Machine& m) {
    kvm_regs& r = m.vm.regs();
    uint64_t number = r.rax;
    int64_t result = -ENOSYS;
    std::string key = "pv: unknown";
    if (number == pv::kRegisterRing) {
        result = registerRing(m, r.rdi, r.rsi);
        key = "pv: register ring";
    } else if (number == pv::kDoorbell && m.pvRing) {
        result = 0;  // drained already, before this exit was handled
        key = "pv: doorbell";
    } else {
        ++m.result.enosys[key];
    }
    if (m.stop) return key;
    r.rax = static_cast<uint64_t>(result);
    m.resumeUser(r.rcx, r.r11);
    return key;
}

}  // namespace nido::hv::vmm
