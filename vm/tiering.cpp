// Tiering policy (see tiering.hpp).
#include "vm/tiering.hpp"

#include <sched.h>

#include <algorithm>
#include <climits>
#include <string>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/code_cache.hpp"
#include "vm/compile_thread.hpp"
#include "vm/jit_helpers.hpp"

namespace nido::vm {
namespace {

// Whether the process may run on more than one CPU. On one, a background
// compile only takes turns with the interpreter, which meanwhile runs
// the function slower than its code would: compiling first is faster.
bool severalCpus() {
    static const bool several = [] {
        // HOST: the CPUs this process may run on.
        cpu_set_t cpus;
        return sched_getaffinity(0, sizeof cpus, &cpus) != 0 || CPU_COUNT(&cpus) > 1;
    }();
    return several;
}

// Whether the run ends after so many steps or seconds (JitRequest::budgeted).
bool budgeted(const Vm& vm) { return vm.options.fuel || vm.options.timeoutSeconds > 0; }

// Compiles fn (for calls, or for OSR at loop header osrEntry) into slot:
// on the compile thread, or now when the run compiles synchronously.
NativeCode compile(Vm& vm, const RtFunction* fn, int32_t osrEntry, NativeCode& slot) {
    JitRequest request{&vm.linked, fn, builtinTable(), &jitHelpers(), &jitLayout(), osrEntry, budgeted(vm)};
    bool background = vm.options.jit == JitMode::On && vm.options.jitThreadAllowed && severalCpus();
    if (background && compileInBackground(request, slot, vm.options.jitCache)) return nullptr;
    Tier outer = vm.tier.load(std::memory_order_relaxed);
    vm.tier.store(Tier::Compiler, std::memory_order_relaxed);
    NativeCode code = compileAndWait(request, slot, vm.options.jitCache);
    vm.tier.store(outer, std::memory_order_relaxed);
    return code;
}

// fn's code for calls, asked for once per run.
NativeCode askForCode(Vm& vm, const RtFunction* fn) {
    if (vm.jitThreshold == UINT32_MAX || !fn->exec) return nullptr;
    // Once per function and run, even should its count wrap around.
    if (vm.jitRequested.empty()) vm.jitRequested.resize(vm.linked.functions.size());
    if (vm.jitRequested[fn->index]) return nullptr;
    vm.jitRequested[fn->index] = true;
    return compile(vm, fn, -1, fn->native);
}

// fn's OSR code for the loop at header, asked for once per run.
NativeCode askForLoop(Vm& vm, const RtFunction* fn, uint32_t header) {
    for (uint32_t i = 0; i < fn->osrCount; i++) {
        if (fn->osr[i].entry == header) return loadNative(fn->osr[i].code);
    }
    if (vm.jitThreshold == UINT32_MAX || !fn->exec || fn->osrCount == RtFunction::kMaxOsrEntries) return nullptr;
    RtFunction::OsrCode& osr = fn->osr[fn->osrCount++];
    osr.entry = header;
    return compile(vm, fn, int32_t(header), osr.code);
}

// With a code cache: everything the program's last run asked for
// (code_cache.hpp).
void askForHotList(Vm& vm) {
    if (vm.jitThreshold == UINT32_MAX || vm.options.jitCache.empty() || vm.options.jit != JitMode::On) return;
    vm.hotList = readHotList(vm.linked, budgeted(vm), vm.options.jitCache);
    for (const HotRequest& r : *vm.hotList) {
        const RtFunction* fn = &vm.linked.functions[r.fn];
        if (r.osrEntry < 0) {
            askForCode(vm, fn);
        } else {
            askForLoop(vm, fn, uint32_t(r.osrEntry));
        }
    }
}

// What the run asked for, in function order.
std::vector<HotRequest> askedFor(const Vm& vm) {
    std::vector<HotRequest> asked;
    for (const RtFunction& fn : vm.linked.functions) {
        if (fn.index < vm.jitRequested.size() && vm.jitRequested[fn.index]) asked.push_back({fn.index, -1});
        for (uint32_t i = 0; i < fn.osrCount; i++) asked.push_back({fn.index, int32_t(fn.osr[i].entry)});
    }
    return asked;
}

}  // namespace

uint32_t jitThreshold(JitMode mode) {
    switch (mode) {
    case JitMode::Off: return UINT32_MAX;
    case JitMode::On: return kHotThreshold;
    case JitMode::Eager: return 1;
    }
    return UINT32_MAX;
}

void startTiering(Vm& vm) { askForHotList(vm); }

NativeCode tierUp(Vm& vm, const RtFunction* fn) {
    if (NativeCode code = loadNative(fn->native)) return code;
    return askForCode(vm, fn);
}

NativeCode tierUpLoop(Vm& vm, const RtFunction* fn, uint32_t header) { return askForLoop(vm, fn, header); }

bool endTiering(Vm& vm, bool abandon, double ranSeconds) {
    // The code cache's next run finds code only for compiles that finished:
    // those still queued or running get half as long as the run took, up to
    // a bound, so a short run that compiled late is not cold every time.
    // A run that found a hot list asked for code that earlier runs asked
    // for too, and later ones will: finished once, it spares each of them
    // the wait, so it gets longer.
    constexpr double kCacheGraceSeconds = 0.1, kHotListGraceSeconds = 0.5;
    double grace = vm.options.jitCache.empty()          ? 0
                   : vm.hotList && !vm.hotList->empty() ? kHotListGraceSeconds
                                                        : std::min(ranSeconds / 2, kCacheGraceSeconds);
    bool stillCompiling = endCompiles(vm.jitStats, abandon, grace);
    if (vm.hotList) {
        if (std::vector<HotRequest> asked = askedFor(vm); asked != *vm.hotList)
            storeHotList(vm.linked, budgeted(vm), vm.options.jitCache, asked);
        vm.hotList.reset();
    }
    return stillCompiling;
}

std::string jitStatsReport(const JitStats& s) {
    std::string out =
        fmt::format("nido: jit: {} functions compiled in {:.1f} ms ({:.1f} ms in the background), {} not compiled\n",
                    s.compiled, s.compileSeconds * 1000, s.backgroundSeconds * 1000, s.failed);
    if (s.cached > 0) out += fmt::format("nido: jit: {} taken from the code cache\n", s.cached);
    if (s.unfinished > 0) out += fmt::format("nido: jit: {} still queued or compiling at the end\n", s.unfinished);
    if (!s.firstFailure.empty()) out += fmt::format("nido: jit: first not compiled: {}\n", s.firstFailure);
    uint64_t samples = 0;
    for (uint64_t n : s.samples) samples += n;
    if (samples == 0) {
        out += fmt::format("nido: jit: {:.1f} ms of CPU, too short to sample\n", s.cpuSeconds * 1000);
        return out;
    }
    // The program thread's CPU time, split as its samples fell.
    auto part = [&](Tier t) {
        double share = double(s.samples[int(t)]) / double(samples);
        return fmt::format("{:.1f} ms ({:.0f}%)", s.cpuSeconds * share * 1000, share * 100);
    };
    out += fmt::format("nido: jit: time in the interpreter {}, in native code {}", part(Tier::Interpreter),
                       part(Tier::Native));
    if (s.samples[int(Tier::Compiler)] > 0) out += fmt::format(", compiling {}", part(Tier::Compiler));
    out += "\n";
    return out;
}

}  // namespace nido::vm
