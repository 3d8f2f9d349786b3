/*
 * tour_segments.c - the guide's heap, data and code sections: a block that
 * outlives the function that made it, globals at fixed addresses shared by
 * every task, and instructions in read-only pages.
 */
#include "guide/tour.h"

#include "arch/trap.h"
#include "arch/fault.h"
#include "atlas/atlas.h"
#include "console/console.h"
#include "guide/demo.h"
#include "guide/examples.h"
#include "guide/report.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "sched/task.h"

/* ---- heap: createSlice ------------------------------------------------------------------- */

void tour_heap(void)
{
    kprintf("func createSlice() *[]int { nums := []int{1, 2, 3}; return &nums }\n");
    int *slicePtr = createSlice();
    if (!slicePtr) {
        demo_out_of_memory("heap", "createSlice's three ints");
        return;
    }
    show_address("createSlice.nums", slicePtr, "allocated inside createSlice, returned");
    bool alive = slicePtr[0] == 1 && slicePtr[1] == 2 && slicePtr[2] == 3;
    bool in_heap = strcmp(region_of(slicePtr), "heap") == 0;
    kprintf("  after createSlice returned, main still reads %d %d %d through the pointer\n",
            slicePtr[0], slicePtr[1], slicePtr[2]);
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
    show_address("globalCount", &globalCount, "initialised global");
    show_address("zeroCount", &zeroCount, "zero global");
    show_address("answer", &answer, "a constant");
    int before = globalCount;
    struct task *t = task_spawn(bump_global, 0, "writer", 0);
    if (!t) {
        demo_out_of_memory("data", "a task to write globalCount");
        return;
    }
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
    show_address("add", (const void *)add, "func add");
    show_address("createSlice", (const void *)createSlice, "func createSlice");
    show_address("tour_code", (const void *)tour_code, "this very function");
    demo_run("text-write");
    bool faulted = fault_last_vector() == TRAP_PAGE_FAULT;
    claim("code", faulted && strcmp(region_of((const void *)add), "kernel.text") == 0,
          faulted ? "the functions are in kernel.text, and writing to one faulted: read-only "
                    "(the hardware cannot forbid running r-- pages without PAE)"
                  : "a write to the code did not fault");
}
