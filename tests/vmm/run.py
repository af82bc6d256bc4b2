#!/usr/bin/env python3
"""Tests of the micro-VM VMM (hvbridge/vmm) through its test driver nido-vmm:
tiny static C programs (and one static C++ program with Boehm GC) run as
guests with no guest kernel, their system calls served by the VMM.

    python3 tests/vmm/run.py [NIDO_VMM]      (default: build-vmm/nido-vmm)

Prints `skipped: <reason>` and exits 0 when /dev/kvm cannot be used or no
static C toolchain is present. Otherwise one line per failing check, then
`N passed, N failed`; exit status 1 when a check failed. The programs are in
tests/vmm/programs/, each with a comment saying what it does.
"""

import fcntl
import os
import time
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = os.path.join(HERE, "programs")
TIMEOUT = float(os.environ.get("NIDO_TEST_TIMEOUT", "60"))
KVM_GET_API_VERSION = 0xAE00
BOEHM = "/usr/lib/x86_64-linux-gnu/libgc.a"


def kvm_problem():
    """Why /dev/kvm cannot run a guest here, or None."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return f"/dev/kvm: {e.strerror}"
    try:
        if fcntl.ioctl(fd, KVM_GET_API_VERSION) != 12:
            return "/dev/kvm: unexpected API version"
    except OSError as e:
        return f"/dev/kvm: {e.strerror}"
    finally:
        os.close(fd)
    return None


def build(work):
    """Compiles every program statically; returns {name: path} of those built."""
    built = {}
    for name in sorted(os.listdir(PROGRAMS)):
        stem, ext = os.path.splitext(name)
        src = os.path.join(PROGRAMS, name)
        out = os.path.join(work, stem)
        if ext == ".c":
            cmd = ["gcc", "-static", "-O2", src, "-o", out]
        elif ext == ".cpp" and os.path.exists(BOEHM):
            cmd = ["g++", "-static", "-O2", src, "-o", out, BOEHM, "-pthread"]
        else:
            continue
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode == 0:
            built[stem] = out
        else:
            print(f"note: cannot build {name}: {r.stderr.strip().splitlines()[-1:]}")
    return built


class Checks:
    def __init__(self, vmm, programs, work):
        self.vmm, self.programs, self.work = vmm, programs, work
        self.passed, self.failed = 0, 0

    def run(self, title, flags, program, args=(), stdin="", status=0, stdout=None, stderr=None):
        """Runs PROGRAM in the VMM; stdout is compared exactly (a str) or
        searched (a compiled regex); stderr is always searched."""
        if program not in self.programs:
            print(f"FAIL {title}: program {program} was not built")
            self.failed += 1
            return
        cmd = [self.vmm, *flags, self.programs[program], *args]
        try:
            r = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=TIMEOUT, cwd=self.work)
        except subprocess.TimeoutExpired:
            print(f"FAIL {title}: no result after {TIMEOUT} s (the VMM hung)")
            self.failed += 1
            return
        problems = []
        if r.returncode != status:
            problems.append(f"status {r.returncode}, expected {status}")
        if isinstance(stdout, str) and r.stdout != stdout:
            problems.append(f"stdout {r.stdout!r}, expected {stdout!r}")
        if isinstance(stdout, re.Pattern) and not stdout.search(r.stdout):
            problems.append(f"stdout {r.stdout!r} does not match {stdout.pattern!r}")
        if stderr is not None and not stderr.search(r.stderr):
            problems.append(f"stderr {r.stderr!r} does not match {stderr.pattern!r}")
        if stderr is None and r.stderr:
            problems.append(f"unexpected stderr {r.stderr!r}")
        if problems:
            print(f"FAIL {title}: " + "; ".join(problems))
            self.failed += 1
        else:
            self.passed += 1

    def blocked_on_stdin(self, title, program):
        """A guest waiting on a pipe that never delivers still ends at --timeout."""
        p = subprocess.Popen([self.vmm, "--timeout", "0.5", self.programs[program]], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            p.wait(timeout=TIMEOUT)  # stdin stays open and empty
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            print(f"FAIL {title}: no result after {TIMEOUT} s (the VMM hung)")
            self.failed += 1
            return
        finally:
            p.stdin.close()
        err = p.stderr.read()
        p.stdout.close()
        p.stderr.close()
        if p.returncode != 124 or "timed out after 0.5 s" not in err:
            print(f"FAIL {title}: status {p.returncode}, stderr {err!r}")
            self.failed += 1
        else:
            self.passed += 1

    def usage(self, title, argv, pattern):
        """nido-vmm itself refuses bad input with one line and status 2 or 1."""
        r = subprocess.run([self.vmm, *argv], capture_output=True, text=True, timeout=TIMEOUT, cwd=self.work)
        first = r.stderr.splitlines()[0] if r.stderr else ""
        if r.returncode not in (1, 2) or not re.search(pattern, first):
            print(f"FAIL {title}: status {r.returncode}, stderr {r.stderr!r}")
            self.failed += 1
        else:
            self.passed += 1


def nido_runtime(c, work):
    """The static Nido runtime (nido-static, in a build folder's guest/), when
    built, runs a compiled sample in the micro-VM."""
    candidates = [os.path.join(ROOT, d, "nido-static") for d in ("build/guest", "build-hv/guest", "build-hv")]
    runtime = next((c for c in candidates if os.path.exists(c)), None)
    nido = os.path.join(ROOT, "build", "nido")
    if not runtime or not os.path.exists(nido):
        print("note: no nido-static (build/guest, build-hv/guest) or build/nido; the Nido runtime check is skipped")
        return
    ndc = os.path.join(work, "hello.ndc")
    if subprocess.run([nido, "build", os.path.join(ROOT, "samples", "hello.nd"), "-o", ndc]).returncode != 0:
        print("FAIL nido build samples/hello.nd")
        c.failed += 1
        return
    c.programs["nido-static"] = runtime
    c.run("the static Nido runtime", [f"--allow-read={work}"], "nido-static", ["run", ndc],
          stdout="Hello from Nido!\n")


def fault_line(kind):
    return re.compile(r"^nido-vmm: guest fault: " + kind + r".*, rip 0x[0-9a-f]+\n$")


def main():
    vmm = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build-vmm", "nido-vmm"))
    problem = kvm_problem()
    if problem:
        print(f"skipped: {problem}")
        return 0
    if not shutil.which("gcc"):
        print("skipped: no gcc to build the static test programs")
        return 0
    if not os.path.exists(vmm):
        print(f"FAIL: {vmm} does not exist (build hvbridge/vmm first)")
        return 1
    with tempfile.TemporaryDirectory(prefix="nido-vmm-test-") as work:
        work = os.path.realpath(work)
        programs = build(work)
        if "hello" not in programs:
            print("skipped: gcc -static cannot build a program here (no static libc?)")
            return 0
        c = Checks(vmm, programs, work)
        data = os.path.join(work, "data")
        os.mkdir(data)
        with open(os.path.join(data, "note.txt"), "w") as f:
            f.write("a permitted file\n")
        secret = os.path.join(work, "secret.txt")
        with open(secret, "w") as f:
            f.write("not for the guest\n")
        out = os.path.join(work, "out")
        os.mkdir(out)

        c.run("hello", [], "hello", stdout="hello from the micro-VM\n")
        c.run("arguments", [], "args", ["one", "two words", ""], stdout="argc=4\none\ntwo words\n\n")
        c.run("exit status", [], "exit_status", ["42"], status=42)
        c.run("stdin echo", [], "echo_stdin", stdin="abc\nxyz", stdout="ABC\nXYZ[7 bytes]\n")
        note = os.path.join(data, "note.txt")
        c.run("permitted file", [f"--allow-read={data}"], "cat_file", [note], stdout="a permitted file\n")
        c.run("relative permitted file", ["--allow-read=data"], "cat_file", ["data/note.txt"],
              stdout="a permitted file\n")
        c.run("denied file", [f"--allow-read={data}"], "cat_file", [secret], status=3,
              stdout=f"cannot open {secret}: No such file or directory\n")
        c.run("denied by .. escape", [f"--allow-read={data}"], "cat_file", [os.path.join(data, "..", "secret.txt")],
              status=3, stdout=re.compile(r"^cannot open .*No such file"))
        os.symlink(secret, os.path.join(data, "link.txt"))
        c.run("denied through a symlink", [f"--allow-read={data}"], "cat_file", [os.path.join(data, "link.txt")],
              status=3, stdout=re.compile(r"^cannot open .*No such file"))
        c.run("no host files by default", [], "cat_file", ["/etc/passwd"], status=3,
              stdout="cannot open /etc/passwd: No such file or directory\n")
        c.run("--file maps a host file", ["--file", f"{note}:/input/a.txt"], "cat_file", ["/input/a.txt"],
              stdout="a permitted file\n")
        c.run("virtual directory", ["--file", f"{note}:/input/a.txt", "--file", f"{secret}:/input/b.txt"],
              "list_dir", ["/input"], stdout="a.txt\nb.txt\n")
        c.run("host directory", [f"--allow-read={data}"], "list_dir", [data], stdout="link.txt\nnote.txt\n")
        target = os.path.join(out, "w.txt")
        c.run("permitted write", [f"--allow-read={out}", f"--allow-write={out}"], "write_file", [target, "written"],
              stdout="read back: written\n")
        c.run("denied write", [f"--allow-read={out}"], "write_file", [os.path.join(out, "x.txt"), "no"], status=3,
              stdout=re.compile(r"^cannot create .*x.txt"))
        escaped = os.path.join(work, "escaped.txt")
        os.symlink(escaped, os.path.join(out, "dangling"))
        c.run("no create through a dangling symlink", [f"--allow-read={out}", f"--allow-write={out}"], "write_file",
              [os.path.join(out, "dangling"), "no"], status=3, stdout=re.compile(r"^cannot create .*dangling"))
        if os.path.exists(escaped):
            print("FAIL no create through a dangling symlink: the file outside was created")
            c.failed += 1
        c.run("allocation-heavy (200 MB through malloc)", [], "alloc",
              stdout=re.compile(r"^allocated 200 MB, checksum \d+\n$"))
        c.run("signal handler for a fault", [], "segv_handler",
              stdout="caught signal 11 at 0x200010\nrecovered\n")
        c.run("signal handler that returns (rt_sigreturn)", [], "sigreturn",
              stdout="resumed after ud2, handled 1, register kept 12345\nSIGILL unblocked again: 1\n")
        c.run("null write", [], "fault_null", status=1,
              stderr=fault_line(r"page fault at address 0x0 \(write, not mapped\)"))
        c.run("ud2", [], "fault_ud2", status=1, stderr=fault_line("invalid opcode"))
        c.run("divide by zero", [], "fault_div", status=1, stderr=fault_line("divide error"))
        c.run("stack overflow", [], "stack_overflow", status=1,
              stderr=fault_line(r"page fault at address 0x[0-9a-f]+ \(write, not mapped: stack overflow\)"))
        c.blocked_on_stdin("--timeout while blocked reading stdin", "echo_stdin")
        c.run("endless loop and --timeout", ["--timeout", "0.5"], "spin", status=124,
              stderr=re.compile(r"^nido-vmm: timed out after 0.5 s\n$"))
        if "gc_alloc" in programs:
            c.run("Boehm GC (static C++, ~100 MB)", [], "gc_alloc",
                  stdout=re.compile(r"^allocated \d+ MB, kept 40000, collections \d+\n$"))

        c.run("calls answered in the guest", ["--stats"], "fast_calls", [str(int(time.time()))],
              stdout="realtime near the host's: yes\nboottime after monotonic start: yes\nblocked: 1 (before: 0)\n"
              "unblocked: 1\nSIGKILL never blocked: 1\npid 1, tid 1\nfutex wake: 0\n"
              "F_GETFD: open 1 1, closed 9 1, closed 0 1\nlimits: stack 8 MiB, files 1024/1024\n",
              stderr=re.compile(r"^nido-vmm: \d+ exits(?:(?!clock_gettime|rt_sigprocmask|getpid|gettid|futex|fcntl|"
                                r"prlimit64).)*$", re.S))
        c.run("brk, mmap and rt_sigaction, partly answered in the guest", ["--stats"], "guest_memory_calls",
              stdout="mmap zero: 1\nre-mmap zero: 1\nMAP_FIXED zero: 1, kept neighbours: 1\n"
              "brk grows: 1\nbrk regrown zero: 1\nbrk grows past the slack: 1, zero: 1\n"
              "brk below start refused: 1\nsigaction round trip: 1\nSIGKILL refused: 1\n"
              "handler got signal 11 at 0x200020\nhandler mask restored: 1\n",
              # only the refused SIGKILL call exits
              stderr=re.compile(r"^nido-vmm: \d+ exits.*\n  rt_sigaction +1 ", re.S))
        # 3,000 mappings, 8 held at a time, in 256 MiB: the entry page serves
        # them from the VMM's pool and logs the unmaps, so few of either exit.
        c.run("anonymous mmap and munmap answered in the guest", ["--mem", "256M", "--stats"], "mmap_pool",
              stdout="mapped more than 512 MiB in 3000 calls: 1, each zero: 1, failed: 0\n"
              "spoilt pool: apart 1, zero 1\n"
              "exhausted: ENOMEM 1 after more than 128 MiB 1, mapped again and zero 1\n",
              stderr=re.compile(r"(?=[\s\S]*^  mmap +\d{1,2} )(?=[\s\S]*^  munmap +\d{1,2} )", re.M))
        nido_runtime(c, work)

        c.usage("missing ELF", [os.path.join(work, "nope")], r"^nido-vmm: cannot open .*nope")
        c.usage("not an ELF", [note], r"^nido-vmm: .*note.txt is not an ELF file")
        c.usage("dynamic ELF", ["/bin/true"], r"^nido-vmm: /bin/true is dynamically linked")
        c.usage("bad flag", ["--bogus", programs["hello"]], r"^nido-vmm: unknown flag --bogus")
        c.usage("bad --mem", ["--mem", "lots", programs["hello"]], r"^nido-vmm: --mem needs a size")
        c.usage("tiny --mem", ["--mem", "1M", programs["hello"]], r"^nido-vmm: guest memory must be")
        c.usage("no ELF", [], r"^nido-vmm: no executable given")

    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
