/*
 * test_heap_misuse.c - what the heap (kernel/mm/heap.c) reports, and
 * survives: freeing NULL (nothing), double frees (also after the block
 * merged with its neighbours, in every order), pointers inside a block,
 * outside the heap or at a header, and overruns onto the next header, onto
 * the end marker and onto a free neighbour, which are repaired; and the
 * words each report has. The fixture is in heap_fixture.h.
 */
#define _GNU_SOURCE
#include "heap_fixture.h"

/* ---- freeing: misuse ----------------------------------------------------------- */

HEAP_TEST(free_null)
{
    struct heap_stats before = stats();
    heap_free(&H, NULL, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.errors, 0);
    CHECK_SAME_STATS(stats(), before);
}

HEAP_TEST(free_double)
{
    void *p = ALLOC(40), *q = ALLOC(40);
    FREE_ALL(p);
    struct heap_stats before = stats();
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, p, WHO2);
    CHECK_INT_EQ(H.errors, 1);
    CHECK_SAME_STATS(stats(), before);
    CHECK_HEAP();
    /* realloc of a freed block is the same misuse. */
    CHECK(heap_realloc(&H, p, 100, WHO3) == NULL);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, p, WHO3);
    CHECK_SAME_STATS(stats(), before);
    /* The heap goes on. */
    void *r = ALLOC(40);
    CHECK(r == p);
    FREE_ALL(r, ALLOC(1000), q);
    /* And q, now merged into the top block, is still caught. */
    before = stats();
    CHECK_INT_EQ(before.free_blocks, 1);
    heap_free(&H, q, WHO3);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, q, WHO3);
    CHECK_SAME_STATS(stats(), before);
}

/* Frees three neighbours in one order, then each of them again. */
static const unsigned *merge_order;

static void double_free_after_merge_in_order(void)
{
    void *lo = ALLOC(32);
    void *b[3];
    for (unsigned i = 0; i < 3; i++)
        b[i] = ALLOC(48);
    void *hi = ALLOC(32);
    for (unsigned i = 0; i < 3; i++)
        heap_free(&H, b[merge_order[i]], WHO1);
    EXPECT_NO_REPORT();
    struct heap_stats before = stats();
    CHECK_INT_EQ(before.free_blocks, 2);
    static const unsigned again[3] = { 1, 0, 2 };      /* the middle one first */
    for (unsigned k = 0; k < 3; k++) {
        unsigned i = again[k];
        heap_free(&H, b[i], WHO2);
        EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, b[i], WHO2);
        CHECK_SAME_STATS(stats(), before);
        CHECK_HEAP();
    }
    /* Still usable: the merged space comes back as one block. */
    void *all = ALLOC(3 * 56 - HEAP_HEADER);
    CHECK(all == b[0]);
    FREE_ALL(all, lo, hi);
}

static void free_double_after_merge(void)
{
    static const unsigned orders[6][3] = {
        { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
    };
    for (unsigned i = 0; i < 6; i++) {
        unsigned before = (unsigned)check_failures;
        merge_order = orders[i];
        on_heap(PLAIN_HEAP, double_free_after_merge_in_order);
        if ((unsigned)check_failures != before) {
            printf("  in order %u %u %u\n", orders[i][0], orders[i][1], orders[i][2]);
            return;
        }
    }
}

HEAP_TEST(free_inside_block)
{
    uint8_t *p = fill(ALLOC(64), 64, 1), *q = fill(ALLOC(64), 64, 2);
    struct heap_stats before = stats();
    uint8_t *inside[] = { p + 8, p + 16, p + 32, p + 56, q + 8 };
    for (unsigned i = 0; i < COUNT(inside); i++) {
        heap_free(&H, inside[i], WHO2);
        EXPECT_REPORT(HEAP_ERR_INSIDE_BLOCK, inside[i], WHO2);
        CHECK(heap_realloc(&H, inside[i], 10, WHO3) == NULL);
        EXPECT_REPORT(HEAP_ERR_INSIDE_BLOCK, inside[i], WHO3);
        CHECK_SAME_STATS(stats(), before);
        CHECK_HEAP();
    }
    /* A pointer into the free space above: never handed out. */
    uint8_t *beyond = q + 200;
    heap_free(&H, beyond, WHO2);
    CHECK_INT_EQ(A.nrep, 1);
    CHECK(A.reps[0].e != HEAP_ERR_NOT_HEAP && A.reps[0].ptr == beyond);
    A.nrep = 0;
    CHECK_SAME_STATS(stats(), before);
    CHECK_INTACT(p, 64, 1);
    CHECK_INTACT(q, 64, 2);
    FREE_ALL(p, q);
}

HEAP_TEST(free_not_heap)
{
    uint8_t *p = fill(ALLOC(64), 64, 3);
    uint64_t on_stack = 0;
    uint8_t *base = (uint8_t *)H.base;
    uint8_t *bad[] = {
        p + 1, p + 4, p - 1, p + 60,                    /* misaligned */
        (uint8_t *)&on_stack, base - 8, base - 4096, base,
        base + H.mapped, base + H.mapped + 8, base + ARENA,
        (uint8_t *)(uintptr_t)8, (uint8_t *)callers,
    };
    struct heap_stats before = stats();
    for (unsigned i = 0; i < COUNT(bad); i++) {
        heap_free(&H, bad[i], WHO3);
        EXPECT_REPORT(HEAP_ERR_NOT_HEAP, bad[i], WHO3);
        CHECK(heap_realloc(&H, bad[i], 100, WHO2) == NULL);
        EXPECT_REPORT(HEAP_ERR_NOT_HEAP, bad[i], WHO2);
        CHECK_SAME_STATS(stats(), before);
    }
    CHECK_INT_EQ(H.errors, 2 * COUNT(bad));
    CHECK_HEAP();
    CHECK_INTACT(p, 64, 3);
    FREE_ALL(p);
}

/* A pointer to a block's own header: some report, nothing changed. */
HEAP_TEST(free_header_pointer)
{
    uint8_t *a = fill(ALLOC(64), 64, 1), *b = ALLOC(64);
    struct heap_stats before = stats();
    heap_free(&H, b - HEAP_HEADER, WHO2);
    printf("  reported as: %s\n", heap_error_text(A.reps[0].e));
    CHECK_INT_EQ(A.nrep, 1);
    CHECK(A.reps[0].ptr == b - HEAP_HEADER && A.reps[0].caller == WHO2);
    A.nrep = 0;
    CHECK_SAME_STATS(stats(), before);
    CHECK_HEAP();
    CHECK_INTACT(a, 64, 1);
    FREE_ALL(a, b);
}

/* ---- overruns ---------------------------------------------------------------------- */

HEAP_TEST(overrun_onto_next_header)
{
    uint8_t *a = ALLOC(40), *b = ALLOC(40), *c = ALLOC(40);
    CHECK_HEAP();
    size_t u = heap_usable_size(&H, a);
    CHECK_HEX_EQ((uintptr_t)(a + u), (uintptr_t)(b - HEAP_HEADER));
    memset(a, 'x', u + 1);                  /* one byte too many */
    A.heap_broken = true;                   /* and b's head stays broken */
    const char *why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK(why != NULL && *why);
    struct heap_stats before = stats();
    heap_free(&H, a, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, a, WHO2);
    CHECK_INT_EQ(A.reps[0].size, u);
    CHECK_INT_EQ(stats().used_blocks, before.used_blocks);     /* a stays, leaked */
    CHECK_INT_EQ(stats().used, before.used);
    /* Other blocks go on working. */
    uint8_t *d = fill(ALLOC(100), 100, 4), *e = ALLOC(3000);
    FREE_ALL(d, c, e);
    why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "check byte");
    /* The damaged neighbour cannot be freed; reported, not crashed on. */
    heap_free(&H, b, WHO3);
    CHECK_INT_EQ(A.nrep, 1);
    CHECK(A.reps[0].ptr == b);
    A.nrep = 0;
}

