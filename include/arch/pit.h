/*
 * pit.h - the 8253 programmable interval timer: a tick TIMER_HZ times a
 * second on IRQ 0, counted, and handed to whoever wants it (the scheduler,
 * for preemption).
 */
#ifndef PIT_H
#define PIT_H

#include <stdint.h>

#define TIMER_HZ        100

/* Starts the PIT at TIMER_HZ and unmasks its line; the PICs must be set up.
 * on_tick (NULL: none) runs in the interrupt on every tick, after the end of
 * interrupt has been sent, so that it may switch tasks. */
void timer_init(void (*on_tick)(void));
/* Timer interrupts since timer_init. */
uint64_t timer_ticks(void);

#endif
