/*
 * tsc.c - how fast the time-stamp counter runs, measured against the timer.
 */
#include "arch/tsc.h"

#include "arch/pit.h"

#define CALIBRATION_TICKS   10                  /* 100 ms at 100 Hz */
#define MS_PER_TICK         (1000 / TIMER_HZ)

static void cpu_relax(void)
{
    __asm__ volatile("pause");
}

uint64_t tsc_per_ms(void)
{
    static uint64_t per_ms;
    if (per_ms)
        return per_ms;
    /* Count cycles over CALIBRATION_TICKS, starting on a tick boundary. */
    uint64_t t0 = timer_ticks();
    while (timer_ticks() == t0)
        cpu_relax();
    uint64_t c0 = rdtsc(), start = timer_ticks();
    while (timer_ticks() < start + CALIBRATION_TICKS)
        cpu_relax();
    per_ms = (rdtsc() - c0) / (CALIBRATION_TICKS * MS_PER_TICK);
    if (!per_ms)
        per_ms = 1;
    return per_ms;
}
