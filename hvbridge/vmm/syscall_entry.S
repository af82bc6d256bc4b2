/* The system-call entry page, copied into the guest at LSTAR.
 *
 * Every variant starts with a jump, and at offset 16 holds the slow path:
 * `out NIDO_VMM_SYSCALL_PORT, al` (one exit to the VMM) then `sysretq`, which
 * only stock KVM reaches (there SYSCALL enters CPL0). On PVM SYSCALL stays at
 * CPL3 and the VMM sets RIP and RFLAGS itself (NOTES.md).
 *
 * The fast variants first answer a few calls inside the guest, which then
 * cost only the SYSCALL trap: ~2.7 us against ~22 us for an exit in NOTES.md,
 * 60-80 us against 100-250 us on this host under load (issue 7, goal 8):
 * getpid, gettid, set_tid_address (1), rt_sigprocmask (the mask lives in the
 * shared page) and clock_gettime for the usual clocks (from RDTSC, which PVM
 * does not trap, and the VMM's calibration). They may clobber only RAX, RCX
 * and R11 as the kernel does; other registers are saved below the red zone.
 * A bad pointer faults in the guest (SIGSEGV) where Linux would say EFAULT.
 * The VMM installs a fast variant once the first exit shows where SYSCALL
 * lands; they differ only in how they return. */

#include "syscall_entry_abi.h"

#define SHARED(field) qword ptr [NIDO_VMM_SHARED_PAGE + NIDO_VMM_SHARED_##field]
#define SCRATCH_RDX qword ptr [rsp - 136]
#define SCRATCH_RBX qword ptr [rsp - 144]

        .intel_syntax noprefix
        .section .rodata, "a"

/* Returns to RCX with RFLAGS from R11: in user mode, popfq through the stack
 * below the red zone; in kernel mode, sysretq. */
.macro RETURN_USER
        lea rsp, [rsp - 128]
        push r11
        popfq
        lea rsp, [rsp + 128]
        jmp rcx
.endm
.macro RETURN_KERNEL
        sysretq
.endm

.macro SLOW_PATH
        .balign 16, 0xcc
        out NIDO_VMM_SYSCALL_PORT, al
        sysretq
.endm

.macro FAST_VARIANT name, return
        .balign 16
        .globl \name\()_start, \name\()_end
\name\()_start:
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
        jmp \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
11:     mov eax, 1
        \return

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
20:     cmp r10, 8
        jne \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
        test rsi, rsi
        jz 22f
        cmp rsi, rdx
        je \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp edi, 2
        ja \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
22:     test rdx, rdx
        jz 23f
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
        \return

/* clock_gettime(clock, ts) */
30:     test rsi, rsi
        jz \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
        cmp SHARED(TSC_MULT), 0
        je \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
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
        jmp \name\()_start + NIDO_VMM_SLOW_PATH_OFFSET
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
        \return
\name\()_end:
.endm

/* Before the mode is known: every call exits. */
        .balign 16
        .globl nido_vmm_entry_plain_start, nido_vmm_entry_plain_end
nido_vmm_entry_plain_start:
        jmp nido_vmm_entry_plain_start + NIDO_VMM_SLOW_PATH_OFFSET
        SLOW_PATH
nido_vmm_entry_plain_end:

        FAST_VARIANT nido_vmm_entry_user, RETURN_USER
        FAST_VARIANT nido_vmm_entry_kernel, RETURN_KERNEL

        .section .note.GNU-stack, "", @progbits
