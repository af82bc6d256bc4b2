// runProgram: link, then run every module initialiser and main on a
// stack of our own.
//
// The program runs on a fresh, large stack so that deep re-entrance (a
// comparator that sorts, toString printing nested objects) has room: the
// interpreter checks the remaining native stack at every re-entry and
// throws StackOverflowError well before the end. The main thread switches
// to that stack rather than starting a thread on it (a thread cost a short
// run about 0.2 ms) and tells Boehm where its stack now is, so that the
// collector scans it. AddressSanitizer builds still start a thread, created
// through Boehm: their leak checker (GCC 12's, with glibc 2.36) takes wrong
// bounds for the dynamic TLS the JIT plugin gives the thread that loads it
// and crashes at exit, by when a thread of our own has ended.
#include "vm/runtime.hpp"

#include <gc/gc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <chrono>
#include <new>

#include <fmt/format.h>

#include "vm/audit.hpp"
#include "vm/exceptions.hpp"
#include "vm/gc.hpp"
#include "vm/host.hpp"
#include "vm/interpreter.hpp"
#include "vm/linker.hpp"
#include "vm/tier_sampler.hpp"
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

// The limit for nativeStackLimit while the program stack is in use.
const char* gProgramStackLimit = nullptr;

// HOST: asks the thread library where this thread's stack ends.
const char* nativeStackLimit() {
    if (gProgramStackLimit) return gProgramStackLimit;
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

// However the run ends (std::bad_alloc included), no compile of its
// functions outlives it: the compile thread reads the LinkedProgram.
struct CompilesEnd {
    Vm& vm;
    ~CompilesEnd() { endTiering(vm, false, 0); }
};

int runLinked(const LinkedProgram& lp, const std::vector<std::string>& args, const RunOptions& options) {
    Vm vm(lp, options);
    OutOfMemoryReserve oomReserve(vm);  // vm.refs.oomError; destroyed before vm
    if (!oomReserve.ready()) {
        hostWrite(HostStream::Err, fmt::format("nido: {} at start-up\n", outOfMemoryMessage()));
        return 2;
    }
    vm.nativeStackLimit = nativeStackLimit();
    // --trace shows the bytecode as the interpreter runs it: it keeps the
    // whole run in the interpreter.
    vm.jitThreshold = options.trace ? jitThreshold(JitMode::Off) : jitThreshold(options.jit);
    CompilesEnd compilesEnd{vm};
    startTiering(vm);
    TierSampler sampler(vm, options.stats);
    auto started = std::chrono::steady_clock::now();
    int status = runInVm(vm, lp, args);
    std::chrono::duration<double> ran = std::chrono::steady_clock::now() - started;
    sampler.stop();
    bool stillCompiling = endTiering(vm, options.endsProcess, ran.count());
    if (options.stats) hostWrite(HostStream::Err, jitStatsReport(vm.jitStats));
    // Returning would run static destructors, LLVM's and the plugin's,
    // while the compile thread is inside LLVM: end the process here.
    if (stillCompiling) hostExit(status);
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

#ifdef __SANITIZE_ADDRESS__

void* programThread(void* arg) {
    auto* req = static_cast<RunRequest*>(arg);
    req->status = runHere(req->program, req->args, req->options);
    return nullptr;
}

// Runs req on a thread with a kProgramStackBytes stack. False when the
// thread could not start; req has not run then.
bool runOnProgramStack(RunRequest& req) {
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_t thread;
    bool started = pthread_attr_setstacksize(&attr, kProgramStackBytes) == 0 &&
                   GC_pthread_create(&thread, &attr, programThread, &req) == 0;
    pthread_attr_destroy(&attr);
    if (started) GC_pthread_join(thread, nullptr);
    return started;
}

#else

// Unmapped below the program stack, so that running off its end faults:
// at least a page on every kernel Nido runs on.
constexpr size_t kStackGuardBytes = size_t(64) << 10;

// The switch to the program stack and back. makecontext passes no pointer
// arguments portably, so the run is handed over in these (one at a time).
ucontext_t gMainContext;
RunRequest* gRequest = nullptr;
char* gProgramStackTop = nullptr;

void* setStackBottom(void* bottom) {
    GC_stack_base sb{};
    sb.mem_base = bottom;
    GC_set_stackbottom(nullptr, &sb);
    return nullptr;
}

// Entered on the program stack; returns to gMainContext (uc_link). Boehm
// scans this thread's stack from the top of the program stack meanwhile:
// what the main stack holds below runProgram references no Nido object.
void onProgramStack() {
    GC_stack_base mainStack{};
    GC_get_my_stackbottom(&mainStack);
    GC_call_with_alloc_lock(setStackBottom, gProgramStackTop);
    gRequest->status = runHere(gRequest->program, gRequest->args, gRequest->options);
    GC_call_with_alloc_lock(setStackBottom, mainStack.mem_base);
}

// SAFETY: runs req on a stack mapped here, with an unmapped guard below
// it, and unmaps it after the switch back. False when there is no room
// for the mapping; req has not run then.
bool runOnProgramStack(RunRequest& req) {
    size_t bytes = kStackGuardBytes + kProgramStackBytes;
    // HOST: anonymous memory for the stack.
    void* map =
        mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (map == MAP_FAILED) return false;
    char* low = static_cast<char*>(map) + kStackGuardBytes;
    ucontext_t program;
    bool ok = mprotect(map, kStackGuardBytes, PROT_NONE) == 0 && getcontext(&program) == 0;
    if (ok) {
        program.uc_stack.ss_sp = low;
        program.uc_stack.ss_size = kProgramStackBytes;
        program.uc_link = &gMainContext;
        makecontext(&program, onProgramStack, 0);
        gRequest = &req;
        gProgramStackTop = low + kProgramStackBytes;
        gProgramStackLimit = low + kNativeStackReserve;
        ok = swapcontext(&gMainContext, &program) == 0;
        gProgramStackLimit = nullptr;
    }
    munmap(map, bytes);
    return ok;
}

#endif

}  // namespace

int runProgram(const Program& p, const std::vector<std::string>& args, const RunOptions& opts) {
    gcInit();
    PermissionLog log;
    log.setLearning(opts.learn);
    std::string error;
    if (!log.open(opts.auditPath, error)) {
        hostWrite(HostStream::Err, fmt::format("nido: {}\n", error));
        return 2;
    }
    // --learn runs with everything allowed and records what was used.
    Permissions permissions = opts.permissions;
    if (opts.learn) permissions.readAll = permissions.writeAll = permissions.envAll = true;
    // The sandbox policy (flag paths resolved now) and sys.args() for this run.
    bool logged = opts.learn || !opts.auditPath.empty();
    HostRun host(permissions, args, HostWatch{opts.maxOutputBytes, logged ? &log : nullptr}, opts.isolation);
    if (!host.startError().empty()) {
        hostWrite(HostStream::Err, fmt::format("nido: {}\n", host.startError()));
        return 2;
    }
    host.mountResources(opts.resources);
    RunRequest req{p, args, opts};
    if (!runOnProgramStack(req)) {
        req.status = runHere(p, args, opts);  // no room: run with the stack we have
    }
    host.end();
    return req.status;
}

}  // namespace nido::vm
