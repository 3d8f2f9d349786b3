/*
 * fuzz_heap.c - a libFuzzer target for the heap, kernel/mm/heap.c and its
 * parts (kernel/mm/heap_*.c): this file reads the input into operations;
 * fuzz_heap_env.c holds the heap's callbacks and their bookkeeping,
 * fuzz_heap_check.c the checks, fuzz_heap_ops.c the operations.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude tests/fuzz/fuzz_heap*.c kernel/mm/heap*.c
 *
 * The input bytes are read as a program of heap operations on 48 slots:
 * allocate, free, realloc, calloc, aligned allocation (good and bad
 * alignments), sizes from zero to past the heap's end, a grow callback that
 * can be told to refuse (the next few calls, every call, or every call for
 * more than a few pages), and a few misuses the heap promises to report and
 * ignore (misaligned and foreign pointers, freeing what was just freed, a
 * one-byte overrun).
 *
 * The heap lives in an 8 MiB reservation, so running out of memory is
 * common. The callbacks keep a byte per page of it: grow may only back
 * whole pages that are not backed, either at the heap's end or below it
 * (pages it gave back), shrink may only give back whole pages that are,
 * never the first. A page is readable and writable only while the heap
 * holds it, and comes back full of junk: touching anything the heap does
 * not hold crashes at once, and the heap cannot count on a page it gave
 * back keeping its contents.
 *
 * After every operation:
 *  - heap_check must pass;
 *  - the callbacks hold exactly mapped - released bytes, none of them at or
 *    above mapped, none of them under a live block, and the most they ever
 *    held is the heap's peak_backed;
 *  - every block handed out is 8-byte aligned (or as asked), lies inside
 *    the heap on pages it holds, has the usable size its request rounds to
 *    (4 mod 8, no split missed), and overlaps no other live block;
 *  - each block is filled over its whole usable size with a byte no other
 *    live block uses; the fill is verified before the block is freed or
 *    resized and after a resize, so any overlap or stray write shows;
 *  - the heap reports exactly the errors the operation should cause (the
 *    kind, the pointer, the size, the caller), and its counters and
 *    heap_get_stats match the slots: the used blocks and bytes are the
 *    slots', and all blocks together cover the heap from its first head
 *    to its end marker. A sweep also walks the blocks (heap_walk): they
 *    follow each other without a gap, the used ones are the slots', and a
 *    free one keeps the pages of its head, links and footer.
 * A misuse changes nothing and calls neither callback. A free never grows
 * the heap, and trims a free top it reaches by the rule of make_free and
 * heap_trim_top. An allocation grows the heap's end by what it needs or by one
 * step (mapped / 64, at most 64 KiB), and holds more than ever before only
 * when no large free block is left to give pages back. Running out of
 * memory is accepted only when the last grow call refused (a refused step
 * that a smaller grow made up for does not count), or when the
 * reservation could not have held the request.
 * At the end everything is freed: the heap must be one free block, holding
 * all its pages, and with a shrink callback no more than HEAP_TRIM_AT + 2
 * pages (a free top that big is trimmed, down to HEAP_TRIM_AT / 2 of slack).
 *
 * Pages the heap gives back read as zeroes afterwards (PROT_READ), as the
 * kernel's shared zero frame does: freeing again a block whose head is on
 * such a page must be reported, not fault. Writing there still crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz_heap.h"

/* ---- reading the input ---------------------------------------------------------- */

