"""Plumbing shared by the Python test scripts that drive the `nido` binary.

Used by tests/lang/run.py, tests/docs/run_tour.py, tests/fuzz/mutate.py and
tests/cli/run.py (stdlib only). Each script adds this folder to sys.path and
imports it for the parts they all repeat:

- the command line: the usage text and the NIDO argument made an absolute path;
- running nido with a timeout, in its own session, killed as a group when the
  timeout passes;
- classifying a bad end: the name of a killing signal, the stderr line of a
  sanitizer report, a `terminate called` or a failed C assertion;
- reporting: quoted one-line excerpts, line-by-line comparison, shown paths and
  the closing `N passed, N failed` line.

What counts as a failure, and how it is worded, stays with each script.
"""

import os
import re
import shutil
import signal
import subprocess
import sys

# Sanitizer reports in stderr (AddressSanitizer, UndefinedBehaviorSanitizer).
SANITIZER_MARKS = ("AddressSanitizer", "runtime error:")
# Those plus an uncaught C++ exception.
CRASH_MARKS = SANITIZER_MARKS + ("terminate called",)
# A C or libstdc++ assertion: "...: Assertion `x' failed." (the text
# "Assertion" alone also occurs in Nido class names such as AssertionError).
ASSERT_FAILED = re.compile(r"Assertion [`'].*' failed")


def usage(doc):
    """Prints the second paragraph of a script's docstring (its synopsis) to
    stderr; returns the exit status 2."""
    print(doc.strip().split("\n\n")[1], file=sys.stderr)
    return 2


def nido_path(arg):
    """The NIDO argument as an absolute path; a bare name is looked up on PATH."""
    if os.sep not in arg:
        arg = shutil.which(arg) or arg
    return os.path.abspath(arg)


def run(cmd, cwd, timeout, stdin=None, stdout=True, errors="surrogateescape", env=None):
    """Runs cmd in cwd, in a new session, with stdin (bytes; None: empty) and
    env (None: this process's environment).
    Returns (status, stdout, stderr) as text decoded with `errors`; status is
    None when the timeout passed (the process group is then killed, and both
    texts are ""), negative for a death by signal. With stdout=False the
    standard output is discarded and returned as ""."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                            stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        out, err = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        return None, "", ""
    out = out.decode("utf-8", errors=errors) if out is not None else ""
    return proc.returncode, out, err.decode("utf-8", errors=errors)


def signal_name(status):
    """The name of the signal that ended a process with a negative status."""
    try:
        return signal.Signals(-status).name
    except ValueError:
        return f"signal {-status}"


def report_line(err, marks=SANITIZER_MARKS, assertions=False):
    """The first stderr line (stripped) with one of marks, the marks tried in
    order; then, with assertions, the first line with a failed C assertion.
    None when there is none."""
    for mark in marks:
        if mark in err:
            return next(l for l in err.split("\n") if mark in l).strip()
    if assertions:
        for line in err.split("\n"):
            if ASSERT_FAILED.search(line):
                return line.strip()
    return None


# `nido run --stats` lines on stderr; the last names a function the JIT
# could not compile (vm/tiering.cpp, jitStatsReport).
JIT_STATS = "nido: jit: "
NOT_COMPILED = JIT_STATS + "first not compiled: "


def not_compiled(err):
    """The reason --stats gave for a function not compiled, or None."""
    return next((l[len(NOT_COMPILED):] for l in err.split("\n") if l.startswith(NOT_COMPILED)), None)


def show(text, limit=200):
    """A string quoted for a one-line report, cut when long."""
    r = repr(text)
    return r if len(r) <= limit else r[: limit - 3] + "..."


def output_lines(text):
    """The lines of a program's output, without the empty one after a final newline."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def first_difference(what, expected, actual):
    """`WHAT line N: expected X, got Y` for the first line where the lists
    differ (`<end>` past one's end), or None when they are equal."""
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else None
        a = actual[i] if i < len(actual) else None
        if e != a:
            es = "<end>" if e is None else show(e)
            as_ = "<end>" if a is None else show(a)
            return f"{what} line {i + 1}: expected {es}, got {as_}"
    return None


def display(path):
    """A path as shown in reports: relative to the working folder unless that
    climbs two levels or more."""
    rel = os.path.relpath(path)
    return path if rel.startswith("../..") else rel


def summary(passed, failed):
    """Prints the closing `N passed, N failed` line."""
    print(f"{passed} passed, {failed} failed", flush=True)
