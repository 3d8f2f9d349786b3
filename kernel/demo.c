/*
 * demo.c - the paging demonstrations: what "read-only for safety" and
 * "limited in size" look like when the machine enforces them.
 */
#include "demo.h"

#include "atlas.h"
#include "console.h"
#include "fault.h"
#include "kheap.h"
#include "kjmp.h"
#include "kstring.h"
#include "paging.h"
#include "sections.h"
#include "seed.h"
#include "serial.h"

static volatile unsigned depth;         /* how deep stack-overflow got */
static volatile unsigned frame_bytes;   /* the size of one of its frames */
static volatile uintptr_t first_frame;

static void demo_text_write(void)
{
    volatile uint8_t *code = (volatile uint8_t *)(uintptr_t)add;
    kprintf("Writing one byte over the first instruction of add() at %p (%s).\n",
            (void *)code, region_of((const void *)code));
    paging_walk_print((uintptr_t)code);
    *code = 0xCC;
    kprintf("The write went through: code is NOT protected.\n");
}

static void demo_rodata_write(void)
{
    static const char message[] = "constants live in .rodata";
    volatile char *p = (volatile char *)(uintptr_t)message;
    kprintf("Writing over the constant \"%s\" at %p (%s).\n", message, (void *)p,
            region_of((const void *)p));
    paging_walk_print((uintptr_t)p);
    p[0] = 'C';
    kprintf("The write went through: constants are NOT protected.\n");
}

static void demo_null(void)
{
    volatile int *null = 0;
    __asm__ volatile("" : "+r"(null));  /* keep GCC from treating this as UB */
    kprintf("Reading through a null pointer (address 0, %s).\n", region_of(0));
    paging_walk_print(0);
    int value = *null;
    kprintf("Read %d from address 0: page 0 is NOT protected.\n", value);
}

/* Never reached: it only tells GCC the recursion is not endless by design. */
static volatile unsigned recursion_limit = 0xFFFFFFFF;

static unsigned recurse(unsigned n)
{
    volatile char frame[200];           /* make each frame take room */
    frame[0] = (char)n;
    depth = n;
    if (n >= recursion_limit)
        return 0;
    if (n == 1)
        first_frame = (uintptr_t)__builtin_frame_address(0);
    else if (n == 2)
        frame_bytes = (unsigned)(first_frame - (uintptr_t)__builtin_frame_address(0));
    return recurse(n + 1) + frame[0];   /* not a tail call: the frame stays */
}

static void demo_stack_overflow(void)
{
    kprintf("Recursing without end on the boot stack (%u KiB, guard page below it).\n",
            (unsigned)((_boot_stack_top - _boot_stack_bottom) / 1024));
    depth = 0;
    recurse(1);
}

static void demo_heap_misuse(void)
{
    kprintf("Misusing the kernel heap on purpose; each misuse is reported and refused.\n");
    char *block = kmalloc(40);
    kfree(block);
    kprintf("kfree(%p) a second time:\n", (void *)block);
    kfree(block);
    char *live = kmalloc(64);
    kprintf("kfree(%p), 8 bytes into a live block:\n", (void *)(live + 8));
    kfree(live + 8);
    kprintf("kmalloc(0xFFFFFFF0):\n");
    void *huge = kmalloc(0xFFFFFFF0u);
    kprintf("  returned %p\n", huge);
    kfree(live);
    const char *why = "";
    kprintf("The heap check after all that: %s\n",
            heap_check(&kernel_heap, &why) ? "every block and list is consistent" : why);
}

static const struct demo {
    const char *name;
    void (*run)(void);
    const char *what;
} demos[] = {
    { "text-write", demo_text_write, "write to the code: read-only for safety" },
    { "rodata-write", demo_rodata_write, "write to a string constant" },
    { "null", demo_null, "read through a null pointer" },
    { "stack-overflow", demo_stack_overflow, "recurse until the stack runs out" },
    { "heap-misuse", demo_heap_misuse, "double free, a wild free, a huge request" },
};

const char *demo_names(void)
{
    return "text-write rodata-write null stack-overflow heap-misuse";
}

bool demo_run(const char *name)
{
    const struct demo *volatile d = 0;    /* volatile: kept across kjmp_jump */
    for (unsigned i = 0; i < sizeof demos / sizeof demos[0]; i++)
        if (strcmp(demos[i].name, name) == 0)
            d = &demos[i];
    if (!d)
        return false;

    kprintf("\n---- demo %s: %s ----\n", d->name, d->what);
    static struct kjmp landing;         /* static: it must outlive the fault */
    if (kjmp_set(&landing) == 0) {
        fault_set_recovery(&landing);
        d->run();
        fault_set_recovery(0);
        serial_printf("@demo name=%s result=finished\n", d->name);
        return true;
    }
    /* Back here after the fault was reported. */
    if (d->run == demo_stack_overflow) {
        kprintf("The recursion reached depth %u, about %u bytes a frame, before "
                "the %u-byte boot stack ran out.\n", depth, frame_bytes,
                (unsigned)(_boot_stack_top - _boot_stack_bottom));
        serial_printf("@demo name=%s result=faulted vector=%d depth=%u stack_size=%u\n",
                      d->name, fault_last_vector(), depth,
                      (unsigned)(_boot_stack_top - _boot_stack_bottom));
    } else {
        serial_printf("@demo name=%s result=faulted vector=%d\n", d->name,
                      fault_last_vector());
    }
    return true;
}
