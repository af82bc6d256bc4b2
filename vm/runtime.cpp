// runProgram: link, then run every module initialiser and main on a
// thread of our own.
//
// The program runs on a fresh thread with a large stack so that deep
// re-entrance (a comparator that sorts, toString printing nested objects)
// has room: the interpreter checks the remaining native stack at every
// re-entry and throws StackOverflowError well before the end. The thread
// is created through Boehm so that the collector scans its stack.
#include "vm/runtime.hpp"

#include <gc/gc.h>
#include <pthread.h>

#include <new>

#include <fmt/format.h>

#include "vm/exceptions.hpp"
#include "vm/gc.hpp"
#include "vm/host.hpp"
#include "vm/interpreter.hpp"
#include "vm/linker.hpp"
#include "vm/translator.hpp"

namespace nido::vm {
namespace {

// 256 MiB: committed only as it is touched. Each re-entrant level of the
// interpreter takes well under 1 KiB, so the 20,000-frame default limit
// is reached long before the stack runs out.
constexpr size_t kProgramStackBytes = size_t(256) << 20;
// Native stack kept in reserve below the last re-entry: room for one
// builtin, the formatter and the error machinery to run and unwind.
constexpr size_t kNativeStackReserve = size_t(1) << 20;

struct RunRequest {
    const Program& program;
    const std::vector<std::string>& args;
    const RunOptions& options;
    int status = 0;
};

// HOST: asks the thread library where this thread's stack ends.
const char* nativeStackLimit() {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return nullptr;
    void* low = nullptr;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || size <= 2 * kNativeStackReserve) return nullptr;
    return static_cast<const char*>(low) + kNativeStackReserve;
}

// Reports the pending error as uncaught: status 1.
int uncaught(Vm& vm) {
    Instance* err = vm.refs.pending;
    vm.refs.pending = nullptr;
    reportUncaught(vm, err);
    return 1;
}

// Runs the module initialisers, then main.
int runInVm(Vm& vm, const LinkedProgram& lp, const std::vector<std::string>& args) {
    for (const ModuleDesc& m : lp.program->modules) {
        if (m.init == kNone) continue;
        if (!callFunction(vm, &lp.functions[m.init], nullptr, nullptr, 0, nullptr)) return uncaught(vm);
    }
    Value argv{};
    uint32_t nargs = lp.main->nparams;
    if (nargs == 1) {
        Array* a = newArray(ValKind::Ref, int64_t(args.size()), int64_t(args.size()));
        for (size_t i = 0; a && i < args.size(); i++) {
            a->data[i].ref = newString(args[i]);
            if (!a->data[i].ref) a = nullptr;
        }
        if (!a) {
            throwOutOfMemory(vm);
            return uncaught(vm);
        }
        argv.ref = a;
    }
    Value result{};
    if (!callFunction(vm, lp.main, nullptr, &argv, nargs, &result)) return uncaught(vm);
    return lp.main->returnsValue ? int(result.i) : 0;
}

int runLinked(const LinkedProgram& lp, const std::vector<std::string>& args, const RunOptions& options) {
    Vm vm(lp, options);
    OutOfMemoryReserve oomReserve(vm);  // vm.refs.oomError; destroyed before vm
    if (!oomReserve.ready()) {
        hostWrite(HostStream::Err, fmt::format("nido: {} at start-up\n", outOfMemoryMessage()));
        return 2;
    }
    vm.nativeStackLimit = nativeStackLimit();
    // --trace shows the bytecode as the interpreter runs it, and compiled
    // code spends no fuel: both keep the whole run in the interpreter.
    vm.jitThreshold = options.trace || options.fuel ? jitThreshold(JitMode::Off) : jitThreshold(options.jit);
    int status = runInVm(vm, lp, args);
    if (options.stats) hostWrite(HostStream::Err, jitStatsReport(vm));
    return status;
}

int linkAndRun(const Program& p, const std::vector<std::string>& args, const RunOptions& options) {
    LinkedProgram lp;
    std::string error;
    if (!linkProgram(p, lp, error)) {
        if (error == "out of memory") error = fmt::format("{} at start-up", outOfMemoryMessage());
        hostWrite(HostStream::Err, fmt::format("nido: link error: {}\n", error));
        return 2;
    }
    // --trace shows every bytecode instruction, so it runs the unfused form.
    if (!translateProgram(lp, !options.trace, error)) {
        hostWrite(HostStream::Err, fmt::format("nido: link error: {}\n", error));
        return 2;
    }
    return runLinked(lp, args, options);
}

// The heap limit holds from linking to the end of the run (gc.hpp). A C++
// allocation failure that escapes the VM's own checks ends the run like
// an uncaught OutOfMemoryError, without a trace.
int runHere(const Program& p, const std::vector<std::string>& args, const RunOptions& options) {
    gcSetHeapLimit(options.maxHeapBytes);
    int status;
    try {
        status = linkAndRun(p, args, options);
    } catch (const std::bad_alloc&) {
        hostWrite(HostStream::Err, "OutOfMemoryError: out of memory\n");
        status = 1;
    }
    gcSetHeapLimit(0);
    return status;
}

void* programThread(void* arg) {
    auto* req = static_cast<RunRequest*>(arg);
    req->status = runHere(req->program, req->args, req->options);
    return nullptr;
}

}  // namespace

int runProgram(const Program& p, const std::vector<std::string>& args, const RunOptions& opts) {
    gcInit();
    // The sandbox policy (flag paths resolved now) and sys.args() for this run.
    HostRun host(opts.permissions, args);
    RunRequest req{p, args, opts};
    pthread_attr_t attr;
    pthread_t thread;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
        started = pthread_attr_setstacksize(&attr, kProgramStackBytes) == 0 &&
                  GC_pthread_create(&thread, &attr, programThread, &req) == 0;
        pthread_attr_destroy(&attr);
    }
    if (started) {
        GC_pthread_join(thread, nullptr);
    } else {
        req.status = runHere(p, args, opts);  // no thread: run with the stack we have
    }
    hostFlush();
    return req.status;
}

}  // namespace nido::vm
