/* What the system-call entry page (syscall_entry.S) and the VMM agree on:
 * the guest-writable page the fast paths read and write, and its fields.
 * Plain #defines so that both the assembler and C++ can include it. */
#ifndef NIDO_HV_VMM_SYSCALL_ENTRY_ABI_H
#define NIDO_HV_VMM_SYSCALL_ENTRY_ABI_H

#define NIDO_VMM_SHARED_PAGE 0x57000
#define NIDO_VMM_SHARED_SIGMASK 0x00   /* the guest's blocked-signal mask, u64 */
#define NIDO_VMM_SHARED_TSC_MULT 0x08  /* ns = ((tsc - base) * mult) >> 32; 0: no fast clock */
#define NIDO_VMM_SHARED_TSC_BASE 0x10  /* the guest's TSC at calibration */
#define NIDO_VMM_SHARED_MONOTONIC 0x18 /* CLOCK_MONOTONIC in ns at TSC_BASE */
#define NIDO_VMM_SHARED_REALTIME 0x20  /* CLOCK_REALTIME in ns at TSC_BASE */
#define NIDO_VMM_SHARED_BOOTTIME 0x28  /* CLOCK_BOOTTIME in ns at TSC_BASE */
/* brk: the guest moves BRK_CURRENT within [BRK_START, BRK_TOP), memory the VMM
 * has already given it, zero above the current break's page. The VMM keeps its
 * own START and TOP and only adopts a CURRENT inside them. */
#define NIDO_VMM_SHARED_BRK_START 0x30
#define NIDO_VMM_SHARED_BRK_CURRENT 0x38
#define NIDO_VMM_SHARED_BRK_TOP 0x40
/* Anonymous mmap and munmap. The VMM hands the guest a pool of zero pages it
 * has claimed for it, [POOL_LOW, POOL_NEXT); the entry page's mmap takes pages
 * from the top by moving POOL_NEXT down. Its munmap appends (address, length)
 * to the UNMAPS log, UNMAP_COUNT entries long, which the VMM empties at the
 * next exit, taking the pages back; a full log exits. The VMM keeps its own
 * LOW and NEXT, only adopts a NEXT between them, and treats each logged
 * range as a munmap call. */
#define NIDO_VMM_SHARED_POOL_LOW 0x48
#define NIDO_VMM_SHARED_POOL_NEXT 0x50
#define NIDO_VMM_SHARED_UNMAP_COUNT 0x58
#define NIDO_VMM_SHARED_UNMAPS 0x400
#define NIDO_VMM_UNMAP_SLOTS 64 /* 16 bytes each, up to the signal table */
/* Bit N set when descriptor N (< 64) is open in the VMM's file table, which
 * rewrites it after every file system call: the entry page answers fcntl's
 * F_GETFD, F_SETFD and F_SETFL (0, as the VMM does) without an exit. */
#define NIDO_VMM_SHARED_OPEN_FDS 0x60
/* rt_sigaction's table: signal N's struct sigaction (handler, flags, restorer,
 * mask: 32 bytes) at SIGACTIONS + (N - 1) * 32, for N in 1..64. */
#define NIDO_VMM_SHARED_SIGACTIONS 0x800
#define NIDO_VMM_SIGACTION_BYTES 32

/* getrlimit/prlimit64's fixed answers (RLIM_INFINITY for the rest), given
 * by the VMM and by the entry page. */
#define NIDO_VMM_STACK_LIMIT 0x800000 /* RLIMIT_STACK's soft limit, 8 MiB */
#define NIDO_VMM_FILE_LIMIT 1024      /* RLIMIT_NOFILE, both limits */

#define NIDO_VMM_SYSCALL_PORT 0x80
/* The fast paths leave pointers below this to the VMM: on stock KVM they run
 * at CPL0, where the VMM's own writable pages (GDT, TSS) are not protected. */
#define NIDO_VMM_USER_START 0x400000
#define NIDO_VMM_SLOW_PATH_OFFSET 16 /* `out` then `sysretq`, in every variant of the page */

#endif
