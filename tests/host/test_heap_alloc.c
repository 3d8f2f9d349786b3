/*
 * test_heap_alloc.c - getting blocks from the heap (kernel/mm/heap.c): the
 * layout heap_init leaves and when it fails; heap_alloc's alignment, sizes,
 * per-block overhead and size 0; requests too large for the heap, even a
 * 4 GiB one, and running out of memory; realloc shrinking, growing in place,
 * moving and failing; calloc's zeroes; aligned allocation. The fixture is in
 * heap_fixture.h.
 */
#define _GNU_SOURCE
#include "heap_fixture.h"

/* ---- init ------------------------------------------------------------------ */

HEAP_TEST(init_layout)
{
    CHECK_HEX_EQ(H.base, (uintptr_t)A.mem);
    CHECK_INT_EQ(H.max, ARENA);
    CHECK_INT_EQ(H.peak_backed, HEAP_PAGE);
    CHECK_HEAP();
    struct heap_stats s = stats();
    CHECK_INT_EQ(s.used, 0);
    CHECK_INT_EQ(s.used_blocks, 0);
    CHECK_INT_EQ(s.free_blocks, 1);
    CHECK_INT_EQ(s.free, HEAP_PAGE - HEAP_FIRST - HEAP_HEADER);
    CHECK_INT_EQ(s.largest_free, HEAP_PAGE - HEAP_FIRST - HEAP_HEADER);
    CHECK(CHECK_WALK() && nwalked == 1 && !walked[0].used);
}

/* No fixture: heap_init itself has to fail here. */
static void init_fails(void)
{
    /* The grow callback refuses the first page. */
    REQUIRE(reserve_arena(LIMITED_HEAP(0)));
    CHECK_INT_EQ(heap_init(&H, (uintptr_t)A.mem, ARENA, arena_grow, arena_shrink,
                           arena_report, &A), -1);
    CHECK_INT_EQ(A.refused, 1);
    /* Less than a page to work with. */
    A.limit = ARENA;
    A.ngrow = A.refused = 0;
    CHECK_INT_EQ(heap_init(&H, (uintptr_t)A.mem, HEAP_PAGE - 8, arena_grow, arena_shrink,
                           arena_report, &A), -1);
    CHECK_INT_EQ(A.ngrow, 0);
    CHECK_INT_EQ(A.nrep, 0);
    CHECK_INT_EQ(A.bad_calls, 0);
    unreserve_arena();
}

/* ---- heap_alloc --------------------------------------------------------------- */

HEAP_TEST(alloc_aligned_sizes_no_overlap)
{
    static void *p[700];
    static size_t want[700];
    unsigned n = 0;
    for (size_t size = 0; size <= 520; size++)
        want[n++] = size;
    for (size_t size = 1000; n < COUNT(p); size += 977)
        want[n++] = size;
    for (unsigned i = 0; i < n; i++) {
        p[i] = heap_alloc(&H, want[i], WHO1);
        if (!CHECK(p[i] != NULL))
            return;
        CHECK_INT_EQ((uintptr_t)p[i] % HEAP_ALIGN, 0);
        CHECK((uintptr_t)p[i] >= H.base + HEAP_HEADER &&
              (uintptr_t)p[i] + want[i] <= H.base + H.mapped - HEAP_HEADER);
        size_t u = heap_usable_size(&H, p[i]);
        CHECK(u >= want[i]);
        CHECK_INT_EQ((u + HEAP_HEADER) % HEAP_ALIGN, 0);   /* blocks are multiples of 8 */
        fill(p[i], u, i);
    }
    EXPECT_NO_REPORT();
    CHECK_HEAP();
    /* No two payloads (with their headers) overlap: every pattern is intact,
     * and the ranges are disjoint. */
    for (unsigned i = 0; i < n; i++) {
        size_t u = heap_usable_size(&H, p[i]);
        CHECK_INTACT(p[i], u, i);
        uintptr_t lo = (uintptr_t)p[i] - HEAP_HEADER, hi = (uintptr_t)p[i] + u;
        for (unsigned j = i + 1; j < n; j++) {
            uintptr_t lo2 = (uintptr_t)p[j] - HEAP_HEADER;
            uintptr_t hi2 = (uintptr_t)p[j] + heap_usable_size(&H, p[j]);
            if (!CHECK(hi <= lo2 || hi2 <= lo))
                return;
        }
    }
    CHECK_INT_EQ(stats().used_blocks, n);
    for (unsigned i = 0; i < n; i += 2)
        heap_free(&H, p[i], WHO1);
    CHECK_HEAP();
    for (unsigned i = 1; i < n; i += 2)
        CHECK_INTACT(p[i], heap_usable_size(&H, p[i]), i);
    for (unsigned i = 1; i < n; i += 2)
        heap_free(&H, p[i], WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used, 0);
    CHECK_ALL_FREE();
}

