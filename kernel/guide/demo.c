/*
 * demo.c - the paging demonstrations: what "read-only for safety" and
 * "limited in size" look like when the machine enforces them.
 */
#include "guide/demo.h"

#include "atlas/atlas.h"
#include "console/console.h"
#include "arch/fault.h"
#include "sched/chan.h"
#include "arch/irq.h"
#include "mm/kheap.h"
#include "sched/task.h"
#include "arch/trap.h"
#include "guide/tour.h"
#include "arch/kjmp.h"
#include "lib/string.h"
#include "mm/paging.h"
#include "sections.h"
#include "guide/examples.h"
#include "console/serial.h"

static volatile unsigned depth;         /* how deep stack-overflow got */
static volatile unsigned frame_bytes;   /* the size of one of its frames */
static volatile uintptr_t first_frame, last_frame;

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
    last_frame = (uintptr_t)__builtin_frame_address(0);
    if (n == 1)
        first_frame = last_frame;
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
    kheap_walk_print();
}

/* ---- double fault ------------------------------------------------------------------ */

#define GP_VECTOR 13
#define BAD_SELECTOR 0x1230     /* a GDT selector far beyond the table's end */

static void demo_double_fault(void)
{
    kprintf("Hiding the general-protection gate, then loading a bad segment selector:\n"
            "the #GP cannot be delivered (#NP), and two such faults make a double fault.\n");
    idt_set_present(GP_VECTOR, 0);
    __asm__ volatile("mov %0, %%ds" : : "r"(BAD_SELECTOR) : "memory");
    idt_set_present(GP_VECTOR, 1);
    kprintf("The selector loaded: the CPU did NOT fault.\n");
}

static void after_double_fault(void)
{
    idt_set_present(GP_VECTOR, 1);
}

/* ---- goroutines: tasks with stacks of their own ----------------------------------------- */

static void show_local(const char *what)
{
    int local = task_current()->id;
    char name[40];
    format_buf(name, sizeof name, "task.%d.local", local);
    serial_printf("@symbol name=%s addr=%p region=%s\n", name, (void *)&local,
                  region_of(&local));
    format_buf(name, sizeof name, "task.%d.frame", local);
    void *frame = __builtin_frame_address(0);
    serial_printf("@symbol name=%s addr=%p region=%s\n", name, frame, region_of(frame));
    kprintf("  task %d (%s): a local at %p, its frame at %p, in %s\n", local, what,
            (void *)&local, frame, region_of(&local));
}

static void worker(void *arg)
{
    show_local("worker");
    task_sleep((uint32_t)(uintptr_t)arg);   /* stay alive while main looks */
}

static volatile unsigned deep_reached;

/* About 1 KiB a frame, on purpose: the stack must grow page by page. */
static unsigned go_deep(unsigned n, unsigned target)
{
    volatile char frame[1000];
    frame[0] = (char)n;
    deep_reached = n;
    if (n >= target)
        return frame[0];
    return go_deep(n + 1, target) + frame[0];
}

static void deep(void *arg)
{
    show_local("deep");
    go_deep(1, (unsigned)(uintptr_t)arg);
    kprintf("  task %d (deep): %u nested calls, about %u KiB of stack, and back\n",
            task_current()->id, deep_reached, deep_reached);
    task_sleep(200);
}

static void overflow(void *arg)
{
    (void)arg;
    show_local("overflow");
    go_deep(1, 0xFFFFFFFF);                 /* runs past the limit */
}