unsigned byte(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t u32(struct input *in)
{
    uint32_t v = byte(in);
    v |= byte(in) << 8;
    v |= byte(in) << 16;
    return v | (uint32_t)byte(in) << 24;
}

/* A request size: mostly small, some big, a few that cannot fit at all. */
static size_t size_of(struct input *in)
{
    unsigned k = byte(in);
    switch (k % 16) {
    case 0: case 1: case 2: case 3: case 4: case 5:
        return byte(in) % 65;                       /* 0 .. 64 */
    case 6: case 7: case 8: case 9:
        return (byte(in) | byte(in) << 8) % 4097;   /* .. 4 KiB */
    case 10: case 11:
        return u32(in) % (256 * 1024 + 1);         /* .. 256 KiB */
    case 12:
        return u32(in) % (4 * 1024 * 1024 + 1);     /* .. 4 MiB: fills the heap */
    case 13:
        return RESERVE - HEAP_PAGE * (k >> 6) - byte(in) % 32;     /* about all of it */
    case 14:
        return (size_t)u32(in) | 1;                 /* usually far too big */
    default: {
        static const size_t edge[] = { SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 16, UINT32_MAX,
                                       UINT32_MAX - 7, UINT32_MAX - 8, UINT32_MAX - 24,
                                       RESERVE, RESERVE + 1, RESERVE - HEAP_PAGE,
                                       (size_t)1 << 31, HEAP_SMALL - 1, HEAP_SMALL,
                                       HEAP_SMALL + 1, HEAP_MIN_BLOCK, 16,
                                       HEAP_MAX_REQUEST, HEAP_MAX_REQUEST + 1,
                                       LIMIT, LIMIT + 1, LIMIT - 8,
                                       HEAP_RELEASE_MIN - HEAP_HEADER, HEAP_RELEASE_MIN,
                                       HEAP_RELEASE_MIN + HEAP_PAGE,
                                       HEAP_TRIM_AT, HEAP_TRIM_AT + 2 * HEAP_PAGE,
                                       HEAP_CACHE_MAX_BLOCK - HEAP_HEADER,
                                       HEAP_CACHE_MAX_BLOCK - HEAP_HEADER + 1,
                                       HEAP_PAGE - 2 * HEAP_HEADER, HEAP_PAGE,
                                       HEAP_GROW_MAX_STEP, 20 };
        return edge[byte(in) % 32];
    }
    }
}

/* A fresh heap for the next input, set up as its first byte says; false
 * when that byte made heap_init fail (as it must), which ends the input. */
static bool start_input(struct input *in)
{
    if (!env.base) {
        void *b = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (b == MAP_FAILED)
            fail("cannot reserve %u bytes", RESERVE);
        env.base = b;
    }
    memset(env.page, 0, sizeof env.page);
    env.backed = env.peak = env.mapped = 0;
    env.reports = 0;
    env.refuse = 0;
    env.refuse_above = 0;
    env.refused = 0;
    env.grows = env.shrinks = 0;
    env.next_fill = 1;
    memset(slot, 0, sizeof slot);
    expect("heap_init", 0, HEAP_PAGE, false);

    /* The first byte can make the heap's very first page unavailable, or
     * leave the heap without a shrink callback (it then never gives back). */
    unsigned mode = byte(in);
    if (mode == 0xFF) {
        env.refuse = 1;
        if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb, shrink_cb, report_cb,
                      NULL) != -1)
            fail("heap_init succeeded without its first page");
        if (env.backed)
            fail("heap_init failed, yet holds %zu bytes", env.backed);
        return false;
    }
    env.no_shrink = mode >= 0xE0;
    if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb,
                  env.no_shrink ? NULL : shrink_cb, report_cb, NULL) != 0)
        fail("heap_init failed");
    /* Odd modes turn the small-block cache on, with 1 to 8 blocks per size. */
    if (mode & 1)
        heap_set_cache(&heap, 1 + (mode >> 1) % 8);
    check_all("heap_init");
    return true;
}

/* What one step of an input did. */
enum step {
    STEP_OP,        /* an operation on the heap, named: check everything after it */
    STEP_SETTING,   /* the grow callback's behaviour changed; nothing to check */
    STEP_DAMAGED,   /* an overrun the heap cannot repair: the input stops */
};

/* A setting for the grow callback: refuse some calls or all, or every call
 * for more than 1 to 16 pages (a step, not what is needed). */
static void set_refusal(unsigned r)
{
    env.refuse = r & 0x80 ? ~0u : r & 0x40 ? 0 : r % 4;
    env.refuse_above = (r & 0xC0) == 0x40 ? (1 + r % 16) * (size_t)HEAP_PAGE : 0;
}

/* The input's next step; `what` names an operation, *last_freed is the
 * pointer freed by the operation just before (for the misuse op). */
