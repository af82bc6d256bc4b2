#!/usr/bin/env python3
"""Tests the JIT's code cache (docs/jit.md, "The code cache").

    python3 tests/jit_cache/run.py NIDO

1. The language tests and the samples with --jit=eager, twice over one fresh
   cache folder: the first pass compiles and fills it, the second takes the
   code from it. Both must pass (tests/lang/run.py decides).
2. Cases on single programs: a warm run takes every function from the cache
   and compiles none; an edited program gets new code, not the old one;
   damaged, truncated, foreign, group-writable or symlinked entries and a
   folder open to others are ignored (the run compiles and is right);
   NIDO_JIT_CACHE=off makes no folder; a budgeted run (--fuel) ends at the
   same point warm as cold.
3. The hot list: a run with --jit=on takes from the cache the code of a
   function that the program's last run got hot, even though it never
   calls it itself.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAM = """
class Shape {{ fun area(): float {{ return 0.0 }} }}
class Square extends Shape {{
    let side: float
    new(side: float) {{ this.side = side }}
    override fun area(): float {{ return this.side * this.side }}
}}
fun fib(n: int): int {{
    if n < 2 {{ return n }}
    return fib(n - 1) + fib(n - 2)
}}
fun main() {{
    var total = 0.0
    var i = 0
    while i < 3000 {{
        let s: Shape = Square(float(i % 7))
        total = total + s.area()
        i = i + 1
    }}
    println("fib " + str(fib(20) + {extra}) + " area " + str(total))
}}
"""
# Runs its loop for 0.4 s, time enough for every compile; with the argument
# "g" the loop also calls g, which gets hot.
HOT_LIST_PROGRAM = """
import sys
fun f(x: int): int { return x * 3 + 1 }
fun g(x: int): int { return x % 7 }
fun main() {
    let withG = sys.args().len() > 0
    let start = sys.clockNs()
    var total = 0
    while sys.clockNs() - start < 400000000 {
        total = (total + f(total)) % 1000003
        if withG { total = total + g(total) }
    }
    println("done")
}
"""
COMPILED = re.compile(r"nido: jit: (\d+) functions compiled")
CACHED = re.compile(r"nido: jit: (\d+) taken from the code cache")


class Failure(Exception):
    pass


def run(nido, args, cache, cwd):
    env = dict(os.environ, NIDO_JIT_CACHE=cache)
    return subprocess.run([nido, "run", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def counts(stderr):
    compiled = COMPILED.search(stderr)
    cached = CACHED.search(stderr)
    return (int(compiled.group(1)) if compiled else 0, int(cached.group(1)) if cached else 0)


def expect(cond, what):
    if not cond:
        raise Failure(what)


def entries(cache):
    return sorted(os.path.join(cache, n) for n in os.listdir(cache) if not n.startswith("."))


def suites(nido, work):
    """Part 1: tests/lang and samples cold, then warm."""
    cache = os.path.join(work, "suite-cache")
    env = dict(os.environ, NIDO_JIT_CACHE=cache)
    for attempt in ("cold", "warm"):
        for folder in (os.path.join(ROOT, "tests", "lang"), os.path.join(ROOT, "samples")):
            cmd = [sys.executable, os.path.join(ROOT, "tests", "lang", "run.py"), nido, "--run-flags=--jit=eager",
                   folder]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)
            tail = done.stdout.strip().splitlines()[-1:] or ["(no output)"]
            print(f"{attempt} {os.path.basename(folder)}: {tail[0]}")
            if done.returncode != 0:
                raise Failure(f"{attempt} pass over {folder} failed:\n{done.stdout[-3000:]}")
        if attempt == "cold":
            expect(len(entries(cache)) > 100, f"the cold pass kept only {len(entries(cache))} entries")


def single(nido, work):
    """Part 2: one program, its cache cold, warm, stale and damaged."""
    src = os.path.join(work, "prog.nd")
    cache = os.path.join(work, "cache")

    def write(extra):
        with open(src, "w") as f:
            f.write(PROGRAM.format(extra=extra))

    def go(flags=(), cache_dir=cache):
        done = run(nido, ["--jit=eager", "--stats", *flags, src], cache_dir, work)
        expect(done.returncode == 0, f"status {done.returncode}: {done.stderr.strip()}")
        return done.stdout, counts(done.stderr)

    write(1)
    cold, (compiled, cached) = go()
    expect(compiled > 0 and cached == 0, f"cold run: {compiled} compiled, {cached} cached")
    expect(stat.S_IMODE(os.stat(cache).st_mode) == 0o700, "the folder is not private (0700)")
    for e in entries(cache):
        expect(stat.S_IMODE(os.stat(e).st_mode) == 0o600, f"{e} is not private (0600)")
    warm, (compiled2, cached2) = go()
    expect(warm == cold, "warm output differs from cold")
    expect(compiled2 == 0 and cached2 == compiled, f"warm run: {compiled2} compiled, {cached2} cached")
    print(f"warm run: {cached2} functions taken from the cache, none compiled")

    write(2)
    edited, (compiled3, _) = go()
    expect(edited != warm and "fib 6767 " in edited, f"an edited program ran stale code: {edited.strip()}")
    expect(compiled3 > 0, "an edited program compiled nothing")
    write(1)

    def damaged(label, spoil):
        for e in entries(cache):
            spoil(e)
        out, (c, k) = go()
        expect(out == cold, f"{label}: output differs")
        expect(c > 0 and k == 0, f"{label}: {c} compiled, {k} cached")
        out, (c, k) = go()
        expect(out == cold and c == 0 and k > 0, f"{label}: entries not remade ({c} compiled, {k} cached)")
        print(f"{label}: ignored, compiled again, then cached")

    def flip(e):
        data = bytearray(open(e, "rb").read())
        data[len(data) // 2] ^= 0x20
        open(e, "wb").write(bytes(data))

    def truncate(e):
        data = open(e, "rb").read()
        open(e, "wb").write(data[: len(data) // 3])

    def open_to_others(e):
        os.chmod(e, 0o666)

    def symlink(e):
        real = os.path.join(work, os.path.basename(e) + ".real")
        os.rename(e, real)
        os.symlink(real, e)

    damaged("a flipped byte", flip)
    damaged("a truncated entry", truncate)
    damaged("an entry writable by others", open_to_others)
    damaged("an entry that is a symlink", symlink)
    if os.geteuid() == 0:
        damaged("an entry of another user", lambda e: os.chown(e, 65534, 65534))

    os.chmod(cache, 0o777)
    out, (c, k) = go()
    expect(out == cold and c > 0 and k == 0, f"a folder open to others was used ({c} compiled, {k} cached)")
    os.chmod(cache, 0o700)
    print("a folder writable by others: not used")

    off = os.path.join(work, "never")
    done = run(nido, ["--jit=eager", src], "off", work)
    expect(done.returncode == 0 and done.stdout == cold, "NIDO_JIT_CACHE=off changed the run")
    expect(not os.path.exists(off), "NIDO_JIT_CACHE=off made a folder")
    blocked = os.path.join(work, "a-file")
    open(blocked, "w").close()
    done = run(nido, ["--jit=eager", src], os.path.join(blocked, "jit"), work)
    expect(done.returncode == 0 and done.stdout == cold, "a folder that cannot be made changed the run")
    print("NIDO_JIT_CACHE=off, and a folder that cannot be made: the run is the same")

    # A budgeted run has code of its own; warm, it runs out at the same point.
    ends = []
    for _ in range(2):
        done = run(nido, ["--jit=eager", "--fuel=30000", src], cache, work)
        ends.append((done.returncode, done.stdout))
    expect(ends[0][0] == 3 and ends[0] == ends[1], f"--fuel cold and warm: {ends}")
    print("--fuel: same end cold and warm (status 3)")


def hot_list(nido, work):
    """Part 3: a run asks for what the program's last run asked for."""
    src = os.path.join(work, "hot.nd")
    cache = os.path.join(work, "hot-cache")
    with open(src, "w") as f:
        f.write(HOT_LIST_PROGRAM)

    def go(*args):
        done = run(nido, ["--stats", src, *args], cache, work)
        expect(done.returncode == 0 and done.stdout == "done\n", f"status {done.returncode}: {done.stderr.strip()}")
        expect("still queued" not in done.stderr, f"a compile did not finish in 0.4 s: {done.stderr.strip()}")
        return counts(done.stderr)

    compiled, _ = go("g")
    expect(compiled >= 2, f"the first run compiled {compiled}")
    compiled2, cached2 = go()
    expect(compiled2 == 0 and cached2 == compiled,
           f"without g: {compiled2} compiled, {cached2} cached; the first run compiled {compiled} (g among them)")
    print(f"hot list: a run that never calls g still took its code, {cached2} functions from the cache")


def main():
    if len(sys.argv) != 2:
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(sys.argv[1])
    work = os.path.realpath(tempfile.mkdtemp(prefix="nido-jit-cache-"))
    try:
        single(nido, work)
        hot_list(nido, work)
        suites(nido, work)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("jit cache: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
