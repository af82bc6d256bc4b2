// Opening the JIT plugin and calling it (see jit_plugin.hpp).
#include "vm/jit_plugin.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>

#include "vm/tier_sampler.hpp"

namespace nido::vm {
namespace {

// Opened once per process, never closed (compiled code and LLVM's state
// live in it).
JitCompileFn loadPlugin(std::string& why) {
    static std::string failure;
    static JitCompileFn compile = []() -> JitCompileFn {
        std::string path = jitPluginPath();
        if (path.empty()) {
            failure = "cannot find the nido executable";
            return nullptr;
        }
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

std::string jitPluginPath() {
    // HOST: the plugin lives beside the nido executable.
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return "";
    std::string path(self, size_t(n));
    return path.substr(0, path.rfind('/') + 1) + "libnido_jit.so";
}

PluginCompile compileWithPlugin(const JitRequest& request) {
    PluginCompile out;
    JitCompileFn compile = loadPlugin(out.why);
    if (!compile) return out;
    double start = threadCpuSeconds();
    char error[512] = "";
    out.code = compile(&request, error, sizeof error);
    out.why = error;
    out.seconds = threadCpuSeconds() - start;
    return out;
}

}  // namespace nido::vm
