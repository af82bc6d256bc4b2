#!/usr/bin/env python3
"""Tests of `nido hv run --guest=micro`: the static runtime (nido-static) in a
KVM micro-VM with no guest kernel, its system calls answered by the VMM
inside nido (hvbridge/vmm), stdout and stderr through the paravirtual ring.

    python3 tests/hv/run_micro.py NIDO

Needs /dev/kvm and nido-static beside NIDO (in NIDO's folder, guest/);
without them it prints `skipped: <reason>` and passes (sanitizer builds have
no nido-static). One line is printed per failing check, then
`N passed, N failed`; exit status 1 when a check failed.
"""

import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)
from guest_apps import ARGS_AND_EXIT, UNCAUGHT, Checks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = float(os.environ.get("NIDO_HV_TEST_TIMEOUT", "60"))
LINES = 10000

PROGRAMS = {
    "args.nd": ARGS_AND_EXIT,
    "uncaught.nd": UNCAUGHT,
    "stdin.nd": """\
import io

fun main() {
    var line = io.readLine()
    while line != null {
        println("stdin: " + line.upper())
        line = io.readLine()
    }
}
""",
    # Reads the path it is given: granted or not, the guest decides nothing.
    "read.nd": """\
import fs

fun main(args: [string]) {
    print(fs.readFile(args[0]))
}
""",
    # About 200 MB allocated and dropped: Boehm collects inside the guest.
    "alloc.nd": """\
fun main() {
    var kept = 0
    for round in 0..200 {
        var chunk: [string] = []
        for i in 0..10000 {
            chunk.push("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + str(i))
        }
        kept += chunk.len()
    }
    println(kept)
}
""",
    # Standard error is unbuffered: without the ring, one write (one exit) a line.
    "lines.nd": f"""\
import io

fun main() {{
    for i in 0..{LINES} {{
        io.eprintln("line " + str(i))
        println("out " + str(i))
    }}
}}
""",
    # Keeps all it allocates: the guest's memory runs out.
    "keep.nd": """\
fun main() {
    var kept: [string] = []
    var i = 0
    while true {
        kept.push("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" + str(i))
        i += 1
    }
}
""",
    # Writes (so the ring is in use), then makes no exit at all.
    "endless.nd": """\
import io

fun main() {
    io.eprintln("started")
    var n = 0
    while true {
        n += 1
    }
}
""",
}


def kvm_problem():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
    except OSError as e:
        return f"/dev/kvm: {e.strerror}"
    return None


def skip_reason(nido):
    static = os.path.join(os.path.dirname(nido), "guest", "nido-static")
    if not os.path.exists(static):
        return f"no {static} (sanitizer builds cannot link the static runtime)"
    return kvm_problem()


def hv(nido, work, flags, app, args=(), stdin=None, env=None):
    """(status, stdout, stderr) of `nido hv run --guest=micro FLAGS APP ARGS`."""
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        return nidotest.run([nido, "hv", "run", "--guest=micro", *flags, app, *args], work, TIMEOUT, stdin=stdin)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def stats(err):
    """{name: count} of the exit lines of --stats, plus "exits": the total."""
    counts = {}
    m = re.search(r"^  exits\s+(\d+)", err, re.M)
    if m:
        counts["exits"] = int(m.group(1))
    for name, n in re.findall(r"^    (\S+(?: \S+)*?)\s+(\d+)\s+[\d.]+ ms", err, re.M):
        counts[name] = int(n)
    return counts


