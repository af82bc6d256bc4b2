#!/usr/bin/env python3
"""Runs the Nido language tests: every *.nd file carrying `// expect` directives.

    python3 tests/lang/run.py NIDO [--run-flags="FLAGS"] [--all-compiled] [DIR ...]

DIR defaults to the folder of this script. --run-flags adds FLAGS (split on
spaces) to every `nido run`, before the test's own flags: the suite runs
once per execution mode (--jit=off, --jit=eager). --all-compiled also runs
with --stats and fails a test when the JIT could not compile one of its
functions (the interpreter would hide it: the output is the same). Each
test runs twice: `nido run FILE.nd`, and `nido build FILE.nd -o T.ndc` then
`nido run T.ndc` (compile-error tests only the first way). nido runs with the test's folder as working
directory and gets the bare file name, so diagnostics read `FILE.nd:L:C`.
The directives are described in tests/README.md:

    // expect: TEXT                     next line of stdout
    // expect error: LINE:COL: MESSAGE  compile error (exit 2), line in stderr
    // expect runtime error: CLASS: MSG uncaught error (exit 1), stderr line 1
    // expect trace: at NAME (F.nd:L)   stack trace lines, in order (also
                                        "[previous line repeated N more times]")
    // expect exit: N                   exit status
    // args: A B C                      program arguments
    // flags: --allow-read={tmp} ...    `nido run` flags, before the file
    // stdin: TEXT                      a line of stdin (TEXT and a newline)
    // stdin-no-newline: TEXT           the last stdin line, without newline
    // setup: PATH = TEXT               file {tmp}/PATH holding TEXT (\n: newline)
    // setup: PATH/                     folder {tmp}/PATH
    // expect file: PATH = TEXT         after the run {tmp}/PATH holds TEXT
    // expect no file: PATH             after the run {tmp}/PATH does not exist

`{tmp}` in args, flags, expect and expect runtime error lines is a fresh
temporary folder (absolute, symlinks resolved), one for the `.nd` run and
another for the `.ndc` run, removed afterwards. A test that uses `{tmp}`,
`setup` or `expect (no) file` runs with `{tmp}` as working directory and gets
the file's absolute path (compile errors are still matched as `FILE.nd:L:C`).

A run fails on a timeout (NIDO_TEST_TIMEOUT seconds, default 10), on death by
a signal, and on sanitizer reports in stderr. One line is printed per failing
test, then `N passed, N failed`. Exit status 1 when a test failed or none was
found.
"""

import concurrent.futures
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)

DIRECTIVE = re.compile(r"//\s*(expect runtime error|expect error|expect trace|expect exit|expect no file|expect file|"
                       r"expect|args|flags|stdin-no-newline|stdin|setup):(.*)$")
FILE_TEXT = re.compile(r"(.+?) =(?: (.*))?$")
TMP = "{tmp}"
ERROR_POS = re.compile(r"(\d+):(\d+): (.*)$")
JOBS = int(os.environ.get("NIDO_TEST_JOBS", "2"))
RUN_FLAGS = []  # --run-flags
ALL_COMPILED = False  # --all-compiled
TIMEOUT = float(os.environ.get("NIDO_TEST_TIMEOUT", "10"))


class BadTest(Exception):
    """The test file's directives are malformed."""


class Failure(Exception):
    """One check failed; the message is the one-line explanation."""


class Expectation:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)
        self.stdout = []          # expected stdout lines
        self.compile_errors = []  # expected stderr lines "name.nd:L:C: error: M"
        self.runtime_error = None
        self.trace = []           # expected "at NAME (F.nd:L)"
        self.exit = None
        self.args = []
        self.flags = []
        self.stdin = None         # bytes, or None for an empty stdin
        self.stdin_closed = False # a stdin-no-newline line came
        self.setup = []           # (relative path, text or None for a folder)
        self.files = []           # (relative path, expected text or None for "no file")
        self.uses_tmp = False
        self.is_test = False

    def expected_exit(self):
        if self.exit is not None:
            return self.exit
        if self.compile_errors:
            return 2
        if self.runtime_error is not None:
            return 1
        return 0


def strip_one_space(text):
    return text[1:] if text.startswith(" ") else text


def file_text(text):
    return text.replace("\\n", "\n")


def relative_path(where, kind, path):
    path = path.strip()
    if not path or os.path.isabs(path) or ".." in path.replace("\\", "/").split("/"):
        raise BadTest(f"{where}: `{kind}` needs a path inside {{tmp}}, got {path!r}")
    return path


def substitute(text, tmp):
    return text.replace(TMP, tmp) if tmp is not None else text


