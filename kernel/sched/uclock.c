/*
 * uclock.c - the clocks user threads' timeouts run on, timespecs, and the
 * timed wait futex and nanosleep share (uclock.h).
 */
#include "sched/uclock.h"

#include "arch/clock.h"
#include "arch/irq.h"
#include "arch/pit.h"
#include "sched/proc.h"
#include "sched/task.h"

#define NS_PER_TICK     (UCLOCK_NS_PER_SEC / TIMER_HZ)
#define NS_PER_MS       1000000ull
#define MAX_SLEEP_MS    3600000u        /* one sleep at most; the loop goes on */

bool uclock_valid(uint32_t clock)
{
    switch (clock) {
    case LINUX_CLOCK_REALTIME:
    case LINUX_CLOCK_MONOTONIC:
    case LINUX_CLOCK_MONOTONIC_RAW:
    case LINUX_CLOCK_REALTIME_COARSE:
    case LINUX_CLOCK_MONOTONIC_COARSE:
    case LINUX_CLOCK_BOOTTIME:
        return true;
    default:
        return false;                   /* the CPU-time clocks, and unknown ones */
    }
}

/* The clocks of arch/clock.h, the ones clock_gettime reads (sys_time.c),
 * so that a program's absolute deadlines and the kernel's agree. Nothing
 * suspends this kernel, so boot time and monotonic time are one. */
uint64_t uclock_now_ns(uint32_t clock)
{
    if (clock == LINUX_CLOCK_REALTIME || clock == LINUX_CLOCK_REALTIME_COARSE)
        return clock_realtime_ns();
    return clock_monotonic_ns();
}

uint64_t uclock_resolution_ns(void)
{
    return NS_PER_TICK;
}

int32_t uclock_read_timespec(struct sysc *c, uint32_t addr, bool time64, uint64_t *ns)
{
    int64_t sec;
    int32_t nsec;
    if (time64) {
        struct linux_timespec64 t;
        if (sys_copy_in(c, &t, addr, sizeof t) != 0)
            return -LINUX_EFAULT;
        sec = t.sec;
        nsec = (int32_t)t.nsec;         /* a 32-bit program's nsec: the low half */
    } else {
        struct linux_timespec32 t;
        if (sys_copy_in(c, &t, addr, sizeof t) != 0)
            return -LINUX_EFAULT;
        sec = t.sec;
        nsec = t.nsec;
    }
    if (sec < 0 || nsec < 0 || (uint32_t)nsec >= UCLOCK_NS_PER_SEC)
        return -LINUX_EINVAL;
    /* Beyond 2^64 ns (584 years) is as good as forever. */
    if ((uint64_t)sec >= UCLOCK_FOREVER / UCLOCK_NS_PER_SEC)
        *ns = UCLOCK_FOREVER - 1;
    else
        *ns = (uint64_t)sec * UCLOCK_NS_PER_SEC + (uint32_t)nsec;
    return 0;
}

int32_t uclock_write_timespec(struct sysc *c, uint32_t addr, bool time64, uint64_t ns)
{
    uint64_t sec = ns / UCLOCK_NS_PER_SEC;
    uint32_t nsec = (uint32_t)(ns % UCLOCK_NS_PER_SEC);
    if (time64) {
        struct linux_timespec64 t = { (int64_t)sec, nsec };
        return sys_copy_out(c, addr, &t, sizeof t);
    }
    struct linux_timespec32 t = { sec > INT32_MAX ? INT32_MAX : (int32_t)sec, (int32_t)nsec };
    return sys_copy_out(c, addr, &t, sizeof t);
}

uint64_t uclock_deadline_after(uint32_t clock, uint64_t rel)
{
    if (rel == 0)
        return uclock_now_ns(clock);    /* no time at all: over at once */
    uint64_t now = uclock_now_ns(clock) + uclock_resolution_ns();
    return rel >= UCLOCK_FOREVER - now ? UCLOCK_FOREVER - 1 : now + rel;
}

int32_t uclock_wait(const volatile bool *done, uint32_t clock, uint64_t deadline)
{
    struct wait_queue q = { 0, 0 };     /* only task_interrupt takes it off */
    for (;;) {
        if (done && *done)
            return 0;
        if (uthread_interrupted(uthread_current()))
            return -LINUX_EINTR;
        if (deadline == UCLOCK_FOREVER) {
            task_block_on(&q);
            continue;
        }
        uint64_t now = uclock_now_ns(clock);
        if (now >= deadline)
            return -LINUX_ETIMEDOUT;
        /* Sleep in whole milliseconds, rounded up: task_sleep rounds them
         * up to ticks, and the clock decides when the wait is over. */
        uint64_t ms = (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
        task_sleep(ms > MAX_SLEEP_MS ? MAX_SLEEP_MS : (uint32_t)ms);
    }
}
