/*
 * sig_basic.c - handlers run and return: raise, kill and tgkill to itself,
 * SA_SIGINFO's siginfo and ucontext, the old frame of a plain handler, the
 * mask while a handler runs, SA_RESETHAND, blocked signals staying pending,
 * and the calls' errors.
 */
#include "sig_common.h"

#include <stdint.h>
#include <ucontext.h>

static volatile int count[65];
static volatile int last_code, last_pid_ok, info_aligned, eip_at_call, esp_same, eax_saved;
static volatile int args_saved;

/* tgkill with int $0x80 in this program's own code: the saved eip must be
 * the instruction after it (glibc would go through the vDSO on Linux). */
extern char tgkill_done[];
__attribute__((noinline)) static long tgkill_here(int pid, int tid, int sig)
{
    long r;
    __asm__ volatile("int $0x80\n.globl tgkill_done\ntgkill_done:"
                     : "=a"(r) : "0"(SYS_tgkill), "b"(pid), "c"(tid), "d"(sig) : "memory");
    return r;
}
static volatile int blocked_inside, extra_inside;

static void on_info(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    count[sig]++;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid() && si->si_signo == sig && si->si_errno == 0;
    info_aligned = (int)((uintptr_t)si % 16);
    const greg_t *g = uc->uc_mcontext.gregs;
    eip_at_call = (uintptr_t)g[REG_EIP] == (uintptr_t)tgkill_done;
    args_saved = g[REG_EBX] == getpid() && g[REG_ECX] == gettid_() && g[REG_EDX] == sig;
    esp_same = uc->uc_mcontext.gregs[REG_ESP] == uc->uc_mcontext.gregs[REG_UESP] &&
               (uc->uc_mcontext.gregs[REG_CS] & 3) == 3;
    eax_saved = (int)uc->uc_mcontext.gregs[REG_EAX];
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
    extra_inside = sigismember(&now, SIGWINCH);
}

static void on_plain(int sig)
{
    count[sig]++;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
}

/* Linux passes the three arguments in eax, edx and ecx as well. */
static volatile int regs_match;
__attribute__((regparm(3), noinline)) static void on_regparm(int sig, siginfo_t *si, void *uc)
{
    int32_t *fp = __builtin_frame_address(0);
    regs_match = sig == fp[2] && (intptr_t)si == fp[3] && (intptr_t)uc == fp[4] &&
                 si->si_signo == sig;
    count[sig]++;
}

/* A handler may change the context sigreturn restores: registers, eax (the
 * interrupted call's result), and of eflags only the flags a program owns. */
static void on_edit(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
    g[REG_EBX] = 0x1234;
    g[REG_ESI] = 0x5678;
    g[REG_EAX] = 77;
    g[REG_EFL] = (g[REG_EFL] | 0x3000 | 0x1) & ~0x200;     /* IOPL 3, CF, no IF */
}

__attribute__((noinline)) static void edited(void)
{
    long r, ebx = getpid(), esi = 0, flags;
    __asm__ volatile("int $0x80\n pushfl\n popl %[fl]"
                     : "=a"(r), [fl] "=r"(flags), "+b"(ebx), "+S"(esi)
                     : "0"(SYS_tgkill), "c"(gettid_()), "d"(SIGPWR) : "memory", "cc");
    say("edited: eax=%ld ebx=%#lx esi=%#lx cf=%ld iopl=%ld if=%ld", r, ebx, esi, flags & 1,
        (flags >> 12) & 3, (flags >> 9) & 1);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int extra)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (extra)
        sigaddset(&sa.sa_mask, extra);
    if (sigaction(sig, &sa, NULL) != 0)
        say("sigaction %d failed: %s", sig, strerror(errno));
}

static void delivery(void)
{
    install(SIGUSR1, on_info, 0, SIGWINCH);
    tgkill_here(getpid(), gettid_(), SIGUSR1);
    say("int80: count=%d code=%d(SI_TKILL=%d) sender_ok=%d info%%16=%d", count[SIGUSR1],
        last_code, SI_TKILL, last_pid_ok, info_aligned);
    say("context: eip_at_call=%d args=%d esp_ok=%d eax=%d blocked_inside=%d sa_mask_inside=%d",
        eip_at_call, args_saved, esp_same, eax_saved, blocked_inside, extra_inside);
    raise(SIGUSR1);
    say("raise: count=%d code=%d", count[SIGUSR1], last_code);
    kill(getpid(), SIGUSR1);
    say("kill: count=%d code=%d(SI_USER=%d) sender_ok=%d", count[SIGUSR1], last_code, SI_USER,
        last_pid_ok);
    syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
    say("tgkill: count=%d code=%d", count[SIGUSR1], last_code);
    syscall(SYS_tkill, gettid_(), SIGUSR1);
    say("tkill: count=%d code=%d", count[SIGUSR1], last_code);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("after: blocked=%d", sigismember(&now, SIGUSR1) + sigismember(&now, SIGWINCH));

    install(SIGUSR2, on_info, SA_NODEFER, 0);
    raise(SIGUSR2);
    say("nodefer: count=%d blocked_inside=%d", count[SIGUSR2], blocked_inside);

    signal(SIGHUP, on_plain);           /* no SA_SIGINFO: the old frame, sigreturn */
    raise(SIGHUP);
    raise(SIGHUP);
    say("plain: count=%d blocked_inside=%d", count[SIGHUP], blocked_inside);

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = (void (*)(int, siginfo_t *, void *))on_regparm;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGALRM, &sa, NULL);
    raise(SIGALRM);
    say("regparm: count=%d match=%d", count[SIGALRM], regs_match);

    install(SIGPWR, on_edit, 0, 0);
    edited();

    install(SIGTERM, on_info, SA_RESETHAND, 0);
    raise(SIGTERM);
    sigaction(SIGTERM, NULL, &old);
    say("resethand: count=%d now_default=%d", count[SIGTERM], old.sa_handler == SIG_DFL);
}

