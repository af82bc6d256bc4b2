/* The system-call entry page, copied into the guest at LSTAR.
 *
 * It starts with a jump, and at offset 16 holds the slow path:
 * `out NIDO_VMM_SYSCALL_PORT, al` (one exit to the VMM) then `sysretq`, which
 * only stock KVM reaches (there SYSCALL enters CPL0). On PVM SYSCALL stays at
 * CPL3 and the VMM sets RIP and RFLAGS itself (NOTES.md).
 *
 * The fast paths first answer a few calls inside the guest, which then
 * cost only the SYSCALL trap: ~2.7 us against ~22 us for an exit in NOTES.md,
 * 60-80 us against 100-250 us on this host under load (issue 7, goal 8):
 * getpid, gettid, set_tid_address (1), rt_sigprocmask (the mask lives in the
 * shared page), clock_gettime for the usual clocks (from RDTSC, which PVM
 * does not trap, and the VMM's calibration), rt_sigaction (the handler table
 * lives in the shared page, where the VMM reads it to deliver a fault), brk
 * inside the memory the VMM has already given (growth past it, and shrinking,
 * which must zero pages, exit), anonymous private mmap from the VMM's pool
 * and munmap through the VMM's log (both in the shared page; a call they do
 * not fit exits), futex wakes (no other thread to wake), fcntl's descriptor
 * flags (from the VMM's list of open descriptors), reading the resource
 * limits, and the calls the VMM answers with a constant:
 * mprotect, set_robust_list (0) and rseq (-ENOSYS). They may clobber only
 * RAX, RCX and R11 as the kernel does; other registers are saved below the
 * red zone. RAX must still hold the call's number when a path gives up and
 * jumps to the slow path.
 * A bad pointer faults in the guest (SIGSEGV) where Linux would say EFAULT;
 * a pointer below NIDO_VMM_USER_START goes to the VMM, which checks it.
 * They return as the mode SYSCALL entered requires, read from CS, so the
 * page works from the first call on PVM and on stock KVM alike. */

#include "syscall_entry_abi.h"

/* Values from <sys/mman.h>, <linux/futex.h>, <fcntl.h> and
 * <sys/resource.h>; those headers are not for the assembler. */
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
#define MAP_STACK 0x20000
#define FUTEX_WAKE 1
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define F_GETFD 1
#define F_SETFD 2
#define F_SETFL 4
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7

#define SHARED(field) qword ptr [NIDO_VMM_SHARED_PAGE + NIDO_VMM_SHARED_##field]
#define SCRATCH_RDX qword ptr [rsp - 136]
#define SCRATCH_RBX qword ptr [rsp - 144]
#define SCRATCH_RAX qword ptr [rsp - 152]

        .intel_syntax noprefix
        .section .rodata, "a"

/* Returns to RCX with RFLAGS from R11, RAX kept: in user mode (PVM), popfq
 * through the stack below the red zone; in kernel mode (stock KVM), sysretq. */
.macro RETURN
        mov SCRATCH_RAX, rax
        mov eax, cs
        test al, 3
        mov rax, SCRATCH_RAX
        jz 9f
        lea rsp, [rsp - 128]
        push r11
        popfq
        lea rsp, [rsp + 128]
        jmp rcx
9:      sysretq
.endm

.macro SLOW_PATH
        .balign 16, 0xcc
        out NIDO_VMM_SYSCALL_PORT, al
        sysretq
.endm

/* One 8-byte word of rt_sigaction: the new word (if any) replaces the table's,
 * the old one goes to oact (if any). Reading before writing keeps act == oact
 * right, as in Linux. RBX points at the table entry. */
.macro SIGACTION_WORD offset
        mov rax, [rbx + \offset]
        test rsi, rsi
        jz 1f
        mov rax, [rsi + \offset]
        xchg rax, [rbx + \offset]
1:      test rdx, rdx
        jz 2f
        mov [rdx + \offset], rax
2:
.endm

        .balign 16
        .globl nido_vmm_entry_start, nido_vmm_entry_end
nido_vmm_entry_start:
        jmp 10f
        SLOW_PATH
