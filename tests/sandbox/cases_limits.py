"""Resource limits against hostile programs: endless loops under --fuel
(counted alike in every --jit mode) and --timeout, a program blocked on
standard input, an output flood, huge allocations and a recursion bomb.
Each ends with its one-line message and documented status, in bounded time,
and the host folder is unchanged."""

import os
import re
import subprocess
import time

from context import Failure, Skipped, expect, expect_unchanged

JIT_MODES = ["off", "on", "eager"]

# Every kind of call (direct, leaf, virtual with two classes, interface,
# closure, recursion), inner loops and a handler; one line per round.
MIXED = """\
interface Shape { fun area(): int }

class Square implements Shape {
    var side: int
    new(side: int) { this.side = side }
    fun area(): int { return side * side }
}

class Rect implements Shape {
    var w: int
    var h: int
    new(w: int, h: int) { this.w = w; this.h = h }
    fun area(): int { return w * h }
}

fun fib(n: int): int {
    if n < 2 {
        return n
    }
    return fib(n - 1) + fib(n - 2)
}

fun sumTo(n: int): int {
    var s = 0
    var i = 0
    while i < n {
        s = s + i
        i = i + 1
    }
    return s
}

fun checked(n: int): int {
    if n % 5 == 0 {
        throw Error("five")
    }
    return n
}

fun main() {
    let shapes: [Shape] = [Square(3), Rect(2, 5)]
    let add = fun(a: int, b: int): int { return a + b }
    var total = 0
    var round = 0
    while true {
        round = round + 1
        total = add(total, fib(round % 12))
        total = total + sumTo(round % 7)
        for s in shapes {
            total = total + s.area()
        }
        try {
            total = total + checked(round)
        } catch e: Error {
            total = total - 1
        }
        println("round ${round} total ${total}")
    }
}
"""

# A hot loop that prints only every 100,000 iterations: under --jit=on
# it is compiled in the background and entered by on-stack replacement.
HOT_LOOP = """\
fun step(i: int): int {
    return i + 1
}

fun main() {
    var i = 0
    var sum = 0
    while true {
        i = step(i)
        sum = sum + i % 7
        if i % 100000 == 0 {
            println("${i} ${sum}")
        }
    }
}
"""

EMPTY_LOOP = """\
fun main() {
    while true {}
}
"""

READS_STDIN = """\
import io
fun main() {
    println("waiting")
    let line = io.readLine()
    println("got ${line}")
}
"""

FLOOD = """\
import io
fun main() {
    var i = 0
    while true {
        println("line ${i} of a flood of output")
        if i % 3 == 0 {
            io.eprintln("err ${i}")
        }
        i = i + 1
    }
}
"""

HUGE_ARRAY = """\
fun main() {
    let a = array(2000000000, 0)
    println(a.len())
}
"""

GROWING_LIST = """\
fun main() {
    var all: [[int]] = []
    while true {
        all.push(array(100000, 1))
    }
}
"""

RECURSION_BOMB = """\
fun down(n: int): int {
    return down(n + 1) + 1
}

fun main() {
    println(down(0))
}
"""

OUT_OF_FUEL = re.compile(r"^nido: out of fuel after (\d+) loop iterations and calls \(--fuel\)$")


def last_line(text):
    lines = text.splitlines()
    return lines[-1] if lines else ""


def run_fuel(ctx, app, fuel, mode, extra=()):
    """Runs app under --fuel; a run that does not end out of fuel is a Failure."""
    r = ctx.run(["run", f"--jit={mode}", f"--fuel={fuel}", *extra, app])
    expect(r.status == 3, f"--jit={mode} --fuel={fuel}: expected status 3: {r}")
    lines = r.err.splitlines()
    expect(lines and OUT_OF_FUEL.match(lines[-1]) and int(OUT_OF_FUEL.match(lines[-1])[1]) == fuel,
           f"--jit={mode}: expected the out-of-fuel line last: {r}")
    return r


def fuel_boundary(ctx, app, mode, high):
    """The least fuel whose run prints the line that a run with fuel high
    prints last, and that line."""
    target = last_line(run_fuel(ctx, app, high, mode).out)
    low = 1  # invariant: fuel low is too little, fuel high is enough
    while high - low > 1:
        mid = (low + high) // 2
        if last_line(run_fuel(ctx, app, mid, mode).out) == target:
            high = mid
        else:
            low = mid
    return high, target


def expect_same_fuel_point(ctx, app, fuel, line, modes):
    """With fuel, every mode's output ends with line; with one unit less, before it."""
    for mode in modes:
        enough = run_fuel(ctx, app, fuel, mode)
        expect(last_line(enough.out) == line,
               f"--jit={mode} --fuel={fuel}: expected the output to end with {line!r}, got {last_line(enough.out)!r}")
        short = run_fuel(ctx, app, fuel - 1, mode)
        expect(last_line(short.out) != line,
               f"--jit={mode} --fuel={fuel - 1}: {line!r} printed with one unit less than --jit=off needed")


def fuel_same_point_in_every_mode(ctx):
    app = ctx.write("mixed.nd", MIXED)
    before = ctx.snapshot()
    fuel, line = fuel_boundary(ctx, app, "off", 40_000)
    expect(line.startswith("round "), f"unexpected output {line!r}")
    expect_same_fuel_point(ctx, app, fuel, line, ["eager", "on"])
    expect_unchanged(before, ctx.snapshot())


