/*
 * linux.h - the parts of the Linux i386 user ABI that mematlas implements:
 * error numbers, flags and the layouts of the structures system calls read
 * and write. The numbers are Linux's (they are what programs were built
 * with); tests/host checks them against the i386 C library's own headers.
 */
#ifndef SCHED_LINUX_H
#define SCHED_LINUX_H

#include <stdint.h>

/* Error numbers, returned negated in eax. */
#define LINUX_EPERM         1
#define LINUX_ENOENT        2
#define LINUX_ESRCH         3
#define LINUX_EINTR         4
#define LINUX_EIO           5
#define LINUX_EBADF         9
#define LINUX_ECHILD        10
#define LINUX_EAGAIN        11
#define LINUX_ENOMEM        12
#define LINUX_EACCES        13
#define LINUX_EFAULT        14
#define LINUX_EEXIST        17
#define LINUX_ENODEV        19
#define LINUX_ENOTDIR       20
#define LINUX_EISDIR        21
#define LINUX_EINVAL        22
#define LINUX_EMFILE        24
#define LINUX_ENOTTY        25
#define LINUX_ESPIPE        29
#define LINUX_EROFS         30
#define LINUX_ERANGE        34
#define LINUX_ENAMETOOLONG  36
#define LINUX_ENOSYS        38
#define LINUX_ETIMEDOUT     110
/* Never seen by a program: a call interrupted by a signal returns one of
 * these, and signal delivery turns it into EINTR or a restart. */
#define LINUX_ERESTARTSYS           512     /* restart when the handler has SA_RESTART */
#define LINUX_ERESTARTNOINTR        513     /* always restart */
#define LINUX_ERESTARTNOHAND        514     /* restart only when no handler ran */
#define LINUX_ERESTART_RESTARTBLOCK 516     /* EINTR here: no restart_syscall */

/* mmap2, mprotect */
#define LINUX_PROT_READ     0x1
#define LINUX_PROT_WRITE    0x2
#define LINUX_PROT_EXEC     0x4
#define LINUX_MAP_SHARED    0x01
#define LINUX_MAP_PRIVATE   0x02
#define LINUX_MAP_FIXED     0x10
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_MAP_NORESERVE 0x4000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000

/* open */
#define LINUX_O_ACCMODE     0x3
#define LINUX_O_RDONLY      0x0
#define LINUX_O_DIRECTORY   0x10000
#define LINUX_AT_FDCWD      (-100)
#define LINUX_AT_EMPTY_PATH 0x1000

/* fcntl64 */
#define LINUX_F_DUPFD       0
#define LINUX_F_GETFD       1
#define LINUX_F_SETFD       2
#define LINUX_F_GETFL       3
#define LINUX_F_SETFL       4
#define LINUX_F_DUPFD_CLOEXEC 1030

/* ioctl */
#define LINUX_TCGETS        0x5401
#define LINUX_TIOCGWINSZ    0x5413

/* clone */
#define LINUX_CSIGNAL               0x000000ff
#define LINUX_CLONE_VM              0x00000100
#define LINUX_CLONE_FS              0x00000200
#define LINUX_CLONE_FILES           0x00000400
#define LINUX_CLONE_SIGHAND         0x00000800
#define LINUX_CLONE_THREAD          0x00010000
#define LINUX_CLONE_SYSVSEM         0x00040000
#define LINUX_CLONE_SETTLS          0x00080000
#define LINUX_CLONE_PARENT_SETTID   0x00100000
#define LINUX_CLONE_CHILD_CLEARTID  0x00200000
#define LINUX_CLONE_DETACHED        0x00400000
#define LINUX_CLONE_CHILD_SETTID    0x01000000

/* futex */
#define LINUX_FUTEX_WAIT            0
#define LINUX_FUTEX_WAKE            1
#define LINUX_FUTEX_REQUEUE         3
#define LINUX_FUTEX_CMP_REQUEUE     4
#define LINUX_FUTEX_WAKE_OP         5
#define LINUX_FUTEX_WAIT_BITSET     9
#define LINUX_FUTEX_WAKE_BITSET     10
#define LINUX_FUTEX_PRIVATE_FLAG    128
#define LINUX_FUTEX_CLOCK_REALTIME  256
#define LINUX_FUTEX_CMD_MASK        (~(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME))

