#!/usr/bin/env python3
"""Mutation test of the .ndc loader and verifier (ARCHITECTURE.md decision 2).

    python3 tests/fuzz/mutate.py NIDO

Builds every sample and a few tests/lang programs with `nido build X.nd -o
T.ndc`, then runs damaged copies of the module files with `nido run V.ndc`:
single bit flips and random byte values at positions spread over the whole
file (stratified, so every region is hit), 1-4 byte multi-flips, truncations
at many lengths, swapped chunks, duplicated ranges and zeroed ranges, and
whole-section damage (docs/bytecode.md section 2): a bit flipped in each
section's header and body, two sections swapped, a section dropped or
repeated.

A variant passes when nido ends by itself within the timeout, is not killed by
a signal, exits 0, 1, 2 or the original program's own status, and stderr has
no sanitizer report ("AddressSanitizer", "runtime error:"), no "terminate
called" and no C assertion ("Assertion ... failed"; a Nido AssertionError is
fine). Exit status 2 means the loader or verifier rejected the file, and
then stderr is one line `nido: FILE: ...`. When
`nido help run` lists a --fuel flag, variants run with a fuel limit so that a
damaged program that is valid but loops forever still ends by itself.

The seed is fixed (NIDO_MUTATION_SEED overrides it), so a run is repeatable.
NIDO_MUTATION_VARIANTS sets the total number of variants (default 1200,
at least 1000 are always made), NIDO_MUTATION_TIMEOUT the per-run timeout in
seconds (default 5), NIDO_MUTATION_JOBS the number of parallel runs (2).
Failing variants are kept in tests/fuzz/failures/ with the command that
reproduces them. The last line is `N passed, N failed`; exit status 1 when
any variant failed.
"""

import concurrent.futures
import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FAILURES = os.path.join(HERE, "failures")

SEED = os.environ.get("NIDO_MUTATION_SEED", "20251126")
TOTAL = max(1000, int(os.environ.get("NIDO_MUTATION_VARIANTS", "1200")))
TIMEOUT = float(os.environ.get("NIDO_MUTATION_TIMEOUT", "5"))
JOBS = max(1, int(os.environ.get("NIDO_MUTATION_JOBS", "2")))

# Programs from tests/lang compiled besides every sample: they cover classes,
# interfaces, closures, try/finally, maps and an imported module.
LANG_PROGRAMS = [
    "programs/linked_list.nd",
    "programs/bank_account.nd",
    "programs/stack_calculator.nd",
    "closures/higher_order.nd",
    "closures/capture_this.nd",
    "errors/finally_return.nd",
    "errors/custom_error_hierarchy.nd",
    "modules/use_geometry.nd",
]

# Share of each mutation kind in a program's variants.
KINDS = [
    ("flip", 0.18),      # one bit flipped at a stratified position
    ("byte", 0.16),      # one byte set to a different random value
    ("multi", 0.12),     # 1-4 random bytes flipped anywhere
    ("trunc", 0.16),     # file cut at a stratified length
    ("swap", 0.10),      # two ranges exchanged
    ("dup", 0.09),       # a range duplicated at another position
    ("zero", 0.09),      # a range set to zero
    ("section", 0.10),   # whole sections: flipped, swapped, dropped, repeated
]

HEADER = 6          # magic and format version
SECTION_HEAD = 5    # u8 tag, u32 body length


def sections(data):
    """The (start, end) byte ranges of the file's sections, header included;
    None when the layout does not parse."""
    out = []
    pos = HEADER
    while pos < len(data):
        if pos + SECTION_HEAD > len(data):
            return None
        end = pos + SECTION_HEAD + int.from_bytes(data[pos + 1:pos + SECTION_HEAD], "little")
        if end > len(data):
            return None
        out.append((pos, end))
        pos = end
    return out or None


def section_variants(data, rng):
    """A bit flip in every section's header and body, every pair of sections
    swapped, each section dropped and each repeated, in a random order (a
    program's share of variants takes a random subset); then endless flips in
    random sections."""
    parts = sections(data)
    if parts is None:
        return
    head, chunks = data[:HEADER], [data[a:b] for a, b in parts]
    n = len(chunks)

    def flip(i, lo, hi, what):
        pos = parts[i][0] + rng.randrange(lo, hi)
        bit = rng.randrange(8)
        v = bytearray(data)
        v[pos] ^= 1 << bit
        return f"section {i + 1} {what}: bit {bit} of byte {pos}", bytes(v)

    def joined(order):
        return head + b"".join(chunks[i] for i in order)

    def swapped(i, j):
        order = list(range(n))
        order[i], order[j] = j, i
        return joined(order)

    plan = []  # functions making (description, bytes)
    for i in range(n):
        plan.append(lambda i=i: flip(i, 0, SECTION_HEAD, "header"))
        if len(chunks[i]) > SECTION_HEAD:
            plan.append(lambda i=i: flip(i, SECTION_HEAD, len(chunks[i]), "body"))
        plan.append(lambda i=i: (f"section {i + 1} dropped", joined([k for k in range(n) if k != i])))
        plan.append(lambda i=i: (f"section {i + 1} repeated", joined(list(range(i + 1)) + list(range(i, n)))))
        for j in range(i + 1, n):
            plan.append(lambda i=i, j=j: (f"sections {i + 1} and {j + 1} swapped", swapped(i, j)))
    rng.shuffle(plan)
    for make in plan:
        yield ("section",) + make()
    while True:
        i = rng.randrange(n)
        yield ("section",) + flip(i, 0, len(chunks[i]), "anywhere")


