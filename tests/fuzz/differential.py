#!/usr/bin/env python3
"""Differential test: random programs must behave the same in every execution mode.

    python3 tests/fuzz/differential.py NIDO [--count N] [--seed S] [--modes "run|run --trace"]
                                            [--jobs J] [--keep DIR] [--timeout T]

Makes N programs with tests/fuzz/gen_programs.py (program i has generator
seed S * 1000000 + i, so `gen_programs.py --seed X` prints it again), checks
each with `nido check`, then runs it once per mode: `NIDO MODE... PROG.nd`,
where --modes lists the modes separated by `|`, each the subcommand and its
flags (default `run|run --trace`: the fused execution form against the
unfused one). Every mode must give the same stdout, the same exit status and
the same uncaught-error report (the `Class: message` line and its `  at`
lines on stderr); the rest of stderr, such as --trace output, is ignored.
A mode run with --stats must also have compiled every function the JIT
was asked for: a `first not compiled` line fails the program, since the
interpreter running the function instead would hide the failure.

A program that differs between modes is a divergence: it is saved in the
keep folder (default build/fuzz-divergences/) as SEED.nd, with each mode's
stdout in SEED.MODE.out (MODE numbered from 1) and a summary in SEED.txt.
A program that `nido check` rejects, or that no mode finishes within the
timeout, is a generator failure and is kept there the same way; so is a run
killed by a signal or reporting a sanitizer error or failed C assertion (a
crash), and a function not compiled. Each is printed as it is found; the
last line is `N programs, M divergences`. Exit status 1 when there was any divergence or failure.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import sys
import tempfile
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)
import gen_programs  # noqa: E402  (tests/fuzz/gen_programs.py: the programs)

# The uncaught-error report on stderr: `Class: message`, then `  at f (file:line)`.
# --trace lines start with the call depth, so they never match; --stats
# lines are not part of it.
REPORT_LINE = re.compile(r"^(\w+: .*|  at .*)$")


class Outcome:
    """What one mode did with a program."""

    def __init__(self, status, out, err):
        self.status, self.out = status, out
        self.report = [l for l in err.split("\n") if REPORT_LINE.match(l) and not l.startswith(nidotest.JIT_STATS)]
        self.not_compiled = nidotest.not_compiled(err)
        self.crash = None
        if status is not None and status < 0:
            self.crash = f"killed by {nidotest.signal_name(status)}"
        elif status is not None:
            self.crash = nidotest.report_line(err, nidotest.CRASH_MARKS, assertions=True)

    def key(self):
        return self.status, self.out, self.report

    def describe(self):
        return "timed out" if self.status is None else f"exit status {self.status}"


def difference(a, b):
    """How outcome b differs from outcome a, in one line."""
    if a.status != b.status:
        return f"{a.describe()} vs {b.describe()}"
    return (nidotest.first_difference("stdout", nidotest.output_lines(a.out), nidotest.output_lines(b.out))
            or nidotest.first_difference("error report", a.report, b.report))


def check(nido, modes, seed, tmp, timeout):
    """Generates, checks and runs the program of seed. Returns (seed, source,
    kind, reason, outcomes): kind is None when all is well, else "divergence",
    "generator", "crash" or "not compiled"."""
    try:
        source = gen_programs.generate(seed)
    except Exception as e:  # a generator bug; the other programs still run
        return seed, "", "generator", f"gen_programs.py raised {e!r}", []
    path = os.path.join(tmp, f"{seed}.nd")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    status, _, err = nidotest.run([nido, "check", path], tmp, timeout, errors="replace")
    if status != 0:
        first = err.strip().split("\n")[0] if status is not None else "timed out"
        return seed, source, "generator", f"nido check failed: {first}", []
    outcomes = [Outcome(*nidotest.run([nido] + mode + [path], tmp, timeout, errors="replace")) for mode in modes]
    os.remove(path)
    if all(o.status is None for o in outcomes):
        return seed, source, "generator", f"no mode finished within {timeout:g} s", outcomes
    for i, o in enumerate(outcomes):
        if o.crash:
            return seed, source, "crash", f"mode {i + 1}: {o.crash}", outcomes
        if o.not_compiled:
            return seed, source, "not compiled", f"mode {i + 1}: {o.not_compiled}", outcomes
    for i, o in enumerate(outcomes[1:], 2):
        if o.key() != outcomes[0].key():
            return seed, source, "divergence", f"mode 1 and mode {i}: {difference(outcomes[0], o)}", outcomes
    return seed, source, None, None, outcomes


def keep(folder, modes, seed, source, kind, reason, outcomes):
    """Saves a failing program and what each mode did."""
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, str(seed))
    with open(base + ".nd", "w", encoding="utf-8") as f:
        f.write(source)
    summary = [f"{kind}: {reason}", f"program: python3 tests/fuzz/gen_programs.py --seed {seed}"]
    for i, (mode, o) in enumerate(zip(modes, outcomes), 1):
        with open(f"{base}.{i}.out", "w", encoding="utf-8") as f:
            f.write(o.out)
        summary += [f"mode {i}: nido {shlex.join(mode)} {seed}.nd: {o.describe()}, stdout in {seed}.{i}.out"]
        summary += ["    " + l for l in o.report]
    with open(base + ".txt", "w", encoding="utf-8") as f:
        f.write("\n".join(summary) + "\n")


def main(argv):
    parser = argparse.ArgumentParser(usage=textwrap.dedent(__doc__.split("\n\n")[1]).strip())
    parser.add_argument("nido")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default="run|run --trace")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", default=os.path.join(ROOT, "build", "fuzz-divergences"))
    parser.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args(argv[1:])
    nido = nidotest.nido_path(args.nido)
    modes = [shlex.split(m) for m in args.modes.split("|")]
    if len(modes) < 2 or not all(modes):
        parser.error("--modes needs two or more non-empty modes separated by |")

    seeds = [args.seed * 1_000_000 + i for i in range(args.count)]
    print(f"{args.count} programs from seed {args.seed * 1_000_000}, modes: "
          + " | ".join(shlex.join(m) for m in modes) + f"; {args.jobs} workers", flush=True)
    counts = {"divergence": 0, "generator": 0, "crash": 0, "not compiled": 0}
    with tempfile.TemporaryDirectory(prefix="nido-differential-") as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = pool.map(lambda s: check(nido, modes, s, tmp, args.timeout), seeds)
        for seed, source, kind, reason, outcomes in results:
            if kind is None:
                continue
            counts[kind] += 1
            keep(args.keep, modes, seed, source, kind, reason, outcomes)
            print(f"{kind.upper()} seed {seed}: {reason}\n  kept in {nidotest.display(args.keep)}/{seed}.*",
                  flush=True)
    if counts["generator"] or counts["crash"] or counts["not compiled"]:
        print(f"{counts['generator']} generator failures (not compiling or too slow), {counts['crash']} crashes, "
              f"{counts['not compiled']} with a function the JIT did not compile")
    print(f"{args.count} programs, {counts['divergence']} divergences", flush=True)
    return 1 if any(counts.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
