// BinaryTrees.java -- Benchmarks Game binary-trees.
public class BinaryTrees {
    static final class Node {
        final Node left, right;
        Node(Node left, Node right) { this.left = left; this.right = right; }
    }

    static Node bottomUp(int depth) {
        if (depth <= 0) return new Node(null, null);
        return new Node(bottomUp(depth - 1), bottomUp(depth - 1));
    }

    static long check(Node n) {
        if (n.left == null) return 1;
        return 1 + check(n.left) + check(n.right);
    }

    public static void main(String[] args) {
        int n = 15;
        int minDepth = 4;
        int maxDepth = Math.max(minDepth + 2, n);
        int stretch = maxDepth + 1;
        System.out.println("stretch tree of depth " + stretch + "\t check: " + check(bottomUp(stretch)));
        Node longLived = bottomUp(maxDepth);
        for (int d = minDepth; d <= maxDepth; d += 2) {
            int iterations = 1 << (maxDepth - d + minDepth);
            long sum = 0;
            for (int i = 0; i < iterations; i++) sum += check(bottomUp(d));
            System.out.println(iterations + "\t trees of depth " + d + "\t check: " + sum);
        }
        System.out.println("long lived tree of depth " + maxDepth + "\t check: " + check(longLived));
    }
}