10:     cmp eax, 14
        je 20f
        cmp eax, 228
        je 30f
        cmp eax, 39
        je 11f
        cmp eax, 186
        je 11f
        cmp eax, 218
        je 11f
        cmp eax, 13
        je 50f
        cmp eax, 12
        je 40f
        cmp eax, 9
        je 60f
        cmp eax, 202
        je 80f
        cmp eax, 72
        je 90f
        cmp eax, 302
        je 95f
        cmp eax, 11
        je 70f
        cmp eax, 10                     /* mprotect: not enforced */
        je 12f
        cmp eax, 273                    /* set_robust_list: one thread, nothing to do */
        je 12f
        cmp eax, 334                    /* rseq: glibc runs without it */
        je 13f
        jmp nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
11:     mov eax, 1
        RETURN
12:     xor eax, eax
        RETURN
13:     mov rax, -38                    /* -ENOSYS */
        RETURN

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
20:     cmp r10, 8
        jne nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test rsi, rsi
        jz 22f
        cmp rsi, rdx
        je nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 2
        ja nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
22:     test rdx, rdx
        jz 23f
        cmp rdx, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov rax, SHARED(SIGMASK)
        mov [rdx], rax
23:     test rsi, rsi
        jz 27f
        mov rax, [rsi]
        cmp edi, 1
        je 25f
        jb 24f
        mov SHARED(SIGMASK), rax
        jmp 26f
24:     or SHARED(SIGMASK), rax
        jmp 26f
25:     not rax
        and SHARED(SIGMASK), rax
26:     mov rax, ~((1 << 8) | (1 << 18))   /* SIGKILL and SIGSTOP stay unblocked */
        and SHARED(SIGMASK), rax
27:     xor eax, eax
        RETURN

/* clock_gettime(clock, ts) */
30:     cmp rsi, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp SHARED(TSC_MULT), 0
        je nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov SCRATCH_RDX, rdx
        mov SCRATCH_RBX, rbx
        cmp edi, 1                      /* MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE */
        je 31f
        cmp edi, 4
        je 31f
        cmp edi, 6
        je 31f
        cmp edi, 0                      /* REALTIME, REALTIME_COARSE */
        je 32f
        cmp edi, 5
        je 32f
        cmp edi, 7                      /* BOOTTIME */
        je 33f
        mov rdx, SCRATCH_RDX
        mov rbx, SCRATCH_RBX
        jmp nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
31:     mov rbx, SHARED(MONOTONIC)
        jmp 34f
32:     mov rbx, SHARED(REALTIME)
        jmp 34f
33:     mov rbx, SHARED(BOOTTIME)
34:     rdtsc
        shl rdx, 32
        or rax, rdx
        sub rax, SHARED(TSC_BASE)
        mul SHARED(TSC_MULT)
        shrd rax, rdx, 32
        add rax, rbx
        xor edx, edx
        mov rbx, 1000000000
        div rbx
        mov [rsi], rax
        mov [rsi + 8], rdx
        mov rdx, SCRATCH_RDX
        mov rbx, SCRATCH_RBX
        xor eax, eax
        RETURN

/* brk(addr): below the start it is a query; growth inside BRK_TOP is free. */
40:     cmp rdi, SHARED(BRK_START)
        jb 41f
        cmp rdi, SHARED(BRK_CURRENT)
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp rdi, SHARED(BRK_TOP)
        jae nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov SHARED(BRK_CURRENT), rdi
41:     mov rax, SHARED(BRK_CURRENT)
        RETURN

/* rt_sigaction(signal, act, oact, sigsetsize) */
50:     cmp r10, 8
        jne nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 1
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 64
        ja nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test rsi, rsi
        jz 51f
        cmp rsi, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 9                      /* SIGKILL and SIGSTOP keep their action */
        je nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 19
        je nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
51:     test rdx, rdx
        jz 52f
        cmp rdx, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