static enum step next_step(struct input *in, const uint8_t **last_freed, char *what,
                           size_t what_size)
{
    unsigned op = byte(in);
    int i = (int)(byte(in) % SLOTS);
    const uint8_t *freed = NULL;
    switch (op % 16) {
    case 0: case 1: case 2: case 3:
        op_alloc(i, size_of(in));
        snprintf(what, what_size, "alloc");
        break;
    case 4: case 5: case 6:
        freed = slot[i].p;
        free_slot(i);
        snprintf(what, what_size, "free");
        break;
    case 7: case 8:
        op_realloc(i, size_of(in));
        snprintf(what, what_size, "realloc");
        break;
    case 9: {
        size_t n = byte(in) & 0x80 ? size_of(in) : byte(in) % 17;
        op_calloc(i, n, size_of(in));
        snprintf(what, what_size, "calloc");
        break;
    }
    case 10: case 11: {
        unsigned a = byte(in);
        size_t align = a < 224 ? (size_t)1 << (a % 14)      /* 1 .. 8 KiB */
                     : a < 240 ? (size_t)(a % 16) * 3       /* 0, 3, 6, ...: bad */
                               : (size_t)1 << (16 + a % 8); /* 64 KiB .. 8 MiB */
        op_aligned(i, align, size_of(in));
        snprintf(what, what_size, "aligned(%zu)", align);
        break;
    }
    case 12:
        set_refusal(byte(in));
        return STEP_SETTING;
    case 13:
        if (byte(in) < 0xF0) {
            env.refuse = 0;
            env.refuse_above = 0;
            return STEP_SETTING;
        }
        if (op_overrun(i))
            return STEP_DAMAGED;
        snprintf(what, what_size, "overrun");
        break;
    case 14:
        op_misuse(in, *last_freed);
        snprintf(what, what_size, "misuse");
        break;
    default:
        for (int k = 0; k < SLOTS; k++)
            if (slot[k].p)
                verify_fill(k, slot[k].usable, "in a sweep");
        check_walk();
        snprintf(what, what_size, "sweep");
        break;
    }
    /* "freed just before" holds only until something else happens. */
    *last_freed = freed;
    return STEP_OP;
}

/* Runs the input's steps, checking everything after each operation; false
 * when an overrun damaged the heap beyond repair. */
static bool run_steps(struct input *in)
{
    const uint8_t *last_freed = NULL;
    char what[32];
    while (in->n) {
        unsigned shrinks = env.shrinks;
        enum step step = next_step(in, &last_freed, what, sizeof what);
        if (step == STEP_DAMAGED)
            return false;
        if (step == STEP_SETTING)
            continue;
        check_all(what);
        /* Pages given back: none of a live block's. */
        if (env.shrinks != shrinks)
            for (int k = 0; k < SLOTS; k++)
                if (slot[k].p)
                    block_backed(what, slot[k].p, slot[k].usable);
    }
    return true;
}

/*
 * Frees every slot. Everything merged into one free block from the first
 * head to the end marker, holding all its pages: only a block with a used
 * neighbour gives pages back. With a shrink callback, a free top of
 * HEAP_TRIM_AT + 2 pages or more is trimmed (make_free in heap_free.c),
 * down to a page plus a slack of at most HEAP_TRIM_AT / 2 (heap_trim_top
 * in heap_pages.c): so the heap ends at HEAP_TRIM_AT + 2 pages at most.
 */
static void free_everything(void)
{
    env.refuse = 0;
    env.refuse_above = 0;
    for (int k = 0; k < SLOTS; k++)
        free_slot(k);
    expect("heap_flush_cache", 0, 0, true);
    heap_flush_cache(&heap);
    check_all("freeing everything");
    check_walk();
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    if (s.used_blocks || s.used || s.cached_blocks || s.free_blocks != 1 ||
        s.free != heap.mapped - HEAP_FIRST - HEAP_HEADER)
        fail("every slot freed, yet %u blocks (%u bytes) used, %u cached, and %u free blocks "
             "of %u bytes in a heap of %u", s.used_blocks, s.used, s.cached_blocks,
             s.free_blocks, s.free, heap.mapped);
    if (heap.released || heap.pending != HEAP_NONE)
        fail("everything is free, yet %u bytes stay given back", heap.released);
    if (!env.no_shrink && heap.mapped > HEAP_TRIM_AT + 2 * HEAP_PAGE)
        fail("everything is free, yet %u bytes stay mapped", heap.mapped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    if (!start_input(&in))
        return 0;
    if (run_steps(&in))
        free_everything();
    /* Leave the reservation as it was found. */
    if (mmap(env.base, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED)
        fail("mmap failed");
    return 0;
}
