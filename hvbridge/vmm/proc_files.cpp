// Generated /proc and /sys files.
#include "proc_files.hpp"

#include <elf.h>

#include <cstdio>

#include "guest_layout.hpp"
#include "machine.hpp"

namespace nido::hv::vmm {

namespace {

std::string mapsLine(uint64_t start, uint64_t end, const char* perms, const char* name) {
    char line[128];
    std::snprintf(line, sizeof line, "%012llx-%012llx %s 00000000 00:00 0 %s\n", static_cast<unsigned long long>(start),
                  static_cast<unsigned long long>(end), perms, name);
    return line;
}

// One line per executable segment, the brk heap, each mmap run and the stack.
std::string maps(const Machine& m) {
    std::string out;
    for (const LoadedSegment& s : m.elf.segments) {
        char perms[5] = {(s.flags & PF_R) ? 'r' : '-', (s.flags & PF_W) ? 'w' : '-', (s.flags & PF_X) ? 'x' : '-', 'p',
                         0};
        out += mapsLine(s.start, s.end, perms, m.config.elfPath.c_str());
    }
    uint64_t heapEnd = (m.space.currentBreak() + layout::kPageSize - 1) & ~(layout::kPageSize - 1);
    if (heapEnd > m.space.breakStart()) out += mapsLine(m.space.breakStart(), heapEnd, "rw-p", "[heap]");
    for (auto [start, end] : m.space.mappedRanges()) out += mapsLine(start, end, "rw-p", "");
    out += mapsLine(m.memory.size() - layout::kStackBytes, m.memory.size(), "rw-p", "[stack]");
    return out;
}

}  // namespace

std::optional<std::string> generatedFile(const Machine& m, const std::string& path) {
    if (path == "/proc/self/maps") return maps(m);
    if (path == "/proc/stat") return std::string("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\n");
    if (path == "/sys/devices/system/cpu/online" || path == "/sys/devices/system/cpu/possible")
        return std::string("0\n");
    return std::nullopt;
}

}  // namespace nido::hv::vmm
