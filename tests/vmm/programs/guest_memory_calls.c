// brk, anonymous mmap/munmap and rt_sigaction as the micro-VM answers them,
// partly inside the guest (syscall_entry.S): memory handed out again reads
// as zero, a shrunk and regrown break is zero, a handler set with
// rt_sigaction round-trips and receives a fault.
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static int allZero(const unsigned char* p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (p[i]) return 0;
    return 1;
}

static long rawBrk(unsigned long addr) { return syscall(SYS_brk, addr); }

static sigjmp_buf env;
static void onSegv(int sig, siginfo_t* info, void* ctx) {
    (void)ctx;
    printf("handler got signal %d at %p\n", sig, info->si_addr);
    siglongjmp(env, 1);
}

int main(void) {
    size_t len = 3 * 4096 + 100;
    unsigned char* a = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap zero: %d\n", a != MAP_FAILED && allZero(a, len));
    memset(a, 0xab, len);
    munmap(a, len);
    unsigned char* b = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("re-mmap zero: %d\n", allZero(b, len));
    memset(b, 0xcd, len);
    unsigned char* c = mmap(b + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED zero: %d, kept neighbours: %d\n", c == b + 4096 && allZero(c, 4096),
           b[0] == 0xcd && b[8192] == 0xcd);

    unsigned long start = rawBrk(0);
    unsigned long grown = rawBrk(start + 5 * 4096);
    printf("brk grows: %d\n", grown == start + 5 * 4096);
    memset((void*)start, 0x5a, 5 * 4096);
    rawBrk(start + 4096);
    rawBrk(start + 5 * 4096);
    printf("brk regrown zero: %d\n", allZero((unsigned char*)start + 2 * 4096, 3 * 4096));
    unsigned long big = rawBrk(start + (8ul << 20));
    printf("brk grows past the slack: %d, zero: %d\n", big == start + (8ul << 20),
           allZero((unsigned char*)start + (5 * 4096), (8ul << 20) - 5 * 4096));
    printf("brk below start refused: %d\n", rawBrk(4096) == (long)big);
    rawBrk(start);

    struct sigaction sa = {0}, back = {0};
    sa.sa_sigaction = onSegv;
    sa.sa_flags = SA_SIGINFO;
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaction(SIGSEGV, &sa, 0);
    sigaction(SIGSEGV, 0, &back);
    printf("sigaction round trip: %d\n",
           back.sa_sigaction == onSegv && (back.sa_flags & SA_SIGINFO) && sigismember(&back.sa_mask, SIGUSR2));
    printf("SIGKILL refused: %d\n", sigaction(SIGKILL, &sa, 0) == -1);
    if (sigsetjmp(env, 1) == 0) {
        *(volatile int*)0x200020 = 1;
        printf("not reached\n");
    }
    sigset_t now;
    sigprocmask(SIG_SETMASK, 0, &now);
    printf("handler mask restored: %d\n", !sigismember(&now, SIGUSR2) && !sigismember(&now, SIGSEGV));
    return 0;
}
