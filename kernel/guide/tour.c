/*
 * tour.c - the guide, live: one demo per section of shared/seed, each
 * printing what it shows, the real addresses, and a verdict:
 * "@claim name=DEMO result=holds|differs detail=...".
 */
#include "guide/tour.h"

#include "sched/procimage.h"

#include "atlas/atlas.h"
#include "boot/cmdline.h"
#include "console/console.h"
#include "guide/demo.h"
#include "arch/fault.h"
#include "arch/irq.h"
#include "arch/tsc.h"
#include "mm/kgc.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "sections.h"
#include "guide/examples.h"
#include "console/serial.h"
#include "sched/task.h"

static void show(const char *name, const void *addr, const char *what)
{
    serial_printf("@symbol name=%s addr=%p region=%s\n", name, addr, region_of(addr));
    kprintf("  %-22s %p  %-16s %s\n", name, addr, region_of(addr), what);
}

/* ---- layout: the guide's diagram ------------------------------------------------------ */

struct row {
    const char *part;
    uintptr_t addr;
};

static int layout_main(int argc, char **argv, char **envp)
{
    struct task *me = task_current();
    kprintf("This task started like a process: argc=%d at %p, argv at %p, envp at %p.\n",
            argc, (void *)(argv - 1), (void *)argv, (void *)envp);
    serial_printf("@region name=args space=virtual start=0x%08x end=0x%08x phys=none "
                  "perm=rw- size=%u\n", me->args_lo, me->args_hi, me->args_hi - me->args_lo);
    serial_printf("@region name=env space=virtual start=0x%08x end=0x%08x phys=none "
                  "perm=rw- size=%u\n", me->env_lo, me->env_hi, me->env_hi - me->env_lo);
    serial_printf("@region name=argv.envp.auxv space=virtual start=0x%08x end=0x%08x "
                  "phys=none perm=rw- size=%u\n", me->vec_lo, me->vec_hi,
                  me->vec_hi - me->vec_lo);
    /* The System V block as this task found it, for programs to check. */
    char **e = envp;
    while (*e)
        e++;
    uint32_t *auxv = (uint32_t *)(e + 1);
    serial_printf("@process argc=%d sp=%p argv=%p envp=%p auxv=%p\n", argc,
                  (void *)(argv - 1), (void *)argv, (void *)envp, (void *)auxv);
    for (uint32_t *a = auxv; ; a += 2) {
        serial_printf("@auxv type=%u value=%u\n", a[0], a[1]);
        if (a[0] == AT_NULL)
            break;
    }
    for (int i = 0; i < argc; i++) {
        char name[24];
        format_buf(name, sizeof name, "argv.%d", i);
        serial_printf("@arg index=%d value=", i);
        serial_put_quoted(argv[i]);
        serial_printf(" addr=%p region=%s\n", (void *)argv[i], region_of(argv[i]));
        if (i < 4)
            show(name, argv[i], argv[i]);
    }
    for (int i = 0; envp[i]; i++) {
        serial_printf("@env index=%d value=", i);
        serial_put_quoted(envp[i]);
        serial_printf(" addr=%p region=%s\n", (void *)envp[i], region_of(envp[i]));
        if (i < 4) {
            char name[24];
            format_buf(name, sizeof name, "envp.%d", i);
            show(name, envp[i], envp[i]);
        }
    }

    int local = argc;
    int *heap = kmalloc(sizeof *heap);
    int *managed = gc_new(sizeof *managed);
    struct row rows[] = {
        { "Command Line Args", argc ? (uintptr_t)argv[0] : me->args_lo },
        { "Environment Vars", envp[0] ? (uintptr_t)envp[0] : me->env_lo },
        { "Stack", (uintptr_t)&local },
        { "Heap", (uintptr_t)heap },
        { "Global Variables", (uintptr_t)&globalCount },
        { "Program Code", (uintptr_t)add },
    };
    show("layout.stack.local", &local, "a local of this task");
    show("layout.heap.block", heap, "kmalloc'd");
    if (managed)
        show("layout.gc.object", managed, "gc_new'd: the garbage-collected heap");
    show("layout.global", &globalCount, "globalCount");
    show("layout.code", (const void *)add, "func add");

    kprintf("\nThe guide's diagram, drawn from this machine (high addresses on top):\n");
    bool ordered = true;
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char gap[16] = "";
        if (i + 1 < sizeof rows / sizeof rows[0]) {
            if (rows[i].addr > rows[i + 1].addr)
                format_size(gap, sizeof gap, rows[i].addr - rows[i + 1].addr);
            else if (!(i == 0 && !envp[0]))    /* no environment: nothing to order */
                ordered = false;
        }
        kprintf("  +---------------------+\n  | %-19s |  %p  %s\n", rows[i].part,
                (void *)rows[i].addr, region_of((void *)rows[i].addr));
        if (gap[0])
            kprintf("  +---------------------+    %s down to the next\n", gap);
    }
    kprintf("  +---------------------+\n");
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        serial_printf("@layout part=\"%s\" addr=%p region=%s\n", rows[i].part,
                      (void *)rows[i].addr, region_of((void *)rows[i].addr));
    kfree(heap);
    claim("layout", ordered,
          ordered ? "args above environment above this task's stack above the heap above "
                    "the globals above the code, as the guide draws it"
                  : "the order on this machine differs from the guide's drawing");
    return 0;
}

