/*
 * irq.c - the 8259 interrupt controllers and the 8253 timer.
 *
 * The BIOS leaves the PICs on vectors 8..15, on top of the CPU's own
 * exceptions; they are moved to 32..47 before any line is unmasked.
 */
#include "arch/irq.h"

#include "arch/ports.h"
#include "sched/task.h"
#include "arch/trap.h"

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xA0
#define PIC2_DATA       0xA1
#define ICW1_INIT       0x11    /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086       0x01
#define PIC_EOI         0x20
#define PIC_CASCADE_IRQ 2
#define PIC_READ_ISR    0x0B    /* OCW3: the next read returns the in-service register */

#define PIT_CHANNEL0    0x40
#define PIT_COMMAND     0x43
#define PIT_RATE_MODE   0x34    /* channel 0, low then high byte, mode 2 */
#define PIT_CLOCK       1193182 /* Hz */

static volatile uint64_t ticks;

static void stray_interrupt(struct trap_frame *f);

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, TRAP_IRQ_BASE);                 /* ICW2: vector base */
    outb(PIC2_DATA, TRAP_IRQ_BASE + 8);
    outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ);          /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, PIC_CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, 0xFF & ~(1 << PIC_CASCADE_IRQ));  /* all masked but the cascade */
    outb(PIC2_DATA, 0xFF);
    for (unsigned v = TRAP_IRQ_BASE; v < TRAP_VECTORS; v++)
        trap_set_handler(v, stray_interrupt);
}

void pic_unmask(unsigned irq)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1 << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

static void timer_interrupt(struct trap_frame *f)
{
    (void)f;
    ticks++;
    pic_eoi(IRQ_TIMER);             /* before a switch: the next tick must come */
    task_tick();
}

/* An interrupt line nobody asked for (a spurious IRQ 7 or 15 among them):
 * acknowledged and ignored, never fatal. */
static void stray_interrupt(struct trap_frame *f)
{
    unsigned irq = f->vector - TRAP_IRQ_BASE;
    if (irq == 7 || irq == 15) {
        /* Spurious: the in-service bit is clear, and no EOI is owed to that PIC. */
        uint16_t cmd = irq == 7 ? PIC1_CMD : PIC2_CMD;
        outb(cmd, PIC_READ_ISR);
        if (!(inb(cmd) & 0x80)) {
            if (irq == 15)
                outb(PIC1_CMD, PIC_EOI);    /* the master did see the cascade */
            return;
        }
    }
    pic_eoi(irq);
}

void timer_init(void)
{
    uint32_t divisor = PIT_CLOCK / TIMER_HZ;
    outb(PIT_COMMAND, PIT_RATE_MODE);
    outb(PIT_CHANNEL0, divisor & 0xFF);
    outb(PIT_CHANNEL0, divisor >> 8);
    trap_set_handler(TRAP_IRQ_BASE + IRQ_TIMER, timer_interrupt);
    pic_unmask(IRQ_TIMER);
}

uint64_t timer_ticks(void)
{
    uint32_t flags = irq_save();
    uint64_t t = ticks;
    irq_restore(flags);
    return t;
}

uint64_t tsc_per_ms(void)
{
    static uint64_t per_ms;
    if (per_ms)
        return per_ms;
    /* Count cycles over 10 ticks (100 ms), starting on a tick boundary. */
    uint64_t t0 = timer_ticks();
    while (timer_ticks() == t0)
        __asm__ volatile("pause");
    uint64_t c0 = rdtsc(), start = timer_ticks();
    while (timer_ticks() < start + 10)
        __asm__ volatile("pause");
    per_ms = (rdtsc() - c0) / (10 * 1000 / TIMER_HZ);
    if (!per_ms)
        per_ms = 1;
    return per_ms;
}
