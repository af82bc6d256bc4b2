"""Isolation modes (--isolate=merged|writecopy|full), the app's sandbox folder
and `nido sandbox ls|diff|reset`: each mode with reads, writes, appends,
deletes, folders and listings, then hostile programs and damaged sandbox
folders, each ending in a clear error with the host folder unchanged."""

import os

from context import expect, expect_unchanged

# Runs each argument as one fs call, "OP:PATH[:DATA]", printing
# "ARG -> RESULT" or "ARG -> ErrorKind: message" per call.
OPS = """\
import fs

fun apply(op: string, path: string, data: string): string {
    if (op == "read") { return fs.readFile(path) }
    if (op == "write") { fs.writeFile(path, data); return "ok" }
    if (op == "append") { fs.appendFile(path, data); return "ok" }
    if (op == "exists") { return str(fs.exists(path)) }
    if (op == "isdir") { return str(fs.isDir(path)) }
    if (op == "list") { return "[" + fs.listDir(path).join(",") + "]" }
    if (op == "remove") { fs.remove(path); return "ok" }
    if (op == "mkdirs") { fs.mkdirs(path); return "ok" }
    return "unknown op"
}

fun main(args: [string]) {
    for a in args {
        var parts = a.split(":")
        var data = ""
        if (parts.len() > 2) { data = parts[2] }
        try {
            println("${a} -> ${apply(parts[0], parts[1], data)}")
        } catch e: PermissionError {
            println("${a} -> PermissionError: ${e.message}")
        } catch e: IOError {
            println("${a} -> IOError: ${e.message}")
        }
    }
}
"""

GRANTS = ["--allow-read=data", "--allow-write=data"]


def setup(ctx):
    """data/ with two host files, the ops program as app.nd."""
    ctx.write("data/a.txt", "host-a")
    ctx.write("data/keep.txt", "host-keep")
    ctx.write("app.nd", OPS)


def sandbox_dir(ctx, app="app"):
    return os.path.join(ctx.env["XDG_DATA_HOME"], "nido", "sandbox", app)


def ops(ctx, flags, *calls):
    """Runs the ops program; returns {call: result} (status must be 0), the
    second and later results of the same call as "call#2", "call#3"..."""
    r = ctx.run(["run"] + flags + ["app.nd"] + list(calls))
    expect(r.status == 0, f"ops run failed: {r}")
    results = {}
    lines = r.out.splitlines()
    expect(len(lines) == len(calls), f"expected {len(calls)} results: {r}")
    for line in lines:
        call, _, result = line.partition(" -> ")
        key, n = call, 1
        while key in results:
            n += 1
            key = f"{call}#{n}"
        results[key] = result
    return results


def expect_results(got, wanted):
    for call, result in wanted.items():
        if result.endswith("*"):
            ok = got.get(call, "").startswith(result[:-1])
        else:
            ok = got.get(call) == result
        expect(ok, f"{call}: expected {result!r}, got {got.get(call)!r}")


def writecopy_reads_see_host_until_written(ctx):
    setup(ctx)
    before = ctx.snapshot()
    flags = ["--isolate=writecopy:data"] + GRANTS
    got = ops(ctx, flags, "read:data/a.txt", "write:data/a.txt:mine", "read:data/a.txt", "append:data/a.txt:+1",
              "read:data/a.txt", "append:data/keep.txt:+2", "read:data/keep.txt", "append:data/new.txt:n",
              "read:data/new.txt", "list:data", "mkdirs:data/x/y", "isdir:data/x/y", "exists:data/x",
              "list:data", "list:data/x")
    expect_results(got, {
        "read:data/a.txt": "host-a",
        "read:data/a.txt#2": "mine",
        "read:data/a.txt#3": "mine+1",
        "read:data/keep.txt": "host-keep+2",
        "read:data/new.txt": "n",
        "list:data": "[a.txt,keep.txt,new.txt]",
        "isdir:data/x/y": "true",
        "exists:data/x": "true",
        "list:data#2": "[a.txt,keep.txt,new.txt,x]",
        "list:data/x": "[y]",
    })
    expect_unchanged(before, ctx.snapshot())
    # A later run sees what the first one wrote.
    got = ops(ctx, flags, "read:data/a.txt", "read:data/keep.txt")
    expect_results(got, {"read:data/a.txt": "mine+1", "read:data/keep.txt": "host-keep+2"})
    expect(os.path.isfile(os.path.join(sandbox_dir(ctx), "files", ctx.path("data", "a.txt").lstrip("/"))),
           "the sandbox copy of data/a.txt is not at files/<host path>")


