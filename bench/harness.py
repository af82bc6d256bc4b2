#!/usr/bin/env python3
"""Nido benchmark harness (Python 3 standard library only).

Runs every program in bench/programs/NAME/ in every language, interleaved
over several rounds, and reports median wall time and peak RSS per
language, the Nido/Lua and Nido/C ratios and their geometric means.
Writes bench/results/latest.csv and docs/bench.svg.  See bench/README.md.
"""

import argparse
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NIDO = os.path.join(ROOT, "build", "nido")
CACHE = os.path.join(ROOT, "build", "bench-cache")

# key -> (column title, source extension or None, SVG colour)
LANGS = {
    "nido":   ("nido",        ".nd",   "#d62728"),
    "ndc":    ("nido (.ndc)", ".nd",   "#ff9896"),
    "jit":    ("nido jit",    ".nd",   "#9467bd"),
    "cold":   ("jit cold",    ".nd",   "#c5b0d5"),
    "lua":    ("lua",         ".lua",  "#1f3f9f"),
    "python": ("python",      ".py",   "#bcbd22"),
    "node":   ("node",        ".js",   "#2ca02c"),
    "java":   ("java",        ".java", "#ff7f0e"),
    "c":      ("c",           ".c",    "#555555"),
}
ALIASES = {"js": "node", "javascript": "node", "py": "python",
           "python3": "python", "nido-ndc": "ndc", ".ndc": "ndc",
           "nidoc": "ndc", "gcc": "c", "nido-jit": "jit",
           "jit-cold": "cold"}
# The JIT's code cache (docs/jit.md): "jit" runs with one of its own,
# emptied when the harness starts, so round 1 compiles and the later rounds
# take the code from it, as a program run again does; "cold" runs with the
# cache off, compiling in every round.
JIT_CODE = os.path.join(CACHE, "jit-code")
ENV = {"jit": {"NIDO_JIT_CACHE": JIT_CODE}, "cold": {"NIDO_JIT_CACHE": "off"}}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------- toolchains

def python_exe():
    # Debian's python3.11 is markedly faster than the python3 on PATH here.
    if os.access("/usr/bin/python3.11", os.X_OK):
        return "/usr/bin/python3.11"
    return shutil.which("python3") or "python3"


def lua_exe():
    return shutil.which("lua5.4") or "lua5.4"


def apt_install(pkgs):
    """Install Debian packages quietly; True on success."""
    if not pkgs:
        return True
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"] + pkgs
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            log("bench: cannot install %s (not root, no sudo)" % " ".join(pkgs))
            return False
        cmd = ["sudo", "-n"] + cmd
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    q = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    if subprocess.call(cmd, **q) == 0:
        return True
    upd = cmd[:cmd.index("apt-get") + 1] + ["update", "-qq"]
    subprocess.call(upd, **q)
    if subprocess.call(cmd, **q) == 0:
        return True
    log("bench: apt-get install %s failed" % " ".join(pkgs))
    return False


def ensure_toolchains(langs, allow_install):
    """Install the peers that are missing. Returns the set of usable langs."""
    needs = {  # lang -> [(binaries that must all exist, apt package)]
        "lua": [(["lua5.4"], "lua5.4")],
        "python": [(["python3"], "python3")],
        "node": [(["node"], "nodejs")],
        "java": [(["java", "javac"], "openjdk-17-jdk-headless")],
        "c": [(["gcc"], "gcc")],
    }
    missing = []
    for lang in langs:
        for bins, pkg in needs.get(lang, []):
            if lang == "python" and os.access("/usr/bin/python3.11", os.X_OK):
                continue
            if not all(shutil.which(b) for b in bins) and pkg not in missing:
                missing.append(pkg)
    if missing and allow_install:
        apt_install(missing)
    usable = set()
    for lang in langs:
        ok = True
        for bins, _ in needs.get(lang, []):
            if lang == "python" and os.access("/usr/bin/python3.11", os.X_OK):
                continue
            if not all(shutil.which(b) for b in bins):
                ok = False
        if lang in ("nido", "ndc", "jit", "cold"):
            ok = ensure_nido()
        if ok:
            usable.add(lang)
        else:
            log("bench: %s is not available; its column is skipped" % lang)
    return usable


