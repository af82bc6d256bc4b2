// TEMPORARY: replaced by the host-layer work (issue 3).
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
namespace nido::vm {
void builtin_SYS_ARGS(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_SYS_ENV(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_SYS_EXIT(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_SYS_CLOCK_NS(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_SYS_TIME_MS(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
}