/* clocks */
#define LINUX_CLOCK_REALTIME            0
#define LINUX_CLOCK_MONOTONIC           1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID  2
#define LINUX_CLOCK_THREAD_CPUTIME_ID   3
#define LINUX_CLOCK_MONOTONIC_RAW       4
#define LINUX_CLOCK_REALTIME_COARSE     5
#define LINUX_CLOCK_MONOTONIC_COARSE    6
#define LINUX_CLOCK_BOOTTIME            7
#define LINUX_TIMER_ABSTIME             1

/* resource limits */
#define LINUX_RLIMIT_STACK      3
#define LINUX_RLIMIT_NOFILE     7
#define LINUX_RLIMIT_AS         9
#define LINUX_RLIM_INFINITY     0xFFFFFFFFu

/* signals */
#define LINUX_SIGHUP    1
#define LINUX_SIGINT    2
#define LINUX_SIGQUIT   3
#define LINUX_SIGILL    4
#define LINUX_SIGTRAP   5
#define LINUX_SIGABRT   6
#define LINUX_SIGBUS    7
#define LINUX_SIGFPE    8
#define LINUX_SIGKILL   9
#define LINUX_SIGUSR1   10
#define LINUX_SIGSEGV   11
#define LINUX_SIGUSR2   12
#define LINUX_SIGPIPE   13
#define LINUX_SIGALRM   14
#define LINUX_SIGTERM   15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD   17
#define LINUX_SIGCONT   18
#define LINUX_SIGSTOP   19
#define LINUX_SIGTSTP   20
#define LINUX_SIGTTIN   21
#define LINUX_SIGTTOU   22
#define LINUX_SIGURG    23
#define LINUX_SIGXCPU   24
#define LINUX_SIGXFSZ   25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF   27
#define LINUX_SIGWINCH  28
#define LINUX_SIGIO     29
#define LINUX_SIGPWR    30
#define LINUX_SIGSYS    31
#define LINUX_SIGRTMIN  32      /* the kernel's; glibc keeps 32 and 33 for itself */
#define LINUX_NSIG      64

#define LINUX_SIG_DFL   0u
#define LINUX_SIG_IGN   1u
#define LINUX_SIG_BLOCK     0
#define LINUX_SIG_UNBLOCK   1
#define LINUX_SIG_SETMASK   2
#define LINUX_SA_NOCLDSTOP  0x00000001u
#define LINUX_SA_NOCLDWAIT  0x00000002u
#define LINUX_SA_SIGINFO    0x00000004u
#define LINUX_SA_UNSUPPORTED 0x00000400u
#define LINUX_SA_EXPOSE_TAGBITS 0x00000800u
#define LINUX_SA_ONSTACK    0x08000000u
#define LINUX_SA_RESTORER   0x04000000u
#define LINUX_SA_RESTART    0x10000000u
#define LINUX_SA_NODEFER    0x40000000u
#define LINUX_SA_RESETHAND  0x80000000u
/* The flags sigaction keeps (UAPI_SA_FLAGS on x86): others read back as 0. */
#define LINUX_SA_KNOWN      (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_SIGINFO | \
                             LINUX_SA_UNSUPPORTED | LINUX_SA_EXPOSE_TAGBITS | \
                             LINUX_SA_ONSTACK | LINUX_SA_RESTORER | LINUX_SA_RESTART | \
                             LINUX_SA_NODEFER | LINUX_SA_RESETHAND)
#define LINUX_SS_ONSTACK    1
#define LINUX_SS_DISABLE    2
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_MINSIGSTKSZ   2048