def parse(path):
    """Reads the directives of one file; returns None if it is not a test."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.read().split("\n")
    exp = Expectation(path)
    for number, line in enumerate(lines, 1):
        m = DIRECTIVE.search(line.rstrip("\r"))
        if not m:
            continue
        kind, text = m.group(1), strip_one_space(m.group(2))
        if kind.startswith("expect"):
            exp.is_test = True
        where = f"line {number}"
        if kind == "expect":
            exp.stdout.append(text)
        elif kind == "expect error":
            pos = ERROR_POS.match(text.strip())
            if not pos:
                raise BadTest(f"{where}: `expect error` needs LINE:COL: MESSAGE")
            exp.compile_errors.append(f"{exp.name}:{pos.group(1)}:{pos.group(2)}: error: {pos.group(3)}")
        elif kind == "expect runtime error":
            if exp.runtime_error is not None:
                raise BadTest(f"{where}: a second `expect runtime error`")
            exp.runtime_error = text.strip()
        elif kind == "expect trace":
            exp.trace.append(text.strip())
        elif kind == "expect exit":
            try:
                exp.exit = int(text.strip())
            except ValueError:
                raise BadTest(f"{where}: `expect exit` needs a number") from None
        elif kind == "args":
            exp.args.extend(text.split())
        elif kind == "flags":
            exp.flags.extend(text.split())
        elif kind in ("stdin", "stdin-no-newline"):
            if exp.stdin_closed:
                raise BadTest(f"{where}: stdin after a `stdin-no-newline` line")
            line = text.rstrip("\r") + ("\n" if kind == "stdin" else "")
            exp.stdin = (exp.stdin or b"") + line.encode("utf-8", errors="surrogateescape")
            exp.stdin_closed = kind == "stdin-no-newline"
        elif kind == "setup":
            spec = text.rstrip("\r")
            m = FILE_TEXT.match(spec)
            if m:
                exp.setup.append((relative_path(where, kind, m.group(1)), file_text(m.group(2) or "")))
            elif spec.strip().endswith("/"):
                exp.setup.append((relative_path(where, kind, spec.strip().rstrip("/")), None))
            else:
                raise BadTest(f"{where}: `setup` needs PATH = TEXT or PATH/")
        elif kind == "expect file":
            m = FILE_TEXT.match(text.rstrip("\r"))
            if not m:
                raise BadTest(f"{where}: `expect file` needs PATH = TEXT")
            exp.files.append((relative_path(where, kind, m.group(1)), file_text(m.group(2) or "")))
        elif kind == "expect no file":
            exp.files.append((relative_path(where, kind, text), None))
        if TMP in text and kind in ("args", "flags", "expect", "expect runtime error"):
            exp.uses_tmp = True
    if exp.setup or exp.files:
        exp.uses_tmp = True
    if not exp.is_test:
        return None
    if exp.compile_errors and (exp.runtime_error is not None or exp.trace):
        raise BadTest("both compile-error and runtime-error expectations")
    if exp.trace and exp.runtime_error is None:
        raise BadTest("`expect trace` without `expect runtime error`")
    return exp


def find_tests(dirs):
    found = []
    for d in dirs:
        if os.path.isfile(d):
            found.append(os.path.abspath(d))
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for name in sorted(files):
                if name.endswith(".nd"):
                    found.append(os.path.abspath(os.path.join(root, name)))
    return found


show = nidotest.show


def first_line(text):
    lines = [l for l in text.split("\n") if l.strip()]
    return lines[0] if lines else ""


def execute(cmd, cwd, stdin=None):
    """Runs cmd with stdin (bytes; None: empty); returns (status, stdout,
    stderr) as text. Raises Failure on a timeout or a signal."""
    status, out, err = nidotest.run(cmd, cwd, TIMEOUT, stdin)
    if status is None:
        raise Failure(f"timed out after {TIMEOUT:g} s: {' '.join(cmd[1:])}")
    at = nidotest.report_line(err, nidotest.SANITIZER_MARKS)
    if at is not None:
        raise Failure(f"sanitizer report: {show(at)}")
    if status < 0:
        raise Failure(f"killed by {nidotest.signal_name(status)}; stderr: {show(first_line(err))}")
    return status, out, err


def compare_lines(what, expected, actual):
    difference = nidotest.first_difference(what, expected, actual)
    if difference is not None:
        raise Failure(difference)


def check_result(exp, status, out, err, tmp=None):
    want = exp.expected_exit()
    if status != want:
        raise Failure(f"exit status {status}, expected {want}; stderr: {show(first_line(err))}"
                      + (f"; stdout: {show(first_line(out))}" if not err.strip() else ""))
    err_lines = [l.rstrip("\r") for l in err.split("\n")]
    if tmp is not None:
        # nido got the file's absolute path: diagnostics start with it.
        folder = os.path.dirname(exp.path) + os.sep
        err_lines = [l[len(folder):] if l.startswith(folder) else l for l in err_lines]
    for line in exp.compile_errors:
        if line not in (l.rstrip() for l in err_lines):
            got = [l for l in err_lines if ": error: " in l]
            raise Failure(f"missing compile error {show(line)}; got {show(got[0] if got else first_line(err))}")
    if exp.runtime_error is not None:
        got = err_lines[0] if err_lines else ""
        want_error = substitute(exp.runtime_error, tmp)
        if got != want_error:
            raise Failure(f"stderr line 1: expected {show(want_error)}, got {show(got)}")
        if exp.trace:
            frames = [l.strip() for l in err_lines if l.startswith(("  at ", "  [previous line repeated"))]
            compare_lines("trace", exp.trace, frames)
    compare_lines("stdout", [substitute(l, tmp) for l in exp.stdout], nidotest.output_lines(out))
    if tmp is not None:
        check_files(exp, tmp)


def check_files(exp, tmp):
    for rel, text in exp.files:
        path = os.path.join(tmp, rel)
        if text is None:
            if os.path.lexists(path):
                raise Failure(f"file {rel} exists, expected none")
            continue
        if not os.path.isfile(path):
            raise Failure(f"file {rel} " + ("is a folder" if os.path.isdir(path) else "missing")
                          + f", expected {show(text)}")
        with open(path, "rb") as f:
            got = f.read().decode("utf-8", errors="surrogateescape")
        if got != text:
            raise Failure(f"file {rel}: expected {show(text)}, got {show(got)}")


def make_tmp(exp):
    """A fresh {tmp} folder with the test's setup in it."""
    tmp = os.path.realpath(tempfile.mkdtemp(prefix="nido-tmp-"))
    for rel, text in exp.setup:
        path = os.path.join(tmp, rel)
        if text is None:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8", errors="surrogateescape"))
    return tmp


