/*
 * test_heap_cache.c - the heap's small-block cache (kernel/mm/heap.c): freed
 * small blocks wait, unmerged, to serve the next request of their size; a
 * double free or a pointer inside a cached block is still reported, the
 * cache keeps at most its limit of each size, turning it off gives every
 * block back, and an overrun onto a cached neighbour is repaired. Long runs
 * with the cache on are in test_heap_random.c. The fixture is in
 * heap_fixture.h.
 */
#define _GNU_SOURCE
#include "heap_fixture.h"

/* ---- the small-block cache ------------------------------------------------------------ */

HEAP_TEST(cache_reuses_and_refuses_double_free)
{
    heap_set_cache(&H, 4);
    uint8_t *a = ALLOC(40), *b = ALLOC(40);
    struct heap_stats before = stats();
    heap_free(&H, a, WHO1);
    CHECK_INT_EQ(H.cached_blocks, 1);
    CHECK_INT_EQ(stats().used_blocks, before.used_blocks - 1);
    CHECK_INT_EQ(stats().free_blocks, before.free_blocks);   /* not merged */
    CHECK_HEAP();
    heap_free(&H, a, WHO2);                 /* a double free, though a waits in the cache */
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, a, WHO2);
    uint8_t *c = ALLOC(40);
    CHECK(c == a);                          /* the same size comes back from the cache */
    CHECK_INT_EQ(H.cached_blocks, 0);
    FREE_ALL(b, c);
    heap_free(&H, c + 8, WHO3);             /* inside a cached block */
    EXPECT_ONE_REPORT();
    CHECK_HEAP();
    /* A cache limit: the fifth block of a size is freed for real. */
    void *p[6];
    for (int i = 0; i < 6; i++)
        p[i] = ALLOC(100);
    free_each(p, 6, __FILE__, __LINE__);
    CHECK(H.cache_count[(104 + HEAP_HEADER - HEAP_MIN_BLOCK) / HEAP_ALIGN] <= 4);
    CHECK_HEAP();
    heap_set_cache(&H, 0);                  /* off: everything goes back, merged */
    CHECK_INT_EQ(H.cached_blocks, 0);
    CHECK_ALL_FREE();
    EXPECT_NO_REPORT();
}

HEAP_TEST(cache_overrun_onto_cached_neighbour)
{
    heap_set_cache(&H, 8);
    uint8_t *a = ALLOC(100), *b = ALLOC(100), *c = ALLOC(100);
    FREE_ALL(b);                            /* b waits in the cache */
    a[heap_usable_size(&H, a)] ^= 0x55;     /* onto b's header */
    CHECK(!heap_check(&H, NULL));
    heap_free(&H, a, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, a, WHO2);
    CHECK_HEAP();                           /* b's header rebuilt from its cache list */
    check_two_fresh_blocks(100, c);
    FREE_ALL(c);
    heap_flush_cache(&H);
    CHECK_HEAP();
}

static const struct check_test tests[] = {
    TEST(cache_reuses_and_refuses_double_free),
    TEST(cache_overrun_onto_cached_neighbour),
};

CHECK_MAIN(tests)
