/*
 * kgc.c - the garbage-collected heap in the kernel: frames for its arena,
 * kernel-heap memory for its bitmaps, and the kernel's roots.
 */
#include "mm/kgc.h"

#include "console/console.h"
#include "mm/kframes.h"
#include "arch/irq.h"
#include "arch/tsc.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "memlayout.h"
#include "mm/paging.h"
#include "sections.h"
#include "console/protocol.h"

struct gc kernel_gc;
static bool ready;
static unsigned configured_gogc = GC_GOGC_DEFAULT;

bool kgc_configure(const char *value)
{
    if (strcmp(value, "off") == 0) {
        configured_gogc = 0;
        return true;
    }
    unsigned n = 0;
    const char *v = value;
    if (!*v)
        return false;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > 100000)
            return false;
        n = n * 10 + (unsigned)(*v - '0');
    }
    configured_gogc = n;
    return true;
}

unsigned kgc_gogc(void)
{
    return configured_gogc;
}
static unsigned reported_cycle;
static kgc_stack_walker stack_walker;

void kgc_set_stack_walker(kgc_stack_walker walk)
{
    stack_walker = walk;
}

static void scan_stack(const void *lo, const void *hi, void *ctx)
{
    gc_scan_range(ctx, lo, hi);
}

/* The roots: globals, stacks, and the registers of the task collecting. */
static void kernel_roots(struct gc *g, void *ctx)
{
    (void)ctx;
    uint32_t regs[4];
    __asm__ volatile("mov %%ebx, 0(%0); mov %%esi, 4(%0); mov %%edi, 8(%0); mov %%ebp, 12(%0)"
                     : : "r"(regs) : "memory");
    gc_scan_range(g, _data_start, _data_end);
    gc_scan_range(g, _bss_start, _bss_end);
    /* Everything from here up is live on this task's stack, regs included. */
    if (stack_walker)
        stack_walker(scan_stack, g, regs);
}

bool kgc_init(unsigned gogc)
{
    if (ready)
        return true;
    uint32_t words = GC_SIZE / GC_GRANULE / 32;
    uint32_t *starts = kcalloc(words, sizeof *starts);
    uint32_t *marks = kcalloc(words, sizeof *marks);
    uintptr_t *grey = kmalloc(GC_GREY_MAX * sizeof *grey);
    if (!starts || !marks || !grey ||
        gc_init(&kernel_gc, GC_VIRT, GC_SIZE, paging_back_range, paging_release_range,
                starts, marks, grey,
                GC_GREY_MAX, kernel_roots, 0) != 0) {
        kfree(starts);
        kfree(marks);
        kfree(grey);
        kprintf("gc: no memory for the garbage-collected heap\n");
        return false;
    }
    kernel_gc.gogc = gogc;
    ready = true;
    return true;
}

static void report_cycles(uint64_t cycles)
{
    const struct gc_stats *s = &kernel_gc.stats;
    if (s->cycle == reported_cycle)
        return;
    reported_cycle = s->cycle;
    uint64_t us = cycles * 1000 / tsc_per_ms();
    proto_gc(s->cycle, s->marked, s->freed, s->freed_bytes, s->live_bytes, us);
}

void *gc_new(size_t size)
{
    if (!ready && !kgc_init(configured_gogc))
        return 0;
    uint32_t flags = irq_save();        /* stop the world: one CPU, no interrupts */
    uint64_t t0 = rdtsc();
    void *p = gc_alloc(&kernel_gc, size);
    uint64_t t1 = rdtsc();
    irq_restore(flags);
    report_cycles(t1 - t0);             /* when gc_alloc collected on its own */
    return p;
}

void kgc_collect(void)
{
    if (!ready && !kgc_init(configured_gogc))
        return;
    uint32_t flags = irq_save();
    uint64_t t0 = rdtsc();
    gc_collect(&kernel_gc);
    uint64_t t1 = rdtsc();
    irq_restore(flags);
    report_cycles(t1 - t0);
}
