#!/usr/bin/env python3
"""Tests of the `nido` command itself: subcommands, flags, exit statuses and
error lines (ARCHITECTURE.md, "The nido command").

    python3 tests/cli/run.py NIDO

Every check works in a fresh temporary folder. One line is printed per failing
check, then `N passed, N failed`; exit status 1 when a check failed.
"""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = float(os.environ.get("NIDO_TEST_TIMEOUT", "20"))
ERROR_LINE = re.compile(r"^(?P<file>\S+\.nd):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.+)$")

HELLO = """\
fun main() {
    println("hello from the cli test")
}
"""

EXIT7 = """\
fun main(): int {
    println("seven")
    return 7
}
"""

ARGS = """\
fun main(args: [string]) {
    println(args.len())
    for a in args {
        println(a)
    }
}
"""

# The error is the string on line 3; the caret must point into that line.
BAD = """\
fun main() {
    println("fine")
    let count: int = "three"
    println(count)
}
"""

# Reads data/x.txt and the variable NIDO_CLI_VAR, saying what was allowed.
GRANTS = """\
import fs
import sys

fun main() {
    try {
        println(fs.readFile("data/x.txt"))
    } catch e: PermissionError {
        println(e.message)
    }
    try {
        println(sys.env("NIDO_CLI_VAR"))
    } catch e: PermissionError {
        println(e.message)
    }
}
"""

# Reads the file named by its argument.
READ_ARG = """\
import fs

fun main(args: [string]) {
    try {
        print(fs.readFile(args[0]))
    } catch e: PermissionError {
        println(e.message)
    }
}
"""

UNCAUGHT = """\
fun main() {
    throw ValueError("from the cli test")
}
"""

HELPER = """\
let greeting = "hi"
fun shout(s: string): string { return s.upper() + "!" }
class Box {
    var v: int
    new(v: int) { this.v = v }
}
"""

USES_HELPER = """\
import helper

fun main() {
    let b = helper.Box(41)
    println(helper.shout(helper.greeting) + " " + str(b.v + 1))
    var fs: [fun(): int] = []
    for i in 0..3 {
        fs.push(() => i * 2)
    }
    try {
        println(fs[5]())
    } catch e: IndexError {
        println(e.message)
    }
}
"""


# spin's loop gets hot while it runs: compiled in the background, entered
# at a back-edge (OSR).
HOT_LOOP = """\
fun spin(n: int): int {
    var h = 7
    var i = 0
    while i < n {
        h = (h * 31 + i) % 1000003
        i += 1
    }
    return h
}

fun main() {
    println(spin(20000000))
}
"""

# twice gets hot (2,000 calls) just before the run ends, in one of several
# ways, while its compile has barely started.
ENDS_WHILE_COMPILING = """\
import sys

fun twice(i: int): int { return i * 2 }

fun deep(n: int): int { return deep(n + 1) + 1 }

fun grow(chunks: [[int]]) {
    while true {
        chunks.push(array(500, 7))
    }
}

fun main(args: [string]) {
    var s = 0
    for i in 0..2001 {
        s += twice(i)
    }
    println(s)
    let how = args[0]
    if how == "exit" {
        sys.exit(3)
    }
    if how == "error" {
        throw ValueError("after the hot loop")
    }
    if how == "overflow" {
        println(deep(0))
    }
    if how == "memory" {
        grow([])
    }
}
"""

STATS_COMPILED = re.compile(r"^nido: jit: (\d+) functions compiled in ([\d.]+) ms "
                            r"\(([\d.]+) ms in the background\), (\d+) not compiled$", re.M)
STATS_TIME = re.compile(r"^nido: jit: time in the interpreter ([\d.]+) ms \((\d+)%\), "
                        r"in native code ([\d.]+) ms \((\d+)%\)(, compiling ([\d.]+) ms \((\d+)%\))?$", re.M)
STATS_UNFINISHED = re.compile(r"^nido: jit: (\d+) still queued or compiling at the end$", re.M)


