// The --stats report of a micro-VM run (micro_stats.hpp).
#include "hvbridge/micro_stats.hpp"

#include <fmt/format.h>

namespace nido::hv {

namespace {

std::string ms(uint64_t ns) { return fmt::format("{:.3f} ms", double(ns) / 1e6); }

struct Group {
    uint64_t count = 0, ns = 0;
    std::string lines;
};

void add(Group& g, const std::string& name, const vmm::ExitStat& s) {
    g.count += s.count;
    g.ns += s.nanoseconds;
    g.lines += fmt::format("    {:<22}{:>8}  {:>12}  {:>9.2f} us each\n", name, s.count, ms(s.nanoseconds),
                           s.count ? double(s.nanoseconds) / 1e3 / double(s.count) : 0.0);
}

std::string group(const char* title, const Group& g) {
    if (g.count == 0) return fmt::format("  {:<24}{:>8}\n", title, 0);
    return fmt::format("  {:<24}{:>8}  {:>12}\n", title, g.count, ms(g.ns)) + g.lines;
}

}  // namespace

std::string microStatsReport(const vmm::MicroVmResult& r, const HvRunOptions& o,
                             std::chrono::steady_clock::time_point vmStarted) {
    Group syscalls, hypercalls, other;
    for (const auto& [name, s] : r.syscalls) add(syscalls, name, s);
    for (const auto& [name, s] : r.other) add(name.starts_with("pv:") ? hypercalls : other, name, s);
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - o.started).count();
    std::string out = fmt::format("nido hv: stats (micro-VM, paravirtual I/O {})\n", o.paravirtual ? "on" : "off");
    out +=
        fmt::format("  exits                   {:>8}  (each: host time from the exit to the next KVM_RUN)\n", r.exits);
    out += group("system calls (emulated)", syscalls);
    out += group("paravirtual calls", hypercalls);
    out += group("faults, interrupts", other);
    if (r.pvRecords)
        out += fmt::format("  shared ring             {} records, {} bytes of stdout/stderr without an exit each\n",
                           r.pvRecords, r.pvBytes);
    for (const auto& [name, n] : r.enosys) out += fmt::format("  refused (-ENOSYS)       {:<14}{:>8}\n", name, n);
    out +=
        fmt::format("  before the VM {} (argument parsing, compile and verify of the app)\n",
                    ms(uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(vmStarted - o.started).count())));
    out += fmt::format("  VM setup {}, run {} ({} inside KVM_RUN, the first entry {}), teardown {}\n",
                       ms(r.setupNanoseconds), ms(r.runNanoseconds), ms(r.insideKvmRunNanoseconds),
                       ms(r.firstRunNanoseconds), ms(r.teardownNanoseconds));
    std::string steps;
    for (const auto& [name, ns] : r.setupSteps)
        steps += fmt::format("{}{} {}", steps.empty() ? "" : ", ", name, ms(ns));
    if (!steps.empty()) out += fmt::format("    setup: {}\n", steps);
    out += fmt::format("  total                   {:.3f} s  (compile and verify on the host included)\n", total);
    return out;
}

}  // namespace nido::hv
