/*
 * test_heap_coalesce.c - free blocks merging in the heap (kernel/mm/heap.c):
 * three, four and five neighbours freed in every order end as one free
 * block of their whole span, between two used blocks or merged into the
 * free top. The fixture is in heap_fixture.h.
 */
#define _GNU_SOURCE
#include "heap_fixture.h"

/* ---- coalescing ---------------------------------------------------------------------- */

/* Next permutation in lexicographic order; false after the last. */
static bool next_perm(unsigned *a, unsigned n)
{
    int i = (int)n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return false;
    int j = (int)n - 1;
    while (a[j] <= a[i])
        j--;
    unsigned t = a[i]; a[i] = a[j]; a[j] = t;
    for (unsigned l = (unsigned)i + 1, r = n - 1; l < r; l++, r--) {
        t = a[l]; a[l] = a[r]; a[r] = t;
    }
    return true;
}

/* The case coalesce_in_order runs: n neighbours, freed in this order, with
 * a used block above them (cap) or the free top. */
static struct { unsigned n; bool cap; unsigned order[5]; } coalesce;

/* One free block where they were, with a used block on each side (cap) or
 * the free top above them (no cap). */
static void coalesce_in_order(void)
{
    unsigned n = coalesce.n;
    bool cap = coalesce.cap;
    uint8_t *b[5];
    uint32_t span = 0;
    ALLOC(32);                              /* a used block below them */
    for (unsigned i = 0; i < n; i++) {
        b[i] = ALLOC(40 + 8 * i);
        span += (40 + 8 * i + HEAP_HEADER + HEAP_ALIGN - 1) & ~(HEAP_ALIGN - 1);
    }
    if (cap)
        ALLOC(32);                          /* and one above */
    for (unsigned i = 0; i < n; i++) {
        heap_free(&H, b[coalesce.order[i]], WHO1);
        if (!CHECK_HEAP())
            break;
    }
    EXPECT_NO_REPORT();
    struct heap_stats s = stats();
    CHECK_INT_EQ(s.used_blocks, cap ? 2 : 1);
    CHECK_INT_EQ(s.free_blocks, cap ? 2 : 1);
    CHECK_WALK();
    const struct wblock *w = walked_at(b[0]);
    CHECK(w && !w->used);
    if (w && cap)
        CHECK_INT_EQ(w->size, span);
    if (w && !cap)
        CHECK_HEX_EQ(w->payload - HEAP_HEADER + w->size, H.base + H.mapped - HEAP_HEADER);
    CHECK_INT_EQ(nwalked, cap ? 4 : 2);
}

/* n neighbours freed in every order. */
static void coalesce_all_orders(unsigned n, bool cap)
{
    coalesce.n = n;
    coalesce.cap = cap;
    for (unsigned i = 0; i < 5; i++)
        coalesce.order[i] = i;
    do {
        on_heap(PLAIN_HEAP, coalesce_in_order);
        if (check_failures) {
            printf("  order:");
            for (unsigned i = 0; i < n; i++)
                printf(" %u", coalesce.order[i]);
            printf(cap ? " (capped)\n" : " (at the top)\n");
            return;
        }
    } while (next_perm(coalesce.order, n));
}

static void coalesce_three(void)
{
    coalesce_all_orders(3, true);
    coalesce_all_orders(3, false);
}

static void coalesce_four(void)
{
    coalesce_all_orders(4, true);
    coalesce_all_orders(4, false);
}

static void coalesce_five(void)
{
    coalesce_all_orders(5, true);
}

static const struct check_test tests[] = {
    TEST(coalesce_three),
    TEST(coalesce_four),
    TEST(coalesce_five),
};

CHECK_MAIN(tests)