52:     mov SCRATCH_RBX, rbx
        lea eax, [rdi - 1]
        shl eax, 5
        lea rbx, [rax + NIDO_VMM_SHARED_PAGE + NIDO_VMM_SHARED_SIGACTIONS]
        SIGACTION_WORD 0
        SIGACTION_WORD 8
        SIGACTION_WORD 16
        SIGACTION_WORD 24
        mov rbx, SCRATCH_RBX
        xor eax, eax
        RETURN

/* mmap(addr, len, prot, flags, fd, offset): private anonymous memory (the
 * hint ignored, as the VMM does) from the top of the pool, whose pages are
 * zero. MAP_FIXED, files, and a length the pool cannot give exit. */
60:     test r10, ~(MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK)
        jnz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test r10, MAP_PRIVATE
        jz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test r10, MAP_ANONYMOUS
        jz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test r9, 0xfff
        jnz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        lea rax, [rsi + 0xfff]
        and rax, -0x1000                /* 0 for a length of 0 or one that wraps */
        jz 62f
        mov SCRATCH_RDX, rdx
        mov rdx, SHARED(POOL_NEXT)
        sub rdx, SHARED(POOL_LOW)
        jb 61f                          /* a scribbled pool */
        cmp rdx, rax
        jb 61f                          /* too little left */
        neg rax
        add rax, SHARED(POOL_NEXT)
        mov SHARED(POOL_NEXT), rax
        mov rdx, SCRATCH_RDX
        RETURN
61:     mov rdx, SCRATCH_RDX
62:     mov eax, 9
        jmp nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET

/* munmap(addr, len): logged for the VMM, which checks the range at the next
 * exit; bad ranges of the kind it can see now exit at once. */
70:     test rdi, 0xfff
        jnz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        test rsi, rsi
        jz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp rdi, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov rax, SHARED(UNMAP_COUNT)
        cmp rax, NIDO_VMM_UNMAP_SLOTS
        jae 71f
        shl rax, 4
        mov [rax + NIDO_VMM_SHARED_PAGE + NIDO_VMM_SHARED_UNMAPS], rdi
        mov [rax + NIDO_VMM_SHARED_PAGE + NIDO_VMM_SHARED_UNMAPS + 8], rsi
        inc SHARED(UNMAP_COUNT)
        xor eax, eax
        RETURN
71:     mov eax, 11
        jmp nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET

/* futex(addr, op, ...): a wake finds no waiter, as the guest has one thread;
 * a wait exits (the VMM ends a run that would wait forever). */
80:     mov eax, esi
        and eax, ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
        cmp eax, FUTEX_WAKE
        je 81f
        cmp eax, FUTEX_WAKE_BITSET
        je 81f
        mov eax, 202
        jmp nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
81:     xor eax, eax
        RETURN

/* fcntl(fd, cmd, arg): F_GETFD, F_SETFD and F_SETFL give 0 on an open
 * descriptor, -EBADF on a closed one (below 64; close-on-exec and the status
 * flags mean nothing with no exec and no host descriptor to change). */
90:     cmp esi, F_GETFD
        je 91f
        cmp esi, F_SETFD
        je 91f
        cmp esi, F_SETFL
        jne nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
91:     cmp edi, 64
        jae nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov rax, SHARED(OPEN_FDS)
        bt rax, rdi
        mov rax, -9                     /* -EBADF */
        jnc 92f
        xor eax, eax
92:     RETURN

/* prlimit64(pid, resource, new, old): reading the fixed limits. */
95:     test rdx, rdx
        jnz nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp r10, NIDO_VMM_USER_START
        jb nido_vmm_entry_start + NIDO_VMM_SLOW_PATH_OFFSET
        mov rax, -1                     /* RLIM_INFINITY */
        mov [r10 + 8], rax
        cmp esi, RLIMIT_STACK
        jne 96f
        mov eax, NIDO_VMM_STACK_LIMIT
        jmp 97f
96:     cmp esi, RLIMIT_NOFILE
        jne 97f
        mov eax, NIDO_VMM_FILE_LIMIT
        mov [r10 + 8], rax
97:     mov [r10], rax
        xor eax, eax
        RETURN
nido_vmm_entry_end:

        .section .note.GNU-stack, "", @progbits
