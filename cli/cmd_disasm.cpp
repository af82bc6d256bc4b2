// `nido disasm [--exec] FILE`: readable bytecode listing, or the execution
// form the interpreter makes of it.
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/disasm.hpp"
#include "vm/exec_disasm.hpp"
#include "vm/linker.hpp"
#include "vm/translator.hpp"

namespace nido::cli {

int cmdDisasm(const Args& args) {
    bool exec = false;
    Args files;
    for (const std::string& a : args) {
        if (a == "--exec")
            exec = true;
        else if (a.starts_with("-"))
            return fail("unknown flag '" + a + "' (see 'nido help disasm')");
        else
            files.push_back(a);
    }
    if (files.size() != 1) return fail("disasm takes one file (see 'nido help disasm')");
    auto program = loadProgram(files[0]);
    if (!program) return 2;
    if (!exec) {
        fmt::print("{}", vm::disassemble(*program));
        return 0;
    }
    vm::LinkedProgram linked;
    std::string error;
    if (!vm::linkProgram(*program, linked, error) || !vm::translateProgram(linked, true, error)) {
        return fail("link error: " + error);
    }
    fmt::print("{}", vm::disassembleExec(linked));
    return 0;
}

}  // namespace nido::cli
