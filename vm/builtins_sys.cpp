// The sys module's natives (LANGUAGE.md section 8): arguments, environment,
// exit and clocks, over the host layer (vm/host.hpp). Arguments and clocks
// are always allowed; environment variables only as --allow-env granted.
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/host.hpp"

namespace nido::vm {

// A fresh array each call (the program may change it), equal to main's.
void builtin_SYS_ARGS(Vm& vm, Value* args) {
    const std::vector<std::string>& argv = hostArgs();
    int64_t n = int64_t(argv.size());
    Array* a = newArray(ValKind::Ref, n, n);
    for (int64_t i = 0; a && i < n; i++) {
        a->data[i].ref = newString(argv[size_t(i)]);
        if (!a->data[i].ref) a = nullptr;
    }
    returnArray(vm, args, a);
}

// The variable's value, null if unset; PermissionError unless granted.
void builtin_SYS_ENV(Vm& vm, Value* args) {
    std::optional<std::string> value;
    HostResult r = hostEnv(view(asString(args[0])), value);
    if (!r.ok()) {
        throwError(vm, r.status == HostStatus::Denied ? ErrorKind::Permission : ErrorKind::Value, r.message);
        return;
    }
    if (!value) {
        args[0].ref = nullptr;
        return;
    }
    returnString(vm, args, newString(*value));
}

// Ends the process at once with the status (the OS keeps its low 8 bits),
// after flushing standard output. Like Java's System.exit, no finally
// block runs: the program's frames are simply abandoned.
void builtin_SYS_EXIT(Vm&, Value* args) { hostExit(int(args[0].i)); }

void builtin_SYS_CLOCK_NS(Vm&, Value* args) { args[0].i = hostClockNs(); }

void builtin_SYS_TIME_MS(Vm&, Value* args) { args[0].i = hostTimeMs(); }

}  // namespace nido::vm