def writecopy_deletes_hide_host_files(ctx):
    setup(ctx)
    before = ctx.snapshot()
    flags = ["--isolate=writecopy:data"] + GRANTS
    got = ops(ctx, flags, "remove:data/keep.txt", "exists:data/keep.txt", "read:data/keep.txt", "list:data",
              "remove:data/keep.txt", "write:data/keep.txt:again", "read:data/keep.txt", "remove:data/keep.txt",
              "exists:data/keep.txt", "remove:data/a.txt", "list:data", "remove:data", "exists:data", "mkdirs:data",
              "list:data", "isdir:data")
    expect_results(got, {
        "remove:data/keep.txt": "ok",
        "exists:data/keep.txt": "false",
        "read:data/keep.txt": "IOError: cannot read*",
        "list:data": "[a.txt]",
        "remove:data/keep.txt#2": "IOError: cannot remove*",
        "read:data/keep.txt#2": "again",
        "remove:data/keep.txt#3": "ok",
        "exists:data/keep.txt#2": "false",
        "list:data#2": "[]",
        "remove:data": "ok",
        "list:data#3": "[]",
        "exists:data": "false",
        "mkdirs:data": "ok",
        "isdir:data": "true",
    })
    # A later run sees the same: data/ was removed, then made again, empty.
    got = ops(ctx, flags, "read:data/a.txt", "list:data")
    expect_results(got, {"read:data/a.txt": "IOError: cannot read*", "list:data": "[]"})
    expect_unchanged(before, ctx.snapshot())


def odd_names_survive_the_deletion_list(ctx):
    """A deleted host file whose name holds a tab and "%" stays hidden, and
    `nido sandbox ls` shows it with the tab escaped (newlines: unit test)."""
    setup(ctx)
    ctx.write("data/x\t%0Ay", "odd")
    before = ctx.snapshot()
    flags = ["--isolate=writecopy:data"] + GRANTS
    ops(ctx, flags, "remove:data/x\t%0Ay")
    got = ops(ctx, flags, "list:data", "exists:data/x\t%0Ay", "exists:data/x")
    expect_results(got, {"list:data": "[a.txt,keep.txt]", "exists:data/x\t%0Ay": "false"})
    r = ctx.run(["sandbox", "ls", "app"])
    line = "deleted  " + ctx.path("data", "x\\x09%0Ay")
    expect(r.status == 0 and line in r.out.splitlines(), f"sandbox ls of an odd name: {r}")
    expect_unchanged(before, ctx.snapshot())


def writecopy_folder_must_be_empty_to_remove(ctx):
    setup(ctx)
    before = ctx.snapshot()
    got = ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "remove:data", "write:data/x.txt:1", "mkdirs:data/a.txt",
              "write:data/nope/x.txt:1", "append:data/nope/x.txt:1")
    expect_results(got, {
        "remove:data": "IOError: cannot remove*",
        "mkdirs:data/a.txt": "IOError: cannot create*",
        "write:data/nope/x.txt:1": "IOError: cannot write*",
        "append:data/nope/x.txt:1": "IOError: cannot write*",
    })
    expect("Directory not empty" in got["remove:data"], f"expected ENOTEMPTY: {got['remove:data']}")
    expect_unchanged(before, ctx.snapshot())


