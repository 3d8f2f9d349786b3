/*
 * tour_speed.c - the guide's "stack vs heap" table, measured: cycles of the
 * time-stamp counter to make and drop 64 bytes on the stack, with kmalloc
 * and kfree, and with the garbage-collected gc_new.
 */
#include "guide/tour.h"

#include <stdint.h>

#include "arch/irq.h"
#include "arch/tsc.h"
#include "console/console.h"
#include "console/protocol.h"
#include "guide/report.h"
#include "mm/kgc.h"
#include "mm/kheap.h"

#define RUNS 20000
#define LOCAL_INTS 16                   /* 64 bytes on the stack ... */
#define BLOCK_BYTES (LOCAL_INTS * (int)sizeof(int))     /* ... and on the heaps */
#define FAILED UINT64_MAX               /* an allocation failed: no measure */

__attribute__((noinline)) static int make_local(int first)
{
    volatile int local[LOCAL_INTS];
    for (int i = 0; i < LOCAL_INTS; i++)
        local[i] = first + i;
    return local[first & (LOCAL_INTS - 1)];
}

static uint64_t time_stack(void)
{
    uint64_t t0 = rdtsc();
    int sink = 0;
    for (int i = 0; i < RUNS; i++)
        sink += make_local(i);
    (void)sink;
    return rdtsc() - t0;
}

static uint64_t time_kmalloc(void)
{
    uint64_t t0 = rdtsc();
    for (int i = 0; i < RUNS; i++) {
        volatile int *p = kmalloc(BLOCK_BYTES);
        if (!p)
            return FAILED;
        p[0] = i;
        kfree((void *)p);
    }
    return rdtsc() - t0;
}

/* gc_new may collect: call it with interrupts as gc_new wants them, on. */
static uint64_t time_gc_new(void)
{
    uint64_t t0 = rdtsc();
    for (int i = 0; i < RUNS; i++) {
        volatile int *p = gc_new(BLOCK_BYTES);
        if (!p)
            return FAILED;
        p[0] = i;
    }
    return rdtsc() - t0;
}

/* How many times the stack's cost, in tenths, rounded: 257 and 365 give 14. */
static unsigned tenths(unsigned cost, unsigned stack)
{
    return stack ? (unsigned)(((uint64_t)cost * 20 / stack + 1) / 2) : 0;
}

static void print_row(const char *what, unsigned cycles, unsigned ratio_tenths)
{
    kprintf("  | %-30s | %8u | %4u.%ux |\n", what, cycles, ratio_tenths / 10,
            ratio_tenths % 10);
}

static void print_table(unsigned stack, unsigned heap, unsigned gc)
{
    kprintf("  | %-30s | %8s | %6s |\n", "operation", "cycles", "ratio");
    print_row("local array (call, return)", stack, 10);
    print_row("kmalloc + kfree", heap, tenths(heap, stack));
    print_row("gc_new (collections included)", gc, tenths(gc, stack));
}

void tour_stack_vs_heap(void)
{
    kprintf("Creating and dropping %d bytes, %d times each, timed with the TSC:\n",
            BLOCK_BYTES, RUNS);
    uint32_t flags = irq_save();        /* no interrupt in the middle of a timing */
    uint64_t stack = time_stack();
    uint64_t heap = time_kmalloc();
    irq_restore(flags);
    uint64_t gc = heap == FAILED ? FAILED : time_gc_new();
    if (heap == FAILED || gc == FAILED) {
        demo_out_of_memory("stack-vs-heap", heap == FAILED ? "a kmalloc block"
                                                           : "a gc_new object");
        return;
    }
    unsigned per_stack = (unsigned)(stack / RUNS), per_heap = (unsigned)(heap / RUNS),
             per_gc = (unsigned)(gc / RUNS);
    print_table(per_stack, per_heap, per_gc);
    proto_measure(per_stack, per_heap, per_gc, RUNS);
    /* Decided from the ratios as printed: 1.0x is no faster. */
    bool beats_heap = tenths(per_heap, per_stack) > 10;
    bool beats_gc = tenths(per_gc, per_stack) > 10;
    claim("stack-vs-heap", beats_heap && beats_gc,
          !beats_heap ? "the heap was as fast as the stack here"
          : !beats_gc ? "the garbage-collected heap was as fast as the stack here"
                      : "the stack was faster than both heaps, as the guide's table says");
}
