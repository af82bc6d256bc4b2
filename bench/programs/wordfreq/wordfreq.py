# wordfreq.py -- generate text with an LCG, split it into words, count them in a map
# and print the ten most frequent words (by count, then alphabetically).
WORDS = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
         "as", "was", "with", "be", "by", "on", "not", "he", "this", "are"]
SUFFIXES = ["", "s", "ed", "ing", "ly"]

seed = 12345


def next_rand():
    global seed
    seed = (seed * 1664525 + 1013904223) % 4294967296
    return seed >> 8


def main():
    n = 1500000
    per_line = 10

    lines = []
    line = []
    for _ in range(n):
        a = next_rand() % 20
        b = next_rand() % (a + 1)
        s = next_rand() % 5
        line.append(WORDS[b] + SUFFIXES[s])
        if len(line) == per_line:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    text = "\n".join(lines)

    counts = {}
    total = 0
    for l in text.split("\n"):
        for w in l.split(" "):
            if w != "":
                counts[w] = counts.get(w, 0) + 1
                total += 1

    words = sorted(counts.keys(), key=lambda w: (-counts[w], w))
    print("%d bytes, %d words, %d distinct" % (len(text), total, len(counts)))
    for w in words[:10]:
        print("%s %d" % (w, counts[w]))


main()
