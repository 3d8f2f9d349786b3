/*
 * test_gc_mark.c - what a collection of kernel/mm/gc.c keeps: exactly what
 * roots[] reaches - lists cut in half, cycles kept and lost, interior,
 * one-past-the-end and misaligned pointers, aligned words only at the ends
 * of a scanned range, no roots at all - and the same with a worklist of one
 * to four entries that overflows all the time: a 100,000-node list, a
 * complete binary tree built bottom up, a 20,000-pointer object and a list
 * laid out backwards. The set-up is in gc_fixture.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc_fixture.h"

/* ---- reachability ------------------------------------------------------------------ */

static void list_cut_in_half(void)
{
    REQUIRE(setup(1 * MiB, 16, 0));
    enum { N = 20 };
    struct node *n[N];
    REQUIRE(build_list(0, N, 48, 100, n));
    size_t usable = gc_object_size(&G, n[0]);
    /* 48 bytes asked: a block of 56 with its 4-byte head, 52 of them usable. */
    CHECK_INT_EQ(usable, ((48 + HEAP_HEADER + 7) & ~7u) - HEAP_HEADER);
    CHECK_INT_EQ(G.stats.objects, N);

    gc_collect(&G);                             /* all of it is reachable */
    CHECK_INT_EQ(roots_calls, 1);
    CHECK_INT_EQ(G.stats.cycle, 1);
    CHECK_INT_EQ(G.stats.marked, N);
    CHECK_INT_EQ(G.stats.freed, 0);
    CHECK_INT_EQ(G.stats.freed_bytes, 0);
    CHECK_INT_EQ(G.stats.live_bytes, N * usable);
    CHECK_INT_EQ(G.stats.objects, N);

    n[N / 2 - 1]->next = NULL;                  /* cut */
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.cycle, 2);
    CHECK_INT_EQ(G.stats.marked, N / 2);
    CHECK_INT_EQ(G.stats.freed, N / 2);
    CHECK_INT_EQ(G.stats.freed_bytes, N / 2 * usable);
    CHECK_INT_EQ(G.stats.live_bytes, N / 2 * usable);
    CHECK_INT_EQ(G.stats.objects, N / 2);
    for (unsigned i = 0; i < N; i++) {
        CHECK_INT_EQ(gc_is_live_object(&G, n[i]), i < N / 2);
        CHECK_INT_EQ(gc_object_of(&G, n[i]) == n[i], i < N / 2);
    }
    struct node *x = roots[0];
    for (unsigned i = 0; i < N / 2; i++, x = x->next) {
        REQUIRE(x == n[i]);
        CHECK_HEX_EQ(x->tag, tag(100 + i));
    }
    CHECK(x == NULL);

    gc_collect(&G);                             /* nothing more to free */
    CHECK_INT_EQ(G.stats.cycle, 3);
    CHECK_INT_EQ(G.stats.marked, N / 2);
    CHECK_INT_EQ(G.stats.freed, 0);
    CHECK_INT_EQ(G.stats.freed_bytes, 0);
    CHECK_INT_EQ(G.stats.objects, N / 2);

    roots[0] = NULL;                            /* and then all of it */
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 0);
    CHECK_INT_EQ(G.stats.freed, N / 2);
    CHECK_INT_EQ(G.stats.live_bytes, 0);
    CHECK_INT_EQ(G.stats.objects, 0);
    CHECK_INT_EQ(roots_calls, 4);
    finish();
}

/* A ring of n nodes; returns its first node (nothing roots it). */
static struct node *build_ring(unsigned n, size_t size, unsigned first, struct node **saved)
{
    struct node *head = NULL, *tail = NULL;
    for (unsigned i = 0; i < n; i++) {
        struct node *x = gc_alloc(&G, size);
        if (!x)
            return NULL;
        x->tag = tag(first + i);
        if (tail)
            tail->next = x;
        else
            head = x;
        tail = x;
        saved[i] = x;
    }
    tail->next = head;
    return head;
}

static void cycles(void)
{
    REQUIRE(setup(1 * MiB, 8, 0));              /* gogc 0: building never collects */
    enum { N = 50 };
    struct node *lost[N], *kept[N];
    REQUIRE(build_ring(N, 32, 0, lost));
    struct node *k = build_ring(N, 32, 1000, kept);
    REQUIRE(k);
    struct node *self = gc_alloc(&G, 16);       /* a self-loop, unreachable */
    REQUIRE(self);
    self->next = self;
    roots[5] = kept[N / 2];                     /* the kept ring, from its middle */
    /* The lost ring points into the kept one, which changes nothing for it. */
    lost[3]->tag = (uintptr_t)kept[7];

    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, N);
    CHECK_INT_EQ(G.stats.freed, N + 1);
    CHECK_INT_EQ(G.stats.objects, N);
    CHECK(!gc_is_live_object(&G, self));
    for (unsigned i = 0; i < N; i++) {
        CHECK(!gc_is_live_object(&G, lost[i]));
        CHECK(gc_is_live_object(&G, kept[i]));
        CHECK_HEX_EQ(kept[i]->tag, tag(1000 + i));
        CHECK(kept[i]->next == kept[(i + 1) % N]);
    }
    roots[5] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 0);
    CHECK_INT_EQ(G.stats.freed, N);
    CHECK_INT_EQ(G.stats.objects, 0);
    finish();
}

