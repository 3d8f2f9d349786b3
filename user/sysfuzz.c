/*
 * sysfuzz.c - random system calls with random arguments, to shake a kernel's
 * system-call entry: whatever a program passes, the kernel must answer
 * (a result or an error) and go on, and the program must go on too.
 *
 *   sysfuzz [-n] [-v] [SEED] [COUNT]     (defaults 1 and 20000)
 *     -n   dry run: print the calls it would make, make none
 *     -v   print each call before making it (to find the one that hurts)
 *
 * Each call is syscall(nr, a1..a6) with nr in 0..450 (the i386 numbers) and
 * arguments drawn from: 0, small numbers, -1, lengths too big for anything,
 * addresses inside this program's stack and heap scratch buffers, kernel
 * addresses (0xC0000000 and up), and an address that is certainly not
 * mapped. All of it comes from SEED through a xorshift generator of its
 * own, so a seed names one exact sequence on any machine.
 *
 * Calls that would end, stop, block or disturb the program itself are
 * skipped (the table `skips`, one reason per entry), and so are calls that
 * as root could change the machine it runs on. It is meant for mematlas;
 * on Linux, run it only as an unprivileged user in a throwaway sandbox: the
 * calls that stay create, rename and delete files with random names in
 * the current directory.
 *
 * Output: "sysfuzz: seed S count C", "sysfuzz: progress I" every 1000
 * calls (flushed), with -n or -v "sysfuzz: call I nr A1 .. A6" per call
 * (addresses in the stack and heap scratch and the unmapped page as s+OFF,
 * h+OFF and u+OFF, so that a dry run's output does not depend on where
 * they are), then
 * "sysfuzz: results ok=N failed=N skipped=N" and "sysfuzz: done COUNT calls";
 * exit 0.
 *
 * Why the scratch buffers are safe to hand out: a system call writes only
 * where an argument points (calls that write through pointers they find in
 * memory are in the table), and at most as far as the length it is given,
 * which may be huge. Writes running on from the heap scratch only reach
 * malloc's unused top and then the end of the break; writes running on
 * from the stack scratch, which lives in main's frame, only reach main's
 * frame, its callers' and the strings above. So the scratch is allocated
 * after everything else the program uses, the loop runs in a function
 * called from main (below the scratch), and it ends the program with exit()
 * instead of returning to main.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user.h"

#define NR_MAX          450
#define SCRATCH         16384u
#define PROGRESS_EVERY  1000u

enum when {
    ALWAYS,     /* never made */
    STDIO,      /* not made when a1 is 0, 1 or 2 (the program's stdin, out, err) */
};

struct skip {
    unsigned nr;
    enum when when;
    const char *why;
};

