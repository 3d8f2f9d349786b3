/*
 * clock.h - the kernel's clocks, in nanoseconds, for clock_gettime and
 * friends: a monotonic clock since boot and the real time of day.
 *
 * Monotonic: from the time-stamp counter once tsc_per_ms() has measured it
 * (clock_init measures it), which resolves to a cycle (about 1 ns at
 * 1 GHz), its rate known to the accuracy of a 100 ms calibration against
 * the timer; before that from the timer's ticks, which resolve to 10 ms
 * (TIMER_HZ = 100) and read 0 until timer_init. It never goes backwards,
 * the change of source included. Under QEMU's -icount the counter counts
 * instructions, so the clock measures virtual time: fine for programs.
 *
 * Real time: the real-time clock's reading (whole seconds, UTC assumed),
 * taken once, at clock_init or the first clock_realtime_ns, plus the
 * monotonic time since. It is within about a second of the chip's time;
 * nothing adjusts it afterwards.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Reads the real-time clock now and, when interrupts are on and the timer
 * ticks, measures the time-stamp counter (about 110 ms, once). Optional:
 * the clocks work without it. Returns 0, or an rtc_error when the
 * real-time clock could not be read (the real time then starts at 1970). */
int clock_init(void);

/* Nanoseconds since an arbitrary point at boot; never decreases. */
uint64_t clock_monotonic_ns(void);
/* Nanoseconds since 1970-01-01 00:00:00 UTC. */
uint64_t clock_realtime_ns(void);
/* The monotonic clock's resolution now, for clock_getres: 10 ms on the
 * timer's ticks, the length of a cycle (at least 1 ns) on the counter. */
uint64_t clock_resolution_ns(void);
/* True when the real time came from the real-time clock (false when it
 * could not be read, or has not been read yet). */
bool clock_realtime_known(void);

#endif
