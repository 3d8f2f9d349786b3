/*
 * tsc.c - how fast the time-stamp counter runs, measured against the timer.
 */
#include "arch/tsc.h"

#include "arch/irq.h"
#include "arch/pit.h"

#define CALIBRATION_TICKS   10                  /* 100 ms at 100 Hz */
#define MS_PER_TICK         (1000 / TIMER_HZ)

static void cpu_relax(void)
{
    __asm__ volatile("pause");
}

/* 0 until measured. 64 bits are two loads or stores: each with interrupts
 * off, so that no task sees half of it. */
static uint64_t per_ms;

static uint64_t per_ms_now(void)
{
    uint32_t flags = irq_save();
    uint64_t v = per_ms;
    irq_restore(flags);
    return v;
}

bool tsc_calibrated(void)
{
    return per_ms_now() != 0;
}

uint64_t tsc_per_ms(void)
{
    uint64_t known = per_ms_now();
    if (known)
        return known;
    /* Count cycles over CALIBRATION_TICKS, starting on a tick boundary. */
    uint64_t t0 = timer_ticks();
    while (timer_ticks() == t0)
        cpu_relax();
    uint64_t c0 = rdtsc(), start = timer_ticks();
    while (timer_ticks() < start + CALIBRATION_TICKS)
        cpu_relax();
    uint64_t measured = (rdtsc() - c0) / (CALIBRATION_TICKS * MS_PER_TICK);
    if (!measured)
        measured = 1;
    uint32_t flags = irq_save();
    per_ms = measured;
    irq_restore(flags);
    return measured;
}
