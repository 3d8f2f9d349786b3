/*
 * sig_default.c MODE - a default action ends the process (or does not):
 *   usr1        raise(SIGUSR1) with no handler: ended by SIGUSR1
 *   abort       abort(): ended by SIGABRT
 *   kill        kill(getpid(), SIGKILL): ended by SIGKILL
 *   unblock     SIGTERM blocked, sent, then unblocked: ended by SIGTERM then
 *   resethand   an SA_RESETHAND handler runs once; the second SIGUSR2 ends it
 *   segv-blocked   a SIGSEGV handler, but SIGSEGV blocked: a null pointer ends it
 *   segv-ignored   SIGSEGV ignored: a null pointer still ends it
 *   bad-stack   a SIGSEGV handler, but no stack to run it on: ended by SIGSEGV
 *   bad-return  rt_sigreturn with no frame to read: ended by SIGSEGV
 *   ignore      SIGCHLD, SIGURG, SIGWINCH, SIGCONT by default: exits with 0
 * Each prints what it does first; the tests compare how it ends with the host's.
 */
#include "sig_common.h"

#include <stdlib.h>

static void on_sig(int sig)
{
    say("handler %d", sig);
}

static int *volatile null_ptr;

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    say("mode %s", mode);
    if (!strcmp(mode, "usr1")) {
        raise(SIGUSR1);
    } else if (!strcmp(mode, "abort")) {
        abort();
    } else if (!strcmp(mode, "kill")) {
        kill(getpid(), SIGKILL);
    } else if (!strcmp(mode, "unblock")) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        kill(getpid(), SIGTERM);
        say("still here");
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    } else if (!strcmp(mode, "resethand")) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sig;
        sa.sa_flags = SA_RESETHAND;
        sigaction(SIGUSR2, &sa, NULL);
        raise(SIGUSR2);
        raise(SIGUSR2);
    } else if (!strcmp(mode, "segv-blocked")) {
        signal(SIGSEGV, on_sig);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGSEGV);
        sigprocmask(SIG_BLOCK, &set, NULL);
        say("read %d", *null_ptr);
    } else if (!strcmp(mode, "segv-ignored")) {
        signal(SIGSEGV, SIG_IGN);
        say("read %d", *null_ptr);
    } else if (!strcmp(mode, "bad-stack")) {
        signal(SIGSEGV, on_sig);
        __asm__ volatile("xorl %%esp, %%esp\n movl (%%esp), %%eax" : : : "eax", "memory");
    } else if (!strcmp(mode, "bad-return")) {
        __asm__ volatile("movl $16, %%esp\n movl %0, %%eax\n int $0x80"
                         : : "i"(SYS_rt_sigreturn) : "eax", "memory");
    } else if (!strcmp(mode, "ignore")) {
        raise(SIGCHLD);
        raise(SIGURG);
        raise(SIGWINCH);
        raise(SIGCONT);
    } else {
        say("unknown mode");
        return 2;
    }
    say("survived");
    return 0;
}
