/*
 * linux.h - the parts of the Linux i386 user ABI that mematlas implements:
 * error numbers, flags and the layouts of the structures system calls read
 * and write. The numbers are Linux's (they are what programs were built
 * with). tests/tree/test_linux_abi.py compiles every LINUX_ constant and
 * every structure here against the i386 C library's headers and the
 * kernel's own (<asm/...>, <linux/...>): each constant must equal its
 * namesake there, each structure's size and every field's offset and size
 * must match. Where the C library and the kernel differ (the kernel's
 * struct sigaction, struct termios, SIGRTMIN), the kernel's is what a
 * system call sees, and is what is here.
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
#define LINUX_ENXIO         6
#define LINUX_E2BIG         7
#define LINUX_ENOEXEC       8
#define LINUX_EBADF         9
#define LINUX_ECHILD        10
#define LINUX_EAGAIN        11
#define LINUX_EWOULDBLOCK   LINUX_EAGAIN
#define LINUX_ENOMEM        12
#define LINUX_EACCES        13
#define LINUX_EFAULT        14
#define LINUX_EBUSY         16
#define LINUX_EEXIST        17
#define LINUX_EXDEV         18
#define LINUX_ENODEV        19
#define LINUX_ENOTDIR       20
#define LINUX_EISDIR        21
#define LINUX_EINVAL        22
#define LINUX_ENFILE        23
#define LINUX_EMFILE        24
#define LINUX_ENOTTY        25
#define LINUX_EFBIG         27
#define LINUX_ENOSPC        28
#define LINUX_ESPIPE        29
#define LINUX_EROFS         30
#define LINUX_EMLINK        31
#define LINUX_EPIPE         32
#define LINUX_ERANGE        34
#define LINUX_EDEADLK       35
#define LINUX_ENAMETOOLONG  36
#define LINUX_ENOLCK        37
#define LINUX_ENOSYS        38
#define LINUX_ENOTEMPTY     39
#define LINUX_ELOOP         40
#define LINUX_ENODATA       61
#define LINUX_EOVERFLOW     75
#define LINUX_EOPNOTSUPP    95
#define LINUX_ETIMEDOUT     110

/* mmap2, mprotect, munmap, mremap, madvise */
#define LINUX_PROT_NONE         0x0
#define LINUX_PROT_READ         0x1
#define LINUX_PROT_WRITE        0x2
#define LINUX_PROT_EXEC         0x4
#define LINUX_PROT_GROWSDOWN    0x01000000
#define LINUX_PROT_GROWSUP      0x02000000
#define LINUX_MAP_SHARED        0x01
#define LINUX_MAP_PRIVATE       0x02
#define LINUX_MAP_SHARED_VALIDATE 0x03
#define LINUX_MAP_TYPE          0x0f
#define LINUX_MAP_FIXED         0x10
#define LINUX_MAP_ANONYMOUS     0x20
#define LINUX_MAP_GROWSDOWN     0x0100
#define LINUX_MAP_DENYWRITE     0x0800
#define LINUX_MAP_EXECUTABLE    0x1000
#define LINUX_MAP_LOCKED        0x2000
#define LINUX_MAP_NORESERVE     0x4000
#define LINUX_MAP_POPULATE      0x8000
#define LINUX_MAP_NONBLOCK      0x10000
#define LINUX_MAP_STACK         0x20000
#define LINUX_MAP_HUGETLB       0x40000
#define LINUX_MAP_FIXED_NOREPLACE 0x100000
#define LINUX_MREMAP_MAYMOVE    1
#define LINUX_MREMAP_FIXED      2
#define LINUX_MADV_NORMAL       0
#define LINUX_MADV_RANDOM       1
#define LINUX_MADV_SEQUENTIAL   2
#define LINUX_MADV_WILLNEED     3
#define LINUX_MADV_DONTNEED     4
#define LINUX_MADV_FREE         8
#define LINUX_MADV_REMOVE       9
#define LINUX_MADV_DONTFORK     10
#define LINUX_MADV_DOFORK       11
#define LINUX_MADV_HUGEPAGE     14
#define LINUX_MADV_NOHUGEPAGE   15
#define LINUX_MADV_DONTDUMP     16
#define LINUX_MADV_DODUMP       17