def full_mode_hides_the_host(ctx):
    setup(ctx)
    before = ctx.snapshot()
    flags = ["--isolate=full:data"] + GRANTS
    got = ops(ctx, flags, "exists:data/a.txt", "isdir:data", "list:data", "read:data/a.txt", "remove:data/a.txt",
              "append:data/a.txt:only", "read:data/a.txt", "write:data/b.txt:b", "mkdirs:data/d/e", "list:data",
              "remove:data/b.txt", "list:data", "remove:data")
    expect_results(got, {
        "exists:data/a.txt": "false",
        "isdir:data": "true",
        "list:data": "[]",
        "read:data/a.txt": "IOError: cannot read*",
        "remove:data/a.txt": "IOError: cannot remove*",
        "read:data/a.txt#2": "only",  # no host bytes copied in
        "list:data#2": "[a.txt,b.txt,d]",
        "list:data#3": "[a.txt,d]",
        "remove:data": "IOError: cannot remove*",
    })
    expect_unchanged(before, ctx.snapshot())


def full_mode_leaks_no_existence(ctx):
    """The same answers for a host file that exists and one that does not."""
    setup(ctx)
    flags = ["--isolate=full:data"] + GRANTS
    real = ops(ctx, flags, "exists:data/a.txt", "isdir:data/a.txt", "read:data/a.txt", "list:data/a.txt",
               "remove:data/a.txt")
    none = ops(ctx, flags, "exists:data/zz.txt", "isdir:data/zz.txt", "read:data/zz.txt", "list:data/zz.txt",
               "remove:data/zz.txt")
    for (k1, v1), (k2, v2) in zip(real.items(), none.items()):
        expect(v1.replace("a.txt", "X") == v2.replace("zz.txt", "X"), f"{k1} -> {v1!r} but {k2} -> {v2!r}")


def merged_mode_is_the_host(ctx):
    setup(ctx)
    got = ops(ctx, ["--isolate=merged:data"] + GRANTS, "write:data/a.txt:new", "remove:data/keep.txt")
    expect_results(got, {"write:data/a.txt:new": "ok", "remove:data/keep.txt": "ok"})
    expect(open(ctx.path("data", "a.txt")).read() == "new", "merged write did not reach the host")
    expect(not os.path.exists(ctx.path("data", "keep.txt")), "merged remove did not reach the host")
    expect(not os.path.exists(sandbox_dir(ctx)), "merged mode made a sandbox folder")


def isolate_app_and_dir_name_the_folder(ctx):
    setup(ctx)
    ops(ctx, ["--isolate=writecopy:data", "--isolate-app=notes"] + GRANTS, "write:data/a.txt:1")
    expect(os.path.isdir(os.path.join(sandbox_dir(ctx, "notes"), "files")), "--isolate-app did not name the folder")
    ops(ctx, ["--isolate=writecopy:data", "--isolate-dir=box"] + GRANTS, "write:data/a.txt:2")
    stored = ctx.path("box", "files", ctx.path("data", "a.txt").lstrip("/"))
    expect(open(stored).read() == "2", "--isolate-dir did not place the sandbox folder")
    expect(open(ctx.path("data", "a.txt")).read() == "host-a", "the host file changed")


def longest_rule_wins(ctx):
    setup(ctx)
    ctx.write("data/live/x.txt", "x")
    flags = ["--isolate=writecopy", "--isolate=merged:data/live"] + GRANTS
    got = ops(ctx, flags, "write:data/live/x.txt:host", "write:data/a.txt:copy", "list:data/live")
    expect_results(got, {"write:data/live/x.txt:host": "ok", "list:data/live": "[x.txt]"})
    expect(open(ctx.path("data", "live", "x.txt")).read() == "host", "the longer merged rule did not win")
    expect(open(ctx.path("data", "a.txt")).read() == "host-a", "writecopy (the default mode) reached the host")


def listing_shows_isolated_rule_below(ctx):
    """A merged folder lists a writecopy folder's new entries below it."""
    setup(ctx)
    got = ops(ctx, ["--isolate=writecopy:data/sub"] + GRANTS, "mkdirs:data/sub", "write:data/sub/f:1", "list:data",
              "list:data/sub")
    expect_results(got, {"list:data": "[a.txt,keep.txt,sub]", "list:data/sub": "[f]"})
    expect(not os.path.exists(ctx.path("data", "sub")), "the writecopy folder reached the host")