def strata(rng, n, lo, hi):
    """n positions in [lo, hi), one drawn from each of n equal slices."""
    span = hi - lo
    out = []
    for i in range(n):
        a = lo + span * i // n
        b = max(a + 1, lo + span * (i + 1) // n)
        out.append(rng.randrange(a, min(b, hi)))
    return out


def rand_len(rng, size, cap):
    return rng.randint(1, max(1, min(cap, size // 4)))


def mutations(data, count, rng):
    """Yields (kind, description, bytes): exactly count variants of data."""
    if not data:
        return
    made = 0
    for m in planned(data, count, rng):
        if made == count:
            return
        made += 1
        yield m
    while made < count:  # top up when a kind produced fewer than its share
        v = bytearray(data)
        where = sorted(rng.sample(range(len(data)), min(len(data), rng.randint(1, 4))))
        for pos in where:
            v[pos] = rng.randrange(256)
        if bytes(v) != data:
            made += 1
            yield "multi", "bytes " + ",".join(map(str, where)) + " random", bytes(v)


def planned(data, count, rng):
    size = len(data)
    plan = [(kind, max(1, round(count * share))) for kind, share in KINDS]
    for kind, n in plan:
        if kind == "flip":
            for pos in strata(rng, n, 0, size):
                bit = rng.randrange(8)
                v = bytearray(data)
                v[pos] ^= 1 << bit
                yield kind, f"bit {bit} of byte {pos}", bytes(v)
        elif kind == "byte":
            for pos in strata(rng, n, 0, size):
                val = rng.choice([0x00, 0xFF, 0x7F, 0x80, rng.randrange(256)])
                if val == data[pos]:
                    val = (val + 1 + rng.randrange(255)) % 256
                v = bytearray(data)
                v[pos] = val
                yield kind, f"byte {pos} = {val:#04x}", bytes(v)
        elif kind == "multi":
            for _ in range(n):
                v = bytearray(data)
                where = sorted(rng.sample(range(size), min(size, rng.randint(1, 4))))
                for pos in where:
                    v[pos] ^= 1 << rng.randrange(8)
                yield kind, "bytes " + ",".join(map(str, where)), bytes(v)
        elif kind == "trunc":
            fixed = [0, 1, 3, 4, 5, 6, 8, 12, 16]
            lengths = sorted(set(l for l in fixed if l < size) | set(strata(rng, max(1, n - len(fixed)), 0, size)))
            for length in lengths[:n] if len(lengths) > n else lengths:
                yield kind, f"first {length} bytes", data[:length]
        elif kind == "swap":
            for a in strata(rng, n, 0, size):
                la = rand_len(rng, size, 64)
                a = min(a, size - la)
                lb = rand_len(rng, size, 64)
                # The second range lies wholly before or after the first.
                choices = []
                if a - lb >= 0:
                    choices.append(rng.randrange(0, a - lb + 1))
                if a + la + lb <= size:
                    choices.append(rng.randrange(a + la, size - lb + 1))
                if not choices:
                    continue
                b = rng.choice(choices)
                (p, lp), (q, lq) = sorted([(a, la), (b, lb)])
                v = data[:p] + data[q:q + lq] + data[p + lp:q] + data[p:p + lp] + data[q + lq:]
                if v != data:
                    yield kind, f"swap {p}+{lp} with {q}+{lq}", v
        elif kind == "dup":
            for at in strata(rng, n, 0, size + 1):
                start = rng.randrange(size)
                length = min(rand_len(rng, size, 128), size - start)
                v = data[:at] + data[start:start + length] + data[at:]
                yield kind, f"copy of {start}+{length} inserted at {at}", v
        elif kind == "section":
            for made, variant in enumerate(section_variants(data, rng)):
                if made == n:
                    break
                yield variant
        elif kind == "zero":
            for start in strata(rng, n, 0, size):
                length = min(rand_len(rng, size, 32), size - start)
                v = data[:start] + bytes(length) + data[start + length:]
                if v != data:
                    yield kind, f"zero {start}+{length}", v


# Extra flags for `nido run`: a fuel limit when nido has one, so that a
# damaged but valid program that loops forever stops by itself.
RUN_FLAGS = []
# Enough for every original program several times over, little enough that
# a damaged loop ends within the timeout even in a sanitizer build.
FUEL = 300_000


def probe_flags(nido):
    try:
        out = subprocess.run([nido, "help", "run"], capture_output=True, timeout=10).stdout.decode()
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [f"--fuel={FUEL}"] if "--fuel" in out else []


def run(nido, path, cwd):
    """Runs `nido run path`; returns (status or None on timeout, stderr text)."""
    status, _, err = nidotest.run([nido, "run"] + RUN_FLAGS + [path], cwd, TIMEOUT, stdout=False,
                                  errors="replace")
    return status, err


def problem(status, err, allowed, path):
    """Why a run breaks the pass criteria, or None."""
    if status is None:
        return f"did not end within {TIMEOUT:g} s"
    if status < 0:
        return f"killed by {nidotest.signal_name(status)}"
    # Sanitizer reports, "terminate called", then a failed C assertion (not a
    # Nido AssertionError, which a damaged file may print).
    line = nidotest.report_line(err, nidotest.CRASH_MARKS, assertions=True)
    if line is not None:
        return f"stderr has {line[:160]!r}"
    if status not in allowed:
        return f"exit status {status} (allowed: {sorted(allowed)})"
    # A rejection is one line naming the file (a program may also exit with 2 itself).
    if status == 2 and err.startswith("nido: "):
        lines = err.rstrip("\n").split("\n")
        if len(lines) != 1 or not lines[0].startswith(f"nido: {path}: "):
            return f"rejection is not one line naming the file: {err[:160]!r}"
    return None


def build(nido, source, out):
    proc = subprocess.run([nido, "build", os.path.basename(source), "-o", out],
                          cwd=os.path.dirname(source), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=60)
    if proc.returncode != 0 or not os.path.isfile(out):
        err = proc.stderr.decode("utf-8", errors="replace").strip().split("\n")[0]
        return f"nido build exited {proc.returncode}: {err}"
    return None


def needs_setup(path):
    with open(path, encoding="utf-8") as f:
        return re.search(r"^\s*// (args|flags|stdin|stdin-no-newline|setup):", f.read(), re.M) is not None


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])

    sources = sorted(glob.glob(os.path.join(ROOT, "samples", "*.nd")))
    sources += [os.path.join(ROOT, "tests", "lang", p) for p in LANG_PROGRAMS]
    # Programs that need arguments, flags, input or prepared files cannot run
    # bare, so their damaged variants would say nothing; they are left out.
    sources = [s for s in sources if os.path.isfile(s) and not needs_setup(s)]
    if not sources:
        print("no programs to mutate", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    RUN_FLAGS[:] = probe_flags(nido)
    print(f"seed {SEED}, {TOTAL} variants over {len(sources)} programs, "
          f"timeout {TIMEOUT:g} s, {JOBS} workers"
          + (f", nido run {' '.join(RUN_FLAGS)}" if RUN_FLAGS else ""), flush=True)
    failures = []       # (label, reason, kept file or None)
    results = {"rejected": 0, "ran": 0, "passed": 0}
    per_program = -(-TOTAL // len(sources))

    with tempfile.TemporaryDirectory(prefix="nido-mutate-") as tmp:
        jobs = []       # (label, variant path, allowed statuses, description)
        for src in sources:
            name = os.path.splitext(os.path.basename(src))[0]
            rel = os.path.relpath(src, ROOT)
            original = os.path.join(tmp, f"{name}.ndc")
            why = build(nido, src, original)
            if why is not None:
                failures.append((rel, why, None))
                continue
            status, err = run(nido, original, tmp)
            why = problem(status, err, {status}, original)
            if why is None and status == 2:
                why = "rejected at load: " + err.strip().split("\n")[0][:160]
            if why is not None:
                failures.append((rel, f"original program: {why}", None))
                continue
            allowed = {0, 1, 2, status} | ({3} if RUN_FLAGS else set())  # 3: out of fuel
            with open(original, "rb") as f:
                data = f.read()
            rng = random.Random(f"{SEED}:{rel}")
            count = 0
            for kind, desc, variant in mutations(data, per_program, rng):
                path = os.path.join(tmp, f"{name}-{kind}-{count:04d}.ndc")
                with open(path, "wb") as f:
                    f.write(variant)
                jobs.append((f"{rel} [{kind}: {desc}]", path, allowed))
                count += 1

        def one(job):
            label, path, allowed = job
            status, err = run(nido, path, tmp)
            return job, status, problem(status, err, allowed, path)

        with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
            for (label, path, allowed), status, why in pool.map(one, jobs):
                if status == 2:
                    results["rejected"] += 1
                elif status is not None and status >= 0:
                    results["ran"] += 1
                if why is None:
                    results["passed"] += 1
                    os.remove(path)
                    continue
                os.makedirs(FAILURES, exist_ok=True)
                kept = os.path.join(FAILURES, os.path.basename(path))
                shutil.copyfile(path, kept)
                failures.append((label, why, kept))
                print(f"FAIL {label}: {why}\n  reproduce: {nido} run {' '.join(RUN_FLAGS + [os.path.relpath(kept)])}",
                      flush=True)

    for label, why, kept in failures:
        if kept is None:
            print(f"FAIL {label}: {why}", flush=True)
    print(f"{len(jobs)} variants: {results['rejected']} rejected at load (status 2), "
          f"{results['ran']} ran to an exit status, {len(jobs) - results['rejected'] - results['ran']} "
          f"timed out or were killed")
    if any(kept for _, _, kept in failures):
        print(f"failing variants kept in {os.path.relpath(FAILURES)}/")
    nidotest.summary(results["passed"], len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
