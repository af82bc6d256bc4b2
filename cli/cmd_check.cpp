// `nido check FILE.nd`: compile and verify, write nothing.
#include "cli/commands.hpp"
#include "cli/program_input.hpp"

namespace nido::cli {

int cmdCheck(const Args& args) {
    for (const std::string& a : args)
        if (a.starts_with("-")) return fail("unknown flag '" + a + "' (see 'nido help check')");
    if (args.size() != 1) return fail("check takes one file (see 'nido help check')");
    return loadProgram(args[0]) ? 0 : 2;
}

}  // namespace nido::cli
