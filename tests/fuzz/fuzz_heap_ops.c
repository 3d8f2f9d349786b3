/*
 * fuzz_heap_ops.c - the fuzz target's operations on the heap: allocations
 * of every kind, frees, reallocs, an overrun, misuses; each says first what
 * the heap may do (expect) and checks afterwards what it did.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_heap.h"

#define ALLOC_FAILS (BIT(HEAP_ERR_OUT_OF_MEMORY) | BIT(HEAP_ERR_TOO_LARGE))

/* The errors a request of `req` bytes may fail with: too large past LIMIT
 * (a request no heap of this reservation could hold), else out of memory. */
static uint32_t fails_for(size_t req)
{
    return req > LIMIT ? BIT(HEAP_ERR_TOO_LARGE) : BIT(HEAP_ERR_OUT_OF_MEMORY);
}

/* The biggest block a request of `req` bytes may make the heap grow for;
 * 0 (no growing) for one that is too large. */
static size_t need_for(size_t req, size_t extra)
{
    return req > LIMIT ? 0 : block_for(req) + extra;
}

static void top_fn(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    struct { uintptr_t payload; uint32_t size; bool used; } *top = ctx;
    top->payload = payload;
    top->size = size;
    top->used = used;
}

/*
 * After a free of the block whose head was at `freed`, in a heap that was
 * `before` bytes long: the free top is trimmed by the rule of make_free and
 * heap_trim_top. A free top of HEAP_TRIM_AT + 2 pages or more that the free
 * reached is trimmed; trimming leaves its first HEAP_MIN_BLOCK + HEAP_HEADER
 * bytes and a slack of mapped / 64 (at most HEAP_TRIM_AT / 2) in pages, or
 * no slack when it swallowed pages given back.
 */
static void check_trim(size_t freed, uint32_t before)
{
    struct { uintptr_t payload; uint32_t size; bool used; } top = { 0, 0, true };
    heap_walk(&heap, top_fn, &top);
    size_t b = off((void *)top.payload) - HEAP_HEADER;
    if (heap.mapped > before)
        fail("a free grew the heap from %u to %u bytes", before, heap.mapped);
    if (heap.mapped < before) {
        size_t keep = page_up(before / HEAP_GROW_FRACTION);
        if (keep > HEAP_TRIM_AT / 2)
            keep = HEAP_TRIM_AT / 2;
        size_t least = page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER);
        if (top.used || (heap.mapped != least &&
                         heap.mapped != page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER + keep)))
            fail("a free trimmed the heap from %u to %u bytes, its top block (+%#zx, %s) "
                 "keeping %zu bytes of slack", before, heap.mapped, b,
                 top.used ? "used" : "free", heap.mapped - least);
    } else if (!env.no_shrink && !top.used && b <= freed &&
               top.size >= HEAP_TRIM_AT + 2 * HEAP_PAGE) {
        fail("a free left a free top of %u bytes at +%#zx untrimmed", top.size, b);
    }
}

void free_slot(int i)
{
    if (!slot[i].p)
        return;
    verify_fill(i, slot[i].usable, "before free");
    expect("free", 0, 0, true);
    uint32_t before = heap.mapped;
    heap_free(&heap, slot[i].p, who);
    check_trim(off(slot[i].p) - HEAP_HEADER, before);
    slot[i].p = NULL;
}

/* Taken before each allocating call, for expect_result. */
static struct {
    unsigned reports, refused;
    size_t mapped;
} pre;

static void before_call(void)
{
    pre.reports = env.reports;
    pre.refused = env.refused;
    pre.mapped = heap.mapped;
    env.last_refused = false;
}

/*
 * A NULL result must come with exactly one report, of the pointer (`ptr`
 * for too large) and size involved (`size`), a block with none. Running out
 * of memory is only believable when the last grow call was refused and
 * asked for no more than the operation could need (a refused step must be
 * followed by a smaller grow), or when the reservation could not have held
 * the request even with generous slack (`extra`: an alignment gap):
 * otherwise the heap gave up too early.
 */
static void expect_result(void *p, const char *what, size_t size, const void *ptr,
                          size_t extra)
{
    if (p && env.reports != pre.reports)
        fail("%s(%zu) returned a block but reported %s", what, size,
             heap_error_text(env.last));
    if (p)
        return;
    if (env.reports != pre.reports + 1)
        fail("%s(%zu) returned NULL with %u reports", what, size, env.reports - pre.reports);
    if (env.last_size != size ||
        env.last_ptr != (env.last == HEAP_ERR_TOO_LARGE ? ptr : NULL))
        fail("%s(%zu) reported %s of %p, %zu bytes", what, size, heap_error_text(env.last),
             env.last_ptr, env.last_size);
    if (env.last == HEAP_ERR_OUT_OF_MEMORY &&
        !(env.refused != pre.refused && env.last_refused) &&
        size <= RESERVE && size + extra + 2 * HEAP_PAGE + 2 * HEAP_MIN_BLOCK <=
                               RESERVE - pre.mapped)
        fail("%s(%zu) ran out of memory with %zu of %u bytes mapped, and the grow "
             "callback refused no more than a step (%u refusals)", what, size, pre.mapped,
             RESERVE, env.refused - pre.refused);
}