void tour_layout(void)
{
    const struct cmdline *c = demo_cmdline();
    static const char *const none[] = { 0 };
    kprintf("The boot command line's arguments and environment become a task's argv and "
            "envp,\nat the top of its stack, the way a process starts on System V i386.\n");
    struct task *t = task_spawn_main(layout_main, "main", c ? c->argc : 0,
                                     c ? c->argv : none, c ? c->envc : 0,
                                     c ? c->envp : none);
    if (!t) {
        claim("layout", false, "the arguments and environment did not fit on a task stack");
        return;
    }
    task_join(t);
}

/* ---- heap: createSlice ------------------------------------------------------------------- */

void tour_heap(void)
{
    kprintf("func createSlice() *[]int { nums := []int{1, 2, 3}; return &nums }\n");
    int *slicePtr = createSlice();
    show("createSlice.nums", slicePtr, "allocated inside createSlice, returned");
    bool alive = slicePtr && slicePtr[0] == 1 && slicePtr[1] == 2 && slicePtr[2] == 3;
    bool in_heap = slicePtr && strcmp(region_of(slicePtr), "heap") == 0;
    kprintf("  after createSlice returned, main still reads %d %d %d through the pointer\n",
            slicePtr ? slicePtr[0] : 0, slicePtr ? slicePtr[1] : 0,
            slicePtr ? slicePtr[2] : 0);
    kfree(slicePtr);
    claim("heap", alive && in_heap,
          "the block outlived the function that made it, in the heap; in C it is freed "
          "by hand (kfree), in Go the collector would (see demo gc)");
}

/* ---- data: globals and constants ------------------------------------------------------------ */

static const int answer = 42;       /* a constant: .rodata */

static void bump_global(void *arg)
{
    (void)arg;
    globalCount++;                  /* one task writes it ... */
}

void tour_data(void)
{
    kprintf("var globalCount int = 100: fixed addresses, alive for the whole run.\n");
    show("globalCount", &globalCount, "initialised global");
    show("zeroCount", &zeroCount, "zero global");
    show("answer", &answer, "a constant");
    int before = globalCount;
    struct task *t = task_spawn(bump_global, 0, "writer", 0);
    if (t)
        task_join(t);
    int after = globalCount;       /* ... and another (main) sees it */
    kprintf("  a task added one to globalCount: main reads %d, then %d\n", before, after);
    globalCount = before;
    bool ok = strcmp(region_of(&globalCount), "kernel.data") == 0 &&
              strcmp(region_of(&zeroCount), "kernel.bss") == 0 &&
              strcmp(region_of(&answer), "kernel.rodata") == 0 && after == before + 1;
    claim("data", ok,
          "globalCount is in .data, a zero global in .bss (no bytes in the file), the "
          "constant in .rodata; one task's write was seen by another");
}

/* ---- code: read-only for safety ------------------------------------------------------------ */

