"""A package's limits and isolation (docs/package.md, docs/sandbox.md): what
`nido pack --timeout --max-output --fuel --isolate` stores, `nido run
app.ndar` and the --exe executable apply; flags may only narrow them; and
--audit on a package run."""

import json
import os

import nidotest
from cases_packages import one_line_error, parse, static_runtime
from context import expect, expect_unchanged

APP = """\
import fs
fun main(args: [string]) {
    let what = args[0]
    if what == "loop" {
        var i = 0
        while true { i = i + 1 }
    } else if what == "flood" {
        while true { println("flood flood flood flood flood flood flood flood") }
    } else if what == "write" {
        fs.writeFile(args[1], "written")
        print(fs.readFile(args[1]))
    } else if what == "resource" {
        print(fs.readFile("/app/data.txt"))
    } else if what == "write-resource" {
        fs.writeFile("/app/data.txt", "changed")
    } else if what == "read" {
        print(fs.readFile(args[1]))
    }
}
"""

NAME = "limited"


def make(ctx, *flags, out="limited.ndar"):
    """The app packed with flags; a host folder it may write. Returns the output's path."""
    ctx.write("app/main.nd", APP)
    ctx.write("app/data.txt", "resource\n")
    ctx.write("app/app.manifest", f"name = {NAME}\nversion = 1\n")
    ctx.write("host/f.txt", "original\n")
    ctx.write("secret/s.txt", "secret\n")
    host = ctx.path("host")
    r = ctx.run(["pack", "--timeout=1", "--max-output=4K", "--fuel=1000000000000", f"--isolate=writecopy:{host}",
                 f"--allow-read={host}", f"--allow-write={host}", *flags, "app", "-o", out])
    expect(r.status == 0 and r.err == "", f"nido pack failed: {r}")
    return ctx.path(out)


def sandbox_copy(ctx, host_path):
    return os.path.join(ctx.env["XDG_DATA_HOME"], "nido", "sandbox", NAME, "files", host_path.lstrip("/"))


def check_limits(ctx, run):
    """run(args) -> (status, out, err): the manifest's limits and isolation hold."""
    before = ctx.snapshot()
    status, out, err = run("loop")
    expect(status == 124 and err == "nido: time limit of 1 s reached (--timeout)\n",
           f"an endless loop under the manifest's timeout: status {status}, {err!r}")
    status, out, err = run("flood")
    expect(status == 4 and err == "nido: output limit of 4 KiB reached (--max-output)\n" and 0 < len(out) <= 4096,
           f"a flood under the manifest's max-output: status {status}, {len(out)} bytes, {err!r}")
    target = ctx.path("host", "f.txt")
    status, out, err = run("write", target)
    expect((status, out) == (0, "written"), f"a write under writecopy: status {status}, {out!r}, {err!r}")
    with open(sandbox_copy(ctx, target)) as f:
        expect(f.read() == "written", "the write did not land in the sandbox folder named after the manifest")
    expect_unchanged(before, ctx.snapshot())


def manifest_holds_limits(ctx):
    package = make(ctx)
    with open(package, "rb") as f:
        manifest = parse(f.read())[1][0][4].decode().splitlines()
    for line in ["timeout = 1", "max-output = 4096", "fuel = 1000000000000",
                 f"isolate = writecopy:{ctx.path('host')}"]:
        expect(line in manifest, f"manifest lacks {line!r}: {manifest}")
    check_limits(ctx, lambda *args: (lambda r: (r.status, r.out, r.err))(ctx.run(["run", package, *args])))


def manifest_fuel_ends_loop(ctx):
    package = make(ctx, "--fuel=100000")
    r = ctx.run(["run", package, "loop"])
    one_line_error(r, 3, "out of fuel after 100000")
    r = ctx.run(["run", "--fuel=5000", package, "loop"])
    one_line_error(r, 3, "out of fuel after 5000")