/* One block that fills the first page: the end marker follows it. */
static uint8_t *fill_first_page(void)
{
    uint8_t *p = ALLOC(HEAP_PAGE - HEAP_FIRST - 2 * HEAP_HEADER);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    CHECK_HEX_EQ((uintptr_t)(p + heap_usable_size(&H, p)), H.base + H.mapped - HEAP_HEADER);
    return p;
}

static void overrun_end_marker_then_free(void)
{
    uint8_t *p = fill_first_page();
    memset(p, 0, heap_usable_size(&H, p) + HEAP_HEADER);       /* the whole marker */
    const char *why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "end marker");
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, p, WHO2);
    /* The marker is rewritten and the block freed. */
    CHECK_HEAP();
    CHECK_ALL_FREE();
    FREE_ALL(ALLOC(10000));
}

/* The same through realloc: reported, then it goes ahead. */
static void overrun_end_marker_then_realloc(void)
{
    uint8_t *p = fill_first_page();
    size_t u = heap_usable_size(&H, p);
    REQUIRE(p + u == (uint8_t *)(H.base + H.mapped - HEAP_HEADER));
    fill(p, u, 9);
    p[u] ^= 0x40;                           /* one bit of the marker */
    CHECK(!heap_check(&H, NULL));
    uint8_t *r = heap_realloc(&H, p, 100, WHO3);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, p, WHO3);
    CHECK(r == p);
    CHECK_INTACT(p, 100, 9);
    CHECK_HEAP();
    FREE_ALL(r);
}

static void overrun_onto_end_marker(void)
{
    on_heap(PLAIN_HEAP, overrun_end_marker_then_free);
    on_heap(PLAIN_HEAP, overrun_end_marker_then_realloc);
}

/* An overrun onto a free neighbour: the neighbour's header is rebuilt from
 * its footer, the overrun block is freed, and no block is handed out twice. */
HEAP_TEST(overrun_onto_free_neighbour)
{
    uint8_t *a = ALLOC(100), *b = ALLOC(100), *c = ALLOC(100);
    FREE_ALL(b);
    a[heap_usable_size(&H, a)] = 0;         /* onto the free block's header */
    CHECK(!heap_check(&H, NULL));
    heap_free(&H, a, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, a, WHO2);
    CHECK_HEAP();                           /* repaired: everything consistent */
    check_two_fresh_blocks(100, c);
    FREE_ALL(c);
    CHECK_HEAP();
}

static void error_texts(void)
{
    for (int e = HEAP_ERR_TOO_LARGE; e <= HEAP_ERR_BAD_ALIGN; e++) {
        const char *t = heap_error_text((enum heap_error)e);
        CHECK(t != NULL && strcmp(t, "?") != 0 && *t);
        for (int f = HEAP_ERR_TOO_LARGE; f < e; f++)
            CHECK(strcmp(t, heap_error_text((enum heap_error)f)) != 0);
    }
    CHECK_STR_EQ(heap_error_text((enum heap_error)99), "?");
}

static const struct check_test tests[] = {
    TEST(free_null),
    TEST(free_double),
    TEST(free_double_after_merge),
    TEST(free_inside_block),
    TEST(free_not_heap),
    TEST(free_header_pointer),
    TEST(overrun_onto_next_header),
    TEST(overrun_onto_end_marker),
    TEST(overrun_onto_free_neighbour),
    TEST(error_texts),
};

CHECK_MAIN(tests)