_nido_state = None


def ensure_nido():
    global _nido_state
    if _nido_state is None:
        if not os.access(NIDO, os.X_OK):
            log("bench: building Nido (Release)...")
            rc = subprocess.call([os.path.join(ROOT, "scripts", "build"),
                                  "build", "Release"], cwd=ROOT,
                                 stdout=subprocess.DEVNULL)
            if rc != 0:
                log("bench: scripts/build build Release failed")
        _nido_state = os.access(NIDO, os.X_OK)
    return _nido_state


# ----------------------------------------------------------------- programs

class Program:
    def __init__(self, name, folder):
        self.name = name
        self.dir = folder
        exp = os.path.join(folder, "expected.txt")
        with open(exp, "rb") as f:
            self.expected = f.read()

    def source(self, lang):
        ext = LANGS[lang][1]
        if lang == "java":
            return self.java_main()
        p = os.path.join(self.dir, self.name + ext)
        return p if os.path.isfile(p) else None

    def java_main(self):
        files = sorted(f for f in os.listdir(self.dir) if f.endswith(".java"))
        key = re.sub(r"[^a-z0-9]", "", self.name.lower())
        for f in files:
            if re.sub(r"[^a-z0-9]", "", f[:-5].lower()) == key:
                return os.path.join(self.dir, f)
        if len(files) == 1:
            return os.path.join(self.dir, files[0])
        return None


def find_programs(root, only):
    progs = []
    if not os.path.isdir(root):
        log("bench: no program folder %s" % root)
        return progs
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if not os.path.isdir(d) or name.startswith("."):
            continue
        if only and name not in only:
            continue
        if not os.path.isfile(os.path.join(d, "expected.txt")):
            log("bench: skipping %s (no expected.txt yet)" % name)
            continue
        progs.append(Program(name, d))
    if only:
        for n in sorted(set(only) - {p.name for p in progs}):
            log("bench: --only %s: no such complete program" % n)
    return progs


def newer(src_files, out):
    """True if out is missing or older than any of src_files."""
    try:
        t = os.path.getmtime(out)
    except OSError:
        return True
    return any(os.path.getmtime(s) > t for s in src_files)


def prepare(prog, lang):
    """Compile if needed. Returns (argv, None) or (None, error text)."""
    src = prog.source(lang)
    if src is None:
        return None, None  # missing: not an error, just an empty cell
    base = os.path.basename(src)
    # The nido columns are the interpreter alone; "jit" and "cold" are nido
    # as it runs by default, compiling what gets hot (see ENV).
    if lang == "nido":
        return [NIDO, "run", "--jit=off", base], None
    if lang in ("jit", "cold"):
        return [NIDO, "run", base], None
    if lang == "lua":
        return [lua_exe(), base], None
    if lang == "python":
        return [python_exe(), base], None
    if lang == "node":
        return [shutil.which("node") or "node", base], None
    out_dir = os.path.join(CACHE, lang, prog.name)
    os.makedirs(out_dir, exist_ok=True)
    if lang == "ndc":
        out = os.path.join(out_dir, prog.name + ".ndc")
        if newer([src, NIDO], out):
            r = subprocess.run([NIDO, "build", base, "-o", out], cwd=prog.dir,
                               capture_output=True, text=True)
            if r.returncode != 0:
                return None, "nido build failed: " + r.stderr.strip()[:300]
        return [NIDO, "run", "--jit=off", out], None
    if lang == "c":
        out = os.path.join(out_dir, prog.name)
        if newer([src], out):
            r = subprocess.run(["gcc", "-O2", "-o", out, base, "-lm"],
                               cwd=prog.dir, capture_output=True, text=True)
            if r.returncode != 0:
                return None, "gcc failed: " + r.stderr.strip()[:300]
        return [out], None
    if lang == "java":
        srcs = [os.path.join(prog.dir, f) for f in os.listdir(prog.dir)
                if f.endswith(".java")]
        cls = base[:-5]
        stamp = os.path.join(out_dir, cls + ".class")
        if newer(srcs, stamp):
            shutil.rmtree(out_dir, ignore_errors=True)
            os.makedirs(out_dir)
            r = subprocess.run(["javac", "-nowarn", "-d", out_dir] +
                               [os.path.basename(s) for s in srcs],
                               cwd=prog.dir, capture_output=True, text=True)
            if r.returncode != 0:
                return None, "javac failed: " + r.stderr.strip()[:300]
        return ["java", "-cp", out_dir, cls], None
    raise AssertionError(lang)


