/* binarytrees.c -- Benchmarks Game binary-trees. */
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left, *right;
} Node;

static Node *bottomUp(int depth) {
    Node *n = malloc(sizeof(Node));
    if (depth <= 0) {
        n->left = n->right = NULL;
    } else {
        n->left = bottomUp(depth - 1);
        n->right = bottomUp(depth - 1);
    }
    return n;
}

static long check(const Node *n) {
    if (n->left == NULL) return 1;
    return 1 + check(n->left) + check(n->right);
}

static void freeTree(Node *n) {
    if (n->left) {
        freeTree(n->left);
        freeTree(n->right);
    }
    free(n);
}

int main(void) {
    int n = 15;
    int minDepth = 4;
    int maxDepth = minDepth + 2 > n ? minDepth + 2 : n;
    int stretch = maxDepth + 1;
    Node *t = bottomUp(stretch);
    printf("stretch tree of depth %d\t check: %ld\n", stretch, check(t));
    freeTree(t);
    Node *longLived = bottomUp(maxDepth);
    for (int d = minDepth; d <= maxDepth; d += 2) {
        int iterations = 1 << (maxDepth - d + minDepth);
        long sum = 0;
        for (int i = 0; i < iterations; i++) {
            t = bottomUp(d);
            sum += check(t);
            freeTree(t);
        }
        printf("%d\t trees of depth %d\t check: %ld\n", iterations, d, sum);
    }
    printf("long lived tree of depth %d\t check: %ld\n", maxDepth, check(longLived));
    freeTree(longLived);
    return 0;
}
