/*
 * test_heap_release_reuse.c - using again a large free block that gave
 * pages back (kernel/mm/heap.c): allocating from it backs again only the
 * pages needed (an older pending block pays for them), which can be refused;
 * it merges with freed neighbours below, above, on both sides and into the
 * free top; realloc grows a block in place into it. The fixture is in
 * heap_fixture.h, the helpers in heap_release.h.
 */
#define _GNU_SOURCE
#include "heap_release.h"

/* The state of release_alloc_backs_again once its first block is had:
 * large block f gave back its pages from gone on, its front is used now and
 * rest is its free remainder; c, freed later, holds all its pages; grows
 * and peak are from before the first block. */
struct backs_again {
    struct freed f, c;
    uint32_t gone, rest, peak;
    unsigned grows;
};

/* The block of req2 bytes from rest up to end2, 100 bytes into the second
 * given-back page (see release_alloc_backs_again); it is returned filled
 * with pattern 6. */
static uint8_t *alloc_into_second_page(const struct backs_again *s, uint32_t end2, size_t req2)
{
    struct freed f = s->f, c = s->c;
    uint32_t gone = s->gone, rest = s->rest, peak = s->peak;
    unsigned grows = s->grows;
    uint8_t *p2 = ALLOC(req2);
    CHECK_HEX_EQ((uintptr_t)p2, H.base + rest + HEAP_HEADER);
    if (CHECK_INT_EQ(A.ngrow, grows + 1)) {
        CHECK_HEX_EQ(A.grows[grows].addr, H.base + gone);
        CHECK_INT_EQ(A.grows[grows].bytes, 2 * HEAP_PAGE);
    }
    fill(p2, req2, 6);
    CHECK_BACKED(gone, gone + 2 * HEAP_PAGE, true);
    CHECK_BACKED(gone + 2 * HEAP_PAGE, f.hi, false);
    CHECK_INT_EQ(free_size_at(end2), f.b + f.size - end2);
    CHECK_HEX_EQ(*given_back_mark(end2), gone + 2 * HEAP_PAGE);
    CHECK_HEX_EQ(*given_back_mark(c.b), c.hi - 2 * HEAP_PAGE);
    CHECK_BACKED(c.hi - 2 * HEAP_PAGE, c.hi, false);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    /* The remainder has given back all its pages: only the other block waits. */
    CHECK_HEX_EQ(H.pending, c.b);
    CHECK_HEX_EQ(H.pending_tail, c.b);
    CHECK_HEAP();
    return p2;
}

/* The block from end2 that leaves a small one (see release_alloc_backs_again),
 * returned filled with pattern 7. */
static uint8_t *alloc_most_of_rest(const struct backs_again *s, uint32_t end2)
{
    struct freed f = s->f, c = s->c;
    uint32_t peak = s->peak;
    size_t req3 = free_size_at(end2) - HEAP_PAGE - HEAP_HEADER;
    uint8_t *p3 = fill(ALLOC(req3), req3, 7);
    CHECK_HEX_EQ((uintptr_t)p3, H.base + end2 + HEAP_HEADER);
    CHECK_BACKED(f.lo, f.hi, true);
    CHECK_BACKED(c.hi - 8 * HEAP_PAGE, c.hi, false);
    CHECK_HEX_EQ(*given_back_mark(c.b), c.hi - 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEAP();
    return p3;
}

/* Allocating from a block that gave pages back backs again the pages the
 * new block and the remainder's head need, no more; a remainder big enough
 * keeps its given-back tail; an older pending block pays for the backing. */
HEAP_TEST(release_alloc_backs_again)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *big = ALLOC(64 * KiB);
    uint8_t *g1 = fill(ALLOC(100), 100, 2), *cblk = ALLOC(96 * KiB);
    uint8_t *g2 = fill(ALLOC(100), 100, 3);
    raise_peak(200 * KiB);
    uint32_t peak = H.peak_backed;

    struct freed f = free_large(big);
    REQUIRE(f.size >= 64 * KiB && f.n >= 12);
    void *x = fill(grow_past_peak(8), 1000, 4);
    uint32_t gone = f.hi - 8 * HEAP_PAGE;           /* the first page given back */
    CHECK_HEX_EQ(*given_back_mark(f.b), gone);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    /* A second large block, freed later and holding all its pages. */
    struct freed c = free_large(cblk);
    REQUIRE(c.n > 8);

    /* A small block from the front needs none of the given-back pages. */
    unsigned grows = A.ngrow;
    uint8_t *p1 = fill(ALLOC(8 * KiB), 8 * KiB, 5);
    CHECK_HEX_EQ((uintptr_t)p1, (uintptr_t)big);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    uint32_t rest = f.b + (uint32_t)heap_usable_size(&H, p1) + HEAP_HEADER;
    CHECK_INT_EQ(free_size_at(rest), f.b + f.size - rest);
    CHECK_HEX_EQ(*given_back_mark(rest), gone);     /* the tail stays given back */
    CHECK_HEX_EQ(H.pending, rest);                  /* and it still has pages */
    CHECK_HEX_EQ(H.pending_tail, c.b);
    CHECK_HEAP();
    const struct backs_again s = { f, c, gone, rest, peak, grows };

    /* One reaching 100 bytes into the second given-back page: those two
     * pages come back (the second holds the remainder's head too), and the
     * other large block gives back two pages to pay for them. */
    uint32_t end2 = gone + HEAP_PAGE + 100;
    size_t req2 = end2 - rest - HEAP_HEADER;
    uint8_t *p2 = alloc_into_second_page(&s, end2, req2);

    /* Most of the remainder, leaving a small block: every page it gave back
     * comes back, and the other block gives back as many again. */
    uint8_t *p3 = alloc_most_of_rest(&s, end2);

    /* Nothing else was touched. */
    CHECK_INTACT(low, 100, 1);
    CHECK_INTACT(g1, 100, 2);
    CHECK_INTACT(g2, 100, 3);
    CHECK_INTACT(x, 1000, 4);
    CHECK_INTACT(p1, 8 * KiB, 5);
    CHECK_INTACT(p2, req2, 6);
    void *all[] = { p3, p1, x, g2, p2, low, g1 };
    for (unsigned i = 0; i < COUNT(all); i++) {
        heap_free(&H, all[i], WHO1);
        CHECK_HEAP();
    }
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
}

