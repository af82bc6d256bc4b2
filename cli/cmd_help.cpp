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
    {"run", "nido run [flags] FILE.nd|FILE.ndc|APP.ndar [args...]",
     "Compiles FILE.nd (or loads and verifies FILE.ndc) and runs its main.\n"
     "A package APP.ndar (nido pack) runs under its manifest: with no --allow-*\n"
     "flags it gets the manifest's grants; flags may only narrow them (and its\n"
     "limits), and asking for more is refused with status 2.\n"
     "Arguments after FILE go to the program.\n"
     "The program may use stdin, stdout, stderr, clocks and its arguments;\n"
     "files and environment variables only when a flag allows them:\n"
     "  --allow-read[=PATH,...]   read files (all, or under the listed paths)\n"
     "  --allow-write[=PATH,...]  create, write and remove files (all, or under the paths)\n"
     "  --allow-env[=NAME,...]    read environment variables (all, or the listed names)\n"
     "  -A, --allow-all           all of the above\n"
     "  --isolate=MODE[:PATH,...] where allowed file reads and writes land, for every\n"
     "                            path or for the paths listed (the longest rule wins):\n"
     "                            merged (the host, the default), writecopy (reads see\n"
     "                            the host until the app writes; writes and deletes go to\n"
     "                            the app's sandbox folder) or full (only the sandbox)\n"
     "  --isolate-app=NAME        name the sandbox folder (default: FILE's name without\n"
     "                            extension), $XDG_DATA_HOME/nido/sandbox/NAME\n"
     "  --isolate-dir=DIR         use DIR as the sandbox folder instead\n"
     "  --learn                   allow everything; at exit, print on stderr the --allow-*\n"
     "                            flags this run needed (its writes are real)\n"
     "  --audit=FILE              write one JSON line per permission decision to FILE\n"
     "                            (emptied first; the program may not write it)\n"
     "Limits, each ending the run with one line on stderr and its own status:\n"
     "  --max-heap=SIZE           cap the heap (e.g. 64M); past it: OutOfMemoryError\n"
     "  --fuel=N                  stop after N loop iterations and calls, counted the same\n"
     "                            in every --jit mode (exit status 3)\n"
     "  --max-output=SIZE         stop once the program wrote SIZE bytes (e.g. 64K) to\n"
     "                            stdout and stderr together (exit status 4)\n"
     "  --timeout=DURATION        stop after this long: 10, 2.5s, 500ms, 5m (exit status 124)\n"
     "  --max-frames=N            call depth before StackOverflowError (default 20000, at least 100)\n"
     "  --trace                   print each instruction to stderr as it runs\n"
     "  --jit=on|off|eager        compile hot functions to native code (on, the\n"
     "                            default), never, or each before its first call\n"
     "  --stats                   at exit, say on stderr what the JIT compiled\n"
     "Native code is kept in a code cache ($XDG_CACHE_HOME/nido/jit, by default\n"
     "~/.cache/nido/jit) and used again by later runs of the same program;\n"
     "NIDO_JIT_CACHE=DIR names another folder, NIDO_JIT_CACHE=off turns it off.\n"
     "Exit status: the program's own (main's int result, else 0); 1 after an\n"
     "uncaught error (PermissionError, OutOfMemoryError, StackOverflowError...);\n"
     "2 for usage, compile, load or verification errors, a damaged sandbox folder,\n"
     "a damaged or forged package, or flags wider than its manifest; 3 when the\n"
     "--fuel budget runs out; 4 at the --max-output limit; 124 at the --timeout\n"
     "limit. See docs/sandbox.md."},
    {"sandbox", "nido sandbox ls [APP] | diff APP | reset APP",
     "The sandbox folders of apps run with --isolate=writecopy or full\n"
     "($XDG_DATA_HOME/nido/sandbox/APP, by default ~/.local/share/nido/sandbox/APP):\n"
     "  ls                        the apps that have one\n"
     "  ls APP                    what APP wrote (written, folder) and deleted, by host path\n"
     "  diff APP                  each of those compared with the host now: added,\n"
     "                            modified or deleted, with the changed lines of small\n"
     "                            text files\n"
     "  reset APP                 remove APP's sandbox folder (the host is never touched)\n"
     "Exit status: 0; 2 for a bad APP name or a damaged sandbox folder."},
    {"pack", "nido pack [flags] DIR|FILE.nd -o APP.ndar | nido pack --exe [flags] DIR|FILE.nd -o APP",
     "Packs an app into one file (docs/package.md): a manifest, the program compiled\n"
     "and verified, and the app folder's files, each with its SHA-256. DIR may hold\n"
     "app.manifest (name, version, entry, resources and the run options below as\n"
     "'key = value' lines); without it the entry is main.nd and every file except\n"
     "*.nd sources and hidden files is a resource. The program reads its resources\n"
     "under /app (e.g. /app/data/x.txt), read-only and without --allow-read.\n"
     "  --name=NAME --version=V   the app's name (default: the folder or file name) and version\n"
     "  --allow-read[=...] --allow-write[=...] --allow-env[=...] -A\n"
     "  --fuel=N --max-heap=SIZE --timeout=DURATION --max-output=SIZE --isolate=...\n"
     "                            written into the manifest: the ceiling of every run\n"
     "                            of the package\n"
     "  --exe                     one executable instead: the static runtime with the\n"
     "                            package attached; it runs with no Nido installed, and\n"
     "                            every argument goes to the program\n"
     "A package is checked when it loads (format, hashes, verification); a damaged\n"
     "one is refused with one line and status 2."},
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
    {"hv", "nido hv check | nido hv run [flags] FILE.nd|FILE.ndc|APP.ndar [args...]",
     "The hypervisor bridge: runs the app in a virtual machine, with the Nido runtime\n"
     "itself inside it. Two kinds of guest:\n"
     "  micro   a KVM micro-VM with no guest kernel: the static runtime runs at CPL3 and\n"
     "          each of its system calls is a hypercall to the VMM inside this nido\n"
     "          process, its only \"kernel\" (milliseconds to start; needs /dev/kvm)\n"
     "  linux   a Linux kernel under QEMU (KVM or its emulator TCG) whose first process\n"
     "          (/init) is the runtime (seconds to boot; needs QEMU and the kernel)\n"
     "  hv check                  whether each kind works here and why (CPU extensions,\n"
     "                            /dev/kvm and its speed, QEMU, the guest kernel, a trial\n"
     "                            micro-VM); status 0 when hv run can work\n"
     "hv run compiles and verifies FILE on the host, gives the guest the app, its args,\n"
     "the standard streams and any --file, and returns the app's output and status.\n"
     "A package runs in the guest under its manifest (its grants, narrowed by\n"
     "--allow-read/--allow-write, are what the micro-VM's VMM allows):\n"
     "  --guest=micro|linux       the kind of guest (default: micro where /dev/kvm works,\n"
     "                            else linux)\n"
     "  --pv=on|off               micro: stdout and stderr through a ring shared with the\n"
     "                            VMM, one exit per full ring (on, the default), or one\n"
     "                            write system call (one exit) per flush (off)\n"
     "  --allow-read[=P,...]      micro: host paths the guest may read (or write), as for\n"
     "  --allow-write[=P,...]     nido run; checked by the VMM, outside the guest\n"
     "  --accel=auto|kvm|tcg      linux: KVM when it is fast here (auto), or force one\n"
     "  --kernel PATH             linux: the kernel to boot (default: scripts/setup's)\n"
     "  --file HOST[:GUEST]       give a host file to the guest (GUEST relative to the\n"
     "                            app's folder /app, or absolute); repeatable\n"
     "  --mem=SIZE  --cpus=N      the guest's RAM (default 1G micro, 256M linux) and\n"
     "                            vCPUs (linux; a micro-VM has one)\n"
     "  --timeout=DURATION        stop the guest after this long: 10, 2.5s, 500ms (exit status 124)\n"
     "  --keep-image DIR          linux: leave the kernel, initramfs and boot.sh in DIR\n"
     "  --stats                   micro: exits by kind (system calls by name, paravirtual\n"
     "                            calls, faults) with their time, the set-up's steps and\n"
     "                            the first entry; linux: image, boot, run\n"
     "  --explain                 the layers of this run, from the app down to the CPU\n"
     "A micro guest holds nothing the host did not give it; a Linux guest's app may use\n"
     "every file of its initramfs. Exit status: the app's; 1 when the guest faults or ends\n"
     "without one; 2 for usage, compile, load, image and QEMU errors; 124 after --timeout."},
    {"help", "nido help [COMMAND]", "Shows this text, or the details of one command."},
    {"version", "nido --version", "Prints the version."},
};

}  // namespace

int cmdHelp(const Args& args) {
    if (args.size() > 1) return fail("help takes one command name (see 'nido help')");
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
