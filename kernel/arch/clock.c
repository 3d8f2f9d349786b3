/*
 * clock.c - the monotonic and real-time clocks (see clock.h).
 *
 * One CPU: turning interrupts off is the lock. Each clock's state is a few
 * 64-bit values, which the CPU reads and writes in two halves, so every
 * read and update happens with interrupts off.
 */
#include "arch/clock.h"

#include "arch/irq.h"
#include "arch/pit.h"
#include "arch/rtc.h"
#include "arch/tsc.h"
#include "lib/clockmath.h"

#define NS_PER_TICK     (NS_PER_SEC / TIMER_HZ)
/* Seconds past which nanoseconds no longer fit 64 bits (the year 2554). */
#define REALTIME_MAX_S  (UINT64_MAX / NS_PER_SEC)

/* The monotonic clock. Before the counter is measured it follows the
 * timer; from then on the counter, starting from where the clock stood. */
static uint64_t last_ns;            /* the latest value handed out */
static bool on_counter;
static uint64_t counter_base, ns_at_base, counts_per_ms;

/* The real-time clock's reading, and the monotonic time it was taken at. */
static bool realtime_taken;
static int realtime_error;
static uint64_t realtime_base_ns, realtime_base_mono;

static bool interrupts_on(void)
{
    uint32_t flags = irq_save();
    irq_restore(flags);
    return flags & EFLAGS_IF;
}

/* With interrupts off. The CPU has a time-stamp counter: boot/cpucheck.S
 * refuses one without; tsc_calibrated() says whether its rate is known. */
static uint64_t monotonic_locked(void)
{
    if (!on_counter && tsc_calibrated()) {
        uint64_t ticks_ns = timer_ticks() * NS_PER_TICK;
        counts_per_ms = tsc_per_ms();           /* known: returns at once */
        ns_at_base = ticks_ns > last_ns ? ticks_ns : last_ns;
        counter_base = rdtsc();
        on_counter = true;
    }
    uint64_t now = on_counter
        ? ns_at_base + clock_counts_to_ns(rdtsc() - counter_base, counts_per_ms)
        : timer_ticks() * NS_PER_TICK;
    if (now < last_ns)
        now = last_ns;          /* never backwards, whatever a source did */
    last_ns = now;
    return now;
}

uint64_t clock_monotonic_ns(void)
{
    uint32_t flags = irq_save();
    uint64_t now = monotonic_locked();
    irq_restore(flags);
    return now;
}

uint64_t clock_resolution_ns(void)
{
    uint32_t flags = irq_save();
    bool counter = on_counter;
    uint64_t per_ms = counts_per_ms;
    irq_restore(flags);
    if (!counter)
        return NS_PER_TICK;
    uint64_t ns = (NS_PER_MS + per_ms - 1) / per_ms;   /* one count, rounded up */
    return ns ? ns : 1;
}

/* Reads the real-time clock, unless it has been read: the first reading
 * stays. The read itself runs with interrupts on (it may take a few ms). */
static int take_realtime(void)
{
    int64_t seconds = 0;
    int err = rtc_read_unix(&seconds);
    if (!err && (uint64_t)seconds > REALTIME_MAX_S)
        err = RTC_ERR_RANGE;
    uint64_t mono = clock_monotonic_ns();
    uint32_t flags = irq_save();
    if (!realtime_taken) {
        realtime_taken = true;
        realtime_error = err;
        realtime_base_ns = err ? 0 : (uint64_t)seconds * NS_PER_SEC;
        realtime_base_mono = mono;
    }
    err = realtime_error;
    irq_restore(flags);
    return err;
}

int clock_init(void)
{
    if (interrupts_on() && timer_ticks() > 0)
        tsc_per_ms();           /* only then can it measure: else it would wait forever */
    clock_monotonic_ns();       /* changes over to the counter now */
    return take_realtime();
}

uint64_t clock_realtime_ns(void)
{
    uint32_t flags = irq_save();
    bool taken = realtime_taken;
    irq_restore(flags);
    if (!taken)
        take_realtime();
    flags = irq_save();
    uint64_t now = realtime_base_ns + (monotonic_locked() - realtime_base_mono);
    irq_restore(flags);
    return now;
}

bool clock_realtime_known(void)
{
    uint32_t flags = irq_save();
    bool known = realtime_taken && realtime_error == RTC_OK;
    irq_restore(flags);
    return known;
}
