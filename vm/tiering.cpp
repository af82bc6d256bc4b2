// Tiering policy and the lazily loaded JIT plugin (see tiering.hpp).
#include "vm/tiering.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <string>

#include <fmt/format.h>

#include "vm/builtin_impl.hpp"
#include "vm/jit_helpers.hpp"

namespace nido::vm {
namespace {

// HOST: the plugin lives beside the nido executable; opened once per
// process, never closed (compiled code and LLVM's state live in it).
JitCompileFn loadPlugin(std::string& why) {
    static std::string failure;
    static JitCompileFn compile = []() -> JitCompileFn {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            failure = "cannot find the nido executable";
            return nullptr;
        }
        std::string path(self, size_t(n));
        path = path.substr(0, path.rfind('/') + 1) + "libnido_jit.so";
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            failure = dlerror();
            return nullptr;
        }
        auto fn = reinterpret_cast<JitCompileFn>(dlsym(handle, kJitCompileSymbol));
        if (!fn) failure = "libnido_jit.so has no " + std::string(kJitCompileSymbol);
        return fn;
    }();
    why = failure;
    return compile;
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

bool tierUp(Vm& vm, const RtFunction* fn) {
    if (fn->native) return true;
    if (vm.jitThreshold == UINT32_MAX || !fn->exec) return false;
    std::string why;
    JitCompileFn compile = loadPlugin(why);
    if (compile) {
        auto start = std::chrono::steady_clock::now();
        JitRequest request{&vm.linked, fn, builtinTable(), &jitHelpers(), &jitLayout()};
        char error[512] = "";
        fn->native = compile(&request, error, sizeof error);
        why = error;
        vm.jitStats.compileSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if (fn->native) {
        vm.jitStats.compiled++;
    } else {
        vm.jitStats.failed++;
        if (vm.jitStats.firstFailure.empty()) vm.jitStats.firstFailure = fmt::format("{}: {}", fn->desc->name, why);
    }
    return fn->native != nullptr;
}

std::string jitStatsReport(const Vm& vm) {
    const Vm::JitStats& s = vm.jitStats;
    std::string out = fmt::format("nido: jit: {} functions compiled in {:.1f} ms, {} not compiled\n", s.compiled,
                                  s.compileSeconds * 1000, s.failed);
    if (!s.firstFailure.empty()) out += fmt::format("nido: jit: first not compiled: {}\n", s.firstFailure);
    return out;
}

}  // namespace nido::vm
