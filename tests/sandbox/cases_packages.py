"""Packages (docs/package.md): `nido pack` of an app folder, its resources
read-only under /app, the manifest as the ceiling of the run, forged and
damaged packages refused with one line and status 2, a package in the
micro-VM, and a self-contained executable (`nido pack --exe`)."""

import hashlib
import os
import random
import shutil
import struct
import subprocess

import nidotest
from context import Failure, Skipped, expect, expect_unchanged

APP = """\
import fs
import sys
fun main(args: [string]) {
    let what = args[0]
    if what == "greet" {
        print(fs.readFile("/app/data/greeting.txt"))
        println(fs.listDir("/app"))
        println(fs.listDir("/app/data"))
        println(fs.exists("/app/data/greeting.txt"))
        println(fs.isDir("/app/data"))
        println(fs.exists("/app/nothing.txt"))
    } else if what == "write" {
        fs.writeFile("/app/data/greeting.txt", "changed")
    } else if what == "remove" {
        fs.remove("/app/data/greeting.txt")
    } else if what == "mkdirs" {
        fs.mkdirs("/app/new")
    } else if what == "read" {
        print(fs.readFile(args[1]))
    } else if what == "env" {
        println(sys.env(args[1]))
    }
}
"""

GREETING = "hello from the package\n"
GREET_OUT = GREETING + '["data"]\n["greeting.txt", "nested"]\ntrue\ntrue\nfalse\n'

HEADER = 48
RECORD = 56


def make_app(ctx, manifest=""):
    """An app folder with a data folder, and the files outside it the app
    may or may not read. Returns the folder."""
    ctx.write("app/main.nd", APP)
    ctx.write("app/data/greeting.txt", GREETING)
    ctx.write("app/data/nested/deep.txt", "deep\n")
    ctx.write("app/app.manifest", "name = greeter\nversion = 1.0\n" + manifest)
    ctx.write("allowed/a.txt", "allowed file\n")
    ctx.write("allowed/sub/b.txt", "allowed sub file\n")
    ctx.write("secret/s.txt", "secret\n")
    return ctx.path("app")


def pack(ctx, *flags, out="greeter.ndar", source="app"):
    r = ctx.run(["pack", *flags, source, "-o", out])
    expect(r.status == 0 and r.err == "", f"nido pack {' '.join(flags)} failed: {r}")
    return ctx.path(out)


def one_line_error(r, status, *words):
    lines = r.err.splitlines()
    expect(r.status == status and len(lines) == 1 and lines[0].startswith("nido: "),
           f"expected one 'nido: ' line and status {status}: {r}")
    for w in words:
        expect(w in r.err, f"expected {w!r} in the error: {r}")


def folder_app_runs_with_resources(ctx):
    make_app(ctx)
    package = pack(ctx)
    r = ctx.run(["run", package, "greet"])
    expect(r.status == 0 and r.out == GREET_OUT, f"resources under /app: {r}")
    # The same from another working folder: /app does not depend on it.
    os.makedirs(ctx.path("elsewhere"))
    r = ctx.run(["run", package, "greet"], cwd=ctx.path("elsewhere"))
    expect(r.status == 0 and r.out == GREET_OUT, f"resources from another folder: {r}")


def resource_writes_refused(ctx):
    make_app(ctx, "allow-write = *\n")
    package = pack(ctx)
    before = ctx.snapshot()
    for what, verb in [("write", "write"), ("remove", "remove"), ("mkdirs", "create")]:
        r = ctx.run(["run", package, what])
        expect(r.status == 1 and f'IOError: cannot {verb} "/app/' in r.err and "read-only" in r.err,
               f"{what} under /app must fail with a read-only IOError: {r}")
    expect_unchanged(before, ctx.snapshot())
    r = ctx.run(["run", package, "greet"])
    expect(r.out == GREET_OUT, f"resources changed after refused writes: {r}")