static const struct skip skips[] = {
    /* Ending, replacing or multiplying the program. */
    { 1, ALWAYS, "exit: ends the program" },
    { 252, ALWAYS, "exit_group: ends the program" },
    { 2, ALWAYS, "fork: a second fuzzer" },
    { 190, ALWAYS, "vfork: a second fuzzer, on our stack" },
    { 120, ALWAYS, "clone: a thread or process running random code" },
    { 435, ALWAYS, "clone3: likewise" },
    { 11, ALWAYS, "execve: replaces the program" },
    { 358, ALWAYS, "execveat: replaces the program" },
    /* Signals to ourselves, and how signals are handled. */
    { 37, ALWAYS, "kill: a signal to ourselves or others" },
    { 238, ALWAYS, "tkill: likewise" },
    { 270, ALWAYS, "tgkill: likewise" },
    { 178, ALWAYS, "rt_sigqueueinfo: likewise" },
    { 335, ALWAYS, "rt_tgsigqueueinfo: likewise" },
    { 424, ALWAYS, "pidfd_send_signal: likewise" },
    { 27, ALWAYS, "alarm: SIGALRM ends us later" },
    { 104, ALWAYS, "setitimer: likewise" },
    { 260, ALWAYS, "timer_settime: a timer whose signal ends us" },
    { 409, ALWAYS, "timer_settime64: likewise" },
    { 48, ALWAYS, "signal: a handler at a random address" },
    { 67, ALWAYS, "sigaction: likewise" },
    { 174, ALWAYS, "rt_sigaction: likewise" },
    { 69, ALWAYS, "ssetmask: blocks signals" },
    { 126, ALWAYS, "sigprocmask: likewise" },
    { 175, ALWAYS, "rt_sigprocmask: likewise" },
    { 186, ALWAYS, "sigaltstack: a signal stack at a random address" },
    { 119, ALWAYS, "sigreturn: loads registers from random memory" },
    { 173, ALWAYS, "rt_sigreturn: likewise" },
    /* Waiting, maybe for ever. */
    { 29, ALWAYS, "pause: waits for a signal that never comes" },
    { 72, ALWAYS, "sigsuspend: likewise" },
    { 179, ALWAYS, "rt_sigsuspend: likewise" },
    { 177, ALWAYS, "rt_sigtimedwait: likewise, without a timeout" },
    { 421, ALWAYS, "rt_sigtimedwait_time64: likewise" },
    { 162, ALWAYS, "nanosleep: up to 2^31 seconds" },
    { 267, ALWAYS, "clock_nanosleep: likewise" },
    { 407, ALWAYS, "clock_nanosleep_time64: likewise" },
    { 82, ALWAYS, "select (old): no timeout blocks" },
    { 142, ALWAYS, "_newselect: likewise" },
    { 308, ALWAYS, "pselect6: likewise" },
    { 413, ALWAYS, "pselect6_time64: likewise" },
    { 168, ALWAYS, "poll: likewise" },
    { 309, ALWAYS, "ppoll: likewise" },
    { 414, ALWAYS, "ppoll_time64: likewise" },
    { 256, ALWAYS, "epoll_wait: likewise" },
    { 319, ALWAYS, "epoll_pwait: likewise" },
    { 441, ALWAYS, "epoll_pwait2: likewise" },
    { 240, ALWAYS, "futex: FUTEX_WAIT on a word that never changes" },
    { 422, ALWAYS, "futex_time64: likewise" },
    { 449, ALWAYS, "futex_waitv: likewise" },
    { 3, ALWAYS, "read: blocks on stdin; writes our memory" },
    { 145, ALWAYS, "readv: likewise, through pointers in memory" },
    { 180, ALWAYS, "pread64: writes as much of a file as asked" },
    { 333, ALWAYS, "preadv: through pointers in memory" },
    { 378, ALWAYS, "preadv2: likewise, and blocks on stdin" },
    { 313, ALWAYS, "splice: blocks on a pipe (stdin may be one)" },
    { 315, ALWAYS, "tee: likewise" },
    { 316, ALWAYS, "vmsplice: likewise" },
    { 187, ALWAYS, "sendfile: reads stdin, blocking" },
    { 239, ALWAYS, "sendfile64: likewise" },
    { 377, ALWAYS, "copy_file_range: appends to stdout if it is a file" },
    { 364, ALWAYS, "accept4: blocks" },
    { 371, ALWAYS, "recvfrom: blocks" },
    { 372, ALWAYS, "recvmsg: blocks; writes through pointers in memory" },
    { 337, ALWAYS, "recvmmsg: likewise" },
    { 417, ALWAYS, "recvmmsg_time64: likewise" },
    { 102, ALWAYS, "socketcall: all socket calls, accept and recv among them" },
    { 359, ALWAYS, "socket: sockets whose reads block, connects that wait" },
    { 360, ALWAYS, "socketpair: likewise" },
    { 42, ALWAYS, "pipe: a pipe we fill then block writing to" },
    { 143, ALWAYS, "flock: waits for a lock our other descriptor holds" },
    { 55, ALWAYS, "fcntl: F_OFD_SETLKW likewise; F_SETSIG: any signal on I/O" },
    { 221, ALWAYS, "fcntl64: likewise" },
    { 331, ALWAYS, "pipe2: likewise" },
    { 323, ALWAYS, "eventfd: writes to it can block" },
    { 328, ALWAYS, "eventfd2: likewise" },
    { 245, ALWAYS, "io_setup: AIO writes our memory later" },
    { 246, ALWAYS, "io_destroy: of AIO we do not do" },
    { 247, ALWAYS, "io_getevents: blocks" },
    { 248, ALWAYS, "io_submit: AIO through pointers in memory" },
    { 249, ALWAYS, "io_cancel: of AIO we do not do" },
    { 385, ALWAYS, "io_pgetevents: blocks" },
    { 416, ALWAYS, "io_pgetevents_time64: blocks" },
    { 425, ALWAYS, "io_uring_setup: I/O into our memory later" },
    { 426, ALWAYS, "io_uring_enter: blocks" },
    { 427, ALWAYS, "io_uring_register: of rings we do not use" },
    { 117, ALWAYS, "ipc: SysV IPC, msgrcv and semop block" },
    { 393, ALWAYS, "semget: SysV objects outlive us" },
    { 394, ALWAYS, "semctl: writes through a pointer in memory" },
    { 395, ALWAYS, "shmget: SysV objects outlive us" },
    { 396, ALWAYS, "shmctl: of SysV objects" },
    { 397, ALWAYS, "shmat: SHM_REMAP maps over our memory" },
    { 398, ALWAYS, "shmdt: of SysV objects" },
    { 399, ALWAYS, "msgget: SysV objects outlive us" },
    { 400, ALWAYS, "msgsnd: blocks on a full queue" },
    { 401, ALWAYS, "msgrcv: blocks" },
    { 402, ALWAYS, "msgctl: of SysV objects" },
    { 420, ALWAYS, "semtimedop_time64: blocks" },
    { 277, ALWAYS, "mq_open: message queues outlive us" },
    { 278, ALWAYS, "mq_unlink: likewise" },
    { 279, ALWAYS, "mq_timedsend: blocks" },
    { 280, ALWAYS, "mq_timedreceive: blocks" },
    { 281, ALWAYS, "mq_notify: a signal that ends us" },
    { 282, ALWAYS, "mq_getsetattr: of queues we skip" },
    { 418, ALWAYS, "mq_timedsend_time64: blocks" },
    { 419, ALWAYS, "mq_timedreceive_time64: blocks" },
    /* Our own memory, registers and limits. */
    { 45, ALWAYS, "brk: moves our heap" },
    { 90, ALWAYS, "mmap (old): maps over our memory" },
    { 192, ALWAYS, "mmap2: likewise" },
    { 91, ALWAYS, "munmap: unmaps our memory" },
    { 163, ALWAYS, "mremap: moves our memory" },
    { 125, ALWAYS, "mprotect: takes our memory's access away" },
    { 380, ALWAYS, "pkey_mprotect: likewise" },
    { 219, ALWAYS, "madvise: MADV_DONTNEED zeroes our memory" },
    { 257, ALWAYS, "remap_file_pages: rearranges our memory" },
    { 86, ALWAYS, "uselib: maps a file at its own addresses" },
    { 374, ALWAYS, "userfaultfd: faults on our memory that never end" },
    { 347, ALWAYS, "process_vm_readv: writes our memory (pid may be ours)" },
    { 348, ALWAYS, "process_vm_writev: likewise" },
    { 243, ALWAYS, "set_thread_area: breaks the C library's %gs" },
    { 258, ALWAYS, "set_tid_address: a random word cleared at exit" },
    { 386, ALWAYS, "rseq: a bad critical section kills us at preemption" },
    { 384, ALWAYS, "arch_prctl: CPUID faulting, vDSO moves" },
    { 113, ALWAYS, "vm86old: runs random code in virtual 8086 mode" },
    { 166, ALWAYS, "vm86: likewise" },
    { 172, ALWAYS, "prctl: seccomp, syscall user dispatch, PR_SET_MM" },
    { 354, ALWAYS, "seccomp: a filter that kills us" },
    { 136, ALWAYS, "personality: changes how we run" },
    { 75, ALWAYS, "setrlimit: limits that stop us" },
    { 340, ALWAYS, "prlimit64: likewise" },
    { 149, ALWAYS, "_sysctl: writes through pointers in memory" },
    /* File descriptors 0, 1 and 2. */
    { 6, ALWAYS, "close: could close stdout" },
    { 63, ALWAYS, "dup2: could replace stdout" },
    { 330, ALWAYS, "dup3: likewise" },
    { 436, ALWAYS, "close_range: could close stdout" },
    { 41, STDIO, "dup: a copy of stdout, that the writes below would reach" },
    { 438, ALWAYS, "pidfd_getfd: likewise (our pid may be a small number)" },
    { 4, STDIO, "write: garbage into our output" },
    { 146, STDIO, "writev: likewise" },
    { 181, STDIO, "pwrite64: likewise" },
    { 334, STDIO, "pwritev: likewise" },
    { 379, STDIO, "pwritev2: likewise" },
    { 369, STDIO, "sendto: likewise, if stdout is a socket" },
    { 370, STDIO, "sendmsg: likewise" },
    { 345, STDIO, "sendmmsg: likewise" },
    { 373, STDIO, "shutdown: of stdout, if a socket" },
    { 54, STDIO, "ioctl: terminal settings, non-blocking stdout, TIOCSTI" },
    { 19, STDIO, "lseek: moves where stdout writes, if a file" },
    { 140, STDIO, "_llseek: likewise" },
    { 93, STDIO, "ftruncate: cuts stdout, if a file" },
    { 194, STDIO, "ftruncate64: likewise" },
    { 94, STDIO, "fchmod: of our output file" },
    { 95, STDIO, "fchown: likewise" },
    { 207, STDIO, "fchown32: likewise" },
    { 324, ALWAYS, "fallocate: gigabytes of real space" },
    /* As root on a host: the machine, not the program. */
    { 88, ALWAYS, "reboot" },
    { 283, ALWAYS, "kexec_load: another kernel" },
    { 320, ALWAYS, "kexec_file_load: likewise" },
    { 128, ALWAYS, "init_module: loads kernel code" },
    { 350, ALWAYS, "finit_module: likewise" },
    { 129, ALWAYS, "delete_module: unloads it" },
    { 87, ALWAYS, "swapon" },
    { 115, ALWAYS, "swapoff" },
    { 51, ALWAYS, "acct: process accounting to a random file" },
    { 103, ALWAYS, "syslog: clears the kernel log; reading it blocks" },
    { 74, ALWAYS, "sethostname" },
    { 121, ALWAYS, "setdomainname" },
    { 25, ALWAYS, "stime: sets the clock" },
    { 79, ALWAYS, "settimeofday: likewise" },
    { 124, ALWAYS, "adjtimex: likewise" },
    { 264, ALWAYS, "clock_settime: likewise" },
    { 404, ALWAYS, "clock_settime64: likewise" },
    { 343, ALWAYS, "clock_adjtime: likewise" },
    { 405, ALWAYS, "clock_adjtime64: likewise" },
    { 21, ALWAYS, "mount" },
    { 22, ALWAYS, "umount" },
    { 52, ALWAYS, "umount2" },
    { 217, ALWAYS, "pivot_root" },
    { 428, ALWAYS, "open_tree: the mount API" },
    { 429, ALWAYS, "move_mount: likewise" },
    { 430, ALWAYS, "fsopen: likewise" },
    { 431, ALWAYS, "fsconfig: likewise" },
    { 432, ALWAYS, "fsmount: likewise" },
    { 433, ALWAYS, "fspick: likewise" },
    { 442, ALWAYS, "mount_setattr: likewise" },
    { 131, ALWAYS, "quotactl" },
    { 443, ALWAYS, "quotactl_fd" },
    { 36, ALWAYS, "sync: flushes every disk, slowly" },
    { 111, ALWAYS, "vhangup: hangs up the terminal" },
    { 26, ALWAYS, "ptrace: stops other processes" },
    { 154, ALWAYS, "sched_setparam: real-time priority starves the machine" },
    { 156, ALWAYS, "sched_setscheduler: likewise" },
    { 351, ALWAYS, "sched_setattr: likewise" },
    { 336, ALWAYS, "perf_event_open: samples into our memory" },
    { 357, ALWAYS, "bpf: programs in the kernel" },
    { 338, ALWAYS, "fanotify_init: permission events stall the machine" },
    { 339, ALWAYS, "fanotify_mark: likewise" },
    { 286, ALWAYS, "add_key: keys outlive us" },
    { 287, ALWAYS, "request_key: likewise" },
    { 288, ALWAYS, "keyctl: likewise" },
};

