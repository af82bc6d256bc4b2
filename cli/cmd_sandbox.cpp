// `nido sandbox ls [APP] | diff APP | reset APP`: what apps run with
// --isolate wrote to their sandbox folders (vm/sandbox_inspect.hpp).
#include <fmt/core.h>

#include "cli/commands.hpp"
#include "vm/sandbox_inspect.hpp"

namespace nido::cli {

int cmdSandbox(const Args& args) {
    if (args.empty()) return fail("sandbox needs ls, diff or reset (see 'nido help sandbox')");
    const std::string& what = args[0];
    bool takesNoApp = what == "ls" && args.size() == 1;
    if (!takesNoApp && args.size() != 2)
        return fail(fmt::format("sandbox {} needs one APP (see 'nido help sandbox')", what));
    std::string error, out;
    if (takesNoApp) {
        out = vm::listSandboxes(error);
    } else if (what == "ls") {
        out = vm::describeSandbox(args[1], error);
    } else if (what == "diff") {
        out = vm::diffSandbox(args[1], error);
    } else if (what == "reset") {
        out = vm::resetSandbox(args[1], error);
    } else {
        return fail(fmt::format("unknown sandbox command '{}' (see 'nido help sandbox')", what));
    }
    if (!error.empty()) return fail(error);
    fmt::print("{}", out);
    return 0;
}

}  // namespace nido::cli
