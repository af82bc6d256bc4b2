// `nido disasm FILE`: readable bytecode listing.
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "cli/program_input.hpp"
#include "vm/disasm.hpp"

namespace nido::cli {

int cmdDisasm(const Args& args) {
    if (args.size() != 1) return fail("disasm takes one file (see 'nido help disasm')");
    if (args[0].starts_with("-")) return fail("unknown flag '" + args[0] + "' (see 'nido help disasm')");
    auto program = loadProgram(args[0]);
    if (!program) return 2;
    fmt::print("{}", vm::disassemble(*program));
    return 0;
}

}  // namespace nido::cli