static void demo_goroutines(void)
{
    kprintf("Five tasks, each with its own stack of one page that grows to 64 KiB.\n");
    struct task *t[5];
    t[0] = task_spawn(worker, (void *)300, "worker", 0);
    t[1] = task_spawn(worker, (void *)300, "worker", 0);
    t[2] = task_spawn(worker, (void *)300, "worker", 0);
    t[3] = task_spawn(deep, (void *)40, "deep", 0);
    t[4] = task_spawn(overflow, 0, "overflow", 0);
    for (int i = 0; i < 5; i++)
        if (!t[i]) {
            kprintf("  could not spawn task %d\n", i);
            return;
        }
    show_local("main, on the boot stack");
    task_sleep(100);                        /* let them run; all but main sleep */
    kprintf("While they sleep, the tasks and their stacks:\n");
    task_list_print();
    task_print_stacks();
    int codes[5];
    for (int i = 0; i < 5; i++) {
        int id = t[i]->id;
        bool overflowed;
        codes[i] = task_join_overflowed(t[i], &overflowed);
        serial_printf("@task id=%d exit=%d overflowed=%d\n", id, codes[i], overflowed);
    }
    task_flush_events();
    kprintf("The overflowing task was ended (exit %d); the others finished (exit %d %d %d %d).\n",
            codes[4], codes[0], codes[1], codes[2], codes[3]);
    claim("goroutines", codes[0] == 0 && codes[1] == 0 && codes[2] == 0 && codes[3] == 0 &&
                        codes[4] == -1,
          "each task had its own stack in its own slot, starting with one page; the deep "
          "one grew page by page; the one that passed 64 KiB was ended, the rest finished");
}

/* ---- a channel: the heap is shared by every task ------------------------------------- */

#define MESSAGES 8

static void producer(void *arg)
{
    struct chan *c = arg;
    for (int i = 0; i < MESSAGES; i++) {
        int *msg = kmalloc(sizeof *msg * 4);
        msg[0] = i;
        msg[1] = task_current()->id;
        kprintf("  producer (task %d): sends #%d, a heap block at %p (%s)\n", msg[1], i,
                (void *)msg, region_of(msg));
        chan_send(c, msg);
    }
    chan_send(c, 0);                        /* the end */
}

static void consumer(void *arg)
{
    struct chan *c = arg;
    int got = 0;
    for (;;) {
        int *msg = chan_recv(c);
        if (!msg)
            break;
        kprintf("  consumer (task %d): got #%d from task %d at %p, frees it\n",
                task_current()->id, msg[0], msg[1], (void *)msg);
        serial_printf("@message index=%d addr=%p region=%s from=%d to=%d\n", msg[0],
                      (void *)msg, region_of(msg), msg[1], task_current()->id);
        kfree(msg);
        got++;
    }
    task_exit(got);
}

static void demo_channel(void)
{
    struct heap_stats before, after;
    heap_get_stats(&kernel_heap, &before);
    struct chan *c = chan_new(2);
    kprintf("A producer task allocates %d blocks and sends them through a channel of 2;\n"
            "a consumer task receives and frees them. One heap serves both.\n", MESSAGES);
    struct task *p = task_spawn(producer, c, "producer", 0);
    struct task *q = task_spawn(consumer, c, "consumer", 0);
    if (!c || !p || !q) {
        kprintf("  out of memory\n");
        return;
    }
    task_join(p);
    int got = task_join(q);
    chan_free(c);
    heap_get_stats(&kernel_heap, &after);
    serial_printf("@channel sent=%d received=%d heap_used_before=%u heap_used_after=%u\n",
                  MESSAGES, got, before.used, after.used);
}

/* ---- the stack as a LIFO: the seed's add(a, b) -------------------------------------- */

uintptr_t traced_slots[2][TRACED_SLOTS];

/* Not static: GCC keeps the i386 System V convention for it, with the
 * arguments on the stack above the return address, as the seed describes. */
int traced_add(int a, int b, int call);
__attribute__((noinline)) int traced_add(int a, int b, int call)
{
    int result = a + b;
    void **frame = __builtin_frame_address(0);
    struct { const char *name; const void *addr; } slots[] = {
        { "a", &a }, { "b", &b }, { "result", &result },
        { "saved_frame_pointer", &frame[0] }, { "return_address_slot", &frame[1] },
        { "return_address", frame[1] },
    };
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        if (call >= 1 && call <= 2)
            traced_slots[call - 1][i] = (uintptr_t)slots[i].addr;
        serial_printf("@symbol name=add%d.%s addr=%p region=%s\n", call, slots[i].name,
                      slots[i].addr, region_of(slots[i].addr));
        kprintf("  call %d: %-20s at %p  (%s)\n", call, slots[i].name, slots[i].addr,
                region_of(slots[i].addr));
    }
    __asm__ volatile("" : : "r"(&result) : "memory");   /* keep result in memory */
    return result;
}

