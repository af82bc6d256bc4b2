#!/usr/bin/env python3
"""Runs the example programs of a Markdown page (the tour, docs/language.md).

    python3 tests/docs/run_tour.py NIDO [PAGE.md]

PAGE defaults to docs/language.md beside this script's repository. The
conventions, which the page's authors follow:

- Every ```nido fenced block is a complete program. The next fenced block,
  with nothing but blank lines in between, must be an ```output block: what
  the program prints, standard output followed by standard error. The
  output block's info string may add `exit=N` (```output exit=1) for a
  program ending with status N; without it the status must be 0.
- Comment lines at the very top of a ```nido block may give, like the
  directives of tests/lang:
      // flags: --allow-read=. ...   flags for `nido run`, before the file
      // args: A B C                 program arguments
      // stdin: TEXT                 a line of standard input (several in order)
- A ```nido block whose first line is `// file: NAME.nd` is a module, not a
  program: it has no output block, and it is saved as NAME.nd beside every
  program after it on the page (so those can `import NAME`).
- A fenced block right after a line `<!-- output of: nido ARGS -->` (an
  HTML comment, invisible on the rendered page) shows part of what
  `nido ARGS` prints, run in the repository's root: its lines must appear
  there, in order and next to each other.

Each program runs as `nido run [flags] example.nd [args]` in a fresh
temporary folder (its working directory), so traces read `example.nd:LINE`.
One line is printed per failing program (`FAIL PAGE.md:LINE: reason`), then
`N passed, N failed`. Exit status 1 when a program failed, a block broke the
conventions, or no program was found.
"""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nidotest  # noqa: E402  (tests/nidotest.py: running nido, reporting)

TIMEOUT = float(os.environ.get("NIDO_TEST_TIMEOUT", "10"))
FENCE = re.compile(r"^(```+|~~~+)\s*(\S*)\s*(.*)$")
DIRECTIVE = re.compile(r"^//\s*(flags|args|stdin|file):(.*)$")
OUTPUT_OF = re.compile(r"^<!--\s*output of:\s*nido\s+(.+?)\s*-->\s*$")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SNIPPET_NAME = "example.nd"


class Block:
    def __init__(self, lang, info, line, text):
        self.lang = lang      # "nido", "output", ...
        self.info = info      # the rest of the info string
        self.line = line      # 1-based line of the opening fence
        self.text = text      # the contents, lines joined with "\n"


class Snippet:
    def __init__(self, block):
        self.line = block.line
        self.source = block.text
        self.flags, self.args, self.stdin = [], [], None
        self.module = None    # NAME.nd for a module block
        self.expected = None  # expected output text
        self.exit = 0
        for text in block.text.split("\n"):
            m = DIRECTIVE.match(text.strip())
            if not text.strip().startswith("//"):
                break
            if not m:
                continue
            kind, value = m.group(1), m.group(2)
            value = value[1:] if value.startswith(" ") else value
            if kind == "flags":
                self.flags.extend(value.split())
            elif kind == "args":
                self.args.extend(value.split())
            elif kind == "stdin":
                self.stdin = (self.stdin or "") + value + "\n"
            elif kind == "file":
                self.module = value.strip()


def blocks(text):
    """The fenced blocks of a Markdown text, with what lies between them."""
    found = []
    lines = text.split("\n")
    i = 0
    gap_blank = True  # only blank lines since the previous block
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                gap_blank = False
            i += 1
            continue
        fence, lang, info = m.group(1), m.group(2), m.group(3)
        start = i + 1
        j = start
        while j < len(lines) and not re.fullmatch(re.escape(fence[0]) + "{%d,}\\s*" % len(fence), lines[j]):
            j += 1
        found.append((Block(lang, info, i + 1, "\n".join(lines[start:j])), gap_blank))
        gap_blank = True
        i = j + 1
    return found