/* xorshift32: state never 0. */
static uint32_t rng;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static const struct skip *skip_for(unsigned nr, uint32_t a1)
{
    for (size_t i = 0; i < ARRAY_LEN(skips); i++)
        if (skips[i].nr == nr && (skips[i].when == ALWAYS || a1 <= 2))
            return &skips[i];
    return NULL;
}

/* Where the pointer arguments point. */
struct scratch {
    unsigned char *stack, *heap;
    uintptr_t unmapped;                 /* a page nothing maps again */
};

/* One argument: its value, or for an address in the stack scratch, the
 * heap scratch or the unmapped page (kind 's', 'h', 'u'; 0 otherwise) its
 * offset there. */
struct arg {
    uint32_t value;
    char kind;
};

static struct arg draw_arg(void)
{
    /* Lengths and values no Linux-like layout has mapped, as pointers. */
    static const uint32_t huge[] = { 0x7fffffffu, 0xffffffffu, 0xfffff000u,
                                     0x40000000u, 0x10000000u };
    static const uint32_t small[] = { 1, 2, 3, 4, 8, 16, 64, 100, 4096, 65536 };
    uint32_t r = next();
    switch (r % 10) {
    case 0: return (struct arg){ 0, 0 };
    case 1: return (struct arg){ (r >> 8) % 32, 0 };            /* fds, flags, counts */
    case 2: return (struct arg){ small[(r >> 8) % ARRAY_LEN(small)], 0 };
    case 3: return (struct arg){ 0xffffffffu, 0 };              /* -1 */
    case 4: return (struct arg){ huge[(r >> 8) % ARRAY_LEN(huge)], 0 };
    case 5: return (struct arg){ (r >> 8) % SCRATCH, 's' };
    case 6: return (struct arg){ (r >> 8) % SCRATCH, 'h' };
    case 7: return (struct arg){ 0xc0000000u + (r >> 8) % 0x01000000u, 0 };  /* kernel */
    case 8: return (struct arg){ (r >> 8) % 4096, 'u' };
    default: return (struct arg){ (r >> 8) & 0xffffu, 0 };      /* bits, no pointer */
    }
}