static void demo_stack_frames(void)
{
    kprintf("sum := add(5, 3), twice: the second call's frame takes the same slots.\n");
    int first = traced_add(5, 3, 1);
    int second = traced_add(10, 20, 2);
    kprintf("  add(5, 3) = %d, add(10, 20) = %d\n", first, second);
    bool same = true;
    for (int i = 0; i < TRACED_SLOTS - 1; i++)
        same = same && traced_slots[0][i] == traced_slots[1][i];
    bool ret_in_text = strcmp(region_of((void *)traced_slots[0][TRACED_SLOTS - 1]),
                              "kernel.text") == 0;
    claim("stack", same && ret_in_text,
          same ? "add's arguments, local, saved frame pointer and return address took "
                 "the same stack slots in both calls (LIFO); the return address points "
                 "into kernel.text"
               : "the second call used different stack slots");
}

static const struct demo {
    const char *name;
    void (*run)(void);
    const char *what;
    void (*after_fault)(void);      /* undo what the demo broke, if it faulted */
} demos[] = {
    { "text-write", demo_text_write, "write to the code: read-only for safety", 0 },
    { "rodata-write", demo_rodata_write, "write to a string constant", 0 },
    { "null", demo_null, "read through a null pointer", 0 },
    { "stack-overflow", demo_stack_overflow, "recurse until the stack runs out", 0 },
    { "heap-misuse", demo_heap_misuse, "double free, a wild free, a huge request", 0 },
    { "double-fault", demo_double_fault, "a fault while starting a fault handler",
      after_double_fault },
    { "goroutines", demo_goroutines, "tasks with stacks that grow, one overflowing", 0 },
    { "channel", demo_channel, "one task allocates, another frees, through a channel", 0 },
    { "stack-frames", demo_stack_frames, "the seed's add(a, b): a frame, then the same slots", 0 },
    /* The guide's sections, in its order (tour.c); demo=all runs them all. */
    { "layout", tour_layout, "the guide's diagram, from this machine's addresses", 0 },
    { "stack", demo_stack_frames, "the guide's add/main example: frames and LIFO reuse", 0 },
    { "heap", tour_heap, "the guide's createSlice: a block that outlives its function", 0 },
    { "data", tour_data, "globals in .data and .bss, constants in .rodata", 0 },
    { "code", tour_code, "functions in .text, and the write that faults", 0 },
    { "stack-vs-heap", tour_stack_vs_heap, "the guide's table, measured in cycles", 0 },
    { "escape", tour_escape, "heapExample and stackExample: where x lives", 0 },
    { "gc", tour_gc, "a garbage-collected heap: what is unreachable goes", 0 },
    { "all", tour_all, "the whole guide, section by section", 0 },
};

static const struct cmdline *boot_cmdline;

void demo_set_cmdline(const struct cmdline *c)
{
    boot_cmdline = c;
}

const struct cmdline *demo_cmdline(void)
{
    return boot_cmdline;
}

void claim(const char *demo, bool holds, const char *detail)
{
    kprintf("  => the guide's claim %s on this machine: %s\n",
            holds ? "HOLDS" : "DIFFERS", detail);
    serial_printf("@claim name=%s result=%s detail=", demo, holds ? "holds" : "differs");
    serial_put_quoted(detail);
    serial_putc('\n');
}

const char *demo_names(void)
{
    return "layout stack heap data code stack-vs-heap escape gc goroutines all "
           "text-write rodata-write null stack-overflow heap-misuse double-fault "
           "channel stack-frames";
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
    /* On this frame, which outlives the demo: demos may nest (demo=all). */
    struct kjmp landing;
    volatile uint32_t flags = irq_save();   /* interrupts as they were before */
    irq_restore(flags);
    if (kjmp_set(&landing) == 0) {
        fault_set_recovery(&landing);
        d->run();
        fault_set_recovery(0);
        serial_printf("@demo name=%s result=finished\n", d->name);
        return true;
    }
    /* Back here after the fault was reported, with interrupts off. */
    kprintf("  the demo is abandoned; the kernel carries on.\n");
    irq_restore(flags);
    if (d->after_fault)
        d->after_fault();
    if (d->run == demo_stack_overflow) {
        frame_bytes = depth > 1 ? (unsigned)((first_frame - last_frame) / (depth - 1)) : 0;
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