/* Backing given-back pages again can be refused: the allocation fails, the
 * block stays free as it was, and serves once the memory is there. */
HEAP_TEST(release_alloc_refused)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *big = ALLOC(48 * KiB);
    uint8_t *g1 = ALLOC(100), *cblk = ALLOC(64 * KiB), *g2 = ALLOC(100);
    raise_peak(160 * KiB);
    struct freed f = free_large(big);
    void *x = grow_past_peak(f.n);                  /* all of them */
    CHECK_HEX_EQ(*given_back_mark(f.b), f.lo);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    /* Another large block waits with its pages: it gives some back before
     * the grow callback is asked, and they stay given back. */
    struct freed c = free_large(cblk);
    uint32_t peak = H.peak_backed, released = H.released;

    /* 10000 bytes from the block's front: the pages up to the remainder's
     * head have to come back; the limit refuses them. */
    uint32_t need = PAGES(f.lo, inner_start(f.b + 10000 + HEAP_HEADER + 4));
    CHECK(need >= 2);
    A.limit = A.backed - 4 * HEAP_PAGE;
    struct heap_stats before = stats();
    unsigned refused = A.refused;
    CHECK(heap_alloc(&H, 10000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK_INT_EQ(A.reps[0].size, 10000);
    CHECK_INT_EQ(A.refused, refused + 1);
    CHECK_SAME_STATS(stats(), before);
    CHECK_HEAP();
    CHECK_INT_EQ(free_size_at(f.b), f.size);
    CHECK_HEX_EQ(*given_back_mark(f.b), f.lo);
    CHECK_BACKED(f.lo, f.hi, false);
    CHECK_INT_EQ(H.released, released + need * HEAP_PAGE);
    CHECK_HEX_EQ(*given_back_mark(c.b), c.hi - need * HEAP_PAGE);
    CHECK_INT_EQ(H.mapped - H.released, A.backed);
    CHECK_INT_EQ(H.peak_backed, peak);
    /* Again: the same, and nothing more is given back. */
    CHECK(heap_alloc(&H, 10000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK_INT_EQ(H.released, released + need * HEAP_PAGE);
    CHECK_HEAP();

    /* With the limit raised, the same block serves. */
    A.limit = ARENA;
    uint8_t *p = NEED(heap_alloc(&H, 10000, WHO2));
    EXPECT_NO_REPORT();
    CHECK_HEX_EQ((uintptr_t)p, (uintptr_t)big);
    fill(p, 10000, 8);
    CHECK_BACKED(f.lo, f.lo + need * HEAP_PAGE, true);
    CHECK_BACKED(f.lo + need * HEAP_PAGE, f.hi, false);    /* still given back */
    uint32_t rest = f.b + (uint32_t)heap_usable_size(&H, p) + HEAP_HEADER;
    CHECK_HEX_EQ(*given_back_mark(rest), f.lo + need * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEAP();
    CHECK_INTACT(low, 100, 1);
    CHECK_INTACT(p, 10000, 8);
    FREE_ALL(p, x, g1, g2, low);
}

/* A block that gave pages back merges with a freed neighbour below (the
 * given-back tail stays as it is) and above (the tail reaches the new end:
 * the pages in between go at once). */
HEAP_TEST(release_merge_neighbours)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *l = ALLOC(2000), *big = ALLOC(48 * KiB);
    uint8_t *u = ALLOC(6000), *guard = fill(ALLOC(100), 100, 2);
    raise_peak(160 * KiB);
    struct freed f = free_large(big);
    void *x = grow_past_peak(3);
    uint32_t gone = f.hi - 3 * HEAP_PAGE;
    CHECK_HEX_EQ(*given_back_mark(f.b), gone);

    /* Below: the merged block starts lower, its tail is the same. */
    unsigned shrinks = A.nshrink, grows = A.ngrow;
    struct freed m = free_large(l);
    CHECK_INT_EQ(m.size, f.b + f.size - m.b);
    CHECK_HEX_EQ(*given_back_mark(m.b), gone);
    CHECK_INT_EQ(H.released, 3 * HEAP_PAGE);
    CHECK_BACKED(m.lo, gone, true);
    CHECK_BACKED(gone, f.hi, false);
    CHECK_HEX_EQ(H.pending, m.b);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_HEAP();

    /* Above: the tail grows to the merged block's new end. */
    heap_free(&H, u, WHO1);
    m = describe_free(m.b);
    CHECK_INT_EQ(m.size, block_at(guard) - m.b);
    CHECK(m.hi > f.hi);
    CHECK_HEX_EQ(*given_back_mark(m.b), gone);
    CHECK_INT_EQ(H.released, m.hi - gone);
    CHECK_BACKED(gone, m.hi, false);
    CHECK_BACKED(m.lo, gone, true);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK_HEX_EQ(H.pending, m.b);
    CHECK_HEX_EQ(H.pending_tail, m.b);
    CHECK_HEAP();
    CHECK_INTACT(low, 100, 1);
    CHECK_INTACT(guard, 100, 2);
    FREE_ALL(x, low, guard);
    CHECK_INT_EQ(stats().free_blocks, 1);
}

/* The case release_merge_between_in runs (see it). */
static unsigned merge_case;

/* A used block between two large free blocks is freed: the merged block
 * keeps one given-back tail, from the lowest page either gave back to its
 * end, the pages in between included. Three cases: the lower block gave
 * all back and the upper some; the lower some and the upper none; the lower
 * none and the upper some. */
static void release_merge_between_in(void)
{
    uint8_t *b1 = ALLOC(40 * KiB), *mid = ALLOC(3000), *b2 = ALLOC(40 * KiB);
    uint8_t *guard = fill(ALLOC(100), 100, 2);
    raise_peak(160 * KiB);
    struct freed f1, f2;
    if (merge_case == 2) {              /* the upper one first: it goes first */
        f2 = free_large(b2);
        f1 = free_large(b1);
    } else {
        f1 = free_large(b1);
        f2 = free_large(b2);
    }
    uint32_t gone;                      /* the first page the merged block gave back */
    void *x;
    if (merge_case == 0) {
        x = grow_past_peak(f1.n + 2);
        CHECK_HEX_EQ(*given_back_mark(f1.b), f1.lo);
        CHECK_HEX_EQ(*given_back_mark(f2.b), f2.hi - 2 * HEAP_PAGE);
        gone = f1.lo;
    } else if (merge_case == 1) {
        x = grow_past_peak(2);
        CHECK_HEX_EQ(*given_back_mark(f1.b), f1.hi - 2 * HEAP_PAGE);
        CHECK_HEX_EQ(*given_back_mark(f2.b), f2.hi);
        gone = f1.hi - 2 * HEAP_PAGE;
    } else {
        x = grow_past_peak(2);
        CHECK_HEX_EQ(*given_back_mark(f1.b), f1.hi);
        CHECK_HEX_EQ(*given_back_mark(f2.b), f2.hi - 2 * HEAP_PAGE);
        gone = f2.hi - 2 * HEAP_PAGE;
    }
    CHECK_HEAP();
    uint32_t grows = A.ngrow;
    heap_free(&H, mid, WHO1);
    struct freed m = describe_free(f1.b);       /* merged with both */
    CHECK_INT_EQ(m.size, block_at(guard) - f1.b);
    CHECK_INT_EQ(m.hi, f2.hi);
    CHECK_HEX_EQ(*given_back_mark(f1.b), gone);
    CHECK_INT_EQ(H.released, f2.hi - gone);
    CHECK_BACKED(gone, f2.hi, false);
    CHECK_BACKED(f1.lo, gone, true);
    CHECK_INT_EQ(A.ngrow, grows);
    /* Still holding pages below its tail: it waits on the pending list. */
    CHECK_HEX_EQ(H.pending, gone == f1.lo ? HEAP_NONE : f1.b);
    CHECK_HEAP();
    CHECK_INTACT(guard, 100, 2);
    FREE_ALL(x, guard);
    CHECK_INT_EQ(stats().free_blocks, 1);
}

static void release_merge_between(void)
{
    for (merge_case = 0; merge_case < 3; merge_case++)
        on_heap(PLAIN_HEAP, release_merge_between_in);
}

/* A block that gave pages back merges into the free top: the heap is trimmed
 * with no slack, and none of the pages given back is backed on the way. */
HEAP_TEST(release_merge_into_top)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *big = ALLOC(48 * KiB), *u = ALLOC(3000);
    raise_peak(160 * KiB);
    struct freed f = free_large(big);
    FREE_ALL(grow_past_peak(4));        /* the free top is right above u again */
    CHECK(top_free() > 0);
    CHECK_INT_EQ(H.released, 4 * HEAP_PAGE);
    uint32_t mapped = H.mapped, peak = H.peak_backed;
    unsigned grows = A.ngrow, shrinks = A.nshrink;

    FREE_ALL(u);
    CHECK_INT_EQ(H.mapped, (f.b + HEAP_MIN_BLOCK + HEAP_HEADER + HEAP_PAGE - 1) &
                               ~(uint32_t)(HEAP_PAGE - 1));
    CHECK(H.mapped < mapped);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK(A.nshrink > shrinks);
    CHECK_INT_EQ(A.backed, H.mapped);
    CHECK_BACKED(H.mapped, mapped, false);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_INT_EQ(top_free(), H.mapped - HEAP_HEADER - f.b);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    CHECK_INTACT(low, 100, 1);
    /* It grows again as usual. */
    uint8_t *again = fill(ALLOC(48 * KiB), 48 * KiB, 9);
    CHECK_HEAP();
    FREE_ALL(again, low);
}

/* realloc grows a block in place into a free neighbour that gave pages
 * back: only the pages it needs come back, the remainder keeps its tail;
 * when they are refused, the block stays as it was. */
HEAP_TEST(release_realloc_in_place)
{
    uint8_t *low = fill(ALLOC(100), 100, 1), *p = fill(ALLOC(1000), 1000, 2);
    uint8_t *big = ALLOC(64 * KiB), *guard = fill(ALLOC(100), 100, 3);
    raise_peak(160 * KiB);
    struct freed f = free_large(big);
    void *x = grow_past_peak(8);
    uint32_t gone = f.hi - 8 * HEAP_PAGE, peak = H.peak_backed;
    CHECK_HEX_EQ(*given_back_mark(f.b), gone);

    /* Up to 100 bytes into the second given-back page: refused first. */
    uint32_t pb = block_at(p), end = gone + HEAP_PAGE + 100;
    size_t req = end - pb - HEAP_HEADER;
    size_t u0 = heap_usable_size(&H, p);
    A.limit = A.backed;
    CHECK(heap_realloc(&H, p, req, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK_INT_EQ(heap_usable_size(&H, p), u0);
    CHECK_INTACT(p, 1000, 2);
    CHECK_INT_EQ(free_size_at(f.b), f.size);
    CHECK_HEX_EQ(*given_back_mark(f.b), gone);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_HEAP();

    /* Then allowed: in place, two pages back, the rest keeps its tail. */
    A.limit = ARENA;
    CHECK(heap_realloc(&H, p, req, WHO2) == p);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(heap_usable_size(&H, p), req);
    CHECK_INTACT(p, 1000, 2);
    fill(p, req, 4);
    CHECK_BACKED(gone, gone + 2 * HEAP_PAGE, true);
    CHECK_BACKED(gone + 2 * HEAP_PAGE, f.hi, false);
    CHECK_INT_EQ(free_size_at(end), f.b + f.size - end);
    CHECK_HEX_EQ(*given_back_mark(end), gone + 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.released, 6 * HEAP_PAGE);
    /* No other block had pages to give: the peak rose by the two. */
    CHECK_INT_EQ(H.peak_backed, peak + 2 * HEAP_PAGE);
    CHECK_HEAP();

    /* All the way to the guard: the whole neighbour is taken, every page back. */
    req = block_at(guard) - pb - HEAP_HEADER;
    CHECK(heap_realloc(&H, p, req, WHO2) == p);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(heap_usable_size(&H, p), req);
    CHECK_INTACT(p, end - pb - HEAP_HEADER, 4);
    fill(p, req, 5);
    CHECK_INT_EQ(H.released, 0);
    CHECK_BACKED(f.lo, f.hi, true);
    CHECK_INTACT(low, 100, 1);
    CHECK_INTACT(guard, 100, 3);
    CHECK_HEAP();
    FREE_ALL(p, x, low, guard);
}

static const struct check_test tests[] = {
    TEST(release_alloc_backs_again),
    TEST(release_alloc_refused),
    TEST(release_merge_neighbours),
    TEST(release_merge_between),
    TEST(release_merge_into_top),
    TEST(release_realloc_in_place),
};

CHECK_MAIN(tests)
