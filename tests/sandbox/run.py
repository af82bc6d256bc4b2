#!/usr/bin/env python3
"""The sandbox tests: isolation modes, resource limits, audit, packages and a
hostile-program suite (docs/sandbox.md).

    python3 tests/sandbox/run.py NIDO

Checks live in the cases_*.py files beside this one; each holds a list
CASES of functions taking a Context and raising Failure (or AssertionError)
when the behaviour is wrong, or Skipped with the reason when something they
need is absent. Every check runs in a fresh temporary folder, with HOME and
XDG_DATA_HOME inside it, so no check touches the real sandbox folder. One
line is printed per failing or skipped check, then `N passed, N failed,
N skipped`; exit status 1 when a check failed.
"""

import glob
import importlib
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)
from context import Context, Failure, Skipped  # noqa: E402


def main(argv):
    if len(argv) != 2:
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    passed = failed = skipped = 0
    for path in sorted(glob.glob(os.path.join(HERE, "cases_*.py"))):
        module = importlib.import_module(os.path.splitext(os.path.basename(path))[0])
        for case in module.CASES:
            name = f"{module.__name__}.{case.__name__}"
            folder = tempfile.mkdtemp(prefix="nido-sandbox-")
            try:
                case(Context(nido, folder))
                passed += 1
            except Skipped as s:
                skipped += 1
                print(f"skipped {name}: {s}")
            except (Failure, AssertionError) as f:
                failed += 1
                print(f"FAIL {name}: {f}")
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