static void interior_pointers(void)
{
    REQUIRE(setup(1 * MiB, 8, 0));
    /* a -> (into the middle of) b -> (the last byte of) c; d only by its
     * one-past-the-end address, e only by a misaligned word inside c. */
    uint8_t *a = gc_alloc(&G, 64), *b = gc_alloc(&G, 200), *c = gc_alloc(&G, 24);
    uint8_t *d = gc_alloc(&G, 40), *filler = gc_alloc(&G, 40), *e = gc_alloc(&G, 32);
    REQUIRE(a && b && c && d && filler && e);
    roots[7] = filler;
    ((void **)a)[3] = b + 101;
    ((void **)b)[20] = c + gc_object_size(&G, c) - 1;
    void *misaligned = e;
    memcpy(c + 4, &misaligned, sizeof misaligned);  /* not on a word boundary */
    memset(d, 0x5A, 40);
    roots[0] = a + 13;                              /* not even aligned */
    roots[1] = d + gc_object_size(&G, d);           /* one past the end */

    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 4);                /* a, b, c, filler */
    CHECK_INT_EQ(G.stats.freed, 2);                 /* d, e */
    CHECK(gc_is_live_object(&G, a));
    CHECK(gc_is_live_object(&G, b));
    CHECK(gc_is_live_object(&G, c));
    CHECK(!gc_is_live_object(&G, d));
    CHECK(!gc_is_live_object(&G, e));
    CHECK(((void **)a)[3] == b + 101);
    CHECK(((void **)b)[20] == c + gc_object_size(&G, c) - 1);

    /* Only the interior pointer into c's last byte is left: c alone stays. */
    roots[0] = NULL;
    roots[2] = c + gc_object_size(&G, c) - 1;
    roots[7] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 1);
    CHECK_INT_EQ(G.stats.freed, 3);
    CHECK(gc_is_live_object(&G, c));
    CHECK(!gc_is_live_object(&G, a) && !gc_is_live_object(&G, b));
    finish();
}

/* gc_scan_range looks at aligned words wholly inside [lo, hi) only. */
static void scan_range_alignment(void)
{
    REQUIRE(setup(1 * MiB, 8, 0));
    void *x = gc_alloc(&G, 16), *y = gc_alloc(&G, 16), *z = gc_alloc(&G, 16);
    REQUIRE(x && y && z);
    roots[0] = x;                   /* starts below lo: skipped */
    roots[1] = y;
    roots[NROOTS - 1] = z;          /* ends above hi: skipped */
    roots_skewed = true;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 1);
    CHECK(!gc_is_live_object(&G, x));
    CHECK(gc_is_live_object(&G, y));
    CHECK(!gc_is_live_object(&G, z));
    roots_skewed = false;
    finish();
}

/* No roots callback at all: a collection frees everything. */
static void no_roots_callback(void)
{
    REQUIRE(setup(1 * MiB, 8, 0));
    G.roots = NULL;
    for (unsigned i = 0; i < 10; i++)
        REQUIRE((roots[i] = gc_alloc(&G, 30)));
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.freed, 10);
    CHECK_INT_EQ(G.stats.objects, 0);
    CHECK_INT_EQ(roots_calls, 0);
    finish();
}

/* ---- a small worklist ------------------------------------------------------------------ */

/* 100,000 list nodes, each also pointing to a leaf that points to a grand-leaf;
 * a worklist of one entry overflows at every node. */
static void deep_list_tiny_worklist(void)
{
    enum { N = 100000 };
    REQUIRE(setup(32 * MiB, 1, 0));
    struct node **nodes = calloc(N, sizeof *nodes);
    REQUIRE(nodes);
    struct node *tail = NULL;
    size_t garbage = 0;
    for (unsigned i = 0; i < N; i++) {
        void **x = gc_alloc(&G, 24), **leaf = gc_alloc(&G, 16), **grand = gc_alloc(&G, 16);
        REQUIRE(x && leaf && grand);
        x[1] = leaf;                                /* (next, leaf, id) */
        x[2] = (void *)tag(i);
        leaf[0] = grand;
        grand[1] = (void *)tag(N + i);
        if (i % 10 == 0) {                          /* garbage pointing in */
            void **junk = gc_alloc(&G, 16);
            REQUIRE(junk);
            junk[0] = x;
            garbage++;
        }
        if (tail)
            tail->next = (struct node *)x;
        else
            roots[0] = x;
        tail = (struct node *)x;
        nodes[i] = (struct node *)x;
    }
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 3 * N);
    CHECK_INT_EQ(G.stats.freed, garbage);
    CHECK_INT_EQ(G.stats.objects, 3 * N);
    unsigned bad = 0;
    for (unsigned i = 0; i < N; i++) {
        void **x = (void **)nodes[i];
        void **leaf = x[1];
        bad += !gc_is_live_object(&G, x) || !gc_is_live_object(&G, leaf) ||
               !gc_is_live_object(&G, leaf[0]) || (uintptr_t)x[2] != tag(i) ||
               (uintptr_t)((void **)leaf[0])[1] != tag(N + i) ||
               (void *)x[0] != (i + 1 < N ? (void *)nodes[i + 1] : NULL);
    }
    CHECK_INT_EQ(bad, 0);
    free(nodes);
    finish();
}

