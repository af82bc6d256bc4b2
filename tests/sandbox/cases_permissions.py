"""Hostile programs against the permission flags alone (no isolation rule):
each attack ends in a clear PermissionError and the host folder is unchanged."""

from context import expect, expect_unchanged

WRITE_OUTSIDE = """\
import fs
fun main(args: [string]) {
    fs.writeFile(args[0], "owned")
}
"""


def write_through_dotdot(ctx):
    ctx.write("data/keep.txt", "keep")
    app = ctx.write("app.nd", WRITE_OUTSIDE)
    before = ctx.snapshot()
    r = ctx.run(["run", "--allow-write=data", app, "data/../escaped.txt"])
    expect(r.status == 1 and "PermissionError: write access to" in r.err, f"expected a PermissionError: {r}")
    expect_unchanged(before, ctx.snapshot())


def write_through_symlink(ctx):
    import os
    ctx.write("data/keep.txt", "keep")
    ctx.write("outside/target.txt", "host file")
    os.symlink(ctx.path("outside"), ctx.path("data", "link"))
    app = ctx.write("app.nd", WRITE_OUTSIDE)
    before = ctx.snapshot()
    r = ctx.run(["run", "--allow-write=data", app, "data/link/target.txt"])
    expect(r.status == 1 and "PermissionError: write access to" in r.err, f"expected a PermissionError: {r}")
    expect_unchanged(before, ctx.snapshot())


CASES = [write_through_dotdot, write_through_symlink]
