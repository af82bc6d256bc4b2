// `nido help [COMMAND]`: the usage text, one entry per subcommand.
#include <fmt/core.h>

#include <string_view>

#include "cli/commands.hpp"

namespace nido::cli {

namespace {

struct HelpEntry {
    std::string_view name;
    std::string_view usage;
    std::string_view text;
};

constexpr HelpEntry kHelp[] = {
    {"run", "nido run [flags] FILE.nd|FILE.ndc [args...]",
     "Compiles FILE.nd (or loads and verifies FILE.ndc) and runs its main.\n"
     "Arguments after FILE go to the program.\n"
     "The program may use stdin, stdout, stderr, clocks and its arguments;\n"
     "files and environment variables only when a flag allows them:\n"
     "  --allow-read[=PATH,...]   read files (all, or under the listed paths)\n"
     "  --allow-write[=PATH,...]  create, write and remove files (all, or under the paths)\n"
     "  --allow-env[=NAME,...]    read environment variables (all, or the listed names)\n"
     "  -A, --allow-all           all of the above\n"
     "  --max-heap=SIZE           cap the heap (e.g. 64M); past it: OutOfMemoryError\n"
     "  --fuel=N                  stop after N loop iterations and calls (exit status 3)\n"
     "  --max-frames=N            call depth before StackOverflowError (default 20000, at least 100)\n"
     "  --trace                   print each instruction to stderr as it runs\n"
     "  --jit=on|off|eager        compile hot functions to native code (on, the\n"
     "                            default), never, or each before its first call\n"
     "  --stats                   at exit, say on stderr what the JIT compiled\n"
     "Exit status: the program's own (main's int result, else 0); 1 after an\n"
     "uncaught error; 2 for usage, compile, load or verification errors; 3 when\n"
     "the --fuel budget runs out."},
    {"build", "nido build FILE.nd [-o OUT.ndc]",
     "Compiles FILE.nd and every module it imports (with the prelude and the\n"
     "standard modules it uses) into one module file, FILE.ndc beside the\n"
     "source unless -o says otherwise. The same sources give the same bytes."},
    {"check", "nido check FILE.nd", "Type-checks FILE.nd and its imports without writing anything."},
    {"disasm", "nido disasm [--exec] FILE.nd|FILE.ndc",
     "Prints a readable listing: constants, types, classes, module variables and\n"
     "every function's instructions with their source lines. With --exec, prints\n"
     "instead the register form the interpreter runs, made from the bytecode at\n"
     "load time (L<n> is local n, S<d> the operand-stack entry at depth d)."},
    {"help", "nido help [COMMAND]", "Shows this text, or the details of one command."},
    {"version", "nido --version", "Prints the version."},
};

}  // namespace

int cmdHelp(const Args& args) {
    if (!args.empty()) {
        for (const HelpEntry& e : kHelp) {
            if (e.name == args[0]) {
                fmt::print("usage: {}\n\n{}\n", e.usage, e.text);
                return 0;
            }
        }
        return fail(fmt::format("no help for '{}' (see 'nido help')", args[0]));
    }
    fmt::print("Nido {}: a statically typed language on a process virtual machine.\n\nCommands:\n", NIDO_VERSION);
    for (const HelpEntry& e : kHelp) fmt::print("  {}\n", e.usage);
    fmt::print("\n'nido help COMMAND' shows the details of one command.\n");
    return 0;
}

}  // namespace nido::cli
