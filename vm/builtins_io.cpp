// The io module's natives (LANGUAGE.md section 8): standard input and
// standard error, over the host layer (vm/host.hpp). Standard output is
// print/println (builtins_global.cpp).
#include "vm/builtin_impl.hpp"
#include "vm/exceptions.hpp"
#include "vm/host.hpp"

namespace nido::vm {
namespace {

// A failed read of standard input is an IOError naming the reason.
bool check(Vm& vm, const HostResult& r) {
    if (r.ok()) return true;
    throwError(vm, ErrorKind::IO, r.message);
    return false;
}

}  // namespace

// The next line without "\n" or "\r\n"; null at end of input.
void builtin_IO_READ_LINE(Vm& vm, Value* args) {
    std::optional<std::string> line;
    if (!check(vm, hostReadLine(line))) return;
    if (!line) {
        args[0].ref = nullptr;
        return;
    }
    returnString(vm, args, newString(*line));
}

// The rest of standard input, "" at its end.
void builtin_IO_READ_ALL(Vm& vm, Value* args) {
    std::string all;
    if (!check(vm, hostReadAll(all))) return;
    returnString(vm, args, newString(all));
}

// eprint/eprintln get a string ("S": the compiler applied str()). The host
// flushes standard output first, so the two streams keep program order.
void builtin_IO_EPRINT(Vm&, Value* args) {
    const String* s = asString(args[0]);
    hostProgramOutput(HostStream::Err, s ? view(s) : "null");
}

void builtin_IO_EPRINTLN(Vm&, Value* args) {
    const String* s = asString(args[0]);
    std::string line(s ? view(s) : "null");
    line += '\n';
    hostProgramOutput(HostStream::Err, line);  // one write: the line stays whole beside other writers
}

}  // namespace nido::vm
