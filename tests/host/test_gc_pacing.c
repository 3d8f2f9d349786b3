/*
 * test_gc_pacing.c - when kernel/mm/gc.c collects on its own: with GOGC, a
 * collection every time the heap has grown by GOGC per cent of the live
 * data (at least GC_MIN_TRIGGER), so the heap stays bounded under garbage;
 * never with GOGC 0; and when the arena runs out, one collection before an
 * allocation fails, which then changes nothing. The set-up is in
 * gc_fixture.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc_fixture.h"
#include "rng.h"

/* ---- automatic collection ------------------------------------------------------------------ */

/* A list of about `bytes` live bytes in 1 KiB nodes at roots[0]; its node count. */
static unsigned live_set(size_t bytes)
{
    unsigned n = (unsigned)(bytes / KiB);
    return build_list(0, n, KiB - HEAP_HEADER, 0, NULL) ? n : 0;
}

static bool live_set_intact(unsigned n)
{
    unsigned i = 0;
    for (struct node *x = roots[0]; x; x = x->next, i++)
        if (!gc_is_live_object(&G, x) || x->tag != tag(i))
            return false;
    return i == n;
}

#define CHURN_OBJECT (512 - HEAP_HEADER)     /* fills a 512-byte block */

/* Garbage in 500-odd-byte objects, each dirtied, nothing keeping it;
 * returns the largest mapped size seen. */
static size_t churn(size_t bytes, unsigned *count)
{
    size_t peak = G.heap.mapped;
    for (size_t done = 0; done < bytes; done += CHURN_OBJECT) {
        uint8_t *p = gc_alloc(&G, CHURN_OBJECT);
        if (!p)
            return 0;
        memset(p, 0xC3, CHURN_OBJECT);
        if (count)
            ++*count;
        if (G.heap.mapped > peak)
            peak = G.heap.mapped;
    }
    return peak;
}

static void auto_collect_bounded(void)
{
    REQUIRE(setup(64 * MiB, 64, GC_GOGC_DEFAULT));
    /* With nothing live, collections come every GC_MIN_TRIGGER bytes. */
    size_t peak = churn(16 * MiB, NULL);
    CHECK(G.stats.cycle >= 16 * MiB / GC_MIN_TRIGGER - 1);
    CHECK(G.stats.cycle <= 16 * MiB / (GC_MIN_TRIGGER - CHURN_OBJECT) + 1);
    CHECK(peak <= GC_MIN_TRIGGER + 128 * KiB);
    printf("  no live data: %u cycles, peak mapped %zu KiB\n", G.stats.cycle, peak / KiB);

    /* With 256 KiB live and gogc 100: the heap stays near twice that. */
    unsigned n = live_set(256 * KiB);
    REQUIRE(n);
    gc_collect(&G);
    size_t live = G.stats.live_bytes;
    CHECK_INT_EQ(live, n * (KiB - HEAP_HEADER));
    unsigned before = G.stats.cycle;
    peak = churn(32 * MiB, NULL);
    unsigned cycles = G.stats.cycle - before;
    CHECK(cycles >= 32 * MiB / live - 1);
    CHECK(cycles <= 32 * MiB / (live - CHURN_OBJECT) + 1);
    CHECK(peak <= 2 * live + 128 * KiB);
    CHECK(live_set_intact(n));
    printf("  %zu KiB live: %u cycles, peak mapped %zu KiB\n", live / KiB, cycles, peak / KiB);

    /* gogc 300: a collection every three times the live size. */
    G.gogc = 300;
    gc_collect(&G);
    before = G.stats.cycle;
    peak = churn(32 * MiB, NULL);
    cycles = G.stats.cycle - before;
    CHECK(cycles >= 32 * MiB / (3 * live) - 1);
    CHECK(cycles <= 32 * MiB / (3 * live - CHURN_OBJECT) + 1);
    CHECK(peak <= 4 * live + 128 * KiB);
    CHECK(live_set_intact(n));

    /* The live set gone: memory goes back (the heap trims its top). */
    roots[0] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.objects, 0);
    CHECK(G.heap.mapped <= 128 * KiB);
    finish();
}