static uint32_t value_of(const struct scratch *s, struct arg a)
{
    if (a.kind == 's')
        return (uint32_t)(uintptr_t)(s->stack + a.value);
    if (a.kind == 'h')
        return (uint32_t)(uintptr_t)(s->heap + a.value);
    if (a.kind == 'u')
        return (uint32_t)s->unmapped + a.value;
    return a.value;
}

static void print_call(unsigned i, unsigned nr, const struct arg *a)
{
    printf("sysfuzz: call %u %u", i, nr);
    for (int k = 0; k < 6; k++) {
        if (a[k].kind)
            printf(" %c+0x%x", a[k].kind, (unsigned)a[k].value);
        else
            printf(" 0x%x", (unsigned)a[k].value);
    }
    putchar('\n');
    fflush(stdout);
}

struct options {
    int dry_run, verbose;
    uint32_t seed;
    unsigned count;
};

/* The loop; it ends the program (see the top of the file for why it must
 * not return into main). */
__attribute__((noreturn, noinline))
static void fuzz(const struct options *o, const struct scratch *s)
{
    unsigned made = 0, skipped = 0, ok = 0, failed = 0;
    while (made < o->count) {
        unsigned nr = next() % (NR_MAX + 1);
        struct arg a[6];
        for (int k = 0; k < 6; k++)
            a[k] = draw_arg();
        if (skip_for(nr, a[0].kind ? 3 : a[0].value)) {
            skipped++;
            continue;
        }
        if (made % PROGRESS_EVERY == 0 && made) {
            printf("sysfuzz: progress %u\n", made);
            fflush(stdout);
        }
        if (o->dry_run || o->verbose)
            print_call(made, nr, a);
        if (!o->dry_run) {
            long r = syscall((long)nr, value_of(s, a[0]), value_of(s, a[1]), value_of(s, a[2]),
                             value_of(s, a[3]), value_of(s, a[4]), value_of(s, a[5]));
            if (r == -1)
                failed++;
            else
                ok++;
        }
        made++;
    }
    printf("sysfuzz: results ok=%u failed=%u skipped=%u\n", ok, failed, skipped);
    printf("sysfuzz: done %u calls\n", made);
    exit(0);
}

