// The fs module's natives (LANGUAGE.md section 8): files and folders, each
// through the host layer and its sandbox (vm/host.hpp, vm/sandbox.hpp).
// A refusal of the sandbox throws PermissionError, a failure of the
// operating system IOError (`cannot read "/x/y.txt": No such file or
// directory`), a path holding a NUL byte ValueError: paths are never
// silently cut at the NUL.
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/host.hpp"

namespace nido::vm {
namespace {

// Throws the Nido error matching a failed host call.
bool check(Vm& vm, const HostResult& r) {
    switch (r.status) {
    case HostStatus::Ok: return true;
    case HostStatus::Denied: throwError(vm, ErrorKind::Permission, r.message); break;
    case HostStatus::Failed: throwError(vm, ErrorKind::IO, r.message); break;
    case HostStatus::Invalid: throwError(vm, ErrorKind::Value, r.message); break;
    }
    return false;
}

std::string_view arg(Value* args, int i) { return view(asString(args[i])); }

}  // namespace

void builtin_FS_READ_FILE(Vm& vm, Value* args) {
    std::string data;
    if (!check(vm, hostReadFile(arg(args, 0), data))) return;
    returnString(vm, args, newString(data));
}

void builtin_FS_WRITE_FILE(Vm& vm, Value* args) { check(vm, hostWriteFile(arg(args, 0), arg(args, 1))); }

void builtin_FS_APPEND_FILE(Vm& vm, Value* args) { check(vm, hostAppendFile(arg(args, 0), arg(args, 1))); }

void builtin_FS_EXISTS(Vm& vm, Value* args) {
    bool found = false;
    if (check(vm, hostExists(arg(args, 0), found))) args[0].i = found;
}

void builtin_FS_IS_DIR(Vm& vm, Value* args) {
    bool dir = false;
    if (check(vm, hostIsDir(arg(args, 0), dir))) args[0].i = dir;
}

void builtin_FS_LIST_DIR(Vm& vm, Value* args) {
    std::vector<std::string> names;
    if (!check(vm, hostListDir(arg(args, 0), names))) return;
    int64_t n = int64_t(names.size());
    Array* a = newArray(ValKind::Ref, n, n);
    for (int64_t i = 0; a && i < n; i++) {
        a->data[i].ref = newString(names[size_t(i)]);
        if (!a->data[i].ref) a = nullptr;
    }
    returnArray(vm, args, a);
}

void builtin_FS_REMOVE(Vm& vm, Value* args) { check(vm, hostRemove(arg(args, 0))); }

void builtin_FS_MKDIRS(Vm& vm, Value* args) { check(vm, hostMkdirs(arg(args, 0))); }

}  // namespace nido::vm