def permissions_still_decide(ctx):
    setup(ctx)
    before = ctx.snapshot()
    got = ops(ctx, ["--isolate=writecopy:data", "--allow-read=data"], "write:data/a.txt:x", "remove:data/a.txt",
              "mkdirs:data/n")
    for call in got:
        expect(got[call].startswith("PermissionError: write access to"), f"{call}: {got[call]}")
    expect_unchanged(before, ctx.snapshot())
    expect(not os.path.exists(sandbox_dir(ctx)), "a denied write made a sandbox folder")


def sandbox_ls_diff_reset(ctx):
    setup(ctx)
    before = ctx.snapshot()
    ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:data/a.txt:mine", "write:data/new.txt:n",
        "remove:data/keep.txt", "mkdirs:data/d")
    a, new, keep, d = (ctx.path("data", n) for n in ("a.txt", "new.txt", "keep.txt", "d"))
    r = ctx.run(["sandbox", "ls"])
    expect(r.status == 0 and "  app  (2 files, 1 deleted)" in r.out, f"sandbox ls: {r}")
    r = ctx.run(["sandbox", "ls", "app"])
    for line in (f"written  {a}", f"written  {new}", f"deleted  {keep}", f"folder   {d}/"):
        expect(line in r.out.splitlines(), f"sandbox ls app lacks {line!r}: {r}")
    r = ctx.run(["sandbox", "diff", "app"])
    expect(r.status == 0, f"sandbox diff: {r}")
    expected = f"modified  {a}\n@@ -1,1 +1,1 @@\n-host-a\n+mine\n"
    expect(expected in r.out, f"sandbox diff lacks the change of a.txt: {r}")
    for line in (f"added     {new}", f"deleted   {keep}", f"added     {d}/"):
        expect(line in r.out.splitlines(), f"sandbox diff lacks {line!r}: {r}")
    expect_unchanged(before, ctx.snapshot())
    r = ctx.run(["sandbox", "reset", "app"])
    expect(r.status == 0 and "removed the sandbox of app \"app\"" in r.out and "2 files" in r.out
           and "1 deletions" in r.out, f"sandbox reset: {r}")
    expect(not os.path.exists(sandbox_dir(ctx)), "reset left the sandbox folder")
    got = ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "read:data/a.txt", "exists:data/keep.txt")
    expect_results(got, {"read:data/a.txt": "host-a", "exists:data/keep.txt": "true"})
    r = ctx.run(["sandbox", "ls", "app"])
    expect(r.status == 0 and "has no sandbox folder" in r.out, f"ls after reset: {r}")
    expect_unchanged(before, ctx.snapshot())


# ---- hostile programs and folders ---------------------------------------


def traversal_out_of_the_rules(ctx):
    setup(ctx)
    before = ctx.snapshot()
    sandbox_files = os.path.join("..", "home", ".local", "share", "nido", "sandbox", "app", "format")
    for mode in ("writecopy", "full"):
        got = ops(ctx, [f"--isolate={mode}:data"] + GRANTS, "write:data/../escaped.txt:x",
                  "write:data/x/../../../escaped.txt:x", "append:data/" + sandbox_files + ":x",
                  "write:/tmp/../" + ctx.path("escaped.txt").lstrip("/") + ":x", "remove:data/../app.nd")
        for call, result in got.items():
            expect(result.startswith("PermissionError: "), f"{mode} {call}: {result}")
    expect_unchanged(before, ctx.snapshot())


def host_symlink_leading_out(ctx):
    setup(ctx)
    ctx.write("outside/secret.txt", "secret")
    os.symlink(ctx.path("outside"), ctx.path("data", "link"))
    before = ctx.snapshot()
    got = ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:data/link/secret.txt:owned",
              "read:data/link/secret.txt", "append:data/link/new.txt:x", "remove:data/link/secret.txt")
    for call, result in got.items():
        expect(result.startswith("PermissionError: "), f"writecopy {call}: {result}")
    # In full mode the host, symlink included, is not there at all.
    got = ops(ctx, ["--isolate=full:data"] + GRANTS, "write:data/link/secret.txt:owned", "read:data/link/secret.txt",
              "exists:data/link")
    expect_results(got, {"write:data/link/secret.txt:owned": "IOError: cannot write*",
                         "read:data/link/secret.txt": "IOError: cannot read*", "exists:data/link": "false"})
    expect_unchanged(before, ctx.snapshot())


