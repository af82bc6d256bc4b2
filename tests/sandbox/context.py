"""What a sandbox check works with: the nido binary, a fresh folder, a run
helper and a snapshot of a folder's contents to prove the host unchanged."""

import hashlib
import os

import nidotest

TIMEOUT = float(os.environ.get("NIDO_TEST_TIMEOUT", "30"))


class Failure(Exception):
    """The behaviour checked is wrong."""


class Skipped(Exception):
    """Something the check needs is absent; the message says what."""


class Result:
    def __init__(self, status, out, err):
        self.status, self.out, self.err = status, out, err

    def __repr__(self):
        return f"status {self.status}, stdout {nidotest.show(self.out)}, stderr {nidotest.show(self.err)}"


class Context:
    def __init__(self, nido, folder):
        self.nido = nido
        self.folder = folder
        self.env = dict(os.environ, HOME=os.path.join(folder, "home"),
                        XDG_DATA_HOME=os.path.join(folder, "home", ".local", "share"))
        os.makedirs(self.env["XDG_DATA_HOME"])

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    def write(self, name, text):
        """Writes text to a file in the folder (parents made) and returns its path."""
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run(self, args, stdin=None, timeout=TIMEOUT, cwd=None):
        """Runs nido with args (a list) in the folder; a hang or a death by a
        signal is a Failure, never a result."""
        status, out, err = nidotest.run([self.nido] + args, cwd or self.folder, timeout, stdin=stdin, env=self.env)
        if status is None:
            raise Failure(f"nido {' '.join(args)}: still running after {timeout} s")
        if status < 0:
            raise Failure(f"nido {' '.join(args)}: killed by {nidotest.signal_name(status)}: {nidotest.show(err)}")
        return Result(status, out, err)

    def snapshot(self, top=None):
        """Every entry below top (default: the folder), except the sandbox
        data under home, as {relative path: (kind, mode, content hash or link target)}."""
        top = top or self.folder
        skip = os.path.join(self.folder, "home")
        entries = {}
        for root, dirs, files in os.walk(top):
            if root == skip or root.startswith(skip + os.sep):
                continue
            for name in dirs + files:
                p = os.path.join(root, name)
                st = os.lstat(p)
                if os.path.islink(p):
                    what = ("link", 0, os.readlink(p))
                elif os.path.isdir(p):
                    what = ("dir", st.st_mode, "")
                else:
                    with open(p, "rb") as f:
                        what = ("file", st.st_mode, hashlib.sha256(f.read()).hexdigest())
                entries[os.path.relpath(p, top)] = what
        return entries


def expect(cond, message):
    if not cond:
        raise Failure(message)


def expect_unchanged(before, after):
    """Fails naming the first entries added, removed or changed."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    if added or removed or changed:
        raise Failure(f"host folder changed: added {added[:3]}, removed {removed[:3]}, changed {changed[:3]}")