def manifest_permissions_applied(ctx):
    make_app(ctx, f"allow-read = {ctx.path('allowed')}\nallow-env = NIDO_PACKAGE_TEST\n")
    package = pack(ctx)
    r = ctx.run(["run", package, "read", ctx.path("allowed", "a.txt")])
    expect(r.status == 0 and r.out == "allowed file\n", f"the manifest grants allowed/: {r}")
    r = ctx.run(["run", package, "read", ctx.path("secret", "s.txt")])
    expect(r.status == 1 and "PermissionError: read access to" in r.err, f"secret/ is not granted: {r}")
    ctx.env["NIDO_PACKAGE_TEST"] = "from env"
    r = ctx.run(["run", package, "env", "NIDO_PACKAGE_TEST"])
    expect(r.status == 0 and r.out == "from env\n", f"the manifest grants the variable: {r}")
    r = ctx.run(["run", package, "env", "HOME"])
    expect(r.status == 1 and "PermissionError: env access" in r.err, f"HOME is not granted: {r}")


def pack_flags_go_into_manifest(ctx):
    make_app(ctx)
    package = pack(ctx, f"--allow-read={ctx.path('allowed')}", "--fuel=100000", "--max-heap=64M",
                   "--name=renamed", "--version=2.5")
    r = ctx.run(["run", package, "read", ctx.path("allowed", "a.txt")])
    expect(r.status == 0 and r.out == "allowed file\n", f"--allow-read at pack time: {r}")
    with open(package, "rb") as f:
        manifest = parse(f.read())[1][0][4].decode()
    for line in ["name = renamed", "version = 2.5", "fuel = 100000", f"max-heap = {64 << 20}",
                 f"allow-read = {ctx.path('allowed')}"]:
        expect(line in manifest.splitlines(), f"manifest lacks {line!r}: {manifest!r}")


def flags_narrow(ctx):
    make_app(ctx, f"allow-read = {ctx.path('allowed')}\n")
    package = pack(ctx)
    narrow = f"--allow-read={ctx.path('allowed', 'sub')}"
    r = ctx.run(["run", narrow, package, "read", ctx.path("allowed", "sub", "b.txt")])
    expect(r.status == 0 and r.out == "allowed sub file\n", f"the narrowed grant still reads sub/: {r}")
    r = ctx.run(["run", narrow, package, "read", ctx.path("allowed", "a.txt")])
    expect(r.status == 1 and "PermissionError" in r.err, f"the flag narrowed the grant to sub/: {r}")


def flags_widening_refused(ctx):
    make_app(ctx, f"allow-read = {ctx.path('allowed')}\nfuel = 1000000\n")
    package = pack(ctx)
    before = ctx.snapshot()
    cases = [
        ([f"--allow-read={ctx.path('secret')}"], "read: " + ctx.path("allowed")),
        (["--allow-read"], "--allow-read asks for more"),
        ([f"--allow-write={ctx.path('allowed')}"], "write: nothing"),
        (["-A"], "asks for more"),
        (["--allow-env=HOME"], "env: nothing"),
        (["--fuel=2000000"], "fuel = 1000000"),
        (["--learn"], "--learn"),
    ]
    for flags, words in cases:
        r = ctx.run(["run", *flags, package, "read", ctx.path("secret", "s.txt")])
        if flags == ["--learn"] and "unknown flag" in r.err:
            continue  # --learn is not in this build yet
        one_line_error(r, 2, "greeter.ndar's manifest", words)
        expect(r.out == "", f"nothing may run: {r}")
    expect_unchanged(before, ctx.snapshot())


# ---- the package format, for forging ---------------------------------------

def parse(data):
    """(header fields, [(kind, name, offset, size, bytes, hash)])."""
    count, table = struct.unpack_from("<II", data, 8)
    entries, p = [], HEADER
    for _ in range(count):
        kind, name_len, offset, size = struct.unpack_from("<B3xIQQ", data, p)
        digest = data[p + 24:p + 56]
        name = data[p + RECORD:p + RECORD + name_len].decode()
        entries.append([kind, name, offset, size, data[offset:offset + size], digest])
        p += RECORD + name_len
    return (count, table), entries


