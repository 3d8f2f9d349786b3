/*
 * tour_gc.c - a collector finds what is unreachable: a list hanging from a
 * global is cut in the middle, a cycle hangs from nothing, and one
 * collection frees exactly what no root reaches any more.
 */
#include "guide/tour.h"

#include "console/console.h"
#include "console/protocol.h"
#include "guide/report.h"
#include "lib/format.h"
#include "mm/kgc.h"

struct node {
    struct node *next;
    int id;
};

#define LIST_NODES 10
#define CUT_AFTER 4                 /* nodes 0..4 stay reachable */
#define CYCLE_NODES 3
#define NODES (LIST_NODES + CYCLE_NODES)
#define CYCLE_FIRST_ID 100          /* the cycle's nodes are 100, 101, 102 */

/* The demo's root: a global, so .bss holds the only reference to the list. */
static struct node *gc_demo_root;
/* The demo remembers every object's address hidden (xor), so that its own
 * records do not look like references to a conservative collector. */
#define HIDE_KEY 0xA5A5A5A5u
static uintptr_t hidden[NODES];

static uintptr_t hide(const void *p)
{
    return (uintptr_t)p ^ HIDE_KEY;
}

static const void *unhide(int i)
{
    return (const void *)(hidden[i] ^ HIDE_KEY);
}

static int node_id(int i)
{
    return i < LIST_NODES ? i : CYCLE_FIRST_ID + i - LIST_NODES;
}

/* False when the collected heap ran out of room for a node. */
__attribute__((noinline)) static bool build(void)
{
    struct node *prev = 0;
    for (int i = LIST_NODES - 1; i >= 0; i--) {     /* head is node 0 */
        struct node *n = gc_new(sizeof *n);
        if (!n)
            return false;
        n->id = i;
        n->next = prev;
        prev = n;
        hidden[i] = hide(n);
    }
    gc_demo_root = prev;
    struct node *first = 0;
    prev = 0;
    for (int i = 0; i < CYCLE_NODES; i++) {         /* a cycle nothing points to */
        struct node *n = gc_new(sizeof *n);
        if (!n)
            return false;
        n->id = node_id(LIST_NODES + i);
        if (prev)
            prev->next = n;
        else
            first = n;
        prev = n;
        hidden[LIST_NODES + i] = hide(n);
    }
    prev->next = first;
    return true;
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
    for (int i = 0; i < NODES; i++) {
        char name[16];
        format_buf(name, sizeof name, "gc.node.%d", node_id(i));
        show_address(name, unhide(i), "a managed object");
    }
}

__attribute__((noinline)) static void cut(void)
{
    struct node *n = gc_demo_root;
    for (int i = 0; n && i < CUT_AFTER; i++)
        n = n->next;
    if (n)
        n->next = 0;                        /* nodes 5..9 are now unreachable */
}

/* Which nodes the collection kept; true when exactly the reachable ones. */
static bool check_survivors(bool live[NODES])
{
    bool ok = true;
    for (int i = 0; i < NODES; i++) {
        live[i] = gc_is_live_object(&kernel_gc, unhide(i));
        ok = ok && live[i] == (i <= CUT_AFTER);
        proto_object(node_id(i), live[i]);
    }
    return ok;
}

static void print_nodes(const char *what, const bool live[NODES], bool kept)
{
    kprintf("%s", what);
    for (int i = 0; i < NODES; i++)
        if (live[i] == kept)
            kprintf(" %d", node_id(i));
}

/* Drops the demo's root and collects, so that no node outlives the demo. */
static void let_go(void)
{
    gc_demo_root = 0;
    scrub_stack();
    kgc_collect();
}

void tour_gc(void)
{
    unsigned gogc = kgc_gogc();
    if (!kgc_init(gogc)) {
        demo_out_of_memory("gc", "the garbage-collected heap");
        return;
    }
    kprintf("gc_new: nothing is freed by hand. A list of %d nodes hangs from a global;\n"
            "a cycle of %d hangs from nothing. Cut the list after node %d, then collect.\n"
            "(GOGC=%u: collect by itself when the heap grows by %u%%; 0 means off.)\n",
            LIST_NODES, CYCLE_NODES, CUT_AFTER, gogc, gogc);
    if (!build()) {
        let_go();
        demo_out_of_memory("gc", "a node");
        return;
    }
    show_nodes();
    cut();
    scrub_stack();
    kgc_collect();
    bool live[NODES];
    bool ok = check_survivors(live);
    print_nodes("  after the collection, kept:", live, true);
    print_nodes("; freed:", live, false);
    kprintf("\n");
    let_go();
    claim("gc", ok,
          ok ? "the reachable nodes 0-4 survived; the cut-off nodes 5-9 and the unreachable "
               "cycle were reclaimed, by a tri-colour mark and sweep"
             : "the collector kept something unreachable or freed something reachable");
}
