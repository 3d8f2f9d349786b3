/*
 * kgc.h - the kernel's garbage-collected heap (gc.h) at GC_VIRT. Roots:
 * .data, .bss, every task's live stack and the running task's registers.
 */
#ifndef KGC_H
#define KGC_H

#include <stddef.h>

#include "mm/gc.h"

extern struct gc kernel_gc;

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
