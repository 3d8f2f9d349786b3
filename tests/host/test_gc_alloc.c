/*
 * test_gc_alloc.c - allocating from the collector (kernel/mm/gc.c): objects
 * come zeroed, aligned and apart, even in blocks that a sweep handed back
 * dirty; and gc_object_of maps every byte of an object to its start and
 * nothing else - headers, the free top, outside the arena, freed objects -
 * to anything. The set-up is in gc_fixture.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc_fixture.h"

/* ---- allocation ------------------------------------------------------------------ */

static void alloc_zeroed_aligned(void)
{
    REQUIRE(setup(4 * MiB, 64, 0));
    static const size_t sizes[] = { 0, 1, 7, 8, 9, 16, 17, 24, 100, 255, 4000, 5000, 70000 };
    void *p[COUNT(sizes)];
    for (unsigned i = 0; i < COUNT(sizes); i++) {
        p[i] = gc_alloc(&G, sizes[i]);
        REQUIRE(p[i]);
        roots[i] = p[i];
        CHECK_INT_EQ((uintptr_t)p[i] % GC_GRANULE, 0);
        CHECK((uintptr_t)p[i] >= G.heap.base && (uintptr_t)p[i] < G.heap.base + G.heap.mapped);
        size_t usable = gc_object_size(&G, p[i]);
        CHECK(usable >= sizes[i] && usable >= 1);
        CHECK(all_zero(p[i], usable));
        CHECK(gc_is_live_object(&G, p[i]));
        CHECK(gc_object_of(&G, p[i]) == p[i]);
        for (unsigned j = 0; j < i; j++)        /* no overlap */
            CHECK((uint8_t *)p[i] >= (uint8_t *)p[j] + gc_object_size(&G, p[j]) ||
                  (uint8_t *)p[j] >= (uint8_t *)p[i] + usable);
        memset(p[i], 0xFF, usable);             /* dirty, for the reuse below */
    }
    CHECK_INT_EQ(G.stats.objects, COUNT(sizes));
    CHECK_INT_EQ(G.stats.cycle, 0);             /* gogc 0 */

    /* Drop them all: the blocks come back and are handed out again - zeroed,
     * even though they were full of 0xFF (which also must not have kept any
     * of them alive: 0xFF... is no address in the arena). */
    memset(roots, 0, sizeof roots);
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.freed, COUNT(sizes));
    CHECK_INT_EQ(G.stats.objects, 0);
    CHECK_INT_EQ(G.stats.live_bytes, 0);
    for (unsigned i = 0; i < COUNT(sizes); i++)
        CHECK(!gc_is_live_object(&G, p[i]));
    unsigned reused = 0;
    for (unsigned i = 0; i < COUNT(sizes); i++) {
        void *q = gc_alloc(&G, sizes[i]);
        REQUIRE(q);
        roots[i] = q;
        reused += q == p[i];
        CHECK(all_zero(q, gc_object_size(&G, q)));
    }
    CHECK(reused > 0);                          /* the dirty blocks really were reused */
    CHECK_HEAP();
    finish();
}

/* Addresses that belong to no object, given the highest object there is:
 * before the arena and its very first bytes, the free rest of the mapped
 * part, the end marker, past the mapped end and past the reservation. */
static void check_outside_objects(const uint8_t *last)
{
    CHECK(gc_object_of(&G, NULL) == NULL);
    CHECK(gc_object_of(&G, (void *)(G.heap.base - 1)) == NULL);
    CHECK(gc_object_of(&G, (void *)(G.heap.base - 4096)) == NULL);
    CHECK(gc_object_of(&G, (void *)G.heap.base) == NULL);
    CHECK(!gc_is_live_object(&G, (void *)(G.heap.base - 8)));
    /* The free rest of the mapped part, and beyond. */
    uint8_t *end = (uint8_t *)(G.heap.base + G.heap.mapped);
    const uint8_t *after_last = last + gc_object_size(&G, last) + HEAP_HEADER;
    CHECK(after_last < end - HEAP_HEADER);
    for (const uint8_t *x = after_last; x < end; x += 8)
        if (gc_object_of(&G, x)) {
            CHECK(gc_object_of(&G, x) == NULL);
            break;
        }
    CHECK(gc_object_of(&G, end - 1) == NULL);
    CHECK(gc_object_of(&G, end) == NULL);
    CHECK(gc_object_of(&G, end + 4096) == NULL);
    CHECK(gc_object_of(&G, (void *)(G.heap.base + B.reserved + 8)) == NULL);
    CHECK(!gc_is_live_object(&G, end));
    CHECK(!gc_is_live_object(&G, end + 4096));
}

/* gc_object_of: every byte of an object leads to its start, nothing else does. */
static void object_of_boundaries(void)
{
    REQUIRE(setup(1 * MiB, 64, 0));
    /* big spans many bitmap words: its interior is far from its start bit. */
    uint8_t *a = gc_alloc(&G, 40), *b = gc_alloc(&G, 40), *c = gc_alloc(&G, 100);
    uint8_t *big = gc_alloc(&G, 3000), *d = gc_alloc(&G, 1);
    REQUIRE(a && b && c && big && d);
    roots[0] = a;
    roots[1] = b;
    roots[2] = c;
    roots[3] = d;
    roots[4] = big;
    uint8_t *objs[] = { a, b, c, big, d };
    for (unsigned i = 0; i < COUNT(objs); i++) {
        uint8_t *o = objs[i];
        size_t n = gc_object_size(&G, o);
        for (size_t k = 0; k < n; k++)
            if (gc_object_of(&G, o + k) != o) {
                CHECK(gc_object_of(&G, o + k) == o);
                printf("  object %u, byte %zu of %zu\n", i, k, n);
                break;
            }
        CHECK(gc_object_of(&G, o + n - 1) == o);            /* the last byte */
        CHECK(gc_is_live_object(&G, o));
        CHECK(!gc_is_live_object(&G, o + GC_GRANULE));      /* no start there */
        /* Between objects: the next block's header belongs to nobody. */
        for (size_t k = n; k < n + HEAP_HEADER; k++)
            CHECK(gc_object_of(&G, o + k) == NULL);
        CHECK(gc_object_of(&G, o - 1) != o);
    }
    CHECK(gc_object_of(&G, a - 1) == NULL);                 /* the first header */
    check_outside_objects(d);

    /* A freed object, between two live ones, maps to nothing. */
    roots[1] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.freed, 1);
    CHECK(!gc_is_live_object(&G, b));
    CHECK(gc_object_of(&G, b) == NULL);
    CHECK(gc_object_of(&G, b + 17) == NULL);
    CHECK(gc_object_of(&G, b + 39) == NULL);
    CHECK(gc_object_of(&G, a + 39) == a);
    CHECK(gc_object_of(&G, c) == c);
    CHECK(gc_is_live_object(&G, a) && gc_is_live_object(&G, c));
    /* The last object freed: its whole block falls into the free top. */
    roots[3] = NULL;
    gc_collect(&G);
    CHECK(gc_object_of(&G, d) == NULL);
    CHECK(gc_object_of(&G, c + 99) == c);
    finish();
}

static const struct check_test tests[] = {
    TEST(alloc_zeroed_aligned),
    TEST(object_of_boundaries),
};

CHECK_MAIN(tests)
