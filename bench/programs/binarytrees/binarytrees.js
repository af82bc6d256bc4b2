// binarytrees.js -- Benchmarks Game binary-trees.
"use strict";

class Node {
  constructor(left, right) {
    this.left = left;
    this.right = right;
  }
}

function bottomUp(depth) {
  if (depth <= 0) return new Node(null, null);
  return new Node(bottomUp(depth - 1), bottomUp(depth - 1));
}

function check(n) {
  if (n.left === null) return 1;
  return 1 + check(n.left) + check(n.right);
}

function main() {
  const n = 15;
  const minDepth = 4;
  const maxDepth = Math.max(minDepth + 2, n);
  const stretch = maxDepth + 1;
  console.log(`stretch tree of depth ${stretch}\t check: ${check(bottomUp(stretch))}`);
  const longLived = bottomUp(maxDepth);
  for (let d = minDepth; d <= maxDepth; d += 2) {
    const iterations = 1 << (maxDepth - d + minDepth);
    let sum = 0;
    for (let i = 0; i < iterations; i++) sum += check(bottomUp(d));
    console.log(`${iterations}\t trees of depth ${d}\t check: ${sum}`);
  }
  console.log(`long lived tree of depth ${maxDepth}\t check: ${check(longLived)}`);
}

main();