def many_errors(n):
    lines = ["fun main() {"]
    for i in range(n):
        lines.append(f'    let v{i}: int = "not an int {i}"')
    lines.append("}")
    return "\n".join(lines) + "\n"


class Check:
    def __init__(self, nido):
        self.nido = nido
        self.passed = 0
        self.failed = []

    def run(self, args, cwd, timeout=TIMEOUT, env=None):
        proc = subprocess.run([self.nido] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, env=env)
        return (proc.returncode, proc.stdout.decode("utf-8", errors="replace"),
                proc.stderr.decode("utf-8", errors="replace"))

    def case(self, name, fn):
        with tempfile.TemporaryDirectory(prefix="nido-cli-") as tmp:
            try:
                fn(tmp)
            except AssertionError as e:
                self.failed.append((name, str(e)))
                print(f"FAIL {name}: {e}", flush=True)
                return
            except subprocess.TimeoutExpired:
                self.failed.append((name, "timed out"))
                print(f"FAIL {name}: timed out after {TIMEOUT:g} s", flush=True)
                return
            except OSError as e:
                self.failed.append((name, str(e)))
                print(f"FAIL {name}: cannot run nido: {e}", flush=True)
                return
        self.passed += 1


def write(folder, name, text, mode="w"):
    path = os.path.join(folder, name)
    with open(path, mode) as f:
        f.write(text)
    return path


def short(text, limit=160):
    return nidotest.show(text, limit)


def expect_status(result, want, what):
    status, out, err = result
    assert status == want, f"{what}: exit status {status}, expected {want}; stderr {short(err)}"


def expect_usage_error(result, what):
    """Exit status 2 and exactly one stderr line starting `nido: `."""
    status, out, err = result
    assert status == 2, f"{what}: exit status {status}, expected 2; stderr {short(err)}"
    lines = err.rstrip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("nido: "), \
        f"{what}: expected one stderr line starting 'nido: ', got {short(err)}"


