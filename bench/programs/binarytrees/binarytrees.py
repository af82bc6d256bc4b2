# binarytrees.py -- Benchmarks Game binary-trees.
import sys
sys.setrecursionlimit(10000)


class Node:
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right


def bottom_up(depth):
    if depth <= 0:
        return Node(None, None)
    return Node(bottom_up(depth - 1), bottom_up(depth - 1))


def check(n):
    if n.left is None:
        return 1
    return 1 + check(n.left) + check(n.right)


def main():
    n = 15
    min_depth = 4
    max_depth = max(min_depth + 2, n)
    stretch = max_depth + 1
    print("stretch tree of depth %d\t check: %d" % (stretch, check(bottom_up(stretch))))
    long_lived = bottom_up(max_depth)
    for d in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - d + min_depth)
        s = 0
        for _ in range(iterations):
            s += check(bottom_up(d))
        print("%d\t trees of depth %d\t check: %d" % (iterations, d, s))
    print("long lived tree of depth %d\t check: %d" % (max_depth, check(long_lived)))


main()
