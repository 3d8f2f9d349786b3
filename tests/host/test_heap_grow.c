/*
 * test_heap_grow.c - the heap (kernel/mm/heap.c) growing and shrinking at
 * its top: it grows in whole pages, one grow call at a time, extending a
 * free top block rather than leaving it behind; a big free block at the
 * top is trimmed (by free or by a shrinking realloc) while one below a used
 * block stays; a request that fits the free top block takes it. The
 * fixture is in heap_fixture.h.
 */
#define _GNU_SOURCE
#include "heap_fixture.h"

/* ---- growing and trimming ---------------------------------------------------- */

/* Every logged grow and shrink is whole pages at the top, in order. */
static void check_call_log(void)
{
    /* The arena checks each call against the top as it comes; here the
     * shapes, once more. */
    uintptr_t top = H.base;
    unsigned g, s;
    for (g = 0; g < A.ngrow && g < LOG_MAX; g++) {
        CHECK_INT_EQ(A.grows[g].bytes % HEAP_PAGE, 0);
        CHECK(A.grows[g].bytes > 0);
        CHECK_INT_EQ(A.grows[g].addr % HEAP_PAGE, 0);
    }
    for (s = 0; s < A.nshrink && s < LOG_MAX; s++) {
        CHECK_INT_EQ(A.shrinks[s].bytes % HEAP_PAGE, 0);
        CHECK(A.shrinks[s].bytes > 0);
        CHECK(A.shrinks[s].addr > top);
    }
}

/* A block that grows the heap by whole pages at its top, in one grow call. */
static uint8_t *alloc_growing(size_t size, uint64_t seed)
{
    uint32_t mapped = H.mapped;
    unsigned calls = A.ngrow;
    uint8_t *p = fill(ALLOC(size), size, seed);
    CHECK(H.mapped > mapped);
    CHECK_INT_EQ(H.mapped % HEAP_PAGE, 0);
    CHECK_INT_EQ(A.ngrow, calls + 1);
    CHECK_HEX_EQ(A.grows[calls].addr, H.base + mapped);
    CHECK_INT_EQ(A.grows[calls].bytes, H.mapped - mapped);
    CHECK_INT_EQ(H.peak_backed, H.mapped);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    return p;
}

/* A big block at the top, then freed: whole pages go back. Returns the
 * peak it took the heap to, or 0 when freeing it made no shrink call. */
static uint32_t big_top_block_trimmed(uintptr_t base)
{
    uint32_t before_big = H.mapped;
    uint8_t *big = fill(ALLOC(300 * KiB), 300 * KiB, 99);
    uint32_t peak = H.mapped;
    CHECK(peak >= before_big + 300 * KiB);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(CHECK_WALK());
    unsigned shrinks = A.nshrink;
    heap_free(&H, big, WHO1);
    if (!CHECK_INT_EQ(A.nshrink, shrinks + 1))
        return 0;
    struct call sh = A.shrinks[shrinks];
    CHECK_INT_EQ(sh.addr % HEAP_PAGE, 0);
    CHECK_INT_EQ(sh.bytes % HEAP_PAGE, 0);
    CHECK_HEX_EQ(sh.addr + sh.bytes, base + peak);
    CHECK_HEX_EQ(sh.addr, base + H.mapped);
    CHECK(H.mapped < peak);
    CHECK(H.mapped <= before_big + 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(stats().largest_free < HEAP_TRIM_AT);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    return peak;
}

/* A big free block that is not at the top stays mapped ... */
static void big_free_block_below_top(void)
{
    uint8_t *big2 = ALLOC(200 * KiB), *cap = ALLOC(16);
    uint32_t mapped = H.mapped;
    unsigned shrinks = A.nshrink;
    heap_free(&H, big2, WHO1);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_INT_EQ(H.mapped, mapped);
    CHECK(stats().largest_free >= 200 * KiB);
    /* ... until what is above it goes: then the merged top is trimmed. */
    heap_free(&H, cap, WHO1);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK(H.mapped < mapped);
    CHECK(CHECK_WALK());
}

/* Shrinking a big top block with realloc gives pages back too; the block,
 * 100 bytes of pattern 5 now, is returned. */
static uint8_t *realloc_trims_top(void)
{
    uint8_t *r = fill(ALLOC(200 * KiB), 200 * KiB, 5);
    uint32_t mapped = H.mapped;
    unsigned shrinks = A.nshrink;
    CHECK(heap_realloc(&H, r, 100, WHO1) == r);
    CHECK_INTACT(r, 100, 5);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK(H.mapped < mapped);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    return r;
}

HEAP_TEST(grow_and_trim)
{
    uintptr_t base = H.base;
    CHECK(CHECK_WALK());

    /* Three medium blocks: the heap grows in whole pages, at its top. */
    uint8_t *m[3];
    for (unsigned i = 0; i < 3; i++)
        m[i] = alloc_growing(10000, i);
    /* Growth extends a free top block rather than leaving it behind: the
     * blocks follow each other. */
    CHECK_HEX_EQ((uintptr_t)m[0], base + HEAP_FIRST + HEAP_HEADER);
    CHECK_INT_EQ(m[1] - m[0], heap_usable_size(&H, m[0]) + HEAP_HEADER);
    CHECK_INT_EQ(m[2] - m[1], heap_usable_size(&H, m[1]) + HEAP_HEADER);

    uint32_t peak = big_top_block_trimmed(base);
    if (!peak)
        return;
    big_free_block_below_top();
    uint8_t *r = realloc_trims_top();

    /* Freeing it all keeps at most a couple of pages. */
    for (unsigned i = 0; i < 3; i++) {
        CHECK_INTACT(m[i], 10000, i);
        heap_free(&H, m[i], WHO1);
    }
    FREE_ALL(r);
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_ALL_FREE();
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(CHECK_WALK());
    check_call_log();
}

/* A request that fits in the free block at the top, though not in the list
 * good-fit rounding picks, takes that block: no grow call for 0 bytes, and
 * no failure while the space is there. */
static void top_block_of_first_page(void)
{
    /* The first page's free block is 4088 bytes; 3992 + 8 = 4000 fits in it. */
    void *p = ALLOC(3992);
    CHECK_INT_EQ(A.ngrow, 1);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    FREE_ALL(p);
}

/* Without a shrink callback a big free top block stays, and must serve a
 * request of nearly its size. */
static void top_block_without_shrink(void)
{
    void *low = ALLOC(64);
    FREE_ALL(ALLOC(MiB + 20 * KiB));
    uint32_t mapped = H.mapped;
    CHECK(stats().largest_free >= MiB + 20 * KiB);
    void *p = ALLOC(MiB);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.mapped, mapped);
    FREE_ALL(p, low);
    CHECK_INT_EQ(A.nshrink, 0);
}

static void grow_uses_free_top_block(void)
{
    on_heap(PLAIN_HEAP, top_block_of_first_page);
    on_heap(NO_SHRINK_HEAP(2 * MiB), top_block_without_shrink);
}

static const struct check_test tests[] = {
    TEST(grow_and_trim),
    TEST(grow_uses_free_top_block),
};

CHECK_MAIN(tests)
