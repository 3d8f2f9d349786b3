/*
 * pic.c - the two 8259 interrupt controllers.
 *
 * The BIOS leaves the PICs on vectors 8..15, on top of the CPU's own
 * exceptions; they are moved to 32..47 before any line is unmasked. Every
 * line starts with a handler that acknowledges it, so that an interrupt
 * nobody asked for is harmless.
 */
#include "arch/pic.h"

#include <stdint.h>

#include "arch/ports.h"
#include "arch/trap.h"

#define PIC1_CMD        0x20
#define PIC1_DATA       0x21
#define PIC2_CMD        0xA0
#define PIC2_DATA       0xA1
#define ICW1_INIT       0x11    /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086       0x01
#define PIC_EOI         0x20
#define PIC_READ_ISR    0x0B    /* OCW3: the next read returns the in-service register */
#define PIC_ALL_MASKED  0xFF

#define IRQS_PER_PIC    8
#define PIC_CASCADE_IRQ 2       /* the master's line the slave is wired to */
/* A PIC that cannot say which line asked reports its lowest-priority one. */
#define PIC_SPURIOUS    7

static void stray_interrupt(struct trap_frame *f);

void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT);
    outb(PIC2_CMD, ICW1_INIT);
    outb(PIC1_DATA, TRAP_IRQ_BASE);                 /* ICW2: vector base */
    outb(PIC2_DATA, TRAP_IRQ_BASE + IRQS_PER_PIC);
    outb(PIC1_DATA, 1 << PIC_CASCADE_IRQ);          /* ICW3: slave on IRQ 2 */
    outb(PIC2_DATA, PIC_CASCADE_IRQ);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, PIC_ALL_MASKED & ~(1 << PIC_CASCADE_IRQ));  /* but the cascade */
    outb(PIC2_DATA, PIC_ALL_MASKED);
    for (unsigned v = TRAP_IRQ_BASE; v < TRAP_IRQ_BASE + IRQ_LINES; v++)
        trap_set_handler(v, stray_interrupt);
}

void pic_unmask(unsigned irq)
{
    uint16_t port = irq < IRQS_PER_PIC ? PIC1_DATA : PIC2_DATA;
    outb(port, inb(port) & ~(1 << (irq % IRQS_PER_PIC)));
}

void pic_eoi(unsigned irq)
{
    if (irq >= IRQS_PER_PIC)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* An interrupt line nobody asked for (a spurious IRQ 7 or 15 among them):
 * acknowledged and ignored, never fatal. */
static void stray_interrupt(struct trap_frame *f)
{
    unsigned irq = f->vector - TRAP_IRQ_BASE;
    if (irq % IRQS_PER_PIC == PIC_SPURIOUS) {
        /* Spurious: the in-service bit is clear, and no EOI is owed to that PIC. */
        uint16_t cmd = irq < IRQS_PER_PIC ? PIC1_CMD : PIC2_CMD;
        outb(cmd, PIC_READ_ISR);
        if (!(inb(cmd) & (1 << PIC_SPURIOUS))) {
            if (irq >= IRQS_PER_PIC)
                outb(PIC1_CMD, PIC_EOI);    /* the master did see the cascade */
            return;
        }
    }
    pic_eoi(irq);
}