void op_alloc(int i, size_t size)
{
    free_slot(i);
    expect("alloc", fails_for(size), need_for(size, 0), true);
    before_call();
    void *p = heap_alloc(&heap, size, who);
    expect_result(p, "heap_alloc", size, NULL, 0);
    if (p)
        take(i, p, size, 0, true);
}

void op_calloc(int i, size_t n, size_t size)
{
    free_slot(i);
    bool overflow = size && n > SIZE_MAX / size;
    size_t total = overflow ? SIZE_MAX : n * size;
    expect("calloc", fails_for(total), need_for(total, 0), true);
    before_call();
    uint8_t *p = heap_calloc(&heap, n, size, who);
    expect_result(p, "heap_calloc", total, NULL, 0);
    if (!p)
        return;
    if (overflow)
        fail("heap_calloc(%zu, %zu) overflows, but gave a block", n, size);
    size_t k = first_not(p, total, 0);
    if (k < total)
        fail("heap_calloc(%zu, %zu): byte %zu is %#x", n, size, k, p[k]);
    take(i, p, total, 0, true);
}

void op_aligned(int i, size_t align, size_t size)
{
    free_slot(i);
    bool good = align && !(align & (align - 1));
    uint32_t errors = !good ? BIT(HEAP_ERR_BAD_ALIGN)
                    : align <= HEAP_ALIGN || size > LIMIT ? fails_for(size)
                    : ALLOC_FAILS;     /* too large also when the gap cannot fit */
    /* Room for the block and a gap in front that can be a block itself. */
    expect("aligned", errors, good ? need_for(size, align + HEAP_MIN_BLOCK) : 0, true);
    before_call();
    void *p = heap_alloc_aligned(&heap, align, size, who);
    if (!good) {
        if (p)
            fail("heap_alloc_aligned(%zu, %zu) took a bad alignment", align, size);
        if (env.reports != pre.reports + 1 || env.last_size != align || env.last_ptr)
            fail("heap_alloc_aligned(%zu, %zu): a bad alignment, reported wrong", align, size);
        return;
    }
    expect_result(p, "heap_alloc_aligned", size, NULL, good ? align : 0);
    if (!p && env.last == HEAP_ERR_TOO_LARGE && size <= LIMIT &&
        block_for(size) + align + HEAP_MIN_BLOCK <= RESERVE)
        fail("heap_alloc_aligned(%zu, %zu) is too large, though it fits", align, size);
    if (p)
        take(i, p, size, align, true);
}

void op_realloc(int i, size_t size)
{
    struct slot old = slot[i];
    if (old.p)
        verify_fill(i, old.usable, "before realloc");
    /* realloc(p, 0) frees; realloc(NULL, 0) allocates */
    if (size == 0 && old.p)
        expect("realloc", 0, 0, true);
    else
        expect("realloc", fails_for(size), need_for(size, 0), true);
    before_call();
    uint8_t *p = heap_realloc(&heap, old.p, size, who);
    if (size == 0 && old.p) {
        if (p)
            fail("heap_realloc(p, 0) returned %p, not NULL", (void *)p);
        check_trim(off(old.p) - HEAP_HEADER, (uint32_t)pre.mapped);
        slot[i].p = NULL;
        return;
    }
    /* Moving needs room for both blocks at once. */
    expect_result(p, "heap_realloc", size, old.p, old.p ? old.usable + HEAP_MIN_BLOCK : 0);
    if (!p) {
        if (old.p)          /* the old block stays, untouched */
            verify_fill(i, old.usable, "after a failed realloc");
        return;
    }
    size_t keep = old.p ? (old.req < size ? old.req : size) : 0;
    size_t k = first_not(p, keep, old.fill);
    if (k < keep)
        fail("heap_realloc(%zu -> %zu) lost byte %zu: %#x, not %#x", old.req, size, k,
                 p[k], old.fill);
    slot[i].p = NULL;       /* so that take() does not see the old block as a neighbour */
    take(i, p, size, 0, true);
}