static void gogc_zero_never_collects(void)
{
    REQUIRE(setup(64 * MiB, 64, 0));
    unsigned n = live_set(64 * KiB), count = 0;
    REQUIRE(n);
    size_t peak = churn(8 * MiB, &count);
    CHECK_INT_EQ(G.stats.cycle, 0);
    CHECK_INT_EQ(roots_calls, 0);
    CHECK_INT_EQ(G.stats.objects, n + count);
    CHECK(peak >= 8 * MiB);
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.cycle, 1);
    CHECK_INT_EQ(G.stats.marked, n);
    CHECK_INT_EQ(G.stats.freed, count);
    CHECK_INT_EQ(G.stats.freed_bytes, (size_t)count * CHURN_OBJECT);
    CHECK_INT_EQ(G.stats.objects, n);
    CHECK(live_set_intact(n));
    CHECK(G.heap.mapped <= 256 * KiB);      /* the garbage was above: trimmed */
    finish();
}

/* ---- running out ------------------------------------------------------------------ */

/* Fills the arena with a list at roots[0] of objects of assorted sizes until
 * gc_alloc fails; the node count. */
static unsigned fill_up(unsigned first, size_t *bytes)
{
    unsigned n = 0;
    *bytes = 0;
    for (;;) {
        size_t size = 16 + rng_below(2000);
        struct node *x = gc_alloc(&G, size);
        if (!x)
            return n;
        x->next = roots[0];
        x->tag = tag(first + n);
        roots[0] = x;
        *bytes += gc_object_size(&G, x);
        n++;
    }
}

static bool filled_list_intact(unsigned first, unsigned n)
{
    unsigned i = n;
    for (struct node *x = roots[0]; x; x = x->next)
        if (i == 0 || !gc_is_live_object(&G, x) || x->tag != tag(first + --i))
            return false;
    return i == 0;
}

static void out_of_memory(void)
{
    REQUIRE(setup(1 * MiB, 32, 0));
    rng_state = 42;
    size_t bytes;
    unsigned n = fill_up(0, &bytes);
    CHECK(n > 300);
    CHECK(bytes > 1 * MiB - 64 * KiB);
    /* The failing gc_alloc tried a collection first (gogc 0: the only one). */
    CHECK_INT_EQ(G.stats.cycle, 1);
    CHECK_INT_EQ(G.stats.marked, n);
    CHECK_INT_EQ(G.stats.freed, 0);
    CHECK_INT_EQ(G.stats.objects, n);
    CHECK_INT_EQ(G.stats.live_bytes, bytes);
    CHECK_INT_EQ(G.heap.mapped, 1 * MiB);
    CHECK(filled_list_intact(0, n));
    CHECK_HEAP();

    /* More failures change nothing; neither does a request that can never fit. */
    CHECK(gc_alloc(&G, 512 * KiB) == NULL);
    CHECK(gc_alloc(&G, 4 * MiB) == NULL);
    CHECK(gc_alloc(&G, SIZE_MAX / 2) == NULL);
    CHECK(filled_list_intact(0, n));
    CHECK_INT_EQ(G.stats.objects, n);
    CHECK_HEAP();

    /* Dropped: the next allocation that does not fit collects and succeeds. */
    roots[0] = NULL;
    unsigned cycle = G.stats.cycle;
    void *big = gc_alloc(&G, 512 * KiB);
    CHECK(big != NULL);
    CHECK_INT_EQ(G.stats.cycle, cycle + 1);
    CHECK_INT_EQ(G.stats.freed, n);
    CHECK_INT_EQ(G.stats.freed_bytes, bytes);
    CHECK(big && all_zero(big, 512 * KiB));
    CHECK_HEAP();

    /* And filling up once more gets about as far again. */
    size_t bytes2;
    unsigned n2 = fill_up(1000000, &bytes2);
    CHECK(bytes2 > 1 * MiB - 64 * KiB);
    CHECK(filled_list_intact(1000000, n2));
    CHECK_HEAP();

    /* With gogc 100 the same: full, then roomy again. */
    roots[0] = NULL;
    G.gogc = 100;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.freed, n2);
    unsigned n3 = fill_up(2000000, &bytes);
    CHECK(n3 > 300);
    CHECK(filled_list_intact(2000000, n3));
    finish();
}

static const struct check_test tests[] = {
    TEST(auto_collect_bounded),
    TEST(gogc_zero_never_collects),
    TEST(out_of_memory),
};

CHECK_MAIN(tests)