/* open, openat: the flags are octal in the kernel's headers, as here. */
#define LINUX_O_ACCMODE     00000003
#define LINUX_O_RDONLY      00000000
#define LINUX_O_WRONLY      00000001
#define LINUX_O_RDWR        00000002
#define LINUX_O_CREAT       00000100
#define LINUX_O_EXCL        00000200
#define LINUX_O_NOCTTY      00000400
#define LINUX_O_TRUNC       00001000
#define LINUX_O_APPEND      00002000
#define LINUX_O_NONBLOCK    00004000
#define LINUX_O_DSYNC       00010000
#define LINUX_O_DIRECT      00040000
#define LINUX_O_LARGEFILE   00100000
#define LINUX_O_DIRECTORY   00200000
#define LINUX_O_NOFOLLOW    00400000
#define LINUX_O_NOATIME     01000000
#define LINUX_O_CLOEXEC     02000000
#define LINUX_O_SYNC        04010000
#define LINUX_O_PATH        010000000
#define LINUX_O_TMPFILE     020200000
#define LINUX_AT_FDCWD              (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW   0x100
#define LINUX_AT_REMOVEDIR          0x200
#define LINUX_AT_SYMLINK_FOLLOW     0x400
#define LINUX_AT_NO_AUTOMOUNT       0x800
#define LINUX_AT_EMPTY_PATH         0x1000
#define LINUX_AT_STATX_SYNC_TYPE    0x6000
#define LINUX_AT_STATX_SYNC_AS_STAT 0x0000
#define LINUX_AT_STATX_FORCE_SYNC   0x2000
#define LINUX_AT_STATX_DONT_SYNC    0x4000
/* readlink, getcwd: the longest path, its NUL included. */
#define LINUX_PATH_MAX      4096

/* fcntl64 */
#define LINUX_F_DUPFD       0
#define LINUX_F_GETFD       1
#define LINUX_F_SETFD       2
#define LINUX_F_GETFL       3
#define LINUX_F_SETFL       4
#define LINUX_F_GETLK       5
#define LINUX_F_SETLK       6
#define LINUX_F_SETLKW      7
#define LINUX_F_SETOWN      8
#define LINUX_F_GETOWN      9
#define LINUX_F_GETLK64     12
#define LINUX_F_SETLK64     13
#define LINUX_F_SETLKW64    14
#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_FD_CLOEXEC    1

/* ioctl: terminals */
#define LINUX_TCGETS        0x5401
#define LINUX_TCSETS        0x5402
#define LINUX_TCSETSW       0x5403
#define LINUX_TCSETSF       0x5404
#define LINUX_TIOCGPGRP     0x540F
#define LINUX_TIOCSPGRP     0x5410
#define LINUX_TIOCGWINSZ    0x5413
#define LINUX_TIOCSWINSZ    0x5414
#define LINUX_FIONREAD      0x541B
#define LINUX_FIONBIO       0x5421
#define LINUX_FIONCLEX      0x5450
#define LINUX_FIOCLEX       0x5451

/* clone: the low byte is the signal sent to the parent at exit. */
#define LINUX_CSIGNAL               0x000000ff
#define LINUX_CLONE_VM              0x00000100
#define LINUX_CLONE_FS              0x00000200
#define LINUX_CLONE_FILES           0x00000400
#define LINUX_CLONE_SIGHAND         0x00000800
#define LINUX_CLONE_PIDFD           0x00001000
#define LINUX_CLONE_PTRACE          0x00002000
#define LINUX_CLONE_VFORK           0x00004000
#define LINUX_CLONE_PARENT          0x00008000
#define LINUX_CLONE_THREAD          0x00010000
#define LINUX_CLONE_NEWNS           0x00020000
#define LINUX_CLONE_SYSVSEM         0x00040000
#define LINUX_CLONE_SETTLS          0x00080000
#define LINUX_CLONE_PARENT_SETTID   0x00100000
#define LINUX_CLONE_CHILD_CLEARTID  0x00200000
#define LINUX_CLONE_DETACHED        0x00400000
#define LINUX_CLONE_UNTRACED        0x00800000
#define LINUX_CLONE_CHILD_SETTID    0x01000000
#define LINUX_CLONE_NEWCGROUP       0x02000000
#define LINUX_CLONE_NEWUTS          0x04000000
#define LINUX_CLONE_NEWIPC          0x08000000
#define LINUX_CLONE_NEWUSER         0x10000000
#define LINUX_CLONE_NEWPID          0x20000000
#define LINUX_CLONE_NEWNET          0x40000000
#define LINUX_CLONE_IO              0x80000000u

