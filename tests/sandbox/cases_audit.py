"""--audit=FILE and --learn: every permission decision as one JSON line
(allowed and denied, with the rule that decided), an audit file the program
cannot write and that is complete however the run ends, and a learn run
whose reported flags are exactly what a second run needs."""

import json
import os
import shlex

from context import expect, expect_unchanged

# Reads a granted file, lists a folder, makes folders and writes a file,
# reads a granted and a refused variable, then tries to read a file
# outside the grants and to write args[0].
APP = """\
import fs
import sys
fun main(args: [string]) {
    let text = fs.readFile("data/in.txt")
    println("read ${text.len()} bytes; data has ${fs.listDir("data").len()} entries")
    fs.mkdirs("out/a/b")
    fs.writeFile("out/a/b/copy.txt", text)
    let name = sys.env("AUDIT_NAME")
    if name != null {
        println("name ${name}")
    }
    try {
        let secret = sys.env("AUDIT_SECRET")
        println("secret read")
    } catch e: PermissionError {
        println("no secret")
    }
    try {
        fs.readFile("secret/key.txt")
    } catch e: PermissionError {
        println("no key")
    }
    try {
        fs.writeFile(args[0], "forged")
        println("wrote ${args[0]}")
    } catch e: PermissionError {
        println("cannot write ${args[0]}")
    }
}
"""

READ_THEN_LOOP = """\
import fs
fun main() {
    println(fs.readFile("data/in.txt"))
    while true {}
}
"""


def setup(ctx):
    ctx.write("data/in.txt", "hello\n")
    ctx.write("secret/key.txt", "key\n")
    ctx.env["AUDIT_NAME"] = "nido"
    ctx.env["AUDIT_SECRET"] = "hidden"
    return ctx.write("app.nd", APP)


