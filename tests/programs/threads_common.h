/*
 * threads_common.h - helpers for the thread test programs: raw futex calls,
 * the monotonic clock, and checks that print what failed and exit 1.
 *
 * The programs are static i386 glibc programs, run both under mematlas
 * (tests/qemu/test_threads.py) and natively on the build host, where their
 * output must be the same line for line (what differs, like addresses,
 * goes to lines starting with '~', which the test compares otherwise).
 */
#ifndef THREADS_COMMON_H
#define THREADS_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            printf("FAILED: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            fflush(stdout);                                                     \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

/* The raw system call (its result, or -errno): glibc's futex wrappers
 * would hide the errors these tests look at. */
static inline long futex_raw(volatile uint32_t *uaddr, int op, uint32_t val,
                             const void *timeout_or_val2, volatile uint32_t *uaddr2,
                             uint32_t val3)
{
    long r = syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
    return r == -1 ? -errno : r;
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline const char *errname(long r)
{
    switch (r) {
    case 0: return "0";
    case -EAGAIN: return "EAGAIN";
    case -ETIMEDOUT: return "ETIMEDOUT";
    case -EINVAL: return "EINVAL";
    case -EFAULT: return "EFAULT";
    case -EINTR: return "EINTR";
    case -ENOSYS: return "ENOSYS";
    case -EOPNOTSUPP: return "EOPNOTSUPP";
    default: return r > 0 ? "positive" : "other";
    }
}

#endif
