// The background compile thread (see compile_thread.hpp).
#include "vm/compile_thread.hpp"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <fmt/format.h>

#include "vm/code_cache.hpp"
#include "vm/linker.hpp"

namespace nido::vm {
namespace {

struct Job {
    JitRequest request;
    NativeCode* slot;         // where the code is published
    std::string cacheFolder;  // the code cache's, "" for none
    // A synchronous request's waiter: where the outcome goes.
    bool* done = nullptr;
    NativeCode* code = nullptr;
};

// Shared between the program thread and the compile thread; every field
// is guarded by lock.
struct CompileService {
    std::mutex lock;
    std::condition_variable queued;    // the thread waits here for jobs
    std::condition_variable finished;  // waiters: a job is done
    std::deque<Job> jobs;
    bool started = false;  // the thread runs
    bool busy = false;     // it is compiling a job taken from jobs
    JitStats stats;        // compile figures of the run so far
};

// Made by the program thread at the first compile of the process (runs
// that compile nothing never make it), before the thread starts; never
// destroyed, as the thread may still wait on it while static destructors
// run at exit. Plain new: it holds no Nido references.
CompileService* gService = nullptr;

CompileService& service() {
    if (!gService) gService = new CompileService;
    return *gService;
}

// Counts a compile in the run's figures (lock held).
void record(JitStats& stats, const JitRequest& request, const PluginCompile& outcome, bool background) {
    stats.compileSeconds += outcome.seconds;
    if (background) stats.backgroundSeconds += outcome.seconds;
    if (outcome.code) {
        (outcome.cached ? stats.cached : stats.compiled)++;
        return;
    }
    stats.failed++;
    if (stats.firstFailure.empty()) stats.firstFailure = fmt::format("{}: {}", request.fn->desc->name, outcome.why);
}

// The thread's body: compiles jobs as they come, forever. Boehm does not
// know the thread (gc.hpp): it allocates nothing from the heap and holds
// no Nido references.
void* compileLoop(void*) {
    CompileService& s = *gService;
    std::unique_lock<std::mutex> held(s.lock);
    while (true) {
        s.queued.wait(held, [&] { return !s.jobs.empty(); });
        Job job = s.jobs.front();
        s.jobs.pop_front();
        s.busy = true;
        held.unlock();
        PluginCompile outcome = compileCode(job.request, job.cacheFolder);
        if (outcome.code) publishNative(*job.slot, outcome.code);
        held.lock();
        record(s.stats, job.request, outcome, !job.done);
        if (job.done) {
            *job.code = outcome.code;
            *job.done = true;
        }
        s.busy = false;
        s.finished.notify_all();
    }
}

// LLVM's passes recurse over the code of big functions: whatever the
// process's stack limit says, the thread gets this much (reserved, not
// committed).
constexpr size_t kCompileStackBytes = size_t(8) << 20;

// Starts the thread once (lock held); false when it cannot start.
bool ensureStarted(CompileService& s) {
    if (s.started) return true;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) return false;
    pthread_t thread;
    s.started = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                pthread_attr_setstacksize(&attr, kCompileStackBytes) == 0 &&
                pthread_create(&thread, &attr, compileLoop, nullptr) == 0;
    pthread_attr_destroy(&attr);
    return s.started;
}

}  // namespace

bool compileInBackground(const JitRequest& request, NativeCode& slot, const std::string& cacheFolder) {
    CompileService& s = service();
    std::lock_guard<std::mutex> held(s.lock);
    if (!ensureStarted(s)) return false;
    s.jobs.push_back(Job{request, &slot, cacheFolder});
    s.queued.notify_one();
    return true;
}

NativeCode compileAndWait(const JitRequest& request, NativeCode& slot, const std::string& cacheFolder) {
    CompileService& s = service();
    std::unique_lock<std::mutex> held(s.lock);
    if (s.started) {
        bool done = false;
        NativeCode code = nullptr;
        s.jobs.push_front(Job{request, &slot, cacheFolder, &done, &code});
        s.queued.notify_one();
        s.finished.wait(held, [&] { return done; });
        return code;
    }
    // No thread: compile here, the lock held throughout, so that the
    // engine still has one user at a time.
    PluginCompile outcome = compileCode(request, cacheFolder);
    if (outcome.code) publishNative(slot, outcome.code);
    record(s.stats, request, outcome, false);
    return outcome.code;
}

bool endCompiles(JitStats& stats, bool abandon, double graceSeconds) {
    if (!gService) return false;
    CompileService& s = *gService;
    std::unique_lock<std::mutex> held(s.lock);
    if (graceSeconds > 0) {
        s.finished.wait_for(held, std::chrono::duration<double>(graceSeconds),
                            [&] { return s.jobs.empty() && !s.busy; });
    }
    stats.unfinished += uint32_t(s.jobs.size());
    s.jobs.clear();
    if (!abandon) s.finished.wait(held, [&] { return !s.busy; });
    if (s.busy) stats.unfinished++;
    stats.compiled += s.stats.compiled;
    stats.cached += s.stats.cached;
    stats.failed += s.stats.failed;
    stats.compileSeconds += s.stats.compileSeconds;
    stats.backgroundSeconds += s.stats.backgroundSeconds;
    if (stats.firstFailure.empty()) stats.firstFailure = s.stats.firstFailure;
    s.stats = JitStats{};
    return s.busy;
}

}  // namespace nido::vm