def main(argv):
    if len(argv) != 2:
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    reason = skip_reason(nido)
    if reason:
        print(f"skipped: {reason}")
        return 0
    c = Checks()
    hello = os.path.join(ROOT, "samples", "hello.nd")
    with tempfile.TemporaryDirectory(prefix="nido-hv-micro-") as work:
        for name, text in PROGRAMS.items():
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
        for name, text in [("granted.txt", "granted contents\n"), ("secret.txt", "secret\n"), ("given.txt", "given\n")]:
            with open(os.path.join(work, name), "w") as f:
                f.write(text)

        status, out, err = nidotest.run([nido, "hv", "check", "--guest=micro"], work, TIMEOUT)
        c.expect("hv check --guest=micro", status == 0 and "verdict: --guest=micro works" in out,
                 f"status {status}, {out!r}")

        status, out, err = hv(nido, work, ["--stats"], hello)
        c.expect("hello", status == 0 and out == "Hello from Nido!\n", f"status {status}, {out!r}, {err!r}")
        s = stats(err)
        c.expect("hello: no clone, few exits", "clone" not in s and "clone3" not in s and 0 < s.get("exits", 0) < 200,
                 f"{s}")
        # The entry page answers these inside the guest from the first call on.
        c.expect("hello: rt_sigaction, mprotect, brk and futex wakes without an exit",
                 "rt_sigaction" not in s and "mprotect" not in s and "brk" not in s and "futex" not in s, f"{s}")
        # The entry page maps from the VMM's pool and logs unmaps for the next exit.
        c.expect("hello: mmap and munmap without an exit", "mmap" not in s and "munmap" not in s, f"{s}")

        status, out, err = hv(nido, work, [], "args.nd", ("one", "two words", ""))
        c.expect("args", out == "3\n[one]\n[two words]\n[]\n", f"stdout {out!r}")
        c.expect("exit status (sys.exit)", status == 7, f"status {status}, {err!r}")
        c.expect("stderr apart from stdout", err == "to stderr\n", f"{err!r}")

        status, out, err = hv(nido, work, [], "uncaught.nd")
        c.expect("uncaught error", status == 1 and out == "before\n" and "ValueError: from the guest" in err,
                 f"status {status}, {out!r}, {err!r}")

        status, out, err = hv(nido, work, [], "stdin.nd", stdin=b"one\ntwo\n")
        c.expect("stdin", status == 0 and out == "stdin: ONE\nstdin: TWO\n", f"status {status}, {out!r}, {err!r}")

        status, out, err = hv(nido, work, ["--allow-read=granted.txt"], "read.nd", ("granted.txt",))
        c.expect("permitted file", status == 0 and out == "granted contents\n", f"status {status}, {out!r}, {err!r}")
        status, out, err = hv(nido, work, ["--file", "given.txt"], "read.nd", ("/app/given.txt",))
        c.expect("--file", status == 0 and out == "given\n", f"status {status}, {out!r}, {err!r}")
        status, out, err = hv(nido, work, ["--allow-read=granted.txt"], "read.nd", ("secret.txt",))
        c.expect("denied file", status == 1 and out == "" and "PermissionError" in err and "secret" not in out,
                 f"status {status}, {out!r}, {err!r}")
        status, out, err = hv(nido, work, ["--allow-read"], "read.nd", ("/etc/hostname",))
        c.expect("--allow-read (all)", status == 0 and out == open("/etc/hostname").read(), f"status {status}")

        status, out, err = hv(nido, work, ["--stats"], "alloc.nd")
        s = stats(err)
        c.expect("200 MB allocated and dropped", status == 0 and out == "2000000\n", f"status {status}, {out!r}")
        c.expect("GC on one thread: 0 clone calls", "clone" not in s and "clone3" not in s, f"{s}")

        # Memory runs out inside the pool and then outside it: Nido's error, not a crash.
        status, out, err = hv(nido, work, ["--mem=128M"], "keep.nd")
        c.expect("guest memory exhausted: OutOfMemoryError", status == 1 and err.startswith("OutOfMemoryError")
                 and "hv:" not in err, f"status {status}, {err[:300]!r}")

        status, out, err = hv(nido, work, [], hello, env={"NIDO_TEST_GUEST_FAULT": "1"})
        c.expect("guest fault: one clear line, status 1",
                 status == 1 and out == "" and re.fullmatch(
                     r"nido: hv: guest fault: page fault at address 0x10 \(write, not mapped\), rip 0x[0-9a-f]+\n", err),
                 f"status {status}, {err!r}")

        start = time.monotonic()
        status, out, err = hv(nido, work, ["--timeout=0.5", "--stats"], "endless.nd")
        secs = time.monotonic() - start
        c.expect("--timeout", status == 124 and err.startswith(
            "started\nnido: the guest did not finish within 0.5 s (--timeout)")
                 and secs < 10, f"status {status}, {err!r}")
        # No exit in 0.5 s of guest work but the ring's flush ticks (every 50 ms).
        c.expect("ring flush ticks", stats(err).get("pv: flush tick", 0) >= 3, f"{stats(err)}")

        for pv in ("on", "off"):
            # The reader goes away after one line (as `| head -1`): quiet, status 1.
            proc = subprocess.Popen([nido, "hv", "run", "--guest=micro", f"--pv={pv}", "lines.nd"], cwd=work,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            first = proc.stdout.readline()
            proc.stdout.close()
            err = proc.stderr.read()
            status = proc.wait(TIMEOUT)
            c.expect(f"closed stdout, --pv={pv}", first == b"out 0\n" and status == 1 and b"nido:" not in err,
                     f"status {status}, {first!r}, {err[-200:]!r}")

        runs = {}
        for pv in ("on", "off"):
            status, out, err = hv(nido, work, ["--stats", f"--pv={pv}"], "lines.nd")
            runs[pv] = (status, out, err, stats(err))
            want_out = "".join(f"out {i}\n" for i in range(LINES))
            want_err = "".join(f"line {i}\n" for i in range(LINES))
            c.expect(f"{LINES} lines, --pv={pv}",
                     status == 0 and out == want_out and err.startswith(want_err) and "clone" not in runs[pv][3],
                     f"status {status}, {len(out)} bytes out, stderr {err[-300:]!r}")
        on, off = runs["on"][3].get("exits", 0), runs["off"][3].get("exits", 0)
        c.expect("pv uses far fewer exits", 0 < on * 20 < off, f"--pv=on {on} exits, --pv=off {off}")
        c.expect("--pv=off makes one write a line", runs["off"][3].get("write", 0) >= LINES, f"{runs['off'][3]}")
        c.expect("--pv=on writes through the ring", "write" not in runs["on"][3] and "shared ring" in runs["on"][2],
                 f"{runs['on'][3]}")

        status, out, err = hv(nido, work, ["--explain"], hello)
        c.expect("--explain", status == 0 and all(w in err.lower() for w in (
            "cpl3", "hypercall", "paravirtualisation", "xen", "no guest kernel", "kvm", "process vm")), f"{err!r}")

        for name, flags, mark in [("bad --pv", ["--pv=maybe"], "nido: bad value in '--pv=maybe'"),
                                  ("empty --allow-read item", ["--allow-read=a,,b"], "nido: bad value"),
                                  ("missing --file", ["--file", "absent.txt"], "nido: cannot read 'absent.txt'"),
                                  ("a Linux-only flag", ["--keep-image=img"], "nido: --keep-image is for --guest=linux")]:
            status, out, err = hv(nido, work, flags, hello)
            c.expect(f"refused: {name}", status == 2 and err.startswith(mark) and err.count("\n") == 1,
                     f"status {status}, {err!r}")
    for line in c.failures:
        print(line)
    print(f"{c.passed} passed, {len(c.failures)} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