def writes_outside_any_rule(ctx):
    setup(ctx)
    ctx.write("other/o.txt", "o")
    before = ctx.snapshot()
    got = ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:other/o.txt:x", "remove:other/o.txt",
              "mkdirs:other/n", "write:/tmp/nido-isolation-escape.txt:x")
    for call, result in got.items():
        expect(result.startswith("PermissionError: write access to"), f"{call}: {result}")
    expect_unchanged(before, ctx.snapshot())
    expect(not os.path.exists("/tmp/nido-isolation-escape.txt"), "a write outside the rules reached /tmp")


def bad_app_names(ctx):
    setup(ctx)
    ctx.write("..nd", OPS)  # its stem is "."
    before = ctx.snapshot()
    for name in ("../evil", "a/b", "..", ".", ""):
        r = ctx.run(["run", "--isolate=writecopy:data", f"--isolate-app={name}"] + GRANTS
                    + ["app.nd", "write:data/a.txt:x"])
        expect(r.status == 2 and r.err.startswith("nido: bad value in '--isolate-app="), f"app {name!r}: {r}")
    r = ctx.run(["run", "--isolate=writecopy:data"] + GRANTS + ["..nd", "write:data/a.txt:x"])
    expect(r.status == 2 and "cannot name a sandbox folder" in r.err and r.out == "", f"file ..nd: {r}")
    for cmd in ("ls", "diff", "reset"):
        for name in ("..", "../home", "a/b"):
            r = ctx.run(["sandbox", cmd, name])
            expect(r.status == 2 and "cannot name a sandbox folder" in r.err, f"sandbox {cmd} {name!r}: {r}")
    expect_unchanged(before, ctx.snapshot())
    expect(os.listdir(ctx.env["XDG_DATA_HOME"]) == [], "a bad app name made a folder")


def damaged_format_mark(ctx):
    setup(ctx)
    ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:data/a.txt:mine")
    with open(os.path.join(sandbox_dir(ctx), "format"), "w") as f:
        f.write("something else\n")
    before = ctx.snapshot()
    r = ctx.run(["run", "--isolate=writecopy:data"] + GRANTS + ["app.nd", "write:data/a.txt:x"])
    expect(r.status == 2 and "is damaged: its format mark" in r.err and r.out == "", f"damaged mark: {r}")
    r = ctx.run(["sandbox", "diff", "app"])
    expect(r.status == 2 and "is damaged" in r.err, f"diff of a damaged folder: {r}")
    expect_unchanged(before, ctx.snapshot())


def damaged_deletion_list(ctx):
    setup(ctx)
    ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "remove:data/a.txt")
    with open(os.path.join(sandbox_dir(ctx), "deleted"), "a") as f:
        f.write("../../etc/passwd\n")
    before = ctx.snapshot()
    r = ctx.run(["run", "--isolate=writecopy:data"] + GRANTS + ["app.nd", "read:data/keep.txt"])
    expect(r.status == 2 and "deleted: line 2 is not a path" in r.err, f"damaged deletion list: {r}")
    r = ctx.run(["sandbox", "reset", "app"])
    expect(r.status == 0 and not os.path.exists(sandbox_dir(ctx)), f"reset of a damaged folder: {r}")
    expect_unchanged(before, ctx.snapshot())


