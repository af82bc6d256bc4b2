#!/usr/bin/env python3
"""Tests of `nido hv run`: apps booted as PID 1 of a Linux guest under QEMU
(TCG on machines where KVM is slow), and the errors refused before boot.

    python3 tests/hv/run.py NIDO

Needs QEMU, the guest kernel (scripts/setup fetches both) and nido-static
beside NIDO; without them it prints `skipped: <reason>` and passes. Each boot
costs a few seconds, so the boots run two at a time and the checks that need
no guest run first. One line is printed per failing check, then
`N passed, N failed`; exit status 1 when a check failed.
"""

import concurrent.futures
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)
from guest_apps import ARGS_AND_EXIT, UNCAUGHT, Checks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BOOT_TIMEOUT = float(os.environ.get("NIDO_HV_TEST_TIMEOUT", "120"))
# Refusals must come before any boot: far below a boot's ~2.5 s.
REFUSAL_SECONDS = 1.5

STDIN_AND_FILE = """\
import fs
import io

fun main() {
    var n = 0
    var line = io.readLine()
    while line != null {
        n += 1
        println("stdin: " + line.upper())
        line = io.readLine()
    }
    println("lines: " + str(n))
    print("file: " + fs.readFile("data.txt"))
    print("nested: " + fs.readFile("/srv/in/second.txt"))
}
"""

ENDLESS = """\
fun main() {
    var i = 0
    while true {
        i += 1
    }
}
"""

BAD_TYPES = """\
fun main() {
    let n: int = "three"
}
"""


def hv_run(nido, work, flags, app, args=(), stdin=None, timeout=BOOT_TIMEOUT):
    """(status, stdout, stderr, seconds) of `nido hv run FLAGS APP ARGS`."""
    start = time.monotonic()
    # The Linux guest; the micro-VM has tests/hv/run_micro.py.
    if not any(f.startswith("--guest") for f in flags):
        flags = ["--guest=linux", *flags]
    status, out, err = nidotest.run([nido, "hv", "run", *flags, app, *args], work, timeout, stdin=stdin)
    return status, out, err, time.monotonic() - start


def without_notice(err):
    """stderr without the `nido: hv: using TCG...` notice."""
    return "".join(l for l in err.splitlines(True) if not l.startswith("nido: hv: "))


def skip_reason(nido):
    static = os.path.join(os.path.dirname(nido), "guest", "nido-static")
    if not os.path.exists(static):
        return f"no {static} (sanitizer builds cannot link the static runtime)"
    status, out, _ = nidotest.run([nido, "hv", "check", "--accel=tcg", "--guest=linux"], ROOT, 30)
    if status != 0:
        missing = [l.strip() for l in out.splitlines() if "missing" in l or "not on PATH" in l]
        return "; ".join(missing) or "nido hv check says hv run cannot work here"
    return None


def refusals(nido, work, checks):
    """Bad input of every kind: a one-line `nido: ` error, status 2, no boot."""
    with open(os.path.join(work, "bad.ndc"), "wb") as f:
        f.write(b"NDC\x00 this is not a module")
    with open(os.path.join(work, "bad_types.nd"), "w") as f:
        f.write(BAD_TYPES)
    hello = os.path.join(ROOT, "samples", "hello.nd")
    cases = [
        ("malformed module", [], "bad.ndc", "nido: "),
        ("compile error", [], "bad_types.nd", "error:"),
        ("missing app", [], "nope.nd", "nido: cannot read"),
        ("missing --file", ["--file", "absent.txt"], hello, "nido: cannot read 'absent.txt'"),
        ("--file into /nido", ["--file=data.txt:/nido/x"], hello, "nido: bad guest path"),
        ("--file with ..", ["--file=data.txt:../x"], hello, "nido: bad guest path"),
        ("bad --mem", ["--mem=1M"], hello, "nido: bad value in '--mem=1M'"),
        ("bad --cpus", ["--cpus=0"], hello, "nido: bad value in '--cpus=0'"),
        ("bad --accel", ["--accel=xen"], hello, "nido: bad value in '--accel=xen'"),
        ("bad --guest", ["--guest=bsd"], hello, "nido: bad value in '--guest=bsd'"),
        ("bad --timeout", ["--timeout=-1"], hello, "nido: bad value in '--timeout=-1'"),
        ("--timeout without a number", ["--timeout"], hello, "nido: bad value"),
        ("not a kernel", ["--kernel", os.path.join(ROOT, "README.md")], hello, "not a Linux kernel"),
        ("missing kernel", ["--kernel=/nonexistent/vmlinuz"], hello, "nido: cannot read kernel"),
        ("unknown flag", ["--frobnicate"], hello, "nido: unknown flag '--frobnicate'"),
    ]
    with open(os.path.join(work, "data.txt"), "w") as f:
        f.write("x\n")
    for name, flags, app, mark in cases:
        status, out, err, secs = hv_run(nido, work, flags, app, timeout=30)
        ok = status == 2 and mark in err and out == "" and secs < REFUSAL_SECONDS and "Traceback" not in err
        checks.expect(f"refused: {name}", ok, f"status {status}, {secs:.1f} s, stderr {err.strip()[:200]!r}")
    for name, argv in [("hv alone", ["hv"]), ("hv bogus", ["hv", "bogus"]), ("run without file", ["hv", "run"])]:
        status, _, err = nidotest.run([nido, *argv], work, 30)
        checks.expect(f"refused: {name}", status == 2 and err.startswith("nido: "), f"status {status}, {err!r}")