HEAP_TEST(alloc_overhead_is_one_header)
{
    /* Make one big free block first (below the trim threshold, so it stays),
     * then carve consecutive blocks from its front. */
    FREE_ALL(ALLOC(60000));
    CHECK_INT_EQ(stats().free_blocks, 1);
    /* Sizes that fill their blocks exactly: 4 below a multiple of 8. */
    static const size_t sizes[] = { 20, 28, 36, 44, 52, 60, 68, 76, 84, 100, 124, 132,
                                    140, 252, 260, 268, 1004, 1020, 2044, 4092, 8188,
                                    20, 20, 20, 28 };
    uint8_t *prev = NULL;
    size_t prev_size = 0, total = 0;
    for (unsigned i = 0; i < COUNT(sizes); i++) {
        uint8_t *q = ALLOC(sizes[i]);
        CHECK_INT_EQ(heap_usable_size(&H, q), sizes[i]);
        if (prev)
            CHECK_INT_EQ(q - prev, prev_size + HEAP_HEADER);
        else
            CHECK_HEX_EQ((uintptr_t)q, H.base + HEAP_FIRST + HEAP_HEADER);
        prev = q;
        prev_size = sizes[i];
        total += sizes[i] + HEAP_HEADER;
    }
    CHECK_INT_EQ(stats().used, total);
    CHECK_INT_EQ(stats().used_blocks, COUNT(sizes));
    EXPECT_NO_REPORT();
}

HEAP_TEST(alloc_zero)
{
    void *a = ALLOC(0), *b = ALLOC(0);
    CHECK(a != b);
    CHECK_INT_EQ((uintptr_t)a % HEAP_ALIGN, 0);
    CHECK(heap_usable_size(&H, a) < HEAP_MIN_BLOCK);
    CHECK_INT_EQ(stats().used_blocks, 2);
    CHECK_INT_EQ(stats().used, 2 * HEAP_MIN_BLOCK);
    FREE_ALL(a, b);
    CHECK_INT_EQ(stats().used_blocks, 0);
    /* calloc and realloc(NULL) of nothing behave the same. */
    void *c = heap_calloc(&H, 0, 16, WHO1), *d = heap_realloc(&H, NULL, 0, WHO1);
    CHECK(c != NULL && d != NULL && c != d);
    FREE_ALL(c, d);
}

/* Every way to ask for `request` bytes is refused as too large, reported
 * once, for its caller. */