def run_program(nido, exp, target, cwd):
    """One `nido run` of target (a .nd name or a .ndc path), checked."""
    tmp = make_tmp(exp) if exp.uses_tmp else None
    try:
        if tmp is not None:
            cwd = tmp
            if not os.path.isabs(target):
                target = exp.path
        flags = [substitute(f, tmp) for f in exp.flags]
        args = [substitute(a, tmp) for a in exp.args]
        stats = ["--stats"] if ALL_COMPILED else []
        status, out, err = execute([nido, "run"] + RUN_FLAGS + stats + flags + [target] + args, cwd, exp.stdin)
        check_result(exp, status, out, err, tmp)
        reason = nidotest.not_compiled(err)
        if reason is not None:
            raise Failure(f"not compiled: {show(reason)}")
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def run_test(nido, exp):
    """Returns None when the test passes, else a one-line reason."""
    cwd = os.path.dirname(exp.path)
    mode = "run .nd"
    try:
        run_program(nido, exp, exp.name, cwd)
        if exp.compile_errors:
            return None
        with tempfile.TemporaryDirectory(prefix="nido-test-") as tmp:
            ndc = os.path.join(tmp, exp.name[:-3] + ".ndc")
            mode = "build"
            status, out, err = execute([nido, "build", exp.name, "-o", ndc], cwd)
            if status != 0:
                raise Failure(f"exit status {status}; stderr: {show(first_line(err))}")
            if not os.path.isfile(ndc):
                raise Failure(f"no output file {ndc}")
            mode = "run .ndc"
            run_program(nido, exp, ndc, cwd)
    except Failure as f:
        return f"[{mode}] {f}"
    except OSError as e:
        return f"[{mode}] cannot run nido: {e}"
    return None


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    rest = argv[2:]
    for a in [a for a in rest if a.startswith("--run-flags=")]:
        RUN_FLAGS.extend(a[len("--run-flags="):].split())
        rest.remove(a)
    if "--all-compiled" in rest:
        global ALL_COMPILED
        ALL_COMPILED = True
        rest.remove("--all-compiled")
    dirs = rest or [os.path.dirname(os.path.abspath(__file__))]

    tests, failures = [], []
    for path in find_tests(dirs):
        try:
            exp = parse(path)
        except (BadTest, OSError, UnicodeError) as e:
            failures.append((path, f"bad test: {e}"))
            continue
        if exp is not None:
            tests.append(exp)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, JOBS)) as pool:
        results = pool.map(lambda e: (e.path, run_test(nido, e)), tests)
        for path, reason in results:
            if reason is not None:
                failures.append((path, reason))

    failures.sort()
    for path, reason in failures:
        print(f"FAIL {nidotest.display(path)}: {reason}", flush=True)
    failed = len(failures)
    passed = len({t.path for t in tests} - {p for p, _ in failures})
    nidotest.summary(passed, failed)
    if not tests and not failures:
        print("no tests found", file=sys.stderr)
    return 1 if failed or not tests else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