def foreign_symlink_in_the_sandbox(ctx):
    """Someone else put a symlink into files/ pointing at a host folder:
    Nido neither writes nor reads through it."""
    setup(ctx)
    ctx.write("outside/secret.txt", "secret")
    ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:data/a.txt:mine")
    stored_data = os.path.join(sandbox_dir(ctx), "files", ctx.path("data").lstrip("/"))
    for name in os.listdir(stored_data):
        os.remove(os.path.join(stored_data, name))
    os.rmdir(stored_data)
    os.symlink(ctx.path("outside"), stored_data)
    before = ctx.snapshot()
    got = ops(ctx, ["--isolate=writecopy:data"] + GRANTS, "write:data/secret.txt:owned", "read:data/secret.txt",
              "append:data/new.txt:x", "list:data", "remove:data/a.txt")
    for call, result in got.items():
        expect(result.startswith("IOError: ") and "is damaged" in result, f"{call}: {result}")
    r = ctx.run(["sandbox", "ls", "app"])
    expect(r.status == 2 and "is damaged" in r.err, f"ls of a damaged folder: {r}")
    r = ctx.run(["sandbox", "reset", "app"])
    expect(r.status == 0 and not os.path.exists(sandbox_dir(ctx)), f"reset: {r}")
    expect_unchanged(before, ctx.snapshot())


def foreign_folder_or_symlink_as_the_sandbox(ctx):
    setup(ctx)
    ctx.write("outside/secret.txt", "secret")
    os.makedirs(os.path.dirname(sandbox_dir(ctx)))
    os.symlink(ctx.path("outside"), sandbox_dir(ctx))
    before = ctx.snapshot()
    r = ctx.run(["run", "--isolate=writecopy:data"] + GRANTS + ["app.nd", "write:data/a.txt:x"])
    expect(r.status == 2 and "is a symlink or not a folder" in r.err, f"symlinked sandbox folder: {r}")
    r = ctx.run(["sandbox", "reset", "app"])
    expect(r.status == 2 and "not removing" in r.err, f"reset through a symlink: {r}")
    expect_unchanged(before, ctx.snapshot())
    os.remove(sandbox_dir(ctx))
    ctx.write("home/.local/share/nido/sandbox/app/photo.jpg", "not ours")
    r = ctx.run(["run", "--isolate=full:data"] + GRANTS + ["app.nd", "write:data/a.txt:x"])
    expect(r.status == 2 and "not a Nido sandbox folder" in r.err, f"foreign folder: {r}")
    r = ctx.run(["sandbox", "reset", "app"])
    expect(r.status == 2 and os.path.exists(os.path.join(sandbox_dir(ctx), "photo.jpg")), f"reset of foreign: {r}")
    expect_unchanged(before, ctx.snapshot())


def no_place_for_the_sandbox(ctx):
    """XDG_DATA_HOME is a file: the run stops before it starts."""
    setup(ctx)
    ctx.env["XDG_DATA_HOME"] = ctx.write("not-a-folder", "x")
    before = ctx.snapshot()
    r = ctx.run(["run", "--isolate=writecopy:data"] + GRANTS + ["app.nd", "write:data/a.txt:x"])
    expect(r.status == 2 and "cannot open the sandbox folder" in r.err and r.out == "", f"no sandbox folder: {r}")
    expect_unchanged(before, ctx.snapshot())


def bad_isolate_flags(ctx):
    setup(ctx)
    for flag in ("--isolate=copy", "--isolate=", "--isolate=full:", "--isolate=full:a,,b", "--isolate-dir="):
        r = ctx.run(["run", flag, "app.nd"])
        expect(r.status == 2 and r.err.startswith(f"nido: bad value in '{flag}'"), f"{flag}: {r}")


CASES = [
    writecopy_reads_see_host_until_written,
    writecopy_deletes_hide_host_files,
    odd_names_survive_the_deletion_list,
    writecopy_folder_must_be_empty_to_remove,
    full_mode_hides_the_host,
    full_mode_leaks_no_existence,
    merged_mode_is_the_host,
    isolate_app_and_dir_name_the_folder,
    longest_rule_wins,
    listing_shows_isolated_rule_below,
    permissions_still_decide,
    sandbox_ls_diff_reset,
    traversal_out_of_the_rules,
    host_symlink_leading_out,
    writes_outside_any_rule,
    bad_app_names,
    damaged_format_mark,
    damaged_deletion_list,
    foreign_symlink_in_the_sandbox,
    foreign_folder_or_symlink_as_the_sandbox,
    no_place_for_the_sandbox,
    bad_isolate_flags,
]