/* futex */
#define LINUX_FUTEX_WAIT            0
#define LINUX_FUTEX_WAKE            1
#define LINUX_FUTEX_FD              2
#define LINUX_FUTEX_REQUEUE         3
#define LINUX_FUTEX_CMP_REQUEUE     4
#define LINUX_FUTEX_WAKE_OP         5
#define LINUX_FUTEX_LOCK_PI         6
#define LINUX_FUTEX_UNLOCK_PI       7
#define LINUX_FUTEX_TRYLOCK_PI      8
#define LINUX_FUTEX_WAIT_BITSET     9
#define LINUX_FUTEX_WAKE_BITSET     10
#define LINUX_FUTEX_WAIT_REQUEUE_PI 11
#define LINUX_FUTEX_CMP_REQUEUE_PI  12
#define LINUX_FUTEX_LOCK_PI2        13
#define LINUX_FUTEX_PRIVATE_FLAG    128
#define LINUX_FUTEX_CLOCK_REALTIME  256
#define LINUX_FUTEX_CMD_MASK        (~(LINUX_FUTEX_PRIVATE_FLAG | LINUX_FUTEX_CLOCK_REALTIME))
#define LINUX_FUTEX_BITSET_MATCH_ANY 0xffffffffu
/* FUTEX_WAKE_OP's operation word: op << 28 | cmp << 24 | oparg << 12 | cmparg. */
#define LINUX_FUTEX_OP_SET          0
#define LINUX_FUTEX_OP_ADD          1
#define LINUX_FUTEX_OP_OR           2
#define LINUX_FUTEX_OP_ANDN         3
#define LINUX_FUTEX_OP_XOR          4
#define LINUX_FUTEX_OP_OPARG_SHIFT  8   /* or'ed into op: oparg is a shift count */
#define LINUX_FUTEX_OP_CMP_EQ       0
#define LINUX_FUTEX_OP_CMP_NE       1
#define LINUX_FUTEX_OP_CMP_LT       2
#define LINUX_FUTEX_OP_CMP_LE       3
#define LINUX_FUTEX_OP_CMP_GT       4
#define LINUX_FUTEX_OP_CMP_GE       5
/* The futex word of a robust or priority-inheritance lock. */
#define LINUX_FUTEX_WAITERS         0x80000000u
#define LINUX_FUTEX_OWNER_DIED      0x40000000
#define LINUX_FUTEX_TID_MASK        0x3fffffff

/* clocks */
#define LINUX_CLOCK_REALTIME            0
#define LINUX_CLOCK_MONOTONIC           1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID  2
#define LINUX_CLOCK_THREAD_CPUTIME_ID   3
#define LINUX_CLOCK_MONOTONIC_RAW       4
#define LINUX_CLOCK_REALTIME_COARSE     5
#define LINUX_CLOCK_MONOTONIC_COARSE    6
#define LINUX_CLOCK_BOOTTIME            7
#define LINUX_CLOCK_REALTIME_ALARM      8
#define LINUX_CLOCK_BOOTTIME_ALARM      9
#define LINUX_CLOCK_TAI                 11
#define LINUX_TIMER_ABSTIME             1

/* resource limits: getrlimit/setrlimit take struct linux_rlimit, whose
 * infinity is 32 bits; prlimit64 takes struct linux_rlimit64. */
