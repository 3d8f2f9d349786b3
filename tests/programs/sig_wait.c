/*
 * sig_wait.c - waiting for signals: sigsuspend swaps the mask until a handler
 * has run and returns EINTR; sigtimedwait takes a blocked pending signal with
 * its siginfo, or times out with EAGAIN; and the old one-word calls
 * (sigaction, sigprocmask, sigpending, sigsuspend) on the same state.
 */
#include "sig_common.h"

#include <stdint.h>
#include <time.h>

static volatile int ran, usr2_inside, usr1_inside;

static void on_usr1(int sig)
{
    (void)sig;
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    usr1_inside = sigismember(&now, SIGUSR1);
    usr2_inside = sigismember(&now, SIGUSR2);
    ran++;
}

struct old_sigaction {
    void (*handler)(int);
    uint32_t mask;
    uint32_t flags;
    void (*restorer)(void);
};

static void suspend(void)
{
    sigset_t block, temp, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    say("blocked: ran=%d", ran);
    sigemptyset(&temp);
    sigaddset(&temp, SIGUSR2);
    int r = sigsuspend(&temp);
    int e = errno;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("sigsuspend: r=%d %s ran=%d inside: usr1=%d usr2=%d after: usr1=%d usr2=%d", r,
        e == EINTR ? "EINTR" : "?", ran, usr1_inside, usr2_inside, sigismember(&now, SIGUSR1),
        sigismember(&now, SIGUSR2));
    /* The old call: history words, then the mask (the first 32 signals). */
    raise(SIGUSR1);
    long rr = raw(SYS_sigsuspend, 0, 0, 1L << (SIGUSR2 - 1), 0);
    say("old sigsuspend: %ld ran=%d usr2_inside=%d", rr, ran, usr2_inside);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

static void timedwait(void)
{
    sigset_t set;
    siginfo_t si;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR2);
    kill(getpid(), SIGRTMIN + 1);
    struct timespec zero = { 0, 0 }, short_wait = { 0, 20 * 1000 * 1000 };
    int a = sigtimedwait(&set, &si, &zero);
    /* glibc folds SI_TKILL (raise) into SI_USER here. */
    say("sigtimedwait: sig=%d(SIGUSR2=%d) code=%d pid_ok=%d", a, SIGUSR2, si.si_code,
        si.si_pid == getpid());
    int b = sigwaitinfo(&set, &si);
    say("sigwaitinfo: sig=rtmin+%d code=%d", b - SIGRTMIN, si.si_code);
    int c = sigtimedwait(&set, &si, &zero);
    int e = errno;
    say("empty, no wait: %d %s", c, e == EAGAIN ? "EAGAIN" : "?");
    c = sigtimedwait(&set, &si, &short_wait);
    e = errno;
    say("empty, 20 ms: %d %s", c, e == EAGAIN ? "EAGAIN" : "?");
    struct timespec bad = { 0, 1000 * 1000 * 1000 };
    c = sigtimedwait(&set, &si, &bad);
    e = errno;
    say("bad timeout: %d %s", c, e == EINVAL ? "EINVAL" : "?");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void old_calls(void)
{
    struct old_sigaction act = { on_usr1, 1u << (SIGHUP - 1), 0, 0 }, old;
    say("sigaction: %ld", raw(SYS_sigaction, SIGUSR1, (long)&act, 0, 0));
    long r = raw(SYS_sigaction, SIGUSR1, 0, (long)&old, 0);
    say("sigaction read: %ld handler_ok=%d mask=%#x", r, old.handler == on_usr1, old.mask);
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    say("as rt: hup_in_mask=%d", sigismember(&sa.sa_mask, SIGHUP));
    uint32_t set = 1u << (SIGUSR1 - 1), prev = 0, pend = 0;
    say("sigprocmask: %ld", raw(SYS_sigprocmask, SIG_BLOCK, (long)&set, (long)&prev, 0));
    raise(SIGUSR1);
    r = raw(SYS_sigpending, (long)&pend, 0, 0, 0);
    say("sigpending: %ld usr1=%d", r, !!(pend & (1u << (SIGUSR1 - 1))));
    int before = ran;
    raw(SYS_sigprocmask, SIG_UNBLOCK, (long)&set, (long)&prev, 0);
    say("unblocked: ran=%d was_blocked=%d", ran - before, !!(prev & set));
    say("sigprocmask how 9: %ld", raw(SYS_sigprocmask, 9, (long)&set, 0, 0));
}

int main(void)
{
    suspend();
    timedwait();
    old_calls();
    say("done");
    return 0;
}
