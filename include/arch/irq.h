/*
 * irq.h - the CPU's interrupt flag: interrupts on, off, saved and restored.
 * The interrupt controllers are in pic.h, the timer in pit.h.
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdint.h>

#define EFLAGS_IF       0x200

/* Turns interrupts off and returns the flags as they were, for irq_restore. */
static inline uint32_t irq_save(void)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

/* Turns interrupts back on if they were on when `flags` was saved. */
static inline void irq_restore(uint32_t flags)
{
    if (flags & EFLAGS_IF)
        __asm__ volatile("sti" : : : "memory");
}

static inline void irq_enable(void)
{
    __asm__ volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
    __asm__ volatile("cli" : : : "memory");
}

#endif
