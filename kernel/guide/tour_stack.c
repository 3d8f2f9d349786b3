/*
 * tour_stack.c - the guide's stack sections: add(a, b)'s frame and the
 * same slots taken again by the next call (last in, first out); and where
 * x lives when a function returns its address (escape analysis).
 */
#include "guide/tour.h"

#include "atlas/atlas.h"
#include "console/console.h"
#include "console/protocol.h"
#include "guide/report.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/kheap.h"

/* ---- the stack as a LIFO: the guide's add(a, b) ------------------------------------- */

#define TRACED_CALLS 2
#define TRACED_SLOTS 6          /* the last one is the return address itself */

/* Where each traced call found its slots. */
static uintptr_t traced_slots[TRACED_CALLS][TRACED_SLOTS];

/* Not static: GCC keeps the i386 System V convention for it, with the
 * arguments on the stack above the return address, as the guide describes. */
int traced_add(int a, int b, int call);
__attribute__((noinline)) int traced_add(int a, int b, int call)
{
    int result = a + b;
    void **frame = __builtin_frame_address(0);
    const struct { const char *name; const void *addr; } slots[TRACED_SLOTS] = {
        { "a", &a }, { "b", &b }, { "result", &result },
        { "saved_frame_pointer", &frame[0] }, { "return_address_slot", &frame[1] },
        { "return_address", frame[1] },
    };
    for (unsigned i = 0; i < TRACED_SLOTS; i++) {
        char name[40];
        if (call >= 1 && call <= TRACED_CALLS)
            traced_slots[call - 1][i] = (uintptr_t)slots[i].addr;
        format_buf(name, sizeof name, "add%d.%s", call, slots[i].name);
        proto_symbol(name, slots[i].addr, region_of(slots[i].addr));
        kprintf("  call %d: %-20s at %p  (%s)\n", call, slots[i].name, slots[i].addr,
                region_of(slots[i].addr));
    }
    __asm__ volatile("" : : "r"(&result) : "memory");   /* keep result in memory */
    return result;
}

void tour_stack(void)
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
    if (!on_heap) {
        demo_out_of_memory("escape", "heapExample's x");
        return;
    }
    show_address("stackExample.x", (const void *)on_stack, "gone when the function returned");
    show_address("anotherCall.y", (const void *)next, "the next call's local");
    show_address("heapExample.x", on_heap, "kmalloc'd: lives on");
    kprintf("  the next call put its own local at the address x had: %s\n",
            on_stack == next ? "the same slot" : "a different slot");
    kfree(on_heap);
    claim("escape", false,
          on_stack == next ? "C has no escape analysis: &x of a local dangles, and the next "
                             "call reused its stack slot; Go's compiler would have moved x "
                             "to the heap"
                           : "C has no escape analysis: &x of a local dangles");
}