/* si_code values */
#define LINUX_SI_USER       0       /* kill */
#define LINUX_SI_KERNEL     0x80    /* the kernel: a fault without finer detail */
#define LINUX_SI_QUEUE      (-1)
#define LINUX_SI_TKILL      (-6)    /* tkill, tgkill */
#define LINUX_ILL_ILLOPN    2
#define LINUX_FPE_INTDIV    1
#define LINUX_FPE_FLTDIV    3
#define LINUX_FPE_FLTOVF    4
#define LINUX_FPE_FLTUND    5
#define LINUX_FPE_FLTRES    6
#define LINUX_FPE_FLTINV    7
#define LINUX_SEGV_MAPERR   1       /* no mapping at the address */
#define LINUX_SEGV_ACCERR   2       /* a mapping that does not allow the access */
#define LINUX_BUS_ADRALN    1

/* File modes, for fstat64/statx. */
#define LINUX_S_IFCHR   0020000
#define LINUX_S_IFREG   0100000

/* getrandom */
#define LINUX_GRND_NONBLOCK 1

/* rt_sigaction's struct, as the kernel (not the C library) sees it. */
struct linux_sigaction {
    uint32_t handler;
    uint32_t flags;
    uint32_t restorer;
    uint32_t mask[2];
};

/* sigaction's (67) older struct: a one-word mask, in another order. */
struct linux_old_sigaction {
    uint32_t handler;
    uint32_t mask;
    uint32_t flags;
    uint32_t restorer;
};

/* siginfo_t on i386 (128 bytes): the fields after si_code depend on it. */
struct linux_siginfo {
    int32_t signo, errno_value, code;
    union {
        struct { int32_t pid; uint32_t uid; } kill;     /* kill, tkill, tgkill */
        struct { uint32_t addr; } fault;                /* SIGSEGV, SIGBUS, SIGILL, SIGFPE */
        uint32_t pad[29];
    } f;
};

struct linux_stack_t {
    uint32_t sp;
    int32_t flags;
    uint32_t size;
};

struct linux_timespec32 {
    int32_t sec, nsec;
};

struct linux_timespec64 {
    int64_t sec;
    int64_t nsec;               /* only the low 32 bits count on i386 */
};

struct linux_timeval {
    int32_t sec, usec;
};

struct linux_rlimit {
    uint32_t cur, max;
};

struct linux_rlimit64 {
    uint64_t cur, max;
};

struct linux_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

/* set_thread_area's descriptor. */
struct linux_user_desc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags;             /* seg_32bit:1 contents:2 read_exec_only:1
                                   limit_in_pages:1 seg_not_present:1 useable:1 */
};
#define LINUX_UD_SEG_32BIT          0x01
#define LINUX_UD_CONTENTS_MASK      0x06
#define LINUX_UD_READ_EXEC_ONLY     0x08
#define LINUX_UD_LIMIT_IN_PAGES     0x10
#define LINUX_UD_SEG_NOT_PRESENT    0x20
#define LINUX_UD_USEABLE            0x40

struct linux_iovec {
    uint32_t base, len;
};

/* struct stat64 on i386 (96 bytes), as fstat64 writes it. */
struct linux_stat64 {
    uint64_t dev;
    uint32_t pad0;
    uint32_t ino32;
    uint32_t mode;
    uint32_t nlink;
    uint32_t uid, gid;
    uint64_t rdev;
    uint32_t pad3;
    int64_t size;
    uint32_t blksize;
    uint64_t blocks;
    uint32_t atime, atime_nsec;
    uint32_t mtime, mtime_nsec;
    uint32_t ctime, ctime_nsec;
    uint64_t ino;
} __attribute__((packed));

struct linux_statx_timestamp {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};

/* struct statx (256 bytes). */
struct linux_statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    struct linux_statx_timestamp atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare2[14];
};
#define LINUX_STATX_BASIC_STATS 0x7ffu

_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t is 128 bytes");
_Static_assert(sizeof(struct linux_stat64) == 96, "struct stat64 is 96 bytes on i386");
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");
_Static_assert(sizeof(struct linux_utsname) == 390, "struct utsname is 6 x 65 bytes");

#endif