/*
 * A one-byte overrun (a string's terminating NUL one past the end) onto
 * the next block's head, then the block's free: the heap must report it
 * (unless that byte was 0 already: then nothing happened). When the next
 * block is free, cached or the end marker, the heap rebuilds its head and
 * frees the block; a used neighbour's head cannot be rebuilt: the heap
 * keeps the block (leaked) and the damage stays, so the input ends here:
 * true.
 */
bool op_overrun(int i)
{
    uint8_t *p = slot[i].p;
    if (!p)
        return false;
    verify_fill(i, slot[i].usable, "before an overrun");
    size_t usable = slot[i].usable;
    int next = slot_at(p + usable + HEAP_HEADER);
    uint8_t was = p[usable];
    p[usable] = 0;
    unsigned before = env.reports, busy = heap.busy_blocks;
    uint32_t mapped = heap.mapped;
    expect("overrun", was ? BIT(HEAP_ERR_OVERRUN) : 0, 0, true);
    heap_free(&heap, p, who);
    if (env.reports != before + !!was)
        fail("an overrun of slot %d (%#x over %#x): %u reports", i, 0, was,
             env.reports - before);
    if (was && (env.last_ptr != p || env.last_size != usable))
        fail("an overrun of slot %d (%p, %zu bytes) reported as %p, %zu bytes", i, (void *)p,
             usable, env.last_ptr, env.last_size);
    if (was && next >= 0) {
        if (heap.busy_blocks != busy)
            fail("an overrun onto slot %d's head: slot %d was freed anyway", next, i);
        verify_fill(next, slot[next].usable, "after an overrun onto its head");
        return true;
    }
    check_trim(off(p) - HEAP_HEADER, mapped);
    slot[i].p = NULL;
    return false;
}

/* Misuses the heap must report and ignore, leaving everything as it was. */
void op_misuse(struct input *in, const uint8_t *last_freed)
{
    int i = (int)(byte(in) % SLOTS);
    unsigned kind = byte(in) % 7;
    uint8_t *p = slot[i].p;
    struct heap was = heap;
    unsigned grows = env.grows, shrinks = env.shrinks;
    unsigned before = env.reports, want = 1;
    const void *bad = NULL;
    expect("misuse", BIT(HEAP_ERR_NOT_HEAP), 0, false);
    switch (kind) {
    case 0:         /* misaligned: inside a live block */
        if (!p)
            return;
        bad = p + 1 + byte(in) % 7;
        heap_free(&heap, (void *)bad, who);
        break;
    case 1:         /* below the heap */
        bad = env.base - HEAP_PAGE;
        heap_free(&heap, (void *)bad, who);
        break;
    case 2:         /* past the mapped end */
        bad = env.base + heap.mapped + HEAP_ALIGN * (byte(in) + 1);
        heap_free(&heap, (void *)bad, who);
        break;
    case 3:         /* the block freed just before */
        if (!last_freed)
            return;
        /* Its head may be on a page given back since: it reads as zeroes. */
        /* (NOT_HEAP when the free gave the pages at the top back) */
        env.expect = BIT(HEAP_ERR_DOUBLE_FREE) | BIT(HEAP_ERR_CORRUPT) |
                     BIT(HEAP_ERR_INSIDE_BLOCK) | BIT(HEAP_ERR_NOT_HEAP);
        bad = last_freed;
        heap_free(&heap, (void *)bad, who);
        break;
    case 4:         /* realloc of a misaligned pointer */
        if (!p)
            return;
        bad = p + 4;
        if (heap_realloc(&heap, (void *)bad, 64, who))
            fail("heap_realloc of a misaligned pointer returned a block");
        break;
    case 5:         /* the very first bytes of the heap: no block starts there */
        bad = env.base;
        heap_free(&heap, (void *)bad, who);
        break;
    default:        /* NULL: nothing happens, nothing is reported */
        env.expect = 0;
        heap_free(&heap, NULL, who);
        want = 0;
        break;
    }
    if (env.reports != before + want)
        fail("misuse %u: %u reports, not %u", kind, env.reports - before, want);
    if (want && env.last_ptr != bad)
        fail("misuse %u of %p reported %p", kind, bad, env.last_ptr);
    if (heap.busy_blocks != was.busy_blocks || heap.busy_bytes != was.busy_bytes ||
        heap.free_blocks != was.free_blocks || heap.free_bytes != was.free_bytes ||
        heap.cached_blocks != was.cached_blocks || heap.mapped != was.mapped ||
        heap.released != was.released || heap.pending != was.pending ||
        env.grows != grows || env.shrinks != shrinks)
        fail("misuse %u changed the heap", kind);
    if (p)
        verify_fill(i, slot[i].usable, "after a misuse");
}
