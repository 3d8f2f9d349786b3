/*
 * test_heap_release.c - when the heap (kernel/mm/heap.c) gives back the
 * pages inside its large free blocks: not while it grows up to its peak;
 * past the peak just the pages needed, from the blocks freed longest ago,
 * from their ends; never without a shrink callback. heap_check reads the
 * given-back mark, and a double free whose head lies on a page given back
 * is still reported. Using such blocks again is in test_heap_release_reuse.c.
 * The fixture is in heap_fixture.h, the helpers in heap_release.h.
 */
#define _GNU_SOURCE
#include "heap_release.h"

/* With large block f freed and pending below the peak: growing right up to
 * the peak takes nothing from it; two pages past it, its last two pages go. */
static void gives_back_only_past_peak(struct freed f, uint32_t peak)
{
    /* Growing right up to the peak takes nothing from it. */
    unsigned shrinks = A.nshrink;
    void *x = grow_past_peak(0);
    CHECK_INT_EQ(H.mapped, peak);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_BACKED(f.lo, f.hi, true);
    CHECK_INT_EQ(H.peak_backed, peak);
    FREE_ALL(x);                        /* trimmed: room below the peak again */
    CHECK(H.mapped < peak);
    CHECK_INT_EQ(H.released, 0);

    /* Two pages past it: the block's last two pages go, and only they. */
    shrinks = A.nshrink;
    x = grow_past_peak(2);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_INT_EQ(H.mapped - H.released, peak);
    CHECK_BACKED(f.hi - 2 * HEAP_PAGE, f.hi, false);
    CHECK_BACKED(f.lo, f.hi - 2 * HEAP_PAGE, true);
    CHECK_HEX_EQ(*given_back_mark(f.b), f.hi - 2 * HEAP_PAGE);
    check_last_shrink(shrinks, f.hi - 2 * HEAP_PAGE, 2 * HEAP_PAGE);
    /* Partly given back, it stays on the pending list. */
    CHECK_HEX_EQ(H.pending_tail, f.b);
    CHECK_HEAP();
    FREE_ALL(x);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);    /* trimming the top leaves it be */
}

/* A large block freed in the middle keeps its pages while the heap grows
 * up to its peak. Past the peak it gives back just the pages needed, from
 * its end; when it has none left, the peak rises by the rest. */
HEAP_TEST(release_waits_for_peak)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *big = ALLOC(48 * KiB);
    uint8_t *guard = fill(ALLOC(100), 100, 2);
    raise_peak(160 * KiB);
    uint32_t peak = H.peak_backed;
    CHECK(H.mapped < peak);

    struct freed f = free_large(big);
    REQUIRE(f.size >= 48 * KiB);
    REQUIRE(f.n > 6);
    /* Freed: it waits on the pending list with every page still there. */
    CHECK_HEX_EQ(H.pending, f.b);
    CHECK_HEX_EQ(H.pending_tail, f.b);
    CHECK_INT_EQ(H.released, 0);
    CHECK_HEX_EQ(*given_back_mark(f.b), f.hi);
    CHECK_BACKED(f.lo, f.hi, true);
    CHECK_HEAP();

    gives_back_only_past_peak(f, peak);

    /* Past the peak by more than the block has left: it gives back all the
     * rest, leaves the pending list, and the peak rises by the difference. */
    void *x = grow_past_peak(f.n - 2 + 3);
    CHECK_INT_EQ(H.released, f.n * HEAP_PAGE);
    CHECK_BACKED(f.lo, f.hi, false);
    CHECK_HEX_EQ(*given_back_mark(f.b), f.lo);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEX_EQ(H.pending_tail, HEAP_NONE);
    CHECK_INT_EQ(H.peak_backed, peak + 3 * HEAP_PAGE);
    CHECK_INT_EQ(H.mapped - H.released, H.peak_backed);
    CHECK_INT_EQ(free_size_at(f.b), f.size);
    CHECK_HEAP();
    /* The blocks around it never noticed. */
    CHECK_INTACT(low, 100, 1);
    CHECK_INTACT(guard, 100, 2);
    FREE_ALL(x, low, guard);
    CHECK_INT_EQ(stats().free_blocks, 1);
}

/* The large free blocks freed longest ago give their pages back first. */
HEAP_TEST(release_oldest_first)
{
    uint8_t *b1 = ALLOC(32 * KiB), *g1 = ALLOC(100), *b2 = ALLOC(32 * KiB), *g2 = ALLOC(100);
    raise_peak(160 * KiB);
    uint32_t peak = H.peak_backed;
    struct freed f1 = free_large(b1), f2 = free_large(b2);
    REQUIRE(f1.size >= 32 * KiB && f2.size >= 32 * KiB);
    REQUIRE(f1.n > 2 && f2.n > 3);
    CHECK_HEX_EQ(H.pending, f2.b);      /* the newest at the head */
    CHECK_HEX_EQ(H.pending_tail, f1.b);

    /* A little: from the older block only. */
    void *x = grow_past_peak(2);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);
    CHECK_BACKED(f1.lo, f1.hi - 2 * HEAP_PAGE, true);
    CHECK_BACKED(f1.hi - 2 * HEAP_PAGE, f1.hi, false);
    CHECK_BACKED(f2.lo, f2.hi, true);
    CHECK_HEX_EQ(*given_back_mark(f2.b), f2.hi);
    CHECK_HEX_EQ(H.pending_tail, f1.b);
    CHECK_HEAP();
    FREE_ALL(x);

    /* More than the older one has left: all of it, then the newer one's end. */
    x = grow_past_peak(f1.n - 2 + 3);
    CHECK_INT_EQ(H.released, (f1.n + 3) * HEAP_PAGE);
    CHECK_BACKED(f1.lo, f1.hi, false);
    CHECK_HEX_EQ(*given_back_mark(f1.b), f1.lo);
    CHECK_BACKED(f2.lo, f2.hi - 3 * HEAP_PAGE, true);
    CHECK_BACKED(f2.hi - 3 * HEAP_PAGE, f2.hi, false);
    CHECK_HEX_EQ(*given_back_mark(f2.b), f2.hi - 3 * HEAP_PAGE);
    CHECK_HEX_EQ(H.pending, f2.b);
    CHECK_HEX_EQ(H.pending_tail, f2.b);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_INT_EQ(H.mapped - H.released, peak);
    CHECK_HEAP();
    FREE_ALL(x, g1, g2);
    CHECK_INT_EQ(stats().free_blocks, 1);
}


