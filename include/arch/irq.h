/*
 * irq.h - interrupts: on, off, saved and restored; the two 8259 PICs; the
 * 8253 timer (PIT) that drives preemption.
 */
#ifndef IRQ_H
#define IRQ_H

#include <stdbool.h>
#include <stdint.h>

#define EFLAGS_IF       0x200
#define TIMER_HZ        100
#define IRQ_TIMER       0

static inline uint32_t irq_save(void)
{
    uint32_t flags;
    __asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
    return flags;
}

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

/* Remaps the PICs to vectors 32..47 with every line masked. */
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
/* Starts the PIT at TIMER_HZ on IRQ 0. */
void timer_init(void);
/* Timer interrupts since timer_init. */
uint64_t timer_ticks(void);
/* Time-stamp counter cycles per millisecond, measured against the timer the
 * first time it is asked for (interrupts must be on). */
uint64_t tsc_per_ms(void);

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
