// TEMPORARY: replaced by the host-layer work (issue 3).
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
namespace nido::vm {
void builtin_FS_READ_FILE(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_WRITE_FILE(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_APPEND_FILE(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_EXISTS(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_IS_DIR(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_LIST_DIR(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_REMOVE(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
void builtin_FS_MKDIRS(Vm& vm, Value*) { throwError(vm, ErrorKind::IO, "not implemented"); }
}
