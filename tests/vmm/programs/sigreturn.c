// A SIGILL handler that steps over the ud2 and returns: the guest resumes
// through rt_sigreturn with the registers the handler left in the context.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>
static volatile int handled;
static void onIll(int sig, siginfo_t* info, void* context) {
    (void)sig;
    (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_RIP] += 2;  // the length of ud2
    handled++;
}
int main(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = onIll;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGILL, &sa, 0);
    long kept = 12345;
    __asm__ volatile("ud2" : "+r"(kept));
    printf("resumed after ud2, handled %d, register kept %ld\n", handled, kept);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("SIGILL unblocked again: %d\n", !sigismember(&now, SIGILL));
    return 0;
}