def collect(text):
    """(snippets, problems): the nido blocks paired with their outputs."""
    snippets, problems = [], []
    found = blocks(text)
    for k, (block, _) in enumerate(found):
        if block.lang != "nido":
            if block.lang == "output" and (k == 0 or found[k - 1][0].lang != "nido" or not found[k][1]):
                problems.append((block.line, "an output block that follows no nido block"))
            continue
        snippet = Snippet(block)
        following = found[k + 1] if k + 1 < len(found) else None
        has_output = following is not None and following[0].lang == "output" and following[1]
        if snippet.module is not None:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\.nd", snippet.module):
                problems.append((block.line, f"`// file:` needs NAME.nd, got {snippet.module!r}"))
            elif has_output:
                problems.append((block.line, "a module block (// file:) with an output block"))
            snippets.append(snippet)
            continue
        if not has_output:
            problems.append((block.line, "a nido block without an output block right after it"))
            continue
        out = following[0]
        snippet.expected = out.text
        for word in out.info.split():
            m = re.fullmatch(r"exit=(\d+)", word)
            if not m:
                problems.append((out.line, f"unknown output option {word!r}"))
                break
            snippet.exit = int(m.group(1))
        snippets.append(snippet)
    return snippets, problems


def command_outputs(text):
    """(line, args, the block's lines) for every block after an `output of:` comment."""
    found = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = OUTPUT_OF.match(line)
        if not m:
            continue
        fence = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not fence:
            found.append((i + 1, m.group(1), None))
            continue
        end = i + 2
        while end < len(lines) and not lines[end].startswith(fence.group(1)):
            end += 1
        found.append((i + 2, m.group(1), lines[i + 2:end]))
    return found


def check_command(nido, args, block_lines):
    """Returns None when nido ARGS prints the block's lines together, else why not."""
    if block_lines is None:
        return "an `output of:` comment not followed by a fenced block"
    status, out, err = nidotest.run([nido] + args.split(), ROOT, TIMEOUT, errors="replace")
    if status != 0:
        return f"nido {args}: exit status {status}; stderr {err.strip()[:200]!r}"
    got = nidotest.output_lines(out)
    n = len(block_lines)
    if not any(got[k:k + n] == block_lines for k in range(len(got) - n + 1)):
        return f"nido {args} does not print the block's lines"
    return None


def run(nido, snippet, modules):
    """Returns None when the program printed its output block, else why not."""
    folder = tempfile.mkdtemp(prefix="nido-tour-")
    try:
        for name, source in modules.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(source + "\n")
        with open(os.path.join(folder, SNIPPET_NAME), "w", encoding="utf-8") as f:
            f.write(snippet.source + "\n")
        cmd = [nido, "run"] + snippet.flags + [SNIPPET_NAME] + snippet.args
        stdin = snippet.stdin.encode("utf-8") if snippet.stdin is not None else None
        status, out, err = nidotest.run(cmd, folder, TIMEOUT, stdin, errors="replace")
        if status is None:
            return f"timed out after {TIMEOUT:g} s"
        if status < 0:
            return f"killed by signal {-status}"
        got = nidotest.output_lines(out) + nidotest.output_lines(err)
        difference = nidotest.first_difference("output", nidotest.output_lines(snippet.expected), got)
        if difference is not None:
            return difference
        if status != snippet.exit:
            return f"exit status {status}, expected {snippet.exit}"
        return None
    except OSError as e:
        return f"cannot run nido: {e}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        return nidotest.usage(__doc__)
    nido = nidotest.nido_path(argv[1])
    page = argv[2] if len(argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "language.md")
    try:
        with open(page, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        print(f"cannot read {page}: {e}", file=sys.stderr)
        return 2
    shown = nidotest.display(page)

    snippets, problems = collect(text)
    failures = [(line, f"bad block: {why}") for line, why in problems]
    modules, passed = {}, 0
    for snippet in snippets:
        if snippet.module is not None:
            modules[snippet.module] = snippet.source
            continue
        reason = run(nido, snippet, modules)
        if reason is None:
            passed += 1
        else:
            failures.append((snippet.line, reason))

    for line, args, block_lines in command_outputs(text):
        reason = check_command(nido, args, block_lines)
        if reason is None:
            passed += 1
        else:
            failures.append((line, reason))

    failures.sort()
    for line, reason in failures:
        print(f"FAIL {shown}:{line}: {reason}", flush=True)
    nidotest.summary(passed, len(failures))
    if passed == 0 and not failures:
        print(f"no nido programs found in {shown}", file=sys.stderr)
    return 1 if failures or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