# ---------------------------------------------------------------- measuring

# Linux carries the parent's peak RSS into a forked child's ru_maxrss (and
# records it again at exec), so a child forked straight from this Python
# process would never report less than Python's own ~13 MB.  A tiny C
# launcher forks the measured program instead; Python's fork is the fallback.
LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static pid_t child;
static void on_alarm(int s) { (void)s; kill(child, SIGKILL); }
int main(int argc, char **argv) {  /* launch OUT ERR TIMEOUT_S CMD ARGS... */
    if (argc < 5) return 125;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    child = fork();
    if (child == 0) {
        int o = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int n = open("/dev/null", O_RDONLY);
        if (o < 0 || e < 0 || n < 0) _exit(126);
        dup2(n, 0); dup2(o, 1); dup2(e, 2);
        close(n); close(o); close(e);
        execvp(argv[4], argv + 4);
        _exit(127);
    }
    if (child < 0) return 125;
    signal(SIGALRM, on_alarm);
    alarm((unsigned)atoi(argv[3]));
    int status; struct rusage ru;
    while (wait4(child, &status, 0, &ru) < 0) {}
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    printf("%d %.9f %ld\n", code, wall, ru.ru_maxrss);
    return 0;
}
"""

_launcher = None


def launcher():
    global _launcher
    if _launcher is None:
        src = os.path.join(CACHE, "launch.c")
        exe = os.path.join(CACHE, "launch")
        _launcher = ""
        if shutil.which("gcc"):
            old = None
            if os.path.exists(src):
                with open(src) as f:
                    old = f.read()
            if old != LAUNCHER_C or not os.access(exe, os.X_OK):
                with open(src, "w") as f:
                    f.write(LAUNCHER_C)
                tmp = "%s.%d" % (exe, os.getpid())
                if subprocess.call(["gcc", "-O2", "-o", tmp, src],
                                   stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL) == 0:
                    os.replace(tmp, exe)
            if os.access(exe, os.X_OK):
                _launcher = exe
        if not _launcher:
            log("bench: no gcc for the launcher; peak RSS includes "
                "Python's own (~13 MB floor)")
    return _launcher


def run_once(argv, cwd, timeout, env):
    """Run argv with env added to the environment; returns (wall seconds,
    peak RSS KB, exit code, out, err)."""
    env = dict(os.environ, **env)
    out_path = os.path.join(CACHE, "stdout.%d.tmp" % os.getpid())
    err_path = os.path.join(CACHE, "stderr.%d.tmp" % os.getpid())
    exe = launcher()
    if exe:
        r = subprocess.run([exe, out_path, err_path,
                            str(max(1, int(math.ceil(timeout))))] + argv,
                           cwd=cwd, stdout=subprocess.PIPE, text=True, env=env)
        code, wall, rss = r.stdout.split()
        code, wall, rss = int(code), float(wall), int(rss)
        if code == 127:
            code = "127 (could not start %s)" % argv[0]
    else:
        with open(out_path, "wb") as fo, open(err_path, "wb") as fe:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=fo, stderr=fe, env=env)
            timer = threading.Timer(timeout, p.kill)
            timer.start()
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        p.returncode = code  # already reaped; keep Popen from waiting again
        rss = ru.ru_maxrss
    with open(out_path, "rb") as f:
        out = f.read()
    with open(err_path, "rb") as f:
        err = f.read()
    if code == -9 and wall >= timeout:
        code = "timeout"
    return wall, rss, code, out, err


def first_diff(got, want):
    g, w = got.decode(errors="replace").split("\n"), \
        want.decode(errors="replace").split("\n")
    for i in range(max(len(g), len(w))):
        a = g[i] if i < len(g) else "<end of output>"
        b = w[i] if i < len(w) else "<end of output>"
        if a != b:
            return "line %d: got %r, expected %r" % (i + 1, a[:60], b[:60])
    return "output differs"


class Cell:
    def __init__(self):
        self.times = []
        self.rss = []
        self.error = None    # text of the first failure
        self.missing = False

    @property
    def ok(self):
        return self.error is None and not self.missing and bool(self.times)

    def median(self):
        return statistics.median(self.times) if self.ok else None


def bench(progs, langs, rounds, timeout):
    cells = {(p.name, l): Cell() for p in progs for l in langs}
    argvs = {}
    for p in progs:
        for l in langs:
            argv, err = prepare(p, l)
            c = cells[(p.name, l)]
            if err:
                c.error = err
            elif argv is None:
                c.missing = True
            argvs[(p.name, l)] = argv
    for r in range(rounds):
        log("bench: round %d/%d" % (r + 1, rounds))
        for p in progs:
            for l in langs:
                c = cells[(p.name, l)]
                if c.error or c.missing:
                    continue  # a failure is not retried in later rounds
                wall, rss, code, out, err = run_once(argvs[(p.name, l)],
                                                     p.dir, timeout,
                                                     ENV.get(l, {}))
                if code == "timeout":
                    c.error = "timed out after %gs in round %d" % (timeout,
                                                                   r + 1)
                elif code != 0:
                    tail = err.decode(errors="replace").strip()
                    tail = tail.splitlines()[-1][:200] if tail else ""
                    c.error = "exit %s in round %d%s" % (
                        code, r + 1, (": " + tail) if tail else "")
                elif out != p.expected:
                    c.error = "wrong output in round %d, %s" % (
                        r + 1, first_diff(out, p.expected))
                else:
                    c.times.append(wall)
                    c.rss.append(rss)
    return cells


# ---------------------------------------------------------------- reporting

def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def fmt_time(t):
    if t is None:
        return "-"
    if t < 1:
        return "%.1fms" % (t * 1000) if t < 0.1 else "%.0fms" % (t * 1000)
    return "%.2fs" % t


def fmt_ratio(x):
    return "-" if x is None else ("%.2fx" % x if x < 10 else "%.1fx" % x)


def fmt_cell(c, kind):
    if c.missing:
        return "n/a"
    if not c.ok:
        return "FAIL"
    if kind == "time":
        return fmt_time(c.median())
    return "%.1fM" % (max(c.rss) / 1024.0)


def ratio(cells, prog, a, b):
    ca, cb = cells.get((prog, a)), cells.get((prog, b))
    if ca and cb and ca.ok and cb.ok:
        return ca.median() / cb.median()
    return None


def table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        cols = [r[0].ljust(widths[0])] + \
            [v.rjust(w) for v, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cols).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(progs, langs, cells, rounds):
    names = [p.name for p in progs]
    ratios = [(a, b) for a, b in (("nido", "lua"), ("nido", "c"), ("jit", "c"),
                                  ("cold", "c"), ("jit", "java"), ("jit", "node"),
                                  ("nido", "jit"))
              if a in langs and b in langs]
    head = ["program"] + [LANGS[l][0] for l in langs] + \
        ["%s/%s" % r for r in ratios]
    rows = [head]
    for n in names:
        rows.append([n] + [fmt_cell(cells[(n, l)], "time") for l in langs] +
                    [fmt_ratio(ratio(cells, n, a, b)) for a, b in ratios])
    gm = ["geomean"]
    for l in langs:
        ts = [cells[(n, l)].median() for n in names if cells[(n, l)].ok]
        g = fmt_time(geomean(ts))
        if ts and len(ts) < len(names):
            g += "(%d)" % len(ts)
        gm.append(g)
    gm += [fmt_ratio(geomean([ratio(cells, n, a, b) for n in names]))
           for a, b in ratios]
    rows.append(gm)
    print("Median wall time over %d round%s (whole process, lower is better)"
          % (rounds, "" if rounds == 1 else "s"))
    print(table(rows))
    print()
    rows = [["program"] + [LANGS[l][0] for l in langs]]
    for n in names:
        rows.append([n] + [fmt_cell(cells[(n, l)], "rss") for l in langs])
    print("Peak RSS (MiB)")
    print(table(rows))
    fails = [(n, l, cells[(n, l)].error) for n in names for l in langs
             if cells[(n, l)].error]
    if fails:
        print()
        print("Failures (excluded from the times):")
        for n, l, e in fails:
            print("  %s/%s: %s" % (n, LANGS[l][0], e))
    return len(fails)


def write_csv(path, progs, langs, cells):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("program,language,median_s,min_s,max_s,rss_kb,ok\n")
        for p in progs:
            for l in langs:
                c = cells[(p.name, l)]
                if c.missing:
                    continue
                if c.ok:
                    f.write("%s,%s,%.6f,%.6f,%.6f,%d,true\n" % (
                        p.name, l, c.median(), min(c.times), max(c.times),
                        max(c.rss)))
                else:
                    f.write("%s,%s,,,,,false\n" % (p.name, l))
    os.replace(tmp, path)


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def write_svg(path, progs, langs, cells, rounds):
    names = [p.name for p in progs]
    vals = [cells[(n, l)].median() for n in names for l in langs
            if cells[(n, l)].ok]
    if not vals:
        log("bench: nothing succeeded; %s not written" % path)
        return False
    lo = math.floor(math.log10(min(vals)))
    hi = math.ceil(math.log10(max(vals)))
    if hi <= lo:
        hi = lo + 1
    bar, gap = 14, 22
    group = bar * len(langs)
    left, right, top, bottom = 80, 20, 70, 90
    ph = 320
    pw = max(len(names) * (group + gap) + gap, 360)
    w, h = left + pw + right, top + ph + bottom

    def y(v):
        return top + ph - (math.log10(v) - lo) / (hi - lo) * ph

    def tick_label(v):
        if v >= 1:
            return "%g s" % v
        if v >= 1e-3:
            return "%g ms" % round(v * 1e3, 6)
        return "%g µs" % round(v * 1e6, 6)

    o = []
    o.append('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
             'viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">'
             % (w, h, w, h))
    o.append('<rect width="100%" height="100%" fill="white"/>')
    o.append('<text x="%d" y="22" font-size="16" font-weight="bold">'
             'Nido benchmarks: median wall time (%d rounds, log scale)</text>'
             % (left, rounds))
    # legend
    lx = left
    for l in langs:
        title, _, colour = LANGS[l]
        o.append('<rect x="%d" y="36" width="12" height="12" fill="%s"/>'
                 % (lx, colour))
        o.append('<text x="%d" y="46">%s</text>' % (lx + 16, esc(title)))
        lx += 16 + 7 * len(title) + 18
    # grid and y ticks
    for e in range(lo, hi + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** e
            if e == hi and m > 1:
                break
            yy = y(v)
            major = m == 1
            o.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>'
                     % (left, yy, left + pw, yy,
                        "#cccccc" if major else "#eeeeee"))
            o.append('<text x="%d" y="%.1f" text-anchor="end" fill="%s">%s'
                     '</text>' % (left - 6, yy + 4,
                                  "#000" if major else "#888",
                                  esc(tick_label(v))))
    # bars
    for i, n in enumerate(names):
        gx = left + gap + i * (group + gap)
        for j, l in enumerate(langs):
            c = cells[(n, l)]
            x = gx + j * bar
            if c.ok:
                v = c.median()
                yy = y(v)
                o.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" '
                         'fill="%s"><title>%s / %s: %s</title></rect>'
                         % (x, yy, bar - 2, top + ph - yy, LANGS[l][2],
                            esc(n), esc(LANGS[l][0]), fmt_time(v)))
            elif c.error:
                o.append('<text x="%d" y="%d" text-anchor="middle" '
                         'fill="#d62728" font-size="10">✗<title>%s / %s: '
                         '%s</title></text>' % (x + bar // 2 - 1, top + ph - 4,
                                                esc(n), esc(LANGS[l][0]),
                                                esc(c.error)))
        cx = gx + group / 2
        o.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                 % (cx, top + ph + 18, esc(n)))
    # axes
    o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>'
             % (left, top, left, top + ph))
    o.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>'
             % (left, top + ph, left + pw, top + ph))
    o.append('<text x="%.1f" y="%d" text-anchor="middle">program</text>'
             % (left + pw / 2, h - 12))
    o.append('<text x="%d" y="%d" font-size="11">lower is better</text>'
             % (left + 4, top + 12))
    o.append("</svg>")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(o) + "\n")
    os.replace(tmp, path)
    return True


# --------------------------------------------------------------------- main

def parse_list(s):
    return [x.strip() for x in s.split(",") if x.strip()] if s else []


def main():
    ap = argparse.ArgumentParser(
        prog="bench/run",
        description="Run the Nido benchmarks against Lua, Python, Node, "
                    "Java and C.")
    ap.add_argument("--rounds", type=int, default=5,
                    help="interleaved rounds per program and language "
                         "(default 5)")
    ap.add_argument("--only", help="comma-separated program names")
    ap.add_argument("--langs", help="comma-separated languages, from: "
                    + ",".join(LANGS) + " (default: all)")
    ap.add_argument("--programs", default=os.path.join(ROOT, "bench",
                                                        "programs"),
                    help="folder of program folders (default bench/programs)")
    ap.add_argument("--csv", default=os.path.join(ROOT, "bench", "results",
                                                  "latest.csv"))
    ap.add_argument("--svg", default=os.path.join(ROOT, "docs", "bench.svg"))
    ap.add_argument("--timeout", type=float, default=300,
                    help="seconds before one run is killed (default 300)")
    ap.add_argument("--no-install", action="store_true",
                    help="do not apt-get install missing languages")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")

    langs = []
    for l in parse_list(a.langs) or list(LANGS):
        k = ALIASES.get(l.lower(), l.lower())
        if k not in LANGS:
            ap.error("unknown language %r (choose from %s)"
                     % (l, ",".join(LANGS)))
        if k not in langs:
            langs.append(k)
    os.makedirs(CACHE, exist_ok=True)
    shutil.rmtree(JIT_CODE, ignore_errors=True)
    usable = ensure_toolchains(langs, not a.no_install)
    langs = [l for l in langs if l in usable]
    if not langs:
        log("bench: no language available")
        return 2
    progs = find_programs(os.path.abspath(a.programs),
                          set(parse_list(a.only)))
    if not progs:
        log("bench: no programs to run")
        return 2

    try:
        cells = bench(progs, langs, a.rounds, a.timeout)
    finally:
        for f in ("stdout", "stderr"):
            try:
                os.remove(os.path.join(CACHE, "%s.%d.tmp" % (f, os.getpid())))
            except OSError:
                pass
    nfail = report(progs, langs, cells, a.rounds)
    write_csv(a.csv, progs, langs, cells)
    wrote = [a.csv]
    if write_svg(a.svg, progs, langs, cells, a.rounds):
        wrote.append(a.svg)
    log("bench: wrote " + " and ".join(wrote))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