def flags_only_narrow_limits(ctx):
    package = make(ctx)
    host = ctx.path("host")
    unwritten = ctx.write("host/g.txt", "never written by the app\n")
    before = ctx.snapshot()
    for flags, words in [(["--timeout=5"], "--timeout of 5 s asks for more|manifest grants (timeout = 1 s)"),
                         (["--max-output=64K"], "max-output = 4 KiB"),
                         (["--fuel=2000000000000"], "fuel = 1000000000000"),
                         (["--isolate=merged:" + host], "writecopy for " + host),
                         (["--isolate=merged:" + host + "/sub"], "writecopy for " + host + "/sub")]:
        r = ctx.run(["run", *flags, package, "write", os.path.join(host, "f.txt")])
        one_line_error(r, 2, *words.split("|"))
        expect(r.out == "", f"nothing may run: {r}")
    # The mode of every other path: merged by this manifest, so --isolate=merged
    # is no wider; writecopy by another's, so it is.
    r = ctx.run(["run", "--isolate=merged", package, "write", os.path.join(host, "f.txt")])
    expect((r.status, r.out) == (0, "written"), f"--isolate=merged within a merged default: {r}")
    strict = make(ctx, "--isolate=writecopy", out="strict.ndar")
    before = ctx.snapshot()
    r = ctx.run(["run", "--isolate=merged", strict, "write", os.path.join(host, "f.txt")])
    one_line_error(r, 2, "--isolate=merged asks for more", "(isolate = writecopy)")
    expect_unchanged(before, ctx.snapshot())
    r = ctx.run(["run", "--timeout=300ms", package, "loop"])
    one_line_error(r, 124, "time limit of 300 ms")
    r = ctx.run(["run", "--max-output=1K", package, "flood"])
    expect(r.status == 4 and len(r.out) <= 1024 and "output limit of 1 KiB" in r.err, f"a narrower max-output: {r}")
    # Stricter isolation applies: full hides the host file, and the write still lands in the sandbox.
    target = os.path.join(host, "f.txt")
    r = ctx.run(["run", "--isolate=full", package, "read", os.path.join(ctx.path("secret", "s.txt"))])
    expect(r.status == 1 and "PermissionError" in r.err, f"--isolate=full adds no grant: {r}")
    r = ctx.run(["run", f"--isolate=full:{host}", package, "read", unwritten])
    expect(r.status == 1 and "IOError" in r.err, f"--isolate=full:host hides the host file: {r}")
    r = ctx.run(["run", f"--isolate=full:{host}", package, "write", target])
    expect((r.status, r.out) == (0, "written"), f"a write under a stricter mode: {r}")
    expect_unchanged(before, ctx.snapshot())


def executable_holds_limits(ctx):
    static_runtime(ctx)
    exe = make(ctx, "--exe", out="tool")
    env = {"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": ctx.env["XDG_DATA_HOME"]}

    def run(*args):
        status, out, err = nidotest.run([exe, *args], ctx.folder, 30, env=env)
        expect(status is not None and status >= 0, f"tool {args}: hung or killed ({status})")
        return status, out, err

    check_limits(ctx, run)


def audit_of_package_run(ctx):
    package = make(ctx)
    host = ctx.path("host")
    log = ctx.path("audit.jsonl")
    r = ctx.run(["run", f"--audit={log}", package, "write", os.path.join(host, "f.txt")])
    expect(r.status == 0, f"the write: {r}")
    r2 = ctx.run(["run", f"--audit={ctx.path('audit2.jsonl')}", package, "resource"])
    expect((r2.status, r2.out) == (0, "resource\n"), f"the resource read: {r2}")
    r3 = ctx.run(["run", f"--audit={ctx.path('audit3.jsonl')}", package, "write-resource"])
    expect(r3.status == 1 and "read-only" in r3.err, f"a write to /app: {r3}")
    r4 = ctx.run(["run", f"--audit={ctx.path('audit4.jsonl')}", package, "read", ctx.path("secret", "s.txt")])
    expect(r4.status == 1 and "PermissionError" in r4.err, f"a read past the manifest: {r4}")

    def lines(name):
        with open(ctx.path(name)) as f:
            return [json.loads(line) for line in f]

    target = os.path.join(host, "f.txt")
    expect({"op": "write", "target": target, "decision": "allowed", "rule": f"--allow-write={host}"}
           in lines("audit.jsonl"), f"the write's decision: {lines('audit.jsonl')}")
    expect(lines("audit2.jsonl") == [{"op": "read", "target": "/app/data.txt", "decision": "allowed",
                                      "rule": "package resource"}], f"the resource read: {lines('audit2.jsonl')}")
    expect(lines("audit3.jsonl") == [{"op": "write", "target": "/app/data.txt", "decision": "denied",
                                      "rule": "package resource"}], f"the /app write: {lines('audit3.jsonl')}")
    expect({"op": "read", "target": ctx.path("secret", "s.txt"), "decision": "denied", "rule": "default deny"}
           in lines("audit4.jsonl"), f"the denied read: {lines('audit4.jsonl')}")


CASES = [manifest_holds_limits, manifest_fuel_ends_loop, flags_only_narrow_limits, executable_holds_limits,
         audit_of_package_run]
