/*
 * sig_fault.c - faults a program catches: SIGSEGV for a null pointer (si_addr,
 * SEGV_MAPERR) and for a write to a read-only page (SEGV_ACCERR), left by
 * siglongjmp; SIGSEGV on the alternate stack; SIGFPE for a division by zero
 * and SIGILL for ud2 (si_addr = the instruction), the latter resumed by a
 * handler that moves the saved eip past it.
 */
#include "sig_common.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf back;
static volatile int got_sig, got_code, addr_ok, addr_is_eip, on_alt, trapno;
static volatile uintptr_t want_addr;
static char *alt;
static int *volatile null_ptr;           /* volatile: the compiler may not see it is 0 */

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    char here;
    got_sig = sig;
    got_code = si->si_code;
    addr_ok = (uintptr_t)si->si_addr == want_addr;
    addr_is_eip = (uintptr_t)si->si_addr == (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
    trapno = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
    on_alt = alt && &here >= alt && &here < alt + 65536;
    if (sig == SIGILL) {
        uc->uc_mcontext.gregs[REG_EIP] += 2;    /* past ud2: sigreturn goes on from there */
        return;
    }
    siglongjmp(back, 1);
}

static void install(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void report(const char *what)
{
    say("%s: sig=%d code=%d addr_ok=%d trapno=%d on_alt=%d", what, got_sig, got_code, addr_ok,
        trapno, on_alt);
    got_sig = got_code = addr_ok = trapno = on_alt = 0;
}

int main(int argc, char **argv)
{
    (void)argv;
    install(SIGSEGV, 0);
    volatile int *null = null_ptr;
    want_addr = 8;
    if (!sigsetjmp(back, 1))
        say("read %d", null[2]);
    report("null read");

    char *page = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    want_addr = (uintptr_t)page + 100;
    if (!sigsetjmp(back, 1))
        page[100] = 1;
    report("read-only write");

    /* Again, after siglongjmp restored the mask: SIGSEGV is not blocked. */
    want_addr = 0;
    if (!sigsetjmp(back, 1))
        *(volatile int *)null = 1;
    report("null write");

    alt = malloc(65536);
    stack_t ss = { .ss_sp = alt, .ss_size = 65536 };
    sigaltstack(&ss, NULL);
    install(SIGSEGV, SA_ONSTACK);
    want_addr = 16;
    if (!sigsetjmp(back, 1))
        say("read %d", null[4]);
    report("on altstack");

    install(SIGFPE, 0);
    volatile int zero = argc - 1;
    if (!sigsetjmp(back, 1))
        say("quotient %d", 7 / zero);
    addr_ok = addr_is_eip;
    report("divide by zero");

    install(SIGILL, 0);
    __asm__ volatile("ud2");
    addr_ok = addr_is_eip;
    report("ud2, resumed");
    say("done");
    return 0;
}
