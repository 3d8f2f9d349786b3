/*
 * tsc.h - the time-stamp counter: CPU cycles since reset, for measuring
 * short intervals.
 */
#ifndef TSC_H
#define TSC_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Time-stamp counter cycles per millisecond, measured against the timer the
 * first time it is asked for (the timer must run and interrupts be on). */
uint64_t tsc_per_ms(void);
/* True once tsc_per_ms has measured: then it returns at once. */
bool tsc_calibrated(void);

#endif
