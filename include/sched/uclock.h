/*
 * uclock.h - time as user threads see it: the clocks their timeouts are
 * measured on, Linux's timespecs turned into nanoseconds, and the timed,
 * interruptible wait that futex and nanosleep share.
 *
 * Every reading goes through uclock_now_ns, which reads arch/clock.h's
 * clocks (what clock_gettime returns). Waits sleep in timer ticks (10 ms at
 * TIMER_HZ = 100, uclock_resolution_ns) but check the clock itself before
 * they end.
 */
#ifndef UCLOCK_H
#define UCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/linux.h"
#include "sched/syscall.h"

#define UCLOCK_FOREVER      UINT64_MAX  /* a wait with no deadline */
#define UCLOCK_NS_PER_SEC   1000000000ull

/* Whether user programs may name this clock (LINUX_CLOCK_*) here. */
bool uclock_valid(uint32_t clock);
/* Nanoseconds on a valid clock: the real-time clock or the monotonic one. */
uint64_t uclock_now_ns(uint32_t clock);
/* The slack a wait allows for: one timer tick, what it sleeps in. */
uint64_t uclock_resolution_ns(void);

/* A timespec from user memory at addr as nanoseconds: 0, -EFAULT, or
 * -EINVAL when it is negative or its nanoseconds are out of range. time64
 * selects struct timespec64 (the *_time64 calls) over the 32-bit one. */
int32_t uclock_read_timespec(struct sysc *c, uint32_t addr, bool time64, uint64_t *ns);
/* Writes ns as a timespec of either size; 0 or -EFAULT. */
int32_t uclock_write_timespec(struct sysc *c, uint32_t addr, bool time64, uint64_t ns);
/* The absolute deadline, on clock, of a relative timeout starting now:
 * never earlier than rel after the true present (resolution included). */
uint64_t uclock_deadline_after(uint32_t clock, uint64_t rel);

/*
 * The calling thread waits, interrupts OFF on entry (so that whatever it
 * checked before cannot change unseen), until *done is true, clock reads
 * at least deadline (UCLOCK_FOREVER: never), or it is interrupted (its
 * process is ending, or a signal it does not block is pending). Returns 0
 * (done), -ETIMEDOUT or -EINTR; done may be NULL for a plain sleep. Whoever
 * sets *done wakes the thread with task_interrupt.
 */
int32_t uclock_wait(const volatile bool *done, uint32_t clock, uint64_t deadline);

#endif
