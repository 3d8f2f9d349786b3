/*
 * kgc.h - the kernel's garbage-collected heap (gc.h) at GC_VIRT. Roots:
 * .data, .bss, every task's live stack and the running task's registers.
 * The heap knows nothing of tasks: the scheduler's stack walker is
 * registered by kernel_main (without one, only the globals are roots).
 */
#ifndef KGC_H
#define KGC_H

#include <stddef.h>

#include "mm/gc.h"

extern struct gc kernel_gc;

/* Calls fn(lo, hi, ctx) for the live part of every task's stack; `here` is
 * the collecting task's own stack pointer (task_for_each_stack). */
typedef void (*kgc_stack_walker)(void (*fn)(const void *lo, const void *hi, void *ctx),
                                 void *ctx, const void *here);
void kgc_set_stack_walker(kgc_stack_walker walk);

/* GOGC, as Go reads it: a percentage of growth, or "off". From the boot
 * environment; used when the heap is set up. False when value is not one. */
bool kgc_configure(const char *value);
unsigned kgc_gogc(void);
/* Sets it up on first use (0: collect only when asked). */
bool kgc_init(unsigned gogc);
void *gc_new(size_t size);
/* Collects now and prints "@gc cycle=... ms=...". */
void kgc_collect(void);

#endif
