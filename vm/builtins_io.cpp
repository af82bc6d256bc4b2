// TEMPORARY: replaced by the host-layer work (issue 3).
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
namespace nido::vm {
void builtin_IO_READ_LINE(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_IO_READ_ALL(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_IO_EPRINT(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_IO_EPRINTLN(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
}
