"""What tests/hv/run.py (Linux guests) and tests/hv/run_micro.py (the
micro-VM) share: the apps both run in a guest, and the list of checks."""

ARGS_AND_EXIT = """\
import io
import sys

fun main(args: [string]) {
    println(args.len())
    for a in args {
        println("[" + a + "]")
    }
    io.eprintln("to stderr")
    sys.exit(7)
}
"""

UNCAUGHT = """\
fun main() {
    println("before")
    throw ValueError("from the guest")
}
"""


class Checks:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def expect(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"FAIL {name}: {detail}")
