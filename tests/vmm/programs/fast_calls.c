// The calls the entry page answers inside the guest, checked for meaning:
// clocks (against the host's time given as argv[1]), the signal mask, the
// ids, a futex wake, descriptor flags (after a close too: the VMM's list of
// open descriptors), the resource limits.
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c) {
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char** argv) {
    long long last = ns(CLOCK_MONOTONIC);
    for (int i = 0; i < 10000; ++i) {
        long long now = ns(CLOCK_MONOTONIC);
        if (now < last) return printf("monotonic clock went back\n"), 1;
        last = now;
    }
    long long host = argc > 1 ? atoll(argv[1]) : 0;
    long long real = ns(CLOCK_REALTIME) / 1000000000LL;
    printf("realtime near the host's: %s\n", llabs(real - host) < 30 ? "yes" : "no");
    printf("boottime after monotonic start: %s\n", ns(CLOCK_BOOTTIME) > 0 ? "yes" : "no");

    sigset_t usr1, old, now;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("blocked: %d (before: %d)\n", sigismember(&now, SIGUSR1), sigismember(&old, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("unblocked: %d\n", !sigismember(&now, SIGUSR1));
    sigfillset(&now);
    sigprocmask(SIG_SETMASK, &now, NULL);
    sigprocmask(SIG_SETMASK, NULL, &now);
    printf("SIGKILL never blocked: %d\n", !sigismember(&now, SIGKILL));
    printf("pid %d, tid %ld\n", getpid(), syscall(SYS_gettid));

    int word = 0;
    printf("futex wake: %ld\n", syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
    int open1 = fcntl(1, F_GETFD) == 0, closed9 = fcntl(9, F_GETFD) == -1 && errno == EBADF;
    close(0);
    int closed0 = fcntl(0, F_GETFD) == -1 && errno == EBADF;
    printf("F_GETFD: open 1 %d, closed 9 %d, closed 0 %d\n", open1, closed9, closed0);
    struct rlimit stack, files;
    getrlimit(RLIMIT_STACK, &stack);
    getrlimit(RLIMIT_NOFILE, &files);
    printf("limits: stack %lu MiB, files %lu/%lu\n", (unsigned long)stack.rlim_cur >> 20, (unsigned long)files.rlim_cur,
           (unsigned long)files.rlim_max);
    return 0;
}
