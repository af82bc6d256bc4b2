// wordfreq.js -- generate text with an LCG, split it into words, count them in a map
// and print the ten most frequent words (by count, then alphabetically).
"use strict";

const WORDS = ["the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
  "as", "was", "with", "be", "by", "on", "not", "he", "this", "are"];
const SUFFIXES = ["", "s", "ed", "ing", "ly"];

let seed = 12345;
function nextRand() {
  // seed * 1664525 + 1013904223 < 2^53, so this is exact in doubles.
  seed = (seed * 1664525 + 1013904223) % 4294967296;
  return seed >>> 8;
}

function main() {
  const n = 1500000;
  const perLine = 10;

  const lines = [];
  let line = [];
  for (let i = 0; i < n; i++) {
    const a = nextRand() % 20;
    const b = nextRand() % (a + 1);
    const s = nextRand() % 5;
    line.push(WORDS[b] + SUFFIXES[s]);
    if (line.length === perLine) {
      lines.push(line.join(" "));
      line = [];
    }
  }
  if (line.length > 0) lines.push(line.join(" "));
  const text = lines.join("\n");

  const counts = new Map();
  let total = 0;
  for (const l of text.split("\n")) {
    for (const w of l.split(" ")) {
      if (w !== "") {
        counts.set(w, (counts.get(w) || 0) + 1);
        total++;
      }
    }
  }

  const words = Array.from(counts.keys());
  words.sort((a, b) => {
    const ca = counts.get(a), cb = counts.get(b);
    if (ca !== cb) return cb - ca;
    return a < b ? -1 : a > b ? 1 : 0;
  });

  console.log(`${text.length} bytes, ${total} words, ${counts.size} distinct`);
  for (let i = 0; i < Math.min(10, words.length); i++) {
    console.log(`${words[i]} ${counts.get(words[i])}`);
  }
}

main();