#define LINUX_RLIMIT_CPU        0
#define LINUX_RLIMIT_FSIZE      1
#define LINUX_RLIMIT_DATA       2
#define LINUX_RLIMIT_STACK      3
#define LINUX_RLIMIT_CORE       4
#define LINUX_RLIMIT_RSS        5
#define LINUX_RLIMIT_NPROC      6
#define LINUX_RLIMIT_NOFILE     7
#define LINUX_RLIMIT_MEMLOCK    8
#define LINUX_RLIMIT_AS         9
#define LINUX_RLIMIT_LOCKS      10
#define LINUX_RLIMIT_SIGPENDING 11
#define LINUX_RLIMIT_MSGQUEUE   12
#define LINUX_RLIMIT_NICE       13
#define LINUX_RLIMIT_RTPRIO     14
#define LINUX_RLIMIT_RTTIME     15
#define LINUX_RLIM_NLIMITS      16
#define LINUX_RLIM_INFINITY     0xFFFFFFFFu
#define LINUX_RLIM64_INFINITY   0xFFFFFFFFFFFFFFFFull

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
/* The kernel's real-time signals are 32 to 64; the C library keeps the
 * first two (or three) for itself and calls its first SIGRTMIN. */
#define LINUX_SIGRTMIN  32
#define LINUX_SIGRTMAX  64
#define LINUX_NSIG      64              /* signals 1 to 64: the kernel's _NSIG */
#define LINUX_SIGSET_BYTES (LINUX_NSIG / 8)    /* rt_sigaction's sigsetsize */

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
#define LINUX_SA_RESTORER   0x04000000u
#define LINUX_SA_ONSTACK    0x08000000u
#define LINUX_SA_RESTART    0x10000000u
#define LINUX_SA_NODEFER    0x40000000u
#define LINUX_SA_RESETHAND  0x80000000u
#define LINUX_SS_ONSTACK    1
#define LINUX_SS_DISABLE    2
#define LINUX_MINSIGSTKSZ   2048
#define LINUX_SIGSTKSZ      8192
/* siginfo's si_code: who sent a signal, or why a fault raised it. */
#define LINUX_SI_USER       0
#define LINUX_SI_KERNEL     0x80
#define LINUX_SI_QUEUE      (-1)
#define LINUX_SI_TKILL      (-6)
#define LINUX_ILL_ILLOPC    1
#define LINUX_ILL_PRVOPC    5
#define LINUX_FPE_INTDIV    1
#define LINUX_FPE_INTOVF    2
#define LINUX_SEGV_MAPERR   1
#define LINUX_SEGV_ACCERR   2
#define LINUX_BUS_ADRALN    1
#define LINUX_BUS_ADRERR    2
#define LINUX_TRAP_BRKPT    1

/* File modes, for fstat64/statx. */
#define LINUX_S_IFMT    0170000
#define LINUX_S_IFSOCK  0140000
#define LINUX_S_IFLNK   0120000
#define LINUX_S_IFREG   0100000
#define LINUX_S_IFBLK   0060000
#define LINUX_S_IFDIR   0040000
#define LINUX_S_IFCHR   0020000
#define LINUX_S_IFIFO   0010000

/* statx's mask: what the caller wants, what the kernel filled in. */
#define LINUX_STATX_TYPE        0x0001u
#define LINUX_STATX_MODE        0x0002u
#define LINUX_STATX_NLINK       0x0004u
#define LINUX_STATX_UID         0x0008u
#define LINUX_STATX_GID         0x0010u
#define LINUX_STATX_ATIME       0x0020u
#define LINUX_STATX_MTIME       0x0040u
#define LINUX_STATX_CTIME       0x0080u
#define LINUX_STATX_INO         0x0100u
#define LINUX_STATX_SIZE        0x0200u
#define LINUX_STATX_BLOCKS      0x0400u
#define LINUX_STATX_BASIC_STATS 0x07ffu
#define LINUX_STATX_BTIME       0x0800u
#define LINUX_STATX_MNT_ID      0x1000u

/* getrandom */
#define LINUX_GRND_NONBLOCK 1
#define LINUX_GRND_RANDOM   2
#define LINUX_GRND_INSECURE 4

/* rt_sigaction's struct, as the kernel (not the C library) sees it: the
 * C library's struct sigaction has a 128-byte mask and another order. */