def boots(nido, work, checks):
    """The guest runs: each entry is one boot."""
    for name, text in [("args.nd", ARGS_AND_EXIT), ("uncaught.nd", UNCAUGHT), ("stdin_file.nd", STDIN_AND_FILE),
                       ("endless.nd", ENDLESS)]:
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    with open(os.path.join(work, "data.txt"), "w") as f:
        f.write("from the host\n")
    with open(os.path.join(work, "second.txt"), "w") as f:
        f.write("deeper\n")
    hello = os.path.join(ROOT, "samples", "hello.nd")

    def check_hello(r):
        status, out, err, _ = r
        checks.expect("hello", status == 0 and out == "Hello from Nido!\n" and without_notice(err) == "",
                      f"status {status}, stdout {out!r}, stderr {err!r}")

    def check_args(r):
        status, out, err, _ = r
        checks.expect("args", out == "3\n[one]\n[two words]\n[]\n", f"stdout {out!r}")
        checks.expect("exit status (sys.exit)", status == 7, f"status {status}, stderr {err!r}")
        checks.expect("stderr apart from stdout", without_notice(err) == "to stderr\n", f"stderr {err!r}")

    def check_uncaught(r):
        status, out, err, _ = r
        checks.expect("uncaught error", status == 1 and out == "before\n" and "ValueError: from the guest" in err,
                      f"status {status}, stdout {out!r}, stderr {err!r}")

    def check_stdin_file(r):
        status, out, err, _ = r
        want = "stdin: ALPHA\nstdin: BETA\nlines: 2\nfile: from the host\nnested: deeper\n"
        checks.expect("stdin and --file", status == 0 and out == want, f"status {status}, stdout {out!r}, "
                      f"stderr {err!r}")

    def check_timeout(r):
        status, out, err, secs = r
        checks.expect("--timeout", status == 124 and "--timeout" in err and secs < 30,
                      f"status {status}, {secs:.1f} s, stderr {err!r}")

    def check_keep(r):
        status, out, err, _ = r
        kept = os.path.join(work, "image")
        files = sorted(os.listdir(kept)) if os.path.isdir(kept) else []
        checks.expect("--keep-image", status == 0 and files == ["boot.sh", "initramfs.cpio", "vmlinuz"],
                      f"status {status}, files {files}")
        checks.expect("--stats", "boot to /init" in err and "total" in err, f"stderr {err!r}")
        checks.expect("--explain", "type 2" in err and "TCG" in err, f"stderr {err!r}")

    runs = [
        (check_hello, [], hello, (), None),
        (check_args, [], "args.nd", ("one", "two words", ""), None),
        (check_uncaught, [], "uncaught.nd", (), None),
        (check_stdin_file, ["--file", "data.txt", "--file=second.txt:/srv/in/second.txt"], "stdin_file.nd", (),
         b"alpha\nbeta\n"),
        (check_timeout, ["--timeout=6"], "endless.nd", (), None),
        (check_keep, ["--accel=tcg", "--keep-image", "image", "--stats", "--explain"], hello, (), None),
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [(check, pool.submit(hv_run, nido, work, flags, app, args, stdin))
                   for check, flags, app, args, stdin in runs]
        for check, future in futures:
            check(future.result())


def main(argv):
    if len(argv) != 2:
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    reason = skip_reason(nido)
    if reason:
        print(f"skipped: {reason}")
        return 0
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="nido-hv-test-") as work:
        refusals(nido, work, checks)
        boots(nido, work, checks)
    for line in checks.failures:
        print(line)
    print(f"{checks.passed} passed, {len(checks.failures)} failed")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
