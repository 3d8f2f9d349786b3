/*
 * sig_altstack.c - sigaltstack: an SA_ONSTACK handler runs on the
 * alternate stack (its locals and its frame lie inside it), a nested
 * signal stays on it, a handler without SA_ONSTACK does not use it, and
 * the call's checks: EPERM while on it, ENOMEM below MINSIGSTKSZ, EINVAL
 * for unknown flags, SS_DISABLE. The "aux:" line is the kernel's own
 * (AT_MINSIGSTKSZ depends on the CPU's FPU state) and not compared.
 */
#include "sig_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <ucontext.h>

#define ALT_SIZE (64 * 1024)

static char *alt;
static volatile int on_alt, frame_on_alt, flags_inside, eperm, nested_on_alt, nested_deeper;
static volatile int uc_flags, uc_size_ok, uc_sp_ok, plain_on_alt;
static volatile uintptr_t outer_local;

static int inside(const void *p)
{
    return (const char *)p >= alt && (const char *)p < alt + ALT_SIZE;
}

static void on_nested(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    char here;
    nested_on_alt = inside(&here) && inside(si);
    nested_deeper = (uintptr_t)&here < outer_local;
}

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    ucontext_t *uc = ctx;
    char here;
    outer_local = (uintptr_t)&here;
    on_alt = inside(&here);
    frame_on_alt = inside(si) && inside(uc);
    stack_t now, other = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
    sigaltstack(NULL, &now);
    flags_inside = now.ss_flags;
    eperm = sigaltstack(&other, NULL) == -1 && errno == EPERM;
    /* The ucontext says what the altstack was when the signal came. */
    uc_flags = uc->uc_stack.ss_flags;
    uc_size_ok = uc->uc_stack.ss_size == ALT_SIZE;
    uc_sp_ok = uc->uc_stack.ss_sp == alt;
    raise(SIGUSR2);
}

static void on_plain(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    (void)ctx;
    char here;
    plain_on_alt = inside(&here);
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

int main(void)
{
    stack_t ss, old;
    say("aux: minsigstksz=%lu", getauxval(AT_MINSIGSTKSZ));
    sigaltstack(NULL, &old);
    say("initially: flags=%d(SS_DISABLE=%d) size=%zu", old.ss_flags, SS_DISABLE, old.ss_size);
    alt = malloc(ALT_SIZE);
    ss.ss_sp = alt;
    ss.ss_size = 2047;
    ss.ss_flags = 0;
    int r = sigaltstack(&ss, NULL);
    say("size 2047: %d %s", r, errno == ENOMEM ? "ENOMEM" : "?");
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 4;
    r = sigaltstack(&ss, NULL);
    say("flags 4: %d %s", r, errno == EINVAL ? "EINVAL" : "?");
    ss.ss_flags = 0;
    say("set: %d", sigaltstack(&ss, &old));
    sigaltstack(NULL, &old);
    say("now: flags=%d size_ok=%d sp_ok=%d", old.ss_flags, old.ss_size == ALT_SIZE,
        old.ss_sp == alt);

    install(SIGUSR1, on_usr1, SA_ONSTACK);
    install(SIGUSR2, on_nested, SA_ONSTACK);
    install(SIGHUP, on_plain, 0);
    raise(SIGUSR1);
    say("handler: on_alt=%d frame_on_alt=%d flags=%d(SS_ONSTACK=%d) eperm=%d", on_alt,
        frame_on_alt, flags_inside, SS_ONSTACK, eperm);
    say("ucontext: flags=%d size_ok=%d sp_ok=%d", uc_flags, uc_size_ok, uc_sp_ok);
    say("nested: on_alt=%d deeper=%d", nested_on_alt, nested_deeper);
    raise(SIGHUP);
    say("without SA_ONSTACK: on_alt=%d", plain_on_alt);
    sigaltstack(NULL, &old);
    say("after: flags=%d", old.ss_flags);

    ss.ss_flags = SS_DISABLE;
    say("disable: %d", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    say("disabled: flags=%d size=%zu", old.ss_flags, old.ss_size);
    on_alt = -1;
    raise(SIGUSR1);                     /* SA_ONSTACK without an altstack: the normal stack */
    say("no altstack: on_alt=%d", on_alt);
    say("done");
    return 0;
}