def fuel_same_point_after_hot_loop_compiled(ctx):
    app = ctx.write("hot.nd", HOT_LOOP)
    before = ctx.snapshot()
    # Found with compiled code (fast), then checked in the interpreter and
    # with the loop compiled in the background while it runs.
    fuel, line = fuel_boundary(ctx, app, "eager", 20_000_000)
    expect_same_fuel_point(ctx, app, fuel, line, ["off", "on"])
    expect_unchanged(before, ctx.snapshot())
    # The loop really ran compiled: its code, with the budget spent at the
    # back-edge, shows in the JIT's dump (docs/jit.md).
    ctx.env["NIDO_JIT_DUMP"] = "1"
    dump = run_fuel(ctx, app, fuel, "on").err
    if "define " not in dump:
        raise Skipped("--jit=on compiled nothing (is the JIT plugin built?)")
    expect("back_edge:" in dump, "the compiled loop spends no fuel at its back-edge")


def fuel_ends_empty_loop(ctx):
    app = ctx.write("empty.nd", EMPTY_LOOP)
    for mode in JIT_MODES:
        run_fuel(ctx, app, 100_000, mode)


def timeout_ends_endless_loop(ctx):
    app = ctx.write("mixed.nd", MIXED)
    before = ctx.snapshot()
    for mode in JIT_MODES:
        start = time.monotonic()
        r = ctx.run(["run", f"--jit={mode}", "--timeout=300ms", app], timeout=10)
        took = time.monotonic() - start
        expect(r.status == 124, f"--jit={mode}: expected status 124: {r}")
        expect(r.err.splitlines()[-1:] == ["nido: time limit of 300 ms reached (--timeout)"],
               f"--jit={mode}: expected the time-limit line last: {r}")
        expect(0.3 <= took < 3, f"--jit={mode}: ended after {took:.2f} s, expected 0.3 s plus little")
        # (With --jit=eager a loaded machine may spend the 300 ms compiling.)
        expect(mode == "eager" or last_line(r.out).startswith("round "),
               f"--jit={mode}: output before the limit lost: {r}")
    expect_unchanged(before, ctx.snapshot())


def timeout_ends_blocked_read(ctx):
    """The program waits on a pipe that stays open: the watchdog itself ends it."""
    app = ctx.write("reads.nd", READS_STDIN)
    read_end, write_end = os.pipe()  # the write end stays open: the read blocks
    start = time.monotonic()
    try:
        proc = subprocess.Popen([ctx.nido, "run", "--timeout=300ms", app], cwd=ctx.folder, env=ctx.env,
                                stdin=read_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise Failure("nido still running 10 s after a 300 ms --timeout")
    finally:
        os.close(read_end)
        os.close(write_end)
    status = proc.returncode
    took = time.monotonic() - start
    expect(status == 124, f"expected status 124, got {status}: {err!r}")
    expect(err.decode().splitlines() == ["nido: time limit of 300 ms reached (--timeout)"],
           f"expected the time-limit line alone: {err!r}")
    expect(out.decode() == "waiting\n", f"the prompt flushed before the read was lost: {out!r}")
    expect(took < 3, f"ended after {took:.2f} s")


def max_output_stops_flood(ctx):
    app = ctx.write("flood.nd", FLOOD)
    before = ctx.snapshot()
    limit = 64 * 1024
    for mode in ["off", "eager"]:
        r = ctx.run(["run", f"--jit={mode}", "--max-output=64K", app])
        message = "nido: output limit of 64 KiB reached (--max-output)\n"
        expect(r.status == 4, f"--jit={mode}: expected status 4: {r}")
        expect(r.err.endswith(message), f"--jit={mode}: expected the output-limit line last: {r}")
        written = len(r.out.encode()) + len(r.err.encode()) - len(message)
        expect(written == limit, f"--jit={mode}: the program wrote {written} bytes, expected exactly {limit}")
    expect_unchanged(before, ctx.snapshot())


def max_heap_stops_huge_allocations(ctx):
    for name, source in [("huge.nd", HUGE_ARRAY), ("growing.nd", GROWING_LIST)]:
        app = ctx.write(name, source)
        before = ctx.snapshot()
        for mode in ["off", "eager"]:
            r = ctx.run(["run", f"--jit={mode}", "--max-heap=64M", app])
            expect(r.status == 1 and r.err.startswith("OutOfMemoryError"),
                   f"{name} --jit={mode}: expected an uncaught OutOfMemoryError: {r}")
        expect_unchanged(before, ctx.snapshot())


def recursion_bomb_overflows(ctx):
    app = ctx.write("bomb.nd", RECURSION_BOMB)
    before = ctx.snapshot()
    for mode in ["off", "eager"]:
        r = ctx.run(["run", f"--jit={mode}", app])
        expect(r.status == 1 and r.err.startswith("StackOverflowError"),
               f"--jit={mode}: expected an uncaught StackOverflowError: {r}")
    expect_unchanged(before, ctx.snapshot())


def bad_limit_values_refused(ctx):
    app = ctx.write("empty.nd", EMPTY_LOOP)
    for flag in ["--timeout=0", "--timeout=-1", "--timeout=1y", "--timeout=", "--max-output=10",
                 "--max-output=1Q", "--fuel=0", "--audit="]:
        r = ctx.run(["run", flag, app])
        expect(r.status == 2 and len(r.err.splitlines()) == 1 and flag in r.err,
               f"{flag}: expected one line naming the flag and status 2: {r}")


CASES = [fuel_same_point_in_every_mode, fuel_same_point_after_hot_loop_compiled, fuel_ends_empty_loop,
         timeout_ends_endless_loop, timeout_ends_blocked_read, max_output_stops_flood,
         max_heap_stops_huge_allocations, recursion_bomb_overflows, bad_limit_values_refused]
