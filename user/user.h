/*
 * user.h - small helpers shared by mematlas's own user programs (user/NAME.c).
 *
 * The programs are ordinary static Linux i386 programs built with Debian's
 * i686-linux-gnu-gcc and its C library; they run unchanged on Linux and, as
 * boot modules, on mematlas. Everything here is header-only (static
 * functions) so that each program stays one C file and one link.
 *
 * Output convention: every line a test parses starts with the program's
 * name and a colon ("layout: ..."); errors a test does not parse go to
 * stderr.
 */
#ifndef USER_USER_H
#define USER_USER_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Prints "PROG: message" to stderr and exits with status 2, the status every
 * program uses for bad command-line input. */
__attribute__((format(printf, 2, 3), noreturn))
static inline void usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* The decimal number in s, which must lie in [min, max]: anything else
 * (empty, trailing junk, a sign where none fits, out of range) is a usage
 * error naming what the number was for. */
static inline unsigned long parse_number(const char *prog, const char *what,
                                         const char *s, unsigned long min,
                                         unsigned long max)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        usage_error(prog, "%s '%s' is not a decimal number", what, s);
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0')
        usage_error(prog, "%s '%s' is not a decimal number", what, s);
    if (errno == ERANGE || v < min || v > max)
        usage_error(prog, "%s %s is out of range (%lu..%lu)", what, s, min, max);
    return v;
}

/* The name of a signal or errno value for messages ("EFAULT"), or its
 * number when the table does not know it. */
static inline const char *errno_name(int e)
{
    static char buf[16];
    switch (e) {
    case 0: return "0";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case ENOSYS: return "ENOSYS";
    case EBADF: return "EBADF";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EINTR: return "EINTR";
    default:
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
    }
}

#endif
