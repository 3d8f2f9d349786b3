/*
 * demo.c - the runner: a heading, the demo, and "@demo name=... result=...".
 * A fault in the demo's own code lands back here (fault_set_recovery), and
 * the demo is abandoned instead of the kernel.
 */
#include "guide/demo.h"

#include "arch/fault.h"
#include "arch/irq.h"
#include "arch/kjmp.h"
#include "console/console.h"
#include "console/protocol.h"
#include "guide/registry.h"

static const struct cmdline *boot_cmdline;
/* The landing of the innermost demo running, restored when a nested one ends. */
static struct kjmp *armed;

void demo_set_cmdline(const struct cmdline *c)
{
    boot_cmdline = c;
}

const struct cmdline *demo_cmdline(void)
{
    return boot_cmdline;
}

static void arm(struct kjmp *landing)
{
    armed = landing;
    fault_set_recovery(landing);
}

bool demo_run(const char *name)
{
    const struct demo *volatile d = demo_find(name);    /* volatile: kept across kjmp */
    if (!d)
        return false;

    kprintf("\n---- demo %s: %s ----\n", d->name, d->what);
    /* On this frame, which outlives the demo: demos may nest (demo=all). */
    struct kjmp landing;
    struct kjmp *volatile outer = armed;
    volatile uint32_t flags = irq_save();   /* interrupts as they were before */
    irq_restore(flags);
    if (kjmp_set(&landing) == 0) {
        arm(&landing);
        d->run();
        arm(outer);
        proto_demo_finished(d->name);
        return true;
    }
    /* Back here after the fault was reported, with interrupts off. */
    kprintf("  the demo is abandoned; the kernel carries on.\n");
    arm(outer);
    irq_restore(flags);
    if (d->after_fault)
        d->after_fault(d->name, fault_last_vector());
    else
        proto_demo_faulted(d->name, fault_last_vector());
    return true;
}