def opcode_names():
    names = set()
    try:
        with open(os.path.join(ROOT, "vm", "opcodes.def")) as f:
            for line in f:
                m = re.match(r"\s*OP\((\w+)\s*,", line)
                if m:
                    names.add(m.group(1))
    except OSError:
        pass
    return names or {"CALL_BUILTIN", "RETURN_VOID", "CONST", "CALL"}


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    c = Check(nido)

    def version(tmp):
        status, out, err = c.run(["--version"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert re.search(r"\d+\.\d+", out), f"no version number in {short(out)}"
    c.case("--version", version)

    def help_all(tmp):
        status, out, err = c.run(["help"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        for sub in ("run", "build", "check", "disasm"):
            assert re.search(rf"\b{sub}\b", out), f"help does not mention {sub}: {short(out)}"
    c.case("help", help_all)

    def help_run(tmp):
        status, out, err = c.run(["help", "run"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert "nido run" in out, f"`help run` does not show `nido run`: {short(out)}"
    c.case("help run", help_run)

    def unknown_subcommand(tmp):
        expect_usage_error(c.run(["frobnicate"], tmp), "nido frobnicate")
    c.case("unknown subcommand", unknown_subcommand)

    def unknown_flag(tmp):
        write(tmp, "x.nd", HELLO)
        expect_usage_error(c.run(["run", "--bogus", "x.nd"], tmp), "nido run --bogus x.nd")
    c.case("unknown flag", unknown_flag)

    def unknown_flag_each_command(tmp):
        write(tmp, "x.nd", HELLO)
        for args in (["build", "x.nd", "--bogus"], ["check", "--bogus", "x.nd"], ["check", "x.nd", "--bogus"],
                     ["disasm", "--bogus", "x.nd"], ["disasm", "--exec", "x.nd", "--bogus"]):
            status, out, err = c.run(args, tmp)
            what = "nido " + " ".join(args)
            expect_usage_error((status, out, err), what)
            assert "unknown flag '--bogus'" in err, f"{what}: stderr does not name the flag: {short(err)}"
        expect_usage_error(c.run(["--version", "extra"], tmp), "nido --version extra")
        expect_usage_error(c.run(["help", "run", "extra"], tmp), "nido help run extra")
    c.case("unknown flag or extra argument, every command", unknown_flag_each_command)

    def missing_file(tmp):
        expect_usage_error(c.run(["run", "nope.nd"], tmp), "nido run nope.nd")
        expect_usage_error(c.run(["build", "nope.nd"], tmp), "nido build nope.nd")
        expect_usage_error(c.run(["check", "nope.nd"], tmp), "nido check nope.nd")
        expect_usage_error(c.run(["disasm", "nope.ndc"], tmp), "nido disasm nope.ndc")
    c.case("missing file", missing_file)

    def no_file(tmp):
        expect_usage_error(c.run(["run"], tmp), "nido run (no file)")
        expect_usage_error(c.run(["build"], tmp), "nido build (no file)")
    c.case("no file argument", no_file)

    def directory(tmp):
        os.mkdir(os.path.join(tmp, "folder"))
        os.mkdir(os.path.join(tmp, "folder.nd"))
        os.mkdir(os.path.join(tmp, "folder.ndc"))
        expect_usage_error(c.run(["run", "folder"], tmp), "nido run folder")
        expect_usage_error(c.run(["run", "folder.nd"], tmp), "nido run folder.nd (a directory)")
        expect_usage_error(c.run(["run", "folder.ndc"], tmp), "nido run folder.ndc (a directory)")
        expect_usage_error(c.run(["build", "folder.nd"], tmp), "nido build folder.nd (a directory)")
    c.case("directory instead of a file", directory)

    def empty_ndc(tmp):
        write(tmp, "empty.ndc", "")
        expect_usage_error(c.run(["run", "empty.ndc"], tmp), "nido run empty.ndc")
        expect_usage_error(c.run(["disasm", "empty.ndc"], tmp), "nido disasm empty.ndc")
    c.case("empty .ndc", empty_ndc)

    def text_ndc(tmp):
        write(tmp, "text.ndc", HELLO)
        expect_usage_error(c.run(["run", "text.ndc"], tmp), "nido run text.ndc (source text)")
        write(tmp, "magic.ndc", b"\x7fNDC", "wb")
        expect_usage_error(c.run(["run", "magic.ndc"], tmp), "nido run magic.ndc (magic only)")
    c.case("text file as .ndc", text_ndc)

    def deterministic(tmp):
        write(tmp, "helper.nd", HELPER)
        write(tmp, "app.nd", USES_HELPER)
        expect_status(c.run(["build", "app.nd", "-o", "one.ndc"], tmp), 0, "first build")
        expect_status(c.run(["build", "app.nd", "-o", "two.ndc"], tmp), 0, "second build")
        with open(os.path.join(tmp, "one.ndc"), "rb") as f:
            one = f.read()
        with open(os.path.join(tmp, "two.ndc"), "rb") as f:
            two = f.read()
        assert one, "empty module file"
        assert one == two, f"two builds differ ({len(one)} and {len(two)} bytes)"
        status, out, err = c.run(["run", "one.ndc"], tmp)
        assert status == 0, f"running the build: exit status {status}; stderr {short(err)}"
        assert out == "HI! 42\nindex 5 out of range for length 3\n", f"output of the build: {short(out)}"
    c.case("build is deterministic", deterministic)

    def default_output(tmp):
        sub = os.path.join(tmp, "sub")
        os.mkdir(sub)
        write(sub, "hello.nd", HELLO)
        status, out, err = c.run(["build", os.path.join("sub", "hello.nd")], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        target = os.path.join(sub, "hello.ndc")
        assert os.path.isfile(target), "no sub/hello.ndc beside the source"
        assert not os.path.exists(os.path.join(tmp, "hello.ndc")), "hello.ndc written to the working folder"
        status, out, err = c.run(["run", target], tmp)
        assert status == 0 and out == "hello from the cli test\n", \
            f"running sub/hello.ndc: status {status}, stdout {short(out)}, stderr {short(err)}"
    c.case("build without -o", default_output)

    def check_good(tmp):
        write(tmp, "good.nd", HELLO)
        status, out, err = c.run(["check", "good.nd"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert out == "" and err == "", f"not silent: stdout {short(out)}, stderr {short(err)}"
        assert not os.path.exists(os.path.join(tmp, "good.ndc")), "check wrote a module file"
    c.case("check of a good file", check_good)

    def check_bad(tmp):
        write(tmp, "bad.nd", BAD)
        status, out, err = c.run(["check", "bad.nd"], tmp)
        assert status == 2, f"exit status {status}, expected 2; stderr {short(err)}"
        lines = err.split("\n")
        at = [i for i, l in enumerate(lines) if ERROR_LINE.match(l)]
        assert at, f"no `file:line:col: error:` line in {short(err)}"
        m = ERROR_LINE.match(lines[at[0]])
        assert m.group("file") == "bad.nd", f"error names {m.group('file')}, expected bad.nd"
        line, col = int(m.group("line")), int(m.group("col"))
        assert line == 3, f"error on line {line}, expected 3: {lines[at[0]]!r}"
        assert at[0] + 2 < len(lines), f"no source and caret lines after the error: {short(err)}"
        src, caret = lines[at[0] + 1], lines[at[0] + 2]
        want = BAD.split("\n")[line - 1]
        indent = src.find(want.strip())
        assert indent >= 0 and src.rstrip().endswith(want.strip()), \
            f"second line should show the source line {want.strip()!r}, got {src!r}"
        assert re.fullmatch(r"\s*\^[\^~]*\s*", caret), f"third line should be a caret line, got {caret!r}"
        lead = indent - (len(want) - len(want.lstrip()))
        assert caret.index("^") - lead == col - 1, \
            f"caret at offset {caret.index('^') - lead}, expected column {col}: {src!r} / {caret!r}"
        assert not os.path.exists(os.path.join(tmp, "bad.ndc")), "check wrote a module file"
        status, out, err = c.run(["run", "bad.nd"], tmp)
        assert status == 2, f"`nido run bad.nd`: exit status {status}, expected 2"
        assert out == "", f"`nido run bad.nd` printed {short(out)}"
    c.case("check of a bad file", check_bad)

    def too_many_errors(tmp):
        write(tmp, "many.nd", many_errors(25))
        status, out, err = c.run(["check", "many.nd"], tmp)
        assert status == 2, f"exit status {status}, expected 2"
        errors = [l for l in err.split("\n") if ERROR_LINE.match(l)]
        assert len(errors) == 20, f"{len(errors)} errors reported, expected 20"
        lines = sorted(int(ERROR_LINE.match(l).group("line")) for l in errors)
        assert lines == list(range(2, 22)), f"reported lines {lines}, expected the first 20 (2..21)"
    c.case("at most 20 errors", too_many_errors)

    def disasm(tmp):
        write(tmp, "hello.nd", HELLO)
        expect_status(c.run(["build", "hello.nd", "-o", "out.ndc"], tmp), 0, "build")
        status, out, err = c.run(["disasm", "out.ndc"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert re.search(r"\bmain\b", out), "listing does not name main"
        assert "CALL_BUILTIN" in out, "listing has no CALL_BUILTIN"
        assert "RETURN_VOID" in out, "listing has no RETURN_VOID"
        status, out, err = c.run(["disasm", "--exec", "out.ndc"], tmp)
        assert status == 0, f"--exec: exit status {status}; stderr {short(err)}"
        assert re.search(r"^fun #\d+ main ", out, re.M), "execution listing does not name main"
        assert re.search(r"CALL_BUILTIN +S0 = #\d+ args from S0", out), "execution listing has no CALL_BUILTIN"
        expect_usage_error(c.run(["disasm", "--exec"], tmp), "nido disasm --exec")
    c.case("disasm", disasm)

    def exit_status(tmp):
        write(tmp, "exit7.nd", EXIT7)
        status, out, err = c.run(["run", "exit7.nd"], tmp)
        assert status == 7, f"exit status {status}, expected 7; stderr {short(err)}"
        assert out == "seven\n", f"stdout {short(out)}"
        expect_status(c.run(["build", "exit7.nd", "-o", "e.ndc"], tmp), 0, "build")
        status, out, err = c.run(["run", "e.ndc"], tmp)
        assert status == 7, f"from .ndc: exit status {status}, expected 7"
    c.case("main's int is the exit status", exit_status)

    def uncaught(tmp):
        write(tmp, "boom.nd", UNCAUGHT)
        status, out, err = c.run(["run", "boom.nd"], tmp)
        assert status == 1, f"exit status {status}, expected 1"
        lines = err.rstrip("\n").split("\n")
        assert lines[0] == "ValueError: from the cli test", f"stderr line 1: {lines[0]!r}"
        assert len(lines) >= 2 and lines[1] == "  at main (boom.nd:2)", f"trace: {short(err)}"
    c.case("uncaught error exits 1", uncaught)

    def program_args(tmp):
        write(tmp, "args.nd", ARGS)
        status, out, err = c.run(["run", "args.nd", "one", "--two", "-x"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert out == "3\none\n--two\n-x\n", f"arguments after FILE belong to the program: {short(out)}"
    c.case("program arguments", program_args)

    def permission_flags(tmp):
        write(tmp, "grants.nd", GRANTS)
        os.mkdir(os.path.join(tmp, "data"))
        write(os.path.join(tmp, "data"), "x.txt", "x")
        real = os.path.realpath(tmp)
        read_denied = (f'read access to "{real}/data/x.txt" denied '
                       f'(run with --allow-read={real}/data/x.txt)')
        env_denied = 'env access to "NIDO_CLI_VAR" denied (run with --allow-env=NIDO_CLI_VAR)'
        env = dict(os.environ, NIDO_CLI_VAR="v")
        runs = {
            (): f"{read_denied}\n{env_denied}\n",
            ("-A",): "x\nv\n",
            ("--allow-all",): "x\nv\n",
            ("--allow-read", "--allow-env"): "x\nv\n",
            ("--allow-read=data",): f"x\n{env_denied}\n",  # relative to the working directory
            ("--allow-read=./data/",): f"x\n{env_denied}\n",
            ("--allow-read=other,data/../data", "--allow-env=A,NIDO_CLI_VAR"): "x\nv\n",
            ("--allow-write", "--allow-env=NIDO_CLI"): f"{read_denied}\n{env_denied}\n",
        }
        for flags, want in runs.items():
            status, out, err = c.run(["run", *flags, "grants.nd"], tmp, env=env)
            assert status == 0 and out == want, \
                f"run {' '.join(flags)}: status {status}, stdout {short(out, 300)}, stderr {short(err)}"
        for bad in ["--allow-read=", "--allow-write=a,,b", "--allow-env=,", "--allow-read=a,",
                    "--allow-everything", "-a", "--max-heap=1K", "--max-heap=", "--max-heap=64X"]:
            expect_usage_error(c.run(["run", bad, "grants.nd"], tmp), f"nido run {bad}")
    c.case("permission and heap flags", permission_flags)

    def symlink_out(tmp):
        write(tmp, "read.nd", READ_ARG)
        real = os.path.realpath(tmp)
        for folder in ("allowed", "outside"):
            os.mkdir(os.path.join(tmp, folder))
        write(os.path.join(tmp, "allowed"), "in.txt", "inside\n")
        write(os.path.join(tmp, "outside"), "secret.txt", "secret\n")
        os.symlink("../outside", os.path.join(tmp, "allowed", "dirlink"))
        os.symlink("../outside/secret.txt", os.path.join(tmp, "allowed", "filelink"))
        secret = f"{real}/outside/secret.txt"
        denied = f'read access to "{secret}" denied (run with --allow-read={secret})\n'
        for grant in ("allowed", "allowed/", f"{real}/allowed"):
            for path, want in (("allowed/in.txt", "inside\n"), ("allowed/dirlink/secret.txt", denied),
                               ("allowed/filelink", denied), ("allowed/../outside/secret.txt", denied)):
                status, out, err = c.run(["run", f"--allow-read={grant}", "read.nd", path], tmp)
                assert status == 0 and out == want, \
                    f"--allow-read={grant}, reading {path}: status {status}, stdout {short(out)}, stderr {short(err)}"
    c.case("symlinks cannot lead out of a granted folder", symlink_out)

    def trace(tmp):
        write(tmp, "hello.nd", HELLO)
        status, out, err = c.run(["run", "--trace", "hello.nd"], tmp)
        assert status == 0, f"exit status {status}; stderr {short(err)}"
        assert out == "hello from the cli test\n", f"stdout {short(out)}"
        names = opcode_names()
        hits = [l for l in err.split("\n") if any(re.search(rf"\b{n}\b", l) for n in names)]
        assert len(hits) >= 2, f"--trace printed {len(hits)} instruction lines: {short(err)}"
        assert any("CALL_BUILTIN" in l for l in hits), "--trace shows no CALL_BUILTIN"
    c.case("run --trace", trace)

    # Without the JIT plugin beside nido every function stays interpreted.
    has_jit = os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(nido)), "libnido_jit.so"))

    def stats(tmp):
        write(tmp, "hot.nd", HOT_LOOP)
        for mode in ("off", "on", "eager"):
            status, out, err = c.run(["run", "--stats", f"--jit={mode}", "hot.nd"], tmp)
            assert status == 0, f"--jit={mode}: exit status {status}; stderr {short(err)}"
            assert out == "222395\n", f"--jit={mode}: stdout {short(out)}"
            compiled, timed = STATS_COMPILED.search(err), STATS_TIME.search(err)
            assert compiled and timed, f"--jit={mode}: --stats lines missing: {short(err, 400)}"
            count, background = int(compiled.group(1)), float(compiled.group(3))
            interpreter, native = int(timed.group(2)), int(timed.group(4))
            if mode == "off" or not has_jit:
                assert count == 0 and native == 0, f"--jit={mode}: nothing may run natively: {short(err, 400)}"
                continue
            assert count >= 1, f"--jit={mode}: nothing compiled: {short(err, 400)}"
            assert native > 0, f"--jit={mode}: no time in native code: {short(err, 400)}"
            if mode == "on":
                # The loop moved into native code while it ran: compiled on
                # the compile thread, entered at a back-edge.
                assert background > 0 and interpreter > 0, f"--jit=on: {short(err, 400)}"
                assert timed.group(5) is None, f"--jit=on compiled on the program thread: {short(err, 400)}"
            else:
                assert background == 0 and interpreter == 0, f"--jit=eager: {short(err, 400)}"
    c.case("run --stats: compiles and time per tier", stats)

    def ends_while_compiling(tmp):
        write(tmp, "ends.nd", ENDS_WHILE_COMPILING)
        ways = {
            "return": (0, "", None),
            "exit": (3, "", None),
            "error": (1, "ValueError: after the hot loop", None),
            "overflow": (1, "StackOverflowError: ", None),
            "memory": (1, "OutOfMemoryError: heap limit of 16 MiB exhausted", ["--max-heap=16M"]),
        }
        for how, (want, first, flags) in ways.items():
            for attempt in range(3):
                args = ["run", "--stats"] + (flags or []) + ["ends.nd", how]
                status, out, err = c.run(args, tmp)
                what = f"ending by {how} (run {attempt + 1})"
                assert status == want, f"{what}: exit status {status}, expected {want}; stderr {short(err, 400)}"
                assert out == "4002000\n", f"{what}: stdout {short(out)}"
                assert err.startswith(first), f"{what}: stderr {short(err, 400)}"
                if how == "return" and has_jit:
                    # The run did not wait for the compile it left running.
                    assert STATS_UNFINISHED.search(err), f"{what}: waited for the compile? {short(err, 400)}"
    c.case("run ends while a compile is running", ends_while_compiling)

    nidotest.summary(c.passed, len(c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
