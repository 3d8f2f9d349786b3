/*
 * fuzz_fail.h - how the boot parsers' fuzz targets stop on a broken
 * invariant: a message, then abort(), which libFuzzer catches like any
 * crash and saves the input as a reproducer.
 */
#ifndef FUZZ_FAIL_H
#define FUZZ_FAIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static inline void fuzz_fail(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static inline void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("broken invariant: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

#endif