/* heap_check finds something wrong, and says so in words that contain `what`. */
static void check_finds(const char *what, const char *file, int line)
{
    const char *why = NULL;
    if (heap_check(&H, &why))
        check_fail(file, line, "heap_check passed; expected \"%s\"", what);
    else if (!why || !strstr(why, what))
        check_fail(file, line, "heap_check: \"%s\"; expected \"%s\"", why ? why : "(NULL)",
                   what);
}
#define CHECK_FINDS(what)   check_finds((what), __FILE__, __LINE__)

/* heap_check reads the given-back mark: wrong values are caught, whether
 * the block gave pages back or not. */
HEAP_TEST(release_check_detects_bad_mark)
{
    uint8_t *big = ALLOC(48 * KiB), *guard = ALLOC(100);
    raise_peak(160 * KiB);
    struct freed f = free_large(big);
    uint32_t *mark = given_back_mark(f.b);

    /* Nothing given back yet: the mark must be the inner pages' end. */
    CHECK_HEX_EQ(*mark, f.hi);
    *mark = f.hi - HEAP_PAGE;
    CHECK_FINDS("given-back mark");
    *mark = f.hi;
    CHECK_HEAP();

    /* Three pages given back: a mark out of place, or in place but not
     * what was given back. */
    void *x = grow_past_peak(3);
    uint32_t good = f.hi - 3 * HEAP_PAGE;
    CHECK_HEX_EQ(*mark, good);
    const uint32_t bad[] = { good + 8, f.hi, f.hi + HEAP_PAGE, f.lo - HEAP_PAGE, 0 };
    for (unsigned i = 0; i < COUNT(bad); i++) {
        *mark = bad[i];
        CHECK_FINDS("given-back pages are out of place");
    }
    *mark = good - HEAP_PAGE;
    CHECK_FINDS("counters disagree");
    *mark = good;
    CHECK_HEAP();
    FREE_ALL(x, guard);
}

/* A double free of a block whose head lies on a page given back since (it
 * merged into a block that had given its pages back) is reported: the page
 * reads as zeroes, and the heap does not take that for a head. */
HEAP_TEST(release_double_free_reported)
{
    uint8_t *a = ALLOC(64 * KiB), *b = ALLOC(8 * KiB), *c = fill(ALLOC(32), 32, 3);
    struct freed f = free_large(a);
    void *x = grow_past_peak(f.n + 4);
    CHECK_INT_EQ(*given_back_mark(f.b), f.lo);      /* all of it went */
    heap_free(&H, b, WHO1);             /* merges: b's head page goes too */
    uint32_t head_page = block_at(b) & ~(uint32_t)(HEAP_PAGE - 1);
    REQUIRE(backed_pages(head_page, head_page + HEAP_PAGE) == 0);
    EXPECT_NO_REPORT();
    CHECK_HEAP();
    heap_free(&H, b, WHO2);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, b, WHO2);
    CHECK(heap_realloc(&H, b, 10, WHO3) == NULL);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, b, WHO3);
    CHECK_HEAP();
    CHECK_INTACT(c, 32, 3);
    FREE_ALL(x, c);
}

/* Without a shrink callback nothing is ever given back: no pending blocks,
 * and the heap grows past its peak with every page of a large free block
 * still there. */
HEAP_TEST_ON(release_needs_shrink_callback, NO_SHRINK_HEAP(ARENA))
{
    uint8_t *low = ALLOC(2000), *big = ALLOC(48 * KiB), *guard = ALLOC(100);
    struct freed f = free_large(big);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEX_EQ(*given_back_mark(f.b), f.hi);
    uint8_t *more = ALLOC(200 * KiB);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(H.peak_backed, H.mapped);
    CHECK_BACKED(f.lo, f.hi, true);
    /* Merging changes nothing either. */
    heap_free(&H, low, WHO1);
    CHECK_INT_EQ(H.released, 0);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEAP();
    FREE_ALL(more, guard);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.nshrink, 0);
}

static const struct check_test tests[] = {
    TEST(release_waits_for_peak),
    TEST(release_oldest_first),
    TEST(release_check_detects_bad_mark),
    TEST(release_double_free_reported),
    TEST(release_needs_shrink_callback),
};

CHECK_MAIN(tests)
