// Catches its own SIGSEGV (as Boehm's start-up probe does) and jumps out.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
static sigjmp_buf env;
static void onSegv(int sig, siginfo_t* info, void* ctx) {
    (void)ctx;
    printf("caught signal %d at %p\n", sig, info->si_addr);
    siglongjmp(env, 1);
}
int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = onSegv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int*)0x200010 = 1;
        printf("not reached\n");
    }
    printf("recovered\n");
    return 0;
}
