/*
 * sys_time.c - clocks and randomness for programs: clock_gettime (32- and
 * 64-bit), clock_getres, gettimeofday, time, getrandom. The monotonic clock
 * counts from boot (the TSC, else the timer's ticks); the real-time clock is
 * the CMOS clock read once, carried on by the monotonic one (arch/clock.h).
 * There is no vDSO: every call comes through int $0x80.
 */
#include "arch/clock.h"
#include "arch/random.h"
#include "sched/syscall.h"
#include "sched/uclock.h"

#define GETRANDOM_MAX   (32 * 1024 * 1024)  /* Linux returns at most this much at once */

/* The clock's time in nanoseconds (uclock_now_ns: the clock waits are
 * measured on), or -EINVAL for a clock this kernel lacks. */
static int32_t clock_now(uint32_t id, uint64_t *ns)
{
    switch (id) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
        *ns = uclock_now_ns(id);
        return 0;
    /* One CPU, and the CPU time is not counted per process: a program's
     * CPU clock reads as the time since boot, an upper bound of it. */
    case LINUX_CLOCK_PROCESS_CPUTIME_ID:
    case LINUX_CLOCK_THREAD_CPUTIME_ID:
        *ns = uclock_now_ns(LINUX_CLOCK_MONOTONIC);
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}

static int32_t gettime(struct sysc *c, bool time64)
{
    uint64_t ns;
    int32_t r = clock_now(c->a[0], &ns);
    return r ? r : uclock_write_timespec(c, c->a[1], time64, ns);
}

static int32_t sys_clock_gettime(struct sysc *c)
{
    return gettime(c, false);
}

static int32_t sys_clock_gettime64(struct sysc *c)
{
    return gettime(c, true);
}

static int32_t resolution(struct sysc *c, bool time64)
{
    uint64_t ns;
    int32_t r = clock_now(c->a[0], &ns);
    if (r || !c->a[1])
        return r;
    return uclock_write_timespec(c, c->a[1], time64, clock_resolution_ns());
}

static int32_t sys_clock_getres(struct sysc *c)
{
    return resolution(c, false);
}

static int32_t sys_clock_getres64(struct sysc *c)
{
    return resolution(c, true);
}

static int32_t sys_gettimeofday(struct sysc *c)
{
    if (!c->a[0])
        return 0;                       /* the time zone (a[1]) is obsolete: left alone */
    uint64_t ns = uclock_now_ns(LINUX_CLOCK_REALTIME);
    struct linux_timeval t = { (int32_t)(ns / UCLOCK_NS_PER_SEC),
                               (int32_t)(ns % UCLOCK_NS_PER_SEC / 1000) };
    return sys_copy_out(c, c->a[0], &t, sizeof t);
}

static int32_t sys_time(struct sysc *c)
{
    int32_t now = (int32_t)(uclock_now_ns(LINUX_CLOCK_REALTIME) / UCLOCK_NS_PER_SEC);
    if (c->a[0] && sys_copy_out(c, c->a[0], &now, sizeof now) != 0)
        return -LINUX_EFAULT;
    return now;
}

/* Random bytes: from RDRAND when the CPU has it, else from a generator the
 * kernel seeded from its clocks (arch/random.h says how good that is). */
static int32_t sys_getrandom(struct sysc *c)
{
    uint32_t n = c->a[1] < GETRANDOM_MAX ? c->a[1] : GETRANDOM_MAX;
    if (c->a[2] & ~(uint32_t)(LINUX_GRND_NONBLOCK | 2))    /* GRND_RANDOM is 2 */
        return -LINUX_EINVAL;
    uint8_t chunk[256];
    for (uint32_t done = 0; done < n;) {
        uint32_t k = n - done < sizeof chunk ? n - done : (uint32_t)sizeof chunk;
        random_bytes(chunk, k);
        if (sys_copy_out(c, c->a[0] + done, chunk, k) != 0)
            return done ? (int32_t)done : -LINUX_EFAULT;
        done += k;
    }
    return (int32_t)n;
}

const struct sys_entry sys_time_calls[] = {
    { NR_clock_gettime, sys_clock_gettime },
    { NR_clock_gettime64, sys_clock_gettime64 },
    { NR_clock_getres, sys_clock_getres },
    { NR_clock_getres_time64, sys_clock_getres64 },
    { NR_gettimeofday, sys_gettimeofday },
    { NR_time, sys_time },
    { NR_getrandom, sys_getrandom },
    SYS_END,
};