/* A complete binary tree of 2^17 - 1 nodes, children allocated before (below)
 * their parents, with a worklist of four entries. */
static void deep_tree_tiny_worklist(void)
{
    enum { N = (1 << 17) - 1 };
    REQUIRE(setup(16 * MiB, 4, 0));
    void ***t = calloc(N, sizeof *t);
    REQUIRE(t);
    size_t garbage = 0;
    for (unsigned i = N; i-- > 0;) {
        void **x = gc_alloc(&G, 24);
        REQUIRE(x);
        t[i] = x;
        if (2 * i + 2 < N) {
            x[0] = t[2 * i + 1];
            x[1] = t[2 * i + 2];
        }
        x[2] = (void *)tag(i);
        if (i % 7 == 0) {                           /* unreachable, pointing in */
            void **junk = gc_alloc(&G, 24);
            REQUIRE(junk);
            junk[0] = x;
            junk[1] = t[N - 1 - i / 2];
            garbage++;
        }
    }
    roots[9] = t[0];
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, N);
    CHECK_INT_EQ(G.stats.freed, garbage);
    CHECK_INT_EQ(G.stats.objects, N);
    unsigned bad = 0;
    for (unsigned i = 0; i < N; i++)
        bad += !gc_is_live_object(&G, t[i]) || (uintptr_t)t[i][2] != tag(i) ||
               (2 * i + 2 < N && (t[i][0] != t[2 * i + 1] || t[i][1] != t[2 * i + 2]));
    CHECK_INT_EQ(bad, 0);

    /* Cut off the left subtree: exactly its (N - 1) / 2 nodes go. */
    t[0][0] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, (N + 1) / 2);
    CHECK_INT_EQ(G.stats.freed, (N - 1) / 2);
    /* Node i is in the left subtree when its ancestor at depth 1 is node 1. */
    bad = 0;
    for (unsigned i = 1; i < N; i++) {
        unsigned a = i;
        while (a > 2)
            a = (a - 1) / 2;
        bad += gc_is_live_object(&G, t[i]) != (a == 2);
    }
    CHECK_INT_EQ(bad, 0);
    free(t);
    finish();
}

/* One object with 20,000 pointers (each to a leaf pointing to another leaf),
 * and the worst order for a rescan: a list whose nodes lie below their
 * predecessors, each with a leaf that fills the worklist first. */
static void wide_and_backwards_tiny_worklist(void)
{
    enum { W = 20000, L = 3000 };
    REQUIRE(setup(2 * MiB, 4, 0));
    void **wide = gc_alloc(&G, W * sizeof(void *));
    REQUIRE(wide);
    roots[0] = wide;
    for (unsigned i = 0; i < W; i++) {
        void **leaf = gc_alloc(&G, 16), **leaf2 = gc_alloc(&G, 16);
        REQUIRE(leaf && leaf2);
        wide[i] = leaf;
        leaf[0] = leaf2;
        leaf2[1] = (void *)tag(i);
    }
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 1 + 2 * W);
    CHECK_INT_EQ(G.stats.freed, 0);
    unsigned bad = 0;
    for (unsigned i = 0; i < W; i++)
        bad += !gc_is_live_object(&G, wide[i]) || (uintptr_t)((void **)((void **)wide[i])[0])[1] != tag(i);
    CHECK_INT_EQ(bad, 0);
    roots[0] = NULL;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.freed, 1 + 2 * W);

    /* Prepending: node i + 1 lies below node i. Layout (leaf, next, id). */
    void **head = NULL;
    for (unsigned i = 0; i < L; i++) {
        void **leaf = gc_alloc(&G, 16), **x = gc_alloc(&G, 24);
        REQUIRE(leaf && x);
        x[0] = leaf;
        x[1] = head;
        x[2] = (void *)tag(i);
        head = x;
    }
    roots[1] = head;
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.marked, 2 * L);
    CHECK_INT_EQ(G.stats.freed, 0);
    unsigned n = 0;
    for (void **x = head; x; x = x[1], n++)
        bad += !gc_is_live_object(&G, x) || !gc_is_live_object(&G, x[0]) ||
               (uintptr_t)x[2] != tag(L - 1 - n);
    CHECK_INT_EQ(n, L);
    CHECK_INT_EQ(bad, 0);
    finish();
}

static const struct check_test tests[] = {
    TEST(list_cut_in_half),
    TEST(cycles),
    TEST(interior_pointers),
    TEST(scan_range_alignment),
    TEST(no_roots_callback),
    TEST(deep_list_tiny_worklist),
    TEST(deep_tree_tiny_worklist),
    TEST(wide_and_backwards_tiny_worklist),
};

CHECK_MAIN(tests)