static void refused_every_way(size_t request)
{
    CHECK(heap_alloc(&H, request, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO2);
    CHECK_INT_EQ(A.reps[0].size, request);
    CHECK(heap_alloc_aligned(&H, 16, request, WHO3) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO3);
    CHECK(heap_alloc_aligned(&H, 4096, request, WHO3) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO3);
    CHECK(heap_calloc(&H, 1, request, WHO1) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
    CHECK(heap_calloc(&H, request, 1, WHO1) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
}

HEAP_TEST(alloc_too_large)
{
    void *keep = ALLOC(100);
    struct heap_stats before = stats();
    unsigned grows = A.ngrow;
    const size_t requests[] = {
        SIZE_MAX, SIZE_MAX - 4, SIZE_MAX - 7, SIZE_MAX - 8, SIZE_MAX - 15,
        (size_t)UINT32_MAX, (size_t)UINT32_MAX - 4, (size_t)UINT32_MAX - 15,
        (size_t)UINT32_MAX + 1, (size_t)1 << 40, ARENA, ARENA + 1, ARENA - HEAP_PAGE + 1,
        (size_t)-1 / 2,
    };
    for (unsigned i = 0; i < COUNT(requests); i++)
        refused_every_way(requests[i]);
    /* n * size overflows: never a small block. */
    const size_t pairs[][2] = {
        { SIZE_MAX, 2 }, { 2, SIZE_MAX }, { (size_t)1 << 32, (size_t)1 << 32 },
        { SIZE_MAX / 16 + 1, 16 }, { 0x10000, 0x10000 }, { 0x20000001, 8 },
    };
    for (unsigned i = 0; i < COUNT(pairs); i++) {
        CHECK(heap_calloc(&H, pairs[i][0], pairs[i][1], WHO2) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO2);
    }
    /* An alignment as big as the heap or bigger, or one that leaves too
     * little room for the block. */
    static const size_t align_size[][2] = {
        { (size_t)1 << 32, 16 }, { ARENA, 0 }, { ARENA, 16 }, { ARENA / 2, ARENA / 2 },
        { ARENA / 2, ARENA / 2 - 16 }, { 4096, ARENA - 4096 },
    };
    for (unsigned i = 0; i < COUNT(align_size); i++) {
        CHECK(heap_alloc_aligned(&H, align_size[i][0], align_size[i][1], WHO1) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
    }
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK_HEAP();
    CHECK_SAME_STATS(stats(), before);
    CHECK_INT_EQ(H.errors, 5 * COUNT(requests) + COUNT(pairs) + COUNT(align_size));
    /* The biggest request that is not refused outright works on an empty
     * heap, and is given back when freed; one byte more is refused. */
    FREE_ALL(keep);
    CHECK(heap_alloc(&H, HEAP_MAX_REQUEST + 1, WHO1) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
    void *most = ALLOC(HEAP_MAX_REQUEST);
    EXPECT_NO_REPORT();
    CHECK(H.mapped > HEAP_MAX_REQUEST);
    CHECK(heap_usable_size(&H, most) >= HEAP_MAX_REQUEST);
    uint32_t peak = H.mapped;
    FREE_ALL(most);
    CHECK(H.mapped <= HEAP_TRIM_AT / 2 + 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
}

/* A heap whose max is the whole 32-bit range (the size is clamped), over a
 * 4 GiB reservation of which only 64 MiB may be backed: the requests in the
 * last few hundred MiB must fail cleanly, not wrap around to a small size. */
HEAP_TEST_ON(alloc_too_large_4gib_heap, ((struct arena_spec){ (size_t)4 << 30, SIZE_MAX,
                                                              ARENA, true }))
{
    CHECK_HEX_EQ(H.max, 0xFFFFF000u);
    void *keep = fill(ALLOC(100), 100, 7);
    struct heap_stats before = stats();
    const size_t requests[] = { 0xF7FFFF00u, 0xF8000000u, 0xF8000100u, 0xFC000000u,
                                0xFFFFD000u, 0xFFFFDFF0u, 0xFFFFE000u };
    for (unsigned i = 0; i < COUNT(requests); i++) {
        CHECK(heap_alloc(&H, requests[i], WHO2) == NULL);
        /* Refused up front or by the grow callback: either way one report. */
        CHECK_INT_EQ(A.nrep, 1);
        CHECK(A.reps[0].e == HEAP_ERR_OUT_OF_MEMORY || A.reps[0].e == HEAP_ERR_TOO_LARGE);
        A.nrep = 0;
        CHECK(heap_alloc_aligned(&H, 64, requests[i], WHO2) == NULL);
        EXPECT_ONE_REPORT();
        CHECK(heap_realloc(&H, keep, requests[i], WHO2) == NULL);
        EXPECT_ONE_REPORT();
        if (!CHECK_HEAP())
            break;
    }
    CHECK(heap_alloc(&H, 0xFFFFE001u, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO2);
    CHECK_SAME_STATS(stats(), before);
    CHECK_INTACT(keep, 100, 7);
    FREE_ALL(keep);
}

HEAP_TEST_ON(alloc_out_of_memory, LIMITED_HEAP(16 * HEAP_PAGE))
{
    static void *p[64];
    unsigned n = 0;
    /* 4000 + 8 bytes a block: under four pages' worth more each time. */
    while (n < COUNT(p) && (p[n] = heap_alloc(&H, 4000, WHO1)) != NULL) {
        fill(p[n], 4000, n);
        n++;
    }
    REQUIRE(n < COUNT(p));
    CHECK(n >= 14);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO1);
    CHECK_INT_EQ(A.reps[0].size, 4000);
    CHECK(A.refused >= 1);
    CHECK(H.mapped <= 16 * HEAP_PAGE);
    CHECK_HEAP();
    struct heap_stats before = stats();
    CHECK_INT_EQ(before.used_blocks, n);
    /* Everything else that needs more fails the same way. */
    CHECK(heap_alloc(&H, 100000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK(heap_calloc(&H, 100, 100, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK(heap_alloc_aligned(&H, 4096, 4000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK(heap_realloc(&H, p[0], 8000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);  /* from the allocation */
    CHECK_SAME_STATS(stats(), before);
    CHECK_HEAP();
    for (unsigned i = 0; i < n; i++)
        CHECK_INTACT(p[i], 4000, i);
    /* Freeing two neighbours makes room for one more. */
    FREE_ALL(p[3], p[4]);
    void *again = ALLOC(4000);
    EXPECT_NO_REPORT();
    CHECK_HEX_EQ((uintptr_t)again, (uintptr_t)p[3]);
    p[3] = again;
    p[4] = ALLOC(3000);
    EXPECT_NO_REPORT();
    free_each(p, n, __FILE__, __LINE__);
    CHECK_INT_EQ(stats().used_blocks, 0);
    /* With everything free, the space is there again. */
    FREE_ALL(ALLOC(12 * HEAP_PAGE));
}


/* ---- realloc ---------------------------------------------------------------------- */

HEAP_TEST(realloc_null_and_zero)
{
    uint8_t *p = NEED(heap_realloc(&H, NULL, 100, WHO1));
    CHECK(heap_usable_size(&H, p) >= 100);
    CHECK_INT_EQ(stats().used_blocks, 1);
    CHECK(heap_realloc(&H, p, 0, WHO1) == NULL);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().used, 0);
    /* It really was freed. */
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, p, WHO2);
}

HEAP_TEST(realloc_shrink)
{
    uint8_t *p = fill(ALLOC(1000), 1000, 11), *guard = ALLOC(16);
    uint32_t used = stats().used;
    size_t u0 = heap_usable_size(&H, p);
    CHECK(heap_realloc(&H, p, 100, WHO1) == p);
    CHECK_INTACT(p, 100, 11);
    size_t u = heap_usable_size(&H, p);
    CHECK(u >= 100 && u < 100 + HEAP_MIN_BLOCK);
    CHECK_INT_EQ(stats().used, used - (u0 - u));
    CHECK_INT_EQ(stats().free_blocks, 2);   /* the tail, and the top */
    CHECK_HEAP();
    /* Shrinking by less than a block keeps the block as it is. */
    CHECK(heap_realloc(&H, p, 96, WHO1) == p);
    CHECK_INT_EQ(heap_usable_size(&H, p), u);
    CHECK_INTACT(p, 96, 11);
    /* Shrinking next to a free block merges the tail into it. */
    uint8_t *q = fill(ALLOC(2000), 2000, 12), *r = ALLOC(500), *guard2 = ALLOC(16);
    FREE_ALL(r);
    unsigned free_blocks = stats().free_blocks;
    CHECK(heap_realloc(&H, q, 10, WHO1) == q);
    CHECK_INTACT(q, 10, 12);
    CHECK_INT_EQ(stats().free_blocks, free_blocks);
    CHECK_HEAP();
    FREE_ALL(q, p, guard, guard2);
    CHECK_INT_EQ(stats().free_blocks, 1);
}

HEAP_TEST(realloc_grow_in_place)
{
    uint8_t *p = fill(ALLOC(100), 100, 21), *n = ALLOC(200), *guard = ALLOC(16);
    FREE_ALL(n);
    uint32_t used = stats().used;
    CHECK(heap_realloc(&H, p, 250, WHO1) == p);
    CHECK(heap_usable_size(&H, p) >= 250);
    CHECK_INTACT(p, 100, 21);
    CHECK_INT_EQ(stats().used_blocks, 2);
    CHECK_INT_EQ(stats().used, used + (heap_usable_size(&H, p) + HEAP_HEADER - 104));
    CHECK_HEAP();
    fill(p, 250, 22);
    /* Exactly all of it: the neighbour disappears. */
    size_t all = 104 + 208 - HEAP_HEADER;   /* both blocks less one header */
    CHECK(heap_realloc(&H, p, all, WHO1) == p);
    CHECK_INT_EQ(heap_usable_size(&H, p), all);
    CHECK_INTACT(p, 250, 22);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_HEAP();
    FREE_ALL(p, guard);
}

HEAP_TEST(realloc_move)
{
    uint8_t *p = fill(ALLOC(100), 100, 31), *n = fill(ALLOC(100), 100, 32);
    uint8_t *q = NEED(heap_realloc(&H, p, 5000, WHO1));
    CHECK(q != p);
    CHECK(heap_usable_size(&H, q) >= 5000);
    CHECK_INTACT(q, 100, 31);
    CHECK_INTACT(n, 100, 32);
    CHECK_INT_EQ(stats().used_blocks, 2);
    CHECK_HEAP();
    /* The old block is free. */
    CHECK_WALK();
    const struct wblock *old = walked_at(p);
    CHECK(old && !old->used);
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, p, WHO2);
    fill(q, 5000, 33);
    /* Moving again, a long way. */
    uint8_t *r = NEED(heap_realloc(&H, q, 500000, WHO1));
    CHECK_INTACT(r, 5000, 33);
    CHECK_HEAP();
    FREE_ALL(r, n);
}

HEAP_TEST_ON(realloc_failure_keeps_block, LIMITED_HEAP(MiB))
{
    uint8_t *p = fill(ALLOC(300), 300, 41);
    size_t u = heap_usable_size(&H, p);
    struct heap_stats before = stats();
    const size_t big[] = { SIZE_MAX, SIZE_MAX - 4, ARENA, (size_t)UINT32_MAX };
    for (unsigned i = 0; i < COUNT(big); i++) {
        CHECK(heap_realloc(&H, p, big[i], WHO2) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, p, WHO2);
        CHECK_INT_EQ(A.reps[0].size, big[i]);
    }
    /* More than the backing allows. */
    CHECK(heap_realloc(&H, p, 2 * MiB, WHO3) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO3);
    CHECK_SAME_STATS(stats(), before);
    CHECK_INT_EQ(heap_usable_size(&H, p), u);
    CHECK_INTACT(p, 300, 41);
    CHECK_HEAP();
    FREE_ALL(p);
}

/* ---- calloc ------------------------------------------------------------------------- */

HEAP_TEST(calloc_zeroes)
{
    /* 1016 + 8: a block at a list boundary, so that the same request finds
     * it again (good fit rounds up to the next boundary). */
    uint8_t *p = ALLOC(1016), *guard = ALLOC(16);
    memset(p, 0xFF, 1016);
    heap_free(&H, p, WHO1);
    uint8_t *q = NEED(heap_calloc(&H, 8, 127, WHO1));
    CHECK(q == p);                          /* the dirty block again */
    CHECK(all_zero(q, 1016));
    memset(q, 0xEE, 1016);
    heap_free(&H, q, WHO1);
    /* Odd sizes, dirty smaller pieces. */
    for (size_t n = 1; n < 40; n++) {
        uint8_t *r = NEED(heap_calloc(&H, n, 7, WHO1));
        CHECK(all_zero(r, n * 7));
        memset(r, 0xDD, heap_usable_size(&H, r));
        heap_free(&H, r, WHO1);
    }
    /* A big one that grows the heap, then reuses the dirtied pages. */
    uint8_t *big = NEED(heap_calloc(&H, 1000, 50, WHO1));
    CHECK(all_zero(big, 50000));
    memset(big, 0xCC, 50000);
    heap_free(&H, big, WHO1);
    big = NEED(heap_calloc(&H, 50, 1000, WHO1));
    CHECK(all_zero(big, 50000));
    FREE_ALL(big, guard);
}

/* ---- aligned ------------------------------------------------------------------------- */

HEAP_TEST(aligned_each_power)
{
    static const size_t aligns[] = { 1, 2, 4, 8, 16, 32, 64, 256, 4096, 65536 };
    static const size_t sizes[] = { 0, 1, 24, 100, 5000, 70000 };
    /* Some blocks around, so that payloads start at odd places. */
    void *pad = ALLOC(40);
    for (unsigned i = 0; i < COUNT(aligns); i++)
        for (unsigned j = 0; j < COUNT(sizes); j++) {
            void *before = ALLOC(8 * (i + j) + 8);
            uint8_t *p = NEED(heap_alloc_aligned(&H, aligns[i], sizes[j], WHO1));
            void *after = ALLOC(24);
            CHECK_INT_EQ((uintptr_t)p % aligns[i], 0);
            CHECK_INT_EQ((uintptr_t)p % HEAP_ALIGN, 0);
            size_t u = heap_usable_size(&H, p);
            CHECK(u >= sizes[j]);
            fill(p, u, i * 100 + j);
            if (!CHECK_HEAP()) {
                printf("  align %zu size %zu\n", aligns[i], sizes[j]);
                return;
            }
            CHECK_INTACT(p, u, i * 100 + j);
            heap_free(&H, before, WHO1);
            heap_free(&H, p, WHO1);
            CHECK_HEAP();
            FREE_ALL(after);
        }
    FREE_ALL(pad);
    CHECK_ALL_FREE();
    CHECK_WALK();
}

HEAP_TEST(aligned_many_live)
{
    static uint8_t *p[200];
    for (unsigned i = 0; i < COUNT(p); i++) {
        size_t align = (size_t)16 << (i % 9);          /* 16 .. 4096 */
        p[i] = NEED(heap_alloc_aligned(&H, align, 8 + i * 13, WHO1));
        CHECK_INT_EQ((uintptr_t)p[i] % align, 0);
        fill(p[i], 8 + i * 13, i);
    }
    CHECK_HEAP();
    for (unsigned i = 0; i < COUNT(p); i++)
        CHECK_INTACT(p[i], 8 + i * 13, i);
    for (unsigned i = 0; i < COUNT(p); i += 3)
        heap_free(&H, p[i], WHO1);
    for (unsigned i = 1; i < COUNT(p); i += 3)
        heap_free(&H, p[i], WHO1);
    CHECK_HEAP();
    for (unsigned i = 2; i < COUNT(p); i += 3) {
        CHECK_INTACT(p[i], 8 + i * 13, i);
        heap_free(&H, p[i], WHO1);
    }
    EXPECT_NO_REPORT();
    CHECK_ALL_FREE();
}

HEAP_TEST(aligned_bad_alignment)
{
    static const size_t bad[] = { 0, 3, 12, 24, 48, 4095, 4097, 65535, SIZE_MAX,
                                  ((size_t)1 << 20) + 16 };
    struct heap_stats before = stats();
    for (unsigned i = 0; i < COUNT(bad); i++) {
        CHECK(heap_alloc_aligned(&H, bad[i], 64, WHO2) == NULL);
        EXPECT_REPORT(HEAP_ERR_BAD_ALIGN, NULL, WHO2);
        CHECK_INT_EQ(A.reps[0].size, bad[i]);
    }
    CHECK_SAME_STATS(stats(), before);
    CHECK_INT_EQ(H.errors, COUNT(bad));
}

static const struct check_test tests[] = {
    TEST(init_layout),
    TEST(init_fails),
    TEST(alloc_aligned_sizes_no_overlap),
    TEST(alloc_overhead_is_one_header),
    TEST(alloc_zero),
    TEST(alloc_too_large),
    TEST(alloc_too_large_4gib_heap),
    TEST(alloc_out_of_memory),
    TEST(realloc_null_and_zero),
    TEST(realloc_shrink),
    TEST(realloc_grow_in_place),
    TEST(realloc_move),
    TEST(realloc_failure_keeps_block),
    TEST(calloc_zeroes),
    TEST(aligned_each_power),
    TEST(aligned_many_live),
    TEST(aligned_bad_alignment),
};

CHECK_MAIN(tests)