def build(entries, fix_entry_hashes=True):
    """A package of the entries (kind, name, bytes), laid out as nido does,
    its hashes made right (so only what the test broke is wrong)."""
    table = sum(RECORD + len(e[1].encode()) for e in entries)
    out, offset, data = bytearray(), HEADER + table, b""
    for kind, name, body in entries:
        digest = hashlib.sha256(body).digest() if fix_entry_hashes else b"\0" * 32
        out += struct.pack("<B3xIQQ", kind, len(name.encode()), offset, len(body)) + digest + name.encode()
        offset += len(body)
        data += body
    rest = bytes(out) + data
    header = b"\x7fNDA" + struct.pack("<HHII", 1, 0, len(entries), table) + hashlib.sha256(rest).digest()
    return header + rest


def rehash(data):
    """data with its whole-package hash made right again."""
    return data[:16] + hashlib.sha256(data[HEADER:]).digest() + data[HEADER:]


def forged_variants(good):
    _, entries = parse(good)
    kinds = [(e[0], e[1], e[4]) for e in entries]
    manifest_at, program_at = entries[0][2], entries[1][2]
    record1 = HEADER + RECORD + len("manifest")  # the program's record

    def patch(data, at, new):
        return data[:at] + new + data[at + len(new):]

    asks_more = entries[0][4].replace(b"name = greeter", b"allow-read = *\n#####")
    return [
        ("a module byte edited", patch(good, program_at + 20, bytes([good[program_at + 20] ^ 1])),
         "does not match its SHA-256"),
        ("the manifest edited to ask more", patch(good, manifest_at, asks_more[:len(entries[0][4])]),
         "does not match its SHA-256"),
        ("the manifest edited, the package hash rewritten",
         build([(1, "manifest", asks_more)] + kinds[1:], fix_entry_hashes=False), "does not match its SHA-256"),
        ("an entry's recorded hash edited", patch(good, HEADER + 24, bytes([good[HEADER + 24] ^ 1])),
         "does not match its SHA-256"),
        ("the package's hash edited", patch(good, 16, bytes([good[16] ^ 1])), "the package does not match"),
        ("wrong magic", b"\x7fNDX" + good[4:], "not a Nido package"),
        ("an .ndc file renamed", b"\x7fNDC" + good[4:], "not a Nido package"),
        ("wrong version", patch(good, 4, struct.pack("<H", 9)), "version 9"),
        ("truncated header", good[:30], "truncated"),
        ("truncated data", good[:-7], "past the end"),
        ("empty", b"", "not a Nido package"),
        ("bytes appended", good + b"extra", "after the last entry"),
        ("entries overlapping", rehash(patch(good, record1 + 8, struct.pack("<Q", manifest_at))),
         "expected"),
        ("an entry out of range", rehash(patch(good, record1 + 8, struct.pack("<Q", len(good) + 100))),
         "expected"),
        ("a huge declared size", rehash(patch(good, record1 + 16, struct.pack("<Q", 1 << 62))),
         "past the end"),
        ("a huge entry count", rehash(patch(good, 8, struct.pack("<I", 0xFFFFFFF0))), "entry count"),
        ("a huge entry table", rehash(patch(good, 12, struct.pack("<I", 0xFFFFFFF0))), "entry table"),
        ("a resource path with ..", build(kinds + [(3, "../../etc/passwd", b"x")]), "bad path"),
        ("a resource given twice", build(kinds + [kinds[-1]]), "out of order or repeated"),
        ("a resource that is a file and a folder", build(kinds[:2] + [(3, "data", b"x"), (3, "data/y", b"y")]),
         "both a file and a folder"),
        ("the program missing", build([kinds[0]] + kinds[2:]), "expected the program"),
        ("an unknown manifest key", build([(1, "manifest", b"name = a\nversion = 1\nallow-net = *\n")] + kinds[1:]),
         "unknown key 'allow-net'"),
        ("a program that is not bytecode", build(kinds[:1] + [(2, "greeter.ndc", b"\x7fNDC\x01\x00junk")] + kinds[2:]),
         "damaged package: program"),
    ]


def forged_packages_refused(ctx):
    make_app(ctx)
    with open(pack(ctx), "rb") as f:
        good = f.read()
    before = ctx.snapshot()
    for what, data, words in forged_variants(good):
        with open(ctx.path("forged.ndar"), "wb") as f:
            f.write(data)
        r = ctx.run(["run", "forged.ndar", "greet"])
        try:
            one_line_error(r, 2, "forged.ndar", words)
            expect(r.out == "", "nothing may run")
        except Failure as e:
            raise Failure(f"{what}: {e}")
    os.remove(ctx.path("forged.ndar"))
    expect_unchanged(before, ctx.snapshot())