struct linux_sigaction {
    uint32_t handler;
    uint32_t flags;
    uint32_t restorer;
    uint32_t mask[2];
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

/* set_robust_list's head (the C library registers one for every thread). */
struct linux_robust_list_head {
    uint32_t list;              /* the first entry; itself when empty */
    int32_t futex_offset;       /* from an entry to its futex word */
    uint32_t list_op_pending;
};

/* TCGETS and TCSETS: the kernel's struct termios, not the C library's
 * (which adds speed fields and a longer c_cc). */
#define LINUX_NCCS  19
struct linux_termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[LINUX_NCCS];
};

/* TIOCGWINSZ */
struct linux_winsize {
    uint16_t row, col, xpixel, ypixel;
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
    uint64_t mnt_id;
    uint32_t dio_mem_align, dio_offset_align;
    uint64_t spare3[12];
};

_Static_assert(sizeof(struct linux_stat64) == 96, "struct stat64 is 96 bytes on i386");
_Static_assert(sizeof(struct linux_statx) == 256, "struct statx is 256 bytes");
_Static_assert(sizeof(struct linux_utsname) == 390, "struct utsname is 6 x 65 bytes");
_Static_assert(sizeof(struct linux_termios) == 36, "the kernel's struct termios is 36 bytes");


/* access, lseek, termios flags, getdents64 (the file calls) */
#define LINUX_AT_EACCESS            0x200
#define LINUX_F_OK  0
#define LINUX_X_OK  1
#define LINUX_W_OK  2
#define LINUX_R_OK  4
#define LINUX_SEEK_SET  0
#define LINUX_SEEK_CUR  1
#define LINUX_SEEK_END  2
#define LINUX_ICRNL     0x100
#define LINUX_IXON      0x400
#define LINUX_IUTF8     0x4000
#define LINUX_OPOST     0x1
#define LINUX_ONLCR     0x4
#define LINUX_B38400    0xf
#define LINUX_CS8       0x30
#define LINUX_CREAD     0x80
#define LINUX_ISIG      0x1
#define LINUX_ICANON    0x2
#define LINUX_ECHO      0x8
#define LINUX_ECHOE     0x10
#define LINUX_ECHOK     0x20
#define LINUX_ECHOCTL   0x200
#define LINUX_ECHOKE    0x800
#define LINUX_IEXTEN    0x8000
#define LINUX_VINTR     0
#define LINUX_VQUIT     1
#define LINUX_VERASE    2
#define LINUX_VKILL     3
#define LINUX_VEOF      4
#define LINUX_VMIN      6
#define LINUX_VSTART    8
#define LINUX_VSTOP     9
#define LINUX_VSUSP     10
#define LINUX_VREPRINT  12
#define LINUX_VDISCARD  13
#define LINUX_VWERASE   14
#define LINUX_VLNEXT    15
#define LINUX_DT_CHR    2
#define LINUX_DT_DIR    4
#define LINUX_DT_REG    8
#define LINUX_DT_LNK    10

/* getdents64's record: the name follows, NUL-terminated, and the record
 * is padded to a multiple of 8 bytes. */
struct linux_dirent64 {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
} __attribute__((packed));


/* Signals: restarts, flags, codes (signal.c, sys_signal.c) */
#define LINUX_ERESTARTSYS           512     /* restart when the handler has SA_RESTART */
#define LINUX_ERESTARTNOINTR        513     /* always restart */
#define LINUX_ERESTARTNOHAND        514     /* restart only when no handler ran */
#define LINUX_ERESTART_RESTARTBLOCK 516     /* EINTR here: no restart_syscall */
#define LINUX_SA_KNOWN      (LINUX_SA_NOCLDSTOP | LINUX_SA_NOCLDWAIT | LINUX_SA_SIGINFO | \
                             LINUX_SA_UNSUPPORTED | LINUX_SA_EXPOSE_TAGBITS | \
                             LINUX_SA_ONSTACK | LINUX_SA_RESTORER | LINUX_SA_RESTART | \
                             LINUX_SA_NODEFER | LINUX_SA_RESETHAND)
#define LINUX_SS_AUTODISARM (1u << 31)
#define LINUX_ILL_ILLOPN    2
#define LINUX_FPE_FLTDIV    3
#define LINUX_FPE_FLTOVF    4
#define LINUX_FPE_FLTUND    5
#define LINUX_FPE_FLTRES    6
#define LINUX_FPE_FLTINV    7

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
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t is 128 bytes");

#endif