def audit_lines(path):
    """The audit file's lines, each parsed as JSON (a bad line is a Failure via AssertionError)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    decisions = []
    for line in lines:
        try:
            decisions.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise AssertionError(f"audit line is not JSON ({e}): {line!r}")
    for d in decisions:
        assert set(d) == {"op", "target", "decision", "rule"}, f"unexpected fields: {d}"
    return decisions


def find(decisions, op, target, decision):
    return [d for d in decisions if d["op"] == op and d["target"] == target and d["decision"] == decision]


def audit_records_allowed_and_denied(ctx):
    app = setup(ctx)
    before = ctx.snapshot(ctx.path("secret"))
    data, out = os.path.realpath(ctx.path("data")), os.path.realpath(ctx.path("out"))
    r = ctx.run(["run", "--audit=audit.log", "--allow-read=data", "--allow-write=out", "--allow-env=AUDIT_NAME", app,
                 "secret/forged.txt"])
    expect(r.status == 0 and "no secret" in r.out and "no key" in r.out and "cannot write" in r.out,
           f"expected the refused accesses caught: {r}")
    d = audit_lines(ctx.path("audit.log"))
    expect(find(d, "read", f"{data}/in.txt", "allowed") ==
           [{"op": "read", "target": f"{data}/in.txt", "decision": "allowed", "rule": f"--allow-read={data}"}],
           f"no allowed read of in.txt naming its rule: {d}")
    expect(find(d, "read", data, "allowed"), f"no allowed listing of data: {d}")
    for folder in ["out", "out/a", "out/a/b", "out/a/b/copy.txt"]:
        target = os.path.realpath(ctx.path(folder))
        expect(any(x["rule"] == f"--allow-write={out}" for x in find(d, "write", target, "allowed")),
               f"no allowed write of {folder}: {d}")
    expect(find(d, "env", "AUDIT_NAME", "allowed")[0]["rule"] == "--allow-env=AUDIT_NAME", f"env grant: {d}")
    denied = [("env", "AUDIT_SECRET"), ("read", os.path.realpath(ctx.path("secret/key.txt"))),
              ("write", os.path.realpath(ctx.path("secret/forged.txt")))]
    for op, target in denied:
        expect([x["rule"] for x in find(d, op, target, "denied")] == ["default deny"], f"no denial of {target}: {d}")
    expect_unchanged(before, ctx.snapshot(ctx.path("secret")))


def audit_file_not_writable_by_program(ctx):
    app = setup(ctx)
    r = ctx.run(["run", "--audit=audit.log", "-A", app, "audit.log"])
    expect(r.status == 0 and "cannot write audit.log" in r.out, f"the program wrote its audit file: {r}")
    d = audit_lines(ctx.path("audit.log"))
    target = os.path.realpath(ctx.path("audit.log"))
    expect(find(d, "write", target, "denied") and find(d, "write", target, "denied")[0]["rule"] == "audit file",
           f"no denial of the audit file: {d}")


def audit_complete_after_limit_ends_run(ctx):
    ctx.write("data/in.txt", "hello\n")
    app = ctx.write("loop.nd", READ_THEN_LOOP)
    for flag, status in [("--fuel=100000", 3), ("--timeout=200ms", 124)]:
        r = ctx.run(["run", flag, "--audit=audit.log", "--allow-read=data", app])
        expect(r.status == status, f"{flag}: expected status {status}: {r}")
        d = audit_lines(ctx.path("audit.log"))
        expect(len(d) == 1 and d[0]["decision"] == "allowed", f"{flag}: audit incomplete: {d}")


def audit_file_unopenable_refused(ctx):
    app = setup(ctx)
    r = ctx.run(["run", "--audit=no/such/folder/audit.log", app, "x"])
    expect(r.status == 2 and r.err.count("\n") == 1 and "cannot open the audit file" in r.err,
           f"expected one line and status 2: {r}")


def learned_flags(r):
    lines = [l for l in r.err.splitlines() if l.startswith("nido: this run needed: ")]
    expect(len(lines) == 1, f"expected one 'this run needed' line: {r}")
    return shlex.split(lines[0][len("nido: this run needed: "):])


def learn_reports_what_second_run_needs(ctx):
    app = setup(ctx)
    outside = ctx.snapshot(ctx.path("secret"))
    before = ctx.snapshot()
    learn = ctx.run(["run", "--learn", app, "made.txt"])
    expect(learn.status == 0 and "wrote made.txt" in learn.out and "no key" not in learn.out,
           f"the learn run was not permissive: {learn}")
    flags = learned_flags(learn)
    real = os.path.realpath(ctx.folder)
    expected = [f"--allow-read={real}/data", f"--allow-read={real}/secret/key.txt", f"--allow-write={real}/made.txt",
                f"--allow-write={real}/out", "--allow-env=AUDIT_NAME", "--allow-env=AUDIT_SECRET"]
    expect(sorted(flags) == sorted(expected), f"learned {flags}, expected {expected}")
    # The learn run changed only what its write flags cover.
    after = ctx.snapshot()
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    writes = [f[len("--allow-write="):] for f in flags if f.startswith("--allow-write=")]
    for p in changed:
        full = os.path.join(real, p)
        expect(any(full == w or full.startswith(w + "/") for w in writes), f"learn run changed {p} unreported")
    expect_unchanged(outside, ctx.snapshot(ctx.path("secret")))

    # The same run with the learned flags: same output; without any one
    # of them, something is refused.
    def rerun(grants):
        if os.path.exists(ctx.path("made.txt")):
            os.remove(ctx.path("made.txt"))
        return ctx.run(["run", *grants, app, "made.txt"])

    again = rerun(flags)
    expect(again.status == 0 and again.out == learn.out, f"the learned flags did not suffice: {again}")
    for flag in flags:
        fewer = rerun([f for f in flags if f != flag])
        expect(fewer.out != learn.out or fewer.status != 0, f"{flag} was not needed: {fewer}")


def learn_needs_nothing_for_pure_program(ctx):
    app = ctx.write("pure.nd", 'fun main() {\n    println("pure")\n}\n')
    r = ctx.run(["run", "--learn", app])
    expect(r.status == 0 and r.err == "nido: this run needed no --allow-* flags\n", f"unexpected report: {r}")


CASES = [audit_records_allowed_and_denied, audit_file_not_writable_by_program, audit_complete_after_limit_ends_run,
         audit_file_unopenable_refused, learn_reports_what_second_run_needs, learn_needs_nothing_for_pure_program]
