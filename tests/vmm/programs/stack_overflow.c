// Recurses without end: the run must end at the guard below the stack with
// "stack overflow" in the fault line and status 1. The call goes through a
// volatile pointer so that the compiler cannot turn it into a loop.
#include <stdio.h>
static int depth(int n);
static int (*volatile next)(int) = depth;
static int depth(int n) {
    volatile char pad[4096];
    pad[0] = (char)n;
    return pad[0] + next(n + 1);
}
int main(void) {
    printf("%d\n", depth(0));
    return 0;
}