static void pending(void)
{
    sigset_t block, set;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGRTMIN + 3);
    sigprocmask(SIG_BLOCK, &block, NULL);
    install(SIGRTMIN + 3, on_info, 0, 0);
    int before = count[SIGUSR1];
    raise(SIGUSR1);
    raise(SIGUSR1);                     /* still one: a pending signal is not counted */
    kill(getpid(), SIGRTMIN + 3);
    sigpending(&set);
    say("pending: usr1=%d rt=%d delivered=%d", sigismember(&set, SIGUSR1),
        sigismember(&set, SIGRTMIN + 3), count[SIGUSR1] - before);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigpending(&set);
    say("unblocked: delivered=%d rt=%d still_pending=%d", count[SIGUSR1] - before,
        count[SIGRTMIN + 3], sigismember(&set, SIGUSR1));

    /* Ignoring a pending signal discards it. */
    sigprocmask(SIG_BLOCK, &block, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&set);
    say("ignored: still_pending=%d", sigismember(&set, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    /* Ignored by default: nothing happens. */
    raise(SIGCHLD);
    raise(SIGURG);
    raise(SIGWINCH);
    say("default-ignored: alive");
}

static void errors(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    say("rt_sigaction size 4: %ld", raw(SYS_rt_sigaction, SIGUSR1, (long)&sa, 0, 4));
    say("rt_sigaction SIGKILL: %ld", raw(SYS_rt_sigaction, SIGKILL, (long)&sa, 0, 8));
    say("rt_sigaction SIGSTOP read: %ld", raw(SYS_rt_sigaction, SIGSTOP, 0, (long)&sa, 8));
    say("rt_sigaction 0: %ld", raw(SYS_rt_sigaction, 0, (long)&sa, 0, 8));
    say("rt_sigaction 65: %ld", raw(SYS_rt_sigaction, 65, (long)&sa, 0, 8));
    say("rt_sigaction bad act: %ld", raw(SYS_rt_sigaction, SIGUSR1, 16, 0, 8));
    say("rt_sigprocmask size 4: %ld", raw(SYS_rt_sigprocmask, SIG_BLOCK, 0, 0, 4));
    uint64_t all = ~0ull, got = 0;
    say("rt_sigprocmask how 7: %ld", raw(SYS_rt_sigprocmask, 7, (long)&all, 0, 8));
    raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&all, (long)&got, 8);
    raw(SYS_rt_sigprocmask, SIG_SETMASK, (long)&got, (long)&all, 8);
    say("block all: kill=%d stop=%d usr1=%d", (int)(all >> (SIGKILL - 1) & 1),
        (int)(all >> (SIGSTOP - 1) & 1), (int)(all >> (SIGUSR1 - 1) & 1));
    say("kill sig 0: %ld", raw(SYS_kill, getpid(), 0, 0, 0));
    say("kill sig 65: %ld", raw(SYS_kill, getpid(), 65, 0, 0));
    say("tgkill other tid: %ld", raw(SYS_tgkill, getpid(), getpid() + 100000, SIGUSR1, 0));
    say("tgkill tid 0: %ld", raw(SYS_tgkill, getpid(), 0, SIGUSR1, 0));
    say("tgkill sig 0: %ld", raw(SYS_tgkill, getpid(), gettid_(), 0, 0));
    say("tkill sig -1: %ld", raw(SYS_tkill, gettid_(), -1, 0, 0));
    say("rt_sigpending size 16: %ld", raw(SYS_rt_sigpending, (long)&got, 16, 0, 0));
    /* The kernel's struct, not the C library's: an unknown flag reads back as 0. */
    struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); uint64_t mask; }
        kact = { on_plain, 0x00200000 | SA_RESTART, 0, 0 }, back;
    raw(SYS_rt_sigaction, SIGUSR2, (long)&kact, 0, 8);
    raw(SYS_rt_sigaction, SIGUSR2, 0, (long)&back, 8);
    say("flags kept: restart=%d unknown=%d", !!(back.flags & SA_RESTART),
        !!(back.flags & 0x00200000));
}

int main(void)
{
    delivery();
    pending();
    errors();
    say("done");
    return 0;
}
