/*
 * pit.c - the 8253 timer: channel 0 ticks TIMER_HZ times a second on IRQ 0.
 *
 * The timer counts ticks and calls one hook; it knows nothing of what the
 * hook does (the scheduler registers task_tick there for preemption).
 */
#include "arch/pit.h"

#include "arch/irq.h"
#include "arch/pic.h"
#include "arch/ports.h"
#include "arch/trap.h"

#define PIT_CHANNEL0    0x40
#define PIT_COMMAND     0x43
#define PIT_RATE_MODE   0x34    /* channel 0, low then high byte, mode 2 */
#define PIT_CLOCK       1193182 /* Hz */

static volatile uint64_t ticks;
static void (*tick_hook)(void);

static void timer_interrupt(struct trap_frame *f)
{
    (void)f;
    ticks++;
    pic_eoi(IRQ_TIMER);             /* before a switch: the next tick must come */
    if (tick_hook)
        tick_hook();
}

void timer_init(void (*on_tick)(void))
{
    uint32_t divisor = PIT_CLOCK / TIMER_HZ;
    tick_hook = on_tick;
    outb(PIT_COMMAND, PIT_RATE_MODE);
    outb(PIT_CHANNEL0, divisor & 0xFF);
    outb(PIT_CHANNEL0, divisor >> 8);
    trap_set_handler(TRAP_IRQ_BASE + IRQ_TIMER, timer_interrupt);
    pic_unmask(IRQ_TIMER);
}

uint64_t timer_ticks(void)
{
    uint32_t flags = irq_save();    /* 64 bits are two loads: no tick between */
    uint64_t t = ticks;
    irq_restore(flags);
    return t;
}