void tour_code(void)
{
    kprintf("Compiled instructions live in .text, which the page tables make read-only.\n");
    show("add", (const void *)add, "func add");
    show("createSlice", (const void *)createSlice, "func createSlice");
    show("tour_code", (const void *)tour_code, "this very function");
    demo_run("text-write");
    bool faulted = fault_last_vector() == 14;
    claim("code", faulted && strcmp(region_of((const void *)add), "kernel.text") == 0,
          faulted ? "the functions are in kernel.text, and writing to one faulted: read-only "
                    "(the hardware cannot forbid running r-- pages without PAE)"
                  : "a write to the code did not fault");
}

/* ---- stack vs heap: the guide's table, measured ---------------------------------------------- */

#define RUNS 20000

__attribute__((noinline)) static int make_local(int seed)
{
    volatile int local[16];
    for (int i = 0; i < 16; i++)
        local[i] = seed + i;
    return local[seed & 15];
}

void tour_stack_vs_heap(void)
{
    kprintf("Creating and dropping 64 bytes, %d times each, timed with the TSC:\n", RUNS);
    uint32_t flags = irq_save();
    uint64_t t0 = rdtsc();
    int sink = 0;
    for (int i = 0; i < RUNS; i++)
        sink += make_local(i);
    uint64_t t1 = rdtsc();
    for (int i = 0; i < RUNS; i++) {
        volatile int *p = kmalloc(64);
        p[0] = i;
        kfree((void *)p);
    }
    uint64_t t2 = rdtsc();
    irq_restore(flags);
    /* gc_new may collect: keep interrupts as gc_new wants them. */
    uint64_t t3 = rdtsc();
    for (int i = 0; i < RUNS; i++) {
        volatile int *p = gc_new(64);
        if (p)
            p[0] = i;
    }
    uint64_t t4 = rdtsc();
    (void)sink;
    unsigned stack = (unsigned)((t1 - t0) / RUNS), heap = (unsigned)((t2 - t1) / RUNS),
             gc = (unsigned)((t4 - t3) / RUNS);
    kprintf("  | %-30s | %8s | %6s |\n", "operation", "cycles", "ratio");
    kprintf("  | %-30s | %8u | %6s |\n", "local array (call, return)", stack, "1x");
    kprintf("  | %-30s | %8u | %5ux |\n", "kmalloc + kfree", heap, stack ? heap / stack : 0);
    kprintf("  | %-30s | %8u | %5ux |\n", "gc_new (collections included)", gc,
            stack ? gc / stack : 0);
    serial_printf("@measure stack_cycles=%u heap_cycles=%u gc_cycles=%u runs=%d\n", stack,
                  heap, gc, RUNS);
    claim("stack-vs-heap", stack < heap && stack < gc,
          stack < heap ? "the stack was faster than both heaps, as the guide's table says"
                       : "the heap was as fast as the stack here");
}

/* ---- escape: where x lives ---------------------------------------------------------------- */

/* Returns the address of its local as a number: never dereferenced. */
__attribute__((noinline)) static uintptr_t stack_example(void)
{
    volatile int x = 42;
    return (uintptr_t)&x;
}

__attribute__((noinline)) static uintptr_t another_call(void)
{
    volatile int y = 7;
    return (uintptr_t)&y;
}

__attribute__((noinline)) static int *heap_example(void)
{
    int *x = kmalloc(sizeof *x);    /* C: the programmer decides, not the compiler */
    if (x)
        *x = 42;
    return x;
}

void tour_escape(void)
{
    kprintf("func stackExample() int { x := 42; return x }   // x stays on the stack\n"
            "func heapExample() *int { x := 42; return &x }  // x escapes to the heap\n");
    uintptr_t on_stack = stack_example();
    uintptr_t next = another_call();
    int *on_heap = heap_example();
    show("stackExample.x", (const void *)on_stack, "gone when the function returned");
    show("anotherCall.y", (const void *)next, "the next call's local");
    show("heapExample.x", on_heap, "kmalloc'd: lives on");
    kprintf("  the next call put its own local at the address x had: %s\n",
            on_stack == next ? "the same slot" : "a different slot");
    kfree(on_heap);
    claim("escape", false,
          on_stack == next ? "C has no escape analysis: &x of a local dangles, and the next "
                             "call reused its stack slot; Go's compiler would have moved x "
                             "to the heap"
                           : "C has no escape analysis: &x of a local dangles");
}

/* ---- gc: a collector finds what is unreachable ------------------------------------------------ */

