/*
 * stackzone.h - where task stacks live and what a page fault near one means.
 *
 *   slot base                                               slot top
 *   | gap (never mapped) | guard page | limit: may be mapped | ... |
 *                        ^ top - limit - PAGE   ^ top - limit    top ^
 *
 * A stack starts with its top page mapped. A fault between top - limit and
 * the lowest mapped page grows it; a fault anywhere lower in the slot is an
 * overflow. Pure C: built for the host tests.
 */
#ifndef STACKZONE_H
#define STACKZONE_H

#include <stdbool.h>
#include <stdint.h>

#include "memlayout.h"

enum stack_fault {
    STACK_NOT_A_STACK,      /* the address is outside every slot */
    STACK_GROW,             /* map pages from the fault up to the mapped part */
    STACK_OVERFLOW,         /* past the limit: the guard page or the gap */
    STACK_ALREADY_MAPPED,   /* a fault on a mapped stack page: not ours to fix */
};

static inline bool stackzone_contains(uint32_t addr)
{
    return addr >= TASK_STACKS_VIRT &&
           addr - TASK_STACKS_VIRT < (uint32_t)TASK_STACK_SLOTS * TASK_STACK_SLOT;
}

static inline unsigned stackzone_slot_of(uint32_t addr)
{
    return (addr - TASK_STACKS_VIRT) / TASK_STACK_SLOT;
}

static inline uint32_t stackzone_top(unsigned slot)
{
    return TASK_STACKS_VIRT + (slot + 1) * TASK_STACK_SLOT;
}

/* A limit rounded up to whole pages and kept within a slot (0: the default). */
uint32_t stackzone_limit(uint32_t requested);
/* What a fault at addr means for the stack of `slot`, whose pages from
 * mapped_low up to its top are mapped and whose limit is `limit`. */
enum stack_fault stackzone_classify(uint32_t addr, unsigned slot, uint32_t limit,
                                    uint32_t mapped_low);

#endif