def mutated_packages_never_crash(ctx):
    """A few hundred byte flips and truncations: every one refused (the whole
    package is hashed), none crashes or hangs."""
    make_app(ctx)
    with open(pack(ctx), "rb") as f:
        good = f.read()
    rng = random.Random(int(os.environ.get("NIDO_MUTATION_SEED", "8")))
    variants = []
    for i in range(300):
        data = bytearray(good)
        if i % 3 == 2:
            data = data[:rng.randrange(len(good))]
        else:
            for _ in range(1 + i % 4):
                at = rng.randrange(len(data))
                data[at] ^= 1 << rng.randrange(8) if i % 2 else rng.randrange(1, 256)
        variants.append(bytes(data))
    for i, data in enumerate(variants):
        path = ctx.path(f"m{i % 2}.ndar")
        with open(path, "wb") as f:
            f.write(data)
        r = ctx.run(["run", path, "greet"], timeout=10)
        report = nidotest.report_line(r.err, assertions=True)
        if r.status != 2 or len(r.err.splitlines()) != 1 or report:
            keep = ctx.path("..", f"nido-package-variant-{i}.ndar")
            shutil.copy(path, keep)
            raise Failure(f"variant {i} (kept as {keep}): expected one error line and status 2: {r}")


# ---- the micro-VM and the self-contained executable ------------------------

def static_runtime(ctx):
    path = os.path.join(os.path.dirname(ctx.nido), "guest", "nido-static")
    if not os.path.exists(path):
        raise Skipped(f"no static runtime at {path} (sanitizer builds have none)")
    return path


def package_in_micro_vm(ctx):
    static_runtime(ctx)
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
    except OSError as e:
        raise Skipped(f"/dev/kvm: {e.strerror}")
    make_app(ctx, f"allow-read = {ctx.path('allowed')}\n")
    package = pack(ctx)
    r = ctx.run(["hv", "run", "--guest=micro", package, "greet"])
    expect(r.status == 0 and r.out == GREET_OUT, f"the package in the micro-VM: {r}")
    r = ctx.run(["hv", "run", "--guest=micro", package, "read", ctx.path("allowed", "a.txt")])
    expect(r.status == 0 and r.out == "allowed file\n", f"the VMM grants the manifest's path: {r}")
    r = ctx.run(["hv", "run", "--guest=micro", package, "read", ctx.path("secret", "s.txt")])
    expect(r.status == 1 and "PermissionError" in r.err, f"the guest is held to the manifest: {r}")
    narrow = f"--allow-read={ctx.path('allowed', 'sub')}"
    r = ctx.run(["hv", "run", "--guest=micro", narrow, package, "read", ctx.path("allowed", "sub", "b.txt")])
    expect(r.status == 0 and r.out == "allowed sub file\n", f"a narrowed grant in the micro-VM: {r}")
    r = ctx.run(["hv", "run", "--guest=micro", narrow, package, "read", ctx.path("allowed", "a.txt")])
    expect(r.status == 1 and "PermissionError" in r.err, f"the narrowed grant holds in the micro-VM: {r}")
    r = ctx.run(["hv", "run", "--guest=micro", f"--allow-read={ctx.path('secret')}", package, "greet"])
    one_line_error(r, 2, "asks for more")