struct node {
    struct node *next;
    int id;
};

/* The demo's root: a global, so .bss holds the only reference to the list. */
static struct node *gc_demo_root;
/* The demo remembers every object's address hidden (xor), so that its own
 * records do not look like references to a conservative collector. */
#define HIDE(p) ((uintptr_t)(p) ^ 0xA5A5A5A5u)
static uintptr_t hidden[16];

__attribute__((noinline)) static void build(void)
{
    struct node *prev = 0;
    for (int i = 9; i >= 0; i--) {          /* a list of 10, head is node 0 */
        struct node *n = gc_new(sizeof *n);
        if (!n)
            return;
        n->id = i;
        n->next = prev;
        prev = n;
        hidden[i] = HIDE(n);
    }
    gc_demo_root = prev;
    struct node *a = gc_new(sizeof *a), *b = gc_new(sizeof *b), *c = gc_new(sizeof *c);
    if (a && b && c) {                      /* a cycle nothing points to */
        a->next = b, b->next = c, c->next = a;
        a->id = 100, b->id = 101, c->id = 102;
        hidden[10] = HIDE(a), hidden[11] = HIDE(b), hidden[12] = HIDE(c);
    }
}

/* Old frames below the stack pointer may still hold pointers; the collector
 * does not scan there, but the frames it calls into reuse that space. */
__attribute__((noinline)) static void scrub_stack(void)
{
    volatile char area[2048];
    for (unsigned i = 0; i < sizeof area; i++)
        area[i] = 0;
}

/* In a function of its own: the registers that held the real addresses are
 * restored when it returns, so none is left for the collector to see. */
__attribute__((noinline)) static void show_nodes(void)
{
    for (int i = 0; i < 13; i++)
        if (hidden[i]) {
            char name[16];
            format_buf(name, sizeof name, "gc.node.%d", i < 10 ? i : 100 + i - 10);
            show(name, (const void *)(hidden[i] ^ 0xA5A5A5A5u), "a managed object");
        }
}

__attribute__((noinline)) static void cut(void)
{
    struct node *n = gc_demo_root;
    for (int i = 0; n && i < 4; i++)
        n = n->next;
    if (n)
        n->next = 0;                        /* nodes 5..9 are now unreachable */
}

void tour_gc(void)
{
    unsigned gogc = kgc_gogc();
    if (!kgc_init(gogc)) {
        claim("gc", false, "no memory for the garbage-collected heap");
        return;
    }
    kprintf("gc_new: nothing is freed by hand. A list of 10 nodes hangs from a global;\n"
            "a cycle of 3 hangs from nothing. Cut the list after node 4, then collect.\n"
            "(GOGC=%u: collect by itself when the heap grows by %u%%; 0 means off.)\n",
            gogc, gogc);
    build();
    show_nodes();
    cut();
    scrub_stack();
    kgc_collect();
    bool ok = true;
    bool live[13];
    for (int i = 0; i < 13; i++) {
        live[i] = gc_is_live_object(&kernel_gc, (const void *)(hidden[i] ^ 0xA5A5A5A5u));
        ok = ok && hidden[i] && live[i] == (i < 5);
        serial_printf("@object id=%d live=%d\n", i < 10 ? i : 100 + i - 10, live[i]);
    }
    kprintf("  after the collection, kept:");
    for (int i = 0; i < 13; i++)
        if (live[i])
            kprintf(" %d", i < 10 ? i : 100 + i - 10);
    kprintf("; freed:");
    for (int i = 0; i < 13; i++)
        if (!live[i])
            kprintf(" %d", i < 10 ? i : 100 + i - 10);
    kprintf("\n");
    gc_demo_root = 0;
    scrub_stack();
    kgc_collect();
    claim("gc", ok,
          ok ? "the reachable nodes 0-4 survived; the cut-off nodes 5-9 and the unreachable "
               "cycle were reclaimed, by a tri-colour mark and sweep"
             : "the collector kept something unreachable or freed something reachable");
}

/* ---- all ------------------------------------------------------------------------------------ */

void tour_all(void)
{
    static const char *const order[] = {
        "layout", "stack", "heap", "data", "code", "stack-vs-heap", "escape", "gc",
        "goroutines",
    };
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        demo_run(order[i]);
}