static void parse(int argc, char **argv, struct options *o)
{
    int numbers = 0;            /* SEED and COUNT seen so far */
    *o = (struct options){ 0, 0, 1, 20000 };
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0)
            o->dry_run = 1;
        else if (strcmp(argv[i], "-v") == 0)
            o->verbose = 1;
        else if (numbers == 0) {
            o->seed = (uint32_t)parse_number("sysfuzz", "seed", argv[i], 0, UINT32_MAX);
            numbers++;
        } else if (numbers == 1) {
            o->count = (unsigned)parse_number("sysfuzz", "count", argv[i], 0, 100000000);
            numbers++;
        } else {
            usage_error("sysfuzz", "usage: sysfuzz [-n] [-v] [SEED] [COUNT]");
        }
    }
}

/* Signals the calls left in can still raise, with default actions that
 * stop or end us (a write to a pipe nobody reads, terminal I/O from the
 * background, a file over its size limit, I/O readiness): ignored. */
static void ignore_signals(void)
{
    static const int sigs[] = { SIGPIPE, SIGTTIN, SIGTTOU, SIGXFSZ, SIGIO, SIGHUP };
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
        signal(sigs[i], SIG_IGN);      /* a kernel without signals: no matter */
}

int main(int argc, char **argv)
{
    struct options o;
    parse(argc, argv, &o);
    /* Seeds that differ in one bit must not start alike; 0 is no state. */
    rng = o.seed * 2654435761u ^ 0x9e3779b9u;
    if (rng == 0)
        rng = 1;
    printf("sysfuzz: seed %u count %u\n", (unsigned)o.seed, o.count);
    fflush(stdout);             /* stdout's buffer exists before the scratch */
    ignore_signals();

    unsigned char stack_scratch[SCRATCH];
    struct scratch s = { stack_scratch, malloc(SCRATCH), 0 };
    void *gone = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!s.heap || gone == MAP_FAILED || munmap(gone, 4096) != 0) {
        printf("sysfuzz: setting up failed\n");
        return 1;
    }
    s.unmapped = (uintptr_t)gone;
    /* Random bytes, one in 16 zero, so paths and strings end now and then. */
    for (unsigned i = 0; i < SCRATCH; i++) {
        uint32_t r = next();
        s.stack[i] = (r & 15) ? (unsigned char)(r >> 8) : 0;
        s.heap[i] = (r & 0xf00) ? (unsigned char)(r >> 16) : 0;
    }
    fuzz(&o, &s);
}