def package_in_linux_guest(ctx):
    static_runtime(ctx)
    # The guest kernel is cached under the real home (scripts/setup).
    home = os.environ.get("HOME", "")
    ctx.env["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    r = ctx.run(["hv", "check", "--guest=linux"], timeout=120)
    if r.status != 0:
        raise Skipped(f"no Linux guest here: {(r.out.strip().splitlines() or [''])[-1]}")
    make_app(ctx, "allow-read = /app\n")
    package = pack(ctx)
    r = ctx.run(["hv", "run", "--guest=linux", package, "greet"], timeout=180)
    expect(r.status == 0 and r.out == GREET_OUT, f"the package in the Linux guest: {r}")
    r = ctx.run(["hv", "run", "--guest=linux", package, "read", "/nido/args"], timeout=180)
    expect(r.status == 1 and "PermissionError" in r.err, f"the manifest holds inside the Linux guest: {r}")


def executable_runs_alone(ctx):
    static_runtime(ctx)
    make_app(ctx, f"allow-read = {ctx.path('allowed')}\n")
    pack(ctx, "--exe", out="greeter")
    alone = ctx.path("empty")
    os.makedirs(alone)
    shutil.copy2(ctx.path("greeter"), alone)
    exe = os.path.join(alone, "greeter")
    env = {"PATH": "/usr/bin:/bin"}

    def run(*args):
        status, out, err = nidotest.run([exe, *args], alone, 30, env=env)
        expect(status is not None and status >= 0, f"greeter {args}: hung or killed ({status})")
        return status, out, err

    status, out, err = run("greet")
    expect((status, out) == (0, GREET_OUT), f"the executable alone: status {status}, {out!r}, {err!r}")
    status, out, err = run("read", ctx.path("allowed", "a.txt"))
    expect((status, out) == (0, "allowed file\n"), f"within its manifest: status {status}, {out!r}, {err!r}")
    status, out, err = run("read", ctx.path("secret", "s.txt"))
    expect(status == 1 and "PermissionError" in err, f"past its manifest: status {status}, {err!r}")
    # Arguments are the program's, flags included: no way to widen.
    status, out, err = run("--allow-read", "read", ctx.path("secret", "s.txt"))
    expect((status, out) == (0, ""), f"a flag passed to the executable: status {status}, {out!r}, {err!r}")
    # A damaged attached package: one line, status 2.
    with open(exe, "r+b") as f:
        f.seek(-200, os.SEEK_END)
        byte = f.read(1)
        f.seek(-200, os.SEEK_END)
        f.write(bytes([byte[0] ^ 0xFF]))
    status, out, err = run("greet")
    expect(status == 2 and out == "" and len(err.splitlines()) == 1 and "damaged package" in err,
           f"a damaged executable: status {status}, {err!r}")
    # Bytes appended after the trailer: the runtime knows it has a package, and says it is damaged.
    shutil.copy2(ctx.path("greeter"), exe)
    with open(exe, "ab") as f:
        f.write(b"appended")
    status, out, err = run("greet")
    expect(status == 2 and out == "" and len(err.splitlines()) == 1 and "damaged package" in err,
           f"an executable with bytes appended: status {status}, {err!r}")
    ldd = subprocess.run(["file", exe], capture_output=True, text=True).stdout if shutil.which("file") else ""
    expect("dynamically linked" not in ldd, f"the executable must be static: {ldd}")


def pack_errors(ctx):
    ctx.write("noentry/data.txt", "x")
    r = ctx.run(["pack", "noentry", "-o", "x.ndar"])
    one_line_error(r, 2, "no entry module")
    make_app(ctx)
    os.symlink("/etc/passwd", ctx.path("app", "data", "link"))
    r = ctx.run(["pack", "app", "-o", "x.ndar"])
    one_line_error(r, 2, "symlink")
    os.remove(ctx.path("app", "data", "link"))
    for flags, words in [(["--name=../x"], "bad app name"), (["--jit=off"], "unknown flag"),
                         (["--fuel=abc"], "--fuel=abc")]:
        r = ctx.run(["pack", *flags, "app", "-o", "x.ndar"])
        one_line_error(r, 2, *words.split("|"))
    # A newline in a flag's path must not smuggle a line into the manifest.
    r = ctx.run(["pack", "--allow-read=/tmp\nallow-write = *", "app", "-o", "x.ndar"])
    one_line_error(r, 2, "cannot go in a manifest")
    r = ctx.run(["pack", "app", "-o", "x.zip"])
    one_line_error(r, 2, ".ndar")
    expect(not os.path.exists(ctx.path("x.ndar")), "a failed pack wrote a package")


CASES = [folder_app_runs_with_resources, resource_writes_refused, manifest_permissions_applied,
         pack_flags_go_into_manifest, flags_narrow, flags_widening_refused, forged_packages_refused,
         mutated_packages_never_crash, package_in_micro_vm, package_in_linux_guest, executable_runs_alone,
         pack_errors]
