// expect stdout: hello from the micro-VM
#include <stdio.h>
int main(void) {
    printf("hello from the micro-VM\n");
    return 0;
}
