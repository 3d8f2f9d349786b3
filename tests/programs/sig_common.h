/*
 * sig_common.h - helpers for the signal test programs (tests/programs/sig_*.c):
 * unbuffered output with a "| " prefix, so that the lines a program writes
 * can be picked out of a boot's serial output and compared with the same
 * binary run on the host (tests/qemu/test_signals.py). Nothing printed may
 * depend on addresses or on the kernel's own selectors.
 */
#ifndef SIG_COMMON_H
#define SIG_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    memmove(line + 2, line, (size_t)n);
    line[0] = '|';
    line[1] = ' ';
    line[n + 2] = '\n';
    if (write(1, line, (size_t)n + 3) < 0)
        _exit(2);
}

/* A raw system call's result, as -errno on failure (no libc wrapper). */
static inline long raw(long nr, long a, long b, long c, long d)
{
    long r = syscall(nr, a, b, c, d);
    return r == -1 ? -errno : r;
}

static inline int gettid_(void)
{
    return (int)syscall(SYS_gettid);
}

#endif
