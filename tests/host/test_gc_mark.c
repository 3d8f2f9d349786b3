/*
 * test_gc.c - kernel/mm/gc.c, the conservative mark-and-sweep collector, over
 * host memory. The arena is a PROT_NONE reservation whose pages the grow
 * callback opens (and the shrink callback closes again), as in test_heap.c.
 * The roots are precise: the roots callback scans the static array roots[]
 * and nothing else - never this program's stack or registers - so what a
 * collection keeps is exactly what is reachable from roots[], which the tests
 * work out for themselves and compare. On the host a pointer is an 8-byte
 * word; the kernel's are 4 bytes.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>

#include "check.h"
#include "rng.h"
#include "mm/gc.h"

_Static_assert(sizeof(void *) == 8, "the host tests assume 8-byte pointers");

#define KiB         1024ul
#define MiB         (1024ul * 1024ul)
#define NROOTS      64
#define COUNT(a)    (sizeof (a) / sizeof (a)[0])

/* ---- the backing, the roots, one collector ---------------------------------- */

static struct backing {
    uint8_t *mem;
    size_t reserved;            /* bytes of address space held */
    size_t backed;              /* bytes readable and writable, from mem */
    unsigned bad_calls;         /* grow/shrink not at the top, not whole pages */
} B;

static struct gc G;
static uint32_t *starts_map, *marks_map;
static uintptr_t *grey_list;
static void *roots[NROOTS];
static char roots_token;        /* the roots callback's ctx */
static unsigned roots_calls, roots_bad_args;
static bool roots_skewed;       /* name roots[] misaligned at both ends */

static int backing_grow(void *ctx, uintptr_t addr, size_t bytes)
{
    if (ctx != NULL || bytes == 0 || bytes % HEAP_PAGE ||
        addr != (uintptr_t)B.mem + B.backed || B.backed + bytes > B.reserved) {
        B.bad_calls++;
        return -1;
    }
    if (mprotect((void *)addr, bytes, PROT_READ | PROT_WRITE) != 0) {
        perror("mprotect");
        abort();
    }
    B.backed += bytes;
    return 0;
}

static void backing_shrink(void *ctx, uintptr_t addr, size_t bytes)
{
    if (ctx != NULL || bytes == 0 || bytes % HEAP_PAGE || bytes > B.backed ||
        addr + bytes != (uintptr_t)B.mem + B.backed) {
        B.bad_calls++;
        return;
    }
    /* Drop the contents too, as giving the frames back would. */
    if (mmap((void *)addr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED) {
        perror("mmap");
        abort();
    }
    B.backed -= bytes;
}

static void scan_roots(struct gc *g, void *ctx)
{
    roots_calls++;
    if (g != &G || ctx != &roots_token)
        roots_bad_args++;
    if (roots_skewed)   /* roots[0] starts before lo, roots[NROOTS-1] ends after hi */
        gc_scan_range(g, (char *)roots + 1, (char *)(roots + NROOTS) - 1);
    else
        gc_scan_range(g, roots, roots + NROOTS);
}

/* A fresh collector over a fresh reservation of max bytes. */
static bool setup(size_t max, unsigned grey_cap, unsigned gogc)
{
    memset(&B, 0, sizeof B);
    memset(roots, 0, sizeof roots);
    roots_calls = roots_bad_args = 0;
    roots_skewed = false;
    void *m = mmap(NULL, max, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!CHECK(m != MAP_FAILED))
        return false;
    B.mem = m;
    B.reserved = max;
    /* Exactly max / GC_GRANULE bits each, so ASan sees any access past them. */
    size_t words = (max / GC_GRANULE + 31) / 32;
    starts_map = calloc(words, sizeof *starts_map);
    marks_map = calloc(words, sizeof *marks_map);
    grey_list = calloc(grey_cap, sizeof *grey_list);
    if (!CHECK(starts_map && marks_map && grey_list))
        return false;
    if (!CHECK_INT_EQ(gc_init(&G, (uintptr_t)m, max, backing_grow, backing_shrink, starts_map,
                              marks_map, grey_list, grey_cap, scan_roots, &roots_token), 0))
        return false;
    CHECK_INT_EQ(G.gogc, GC_GOGC_DEFAULT);
    CHECK_INT_EQ(G.stats.cycle, 0);
    CHECK_INT_EQ(G.stats.objects, 0);
    G.gogc = gogc;
    return true;
}

static bool heap_ok(const char *file, int line)
{
    const char *why = NULL;
    bool ok = heap_check(&G.heap, &why);
    if (!ok)
        check_fail(file, line, "heap_check: %s", why ? why : "(no reason)");
    return ok;
}
#define CHECK_HEAP()    heap_ok(__FILE__, __LINE__)

/* Ends a test: the heap and the backing agree, the reservation goes. */
static void finish(void)
{
    CHECK_HEAP();
    CHECK_INT_EQ(B.bad_calls, 0);
    CHECK_INT_EQ(roots_bad_args, 0);
    CHECK_INT_EQ(G.heap.mapped, B.backed);
    munmap(B.mem, B.reserved);
    B.mem = NULL;
    free(starts_map);
    free(marks_map);
    free(grey_list);
    starts_map = marks_map = NULL;
    grey_list = NULL;
}

/* ---- objects ------------------------------------------------------------------- */

/* An id word: high bits set, so it never looks like a pointer into the arena. */
static inline uintptr_t tag(unsigned id)
{
    return ((uintptr_t)0xA110C000u << 32) | id;
}

struct node {
    struct node *next;
    uintptr_t tag;
};

static bool all_zero(const void *p, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (((const uint8_t *)p)[i])
            return false;
    return true;
}


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
    /* Before the arena, and its very first bytes. */
    CHECK(gc_object_of(&G, NULL) == NULL);
    CHECK(gc_object_of(&G, (void *)(G.heap.base - 1)) == NULL);
    CHECK(gc_object_of(&G, (void *)(G.heap.base - 4096)) == NULL);
    CHECK(gc_object_of(&G, (void *)G.heap.base) == NULL);
    CHECK(!gc_is_live_object(&G, (void *)(G.heap.base - 8)));
    /* The free rest of the mapped part, the end marker, past the mapped end,
     * past the reservation. */
    uint8_t *end = (uint8_t *)(G.heap.base + G.heap.mapped);
    uint8_t *after_d = d + gc_object_size(&G, d) + HEAP_HEADER;
    CHECK(after_d < end - HEAP_HEADER);
    for (uint8_t *x = after_d; x < end; x += 8)
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

/* ---- reachability ------------------------------------------------------------------ */

/* A list of n nodes of `size` bytes rooted at roots[r], ids first..first+n-1. */
static struct node *build_list(unsigned r, unsigned n, size_t size, unsigned first,
                               struct node **saved)
{
    struct node *tail = NULL;
    for (unsigned i = 0; i < n; i++) {
        struct node *x = gc_alloc(&G, size);
        if (!x)
            return NULL;
        x->tag = tag(first + i);
        if (tail)
            tail->next = x;
        else
            roots[r] = x;
        tail = x;
        if (saved)
            saved[i] = x;
    }
    return roots[r];
}

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

/* ---- randomized, against a model ------------------------------------------------------------------ */

#define R_OBJS      12000
#define R_SLOTS     4

struct robj {
    uint8_t *p;
    size_t size, usable;        /* asked for, got */
    unsigned nslots;
    int slot[R_SLOTS];          /* object index or -1 */
    bool exists;                /* not freed yet */
    bool reach;                 /* scratch for the check */
};

static struct robj *ro;
static unsigned nro;
static int rroot[NROOTS];       /* object index or -1 */
static size_t rroot_off[NROOTS];
static unsigned *exist;         /* indices of existing objects */
static unsigned nexist;
static unsigned r_checks;

/* Object layout: [id tag][slots...][fill bytes up to size]. */
static inline uint8_t fill_byte(unsigned id, size_t k)
{
    return (uint8_t)(0x80 | ((id * 7 + k) & 0x7F));     /* never an address */
}

static bool payload_ok(const struct robj *o, unsigned id)
{
    uintptr_t *w = (uintptr_t *)o->p;
    if (w[0] != tag(id))
        return false;
    for (unsigned s = 0; s < o->nslots; s++)
        if ((void *)w[1 + s] != (o->slot[s] < 0 ? NULL : ro[o->slot[s]].p))
            return false;
    for (size_t k = 8 * (1 + o->nslots); k < o->size; k++)
        if (o->p[k] != fill_byte(id, k))
            return false;
    return true;
}

/*
 * After a collection of the objects the model had (newp: an object allocated
 * right after it, which may sit where a freed one was): what is reachable
 * from roots[] is all there and intact, and everything else is gone.
 */
static void r_verify(const void *newp, bool new_counted)
{
    r_checks++;
    for (unsigned i = 0; i < nro; i++)
        ro[i].reach = false;
    static unsigned queue[R_OBJS];
    unsigned qh = 0, qt = 0;
    for (unsigned r = 0; r < NROOTS; r++)
        if (rroot[r] >= 0 && !ro[rroot[r]].reach) {
            ro[rroot[r]].reach = true;
            queue[qt++] = (unsigned)rroot[r];
        }
    while (qh < qt) {
        const struct robj *o = &ro[queue[qh++]];
        for (unsigned s = 0; s < o->nslots; s++)
            if (o->slot[s] >= 0 && !ro[o->slot[s]].reach) {
                ro[o->slot[s]].reach = true;
                queue[qt++] = (unsigned)o->slot[s];
            }
    }
    unsigned reach = 0, freed = 0, bad_live = 0, bad_payload = 0, bad_freed = 0;
    size_t live_bytes = 0, freed_bytes = 0;
    for (unsigned k = 0; k < nexist; k++) {
        unsigned i = exist[k];
        struct robj *o = &ro[i];
        if (o->reach) {
            reach++;
            live_bytes += o->usable;
            bad_live += !gc_is_live_object(&G, o->p) ||
                        gc_object_of(&G, o->p + o->size - 1) != o->p ||
                        gc_object_size(&G, o->p) != o->usable;
            bad_payload += !payload_ok(o, i);
        } else {
            freed++;
            freed_bytes += o->usable;
            const void *at = gc_object_of(&G, o->p);
            bad_freed += (gc_is_live_object(&G, o->p) && o->p != newp) ||
                         (at != NULL && at != newp);
            o->exists = false;
        }
    }
    CHECK_INT_EQ(bad_live, 0);
    CHECK_INT_EQ(bad_payload, 0);
    CHECK_INT_EQ(bad_freed, 0);
    CHECK_INT_EQ(G.stats.marked, reach);
    CHECK_INT_EQ(G.stats.freed, freed);
    CHECK_INT_EQ(G.stats.live_bytes, live_bytes);
    CHECK_INT_EQ(G.stats.freed_bytes, freed_bytes);
    CHECK_INT_EQ(G.stats.objects, reach + new_counted);
    CHECK_HEAP();
    /* Forget the freed ones; roots and slots never name them (unreachable). */
    unsigned m = 0;
    for (unsigned k = 0; k < nexist; k++)
        if (ro[exist[k]].exists)
            exist[m++] = exist[k];
    nexist = m;
}

static void r_set_root(unsigned r, int i)
{
    rroot[r] = i;
    rroot_off[r] = 0;
    if (i >= 0 && rng_below(4) == 0)        /* sometimes an interior pointer */
        rroot_off[r] = rng_below((uint32_t)ro[i].size);
    roots[r] = i < 0 ? NULL : ro[i].p + rroot_off[r];
}

static void r_set_slot(unsigned i, unsigned s, int j)
{
    ro[i].slot[s] = j;
    ((void **)ro[i].p)[1 + s] = j < 0 ? NULL : ro[j].p;
}

static int r_pick(void)
{
    return nexist ? (int)exist[rng_below(nexist)] : -1;
}

static void randomized(uint64_t seed, unsigned gogc, unsigned grey_cap, unsigned steps,
                       unsigned extra_max, unsigned collect_every)
{
    REQUIRE(setup(8 * MiB, grey_cap, gogc));
    ro = calloc(R_OBJS, sizeof *ro);
    exist = calloc(R_OBJS, sizeof *exist);
    REQUIRE(ro && exist);
    nro = nexist = r_checks = 0;
    for (unsigned r = 0; r < NROOTS; r++)
        rroot[r] = -1;
    rng_state = seed;
    unsigned explicit_collections = 0, auto_collections = 0;
    for (unsigned step = 0; step < steps && !check_failures; step++) {
        uint32_t op = rng_below(100);
        if (op < 40 && nro < R_OBJS) {
            unsigned nslots = 1 + rng_below(R_SLOTS);
            size_t size = 8 * (1 + nslots) + rng_below(extra_max);
            unsigned cycle = G.stats.cycle;
            uint8_t *p = gc_alloc(&G, size);
            REQUIRE(p);
            if (G.stats.cycle != cycle) {       /* it collected: check that one */
                REQUIRE_INT_EQ(G.stats.cycle, cycle + 1);
                r_verify(p, true);
                auto_collections++;
            }
            unsigned i = nro++;
            ro[i] = (struct robj){ .p = p, .size = size, .usable = gc_object_size(&G, p),
                                   .nslots = nslots, .exists = true };
            CHECK(all_zero(p, ro[i].usable));
            ((uintptr_t *)p)[0] = tag(i);
            for (unsigned s = 0; s < R_SLOTS; s++)
                ro[i].slot[s] = -1;
            for (size_t k = 8 * (1 + nslots); k < size; k++)
                p[k] = fill_byte(i, k);
            /* Wire it up: out to existing objects, and in from a root or a slot
             * (of an object that may itself be garbage). */
            for (unsigned s = 0; s < nslots; s++)
                if (rng_below(2))
                    r_set_slot(i, s, r_pick());
            int from = r_pick();
            exist[nexist++] = i;
            if (from < 0 || rng_below(3) == 0)
                r_set_root(rng_below(NROOTS), (int)i);
            else
                r_set_slot((unsigned)from, rng_below(ro[from].nslots), (int)i);
        } else if (op < 70 && nexist) {
            unsigned i = exist[rng_below(nexist)];
            r_set_slot(i, rng_below(ro[i].nslots), rng_below(5) ? r_pick() : -1);
        } else if (op < 88) {
            r_set_root(rng_below(NROOTS), rng_below(3) ? r_pick() : -1);
        } else {
            r_set_root(rng_below(NROOTS), -1);
        }
        if (step % collect_every == collect_every - 1) {
            gc_collect(&G);
            explicit_collections++;
            r_verify(NULL, false);
        }
    }
    CHECK(explicit_collections > 0);
    CHECK(gogc ? auto_collections > 10 : auto_collections == 0);
    CHECK_INT_EQ(r_checks, G.stats.cycle);
    printf("  seed %llu: %u objects, %u explicit and %u automatic collections, %u objects now\n",
           (unsigned long long)seed, nro, explicit_collections, auto_collections, nexist);
    memset(roots, 0, sizeof roots);
    gc_collect(&G);
    CHECK_INT_EQ(G.stats.objects, 0);
    free(ro);
    free(exist);
    ro = NULL;
    exist = NULL;
    finish();
}

/* Collections only when asked; a small worklist that overflows often. */
static void random_graph(void)
{
    randomized(20240601, 0, 4, 20000, 100, 300);
}

/* GOGC-driven collections too, checked whenever one happens. */
static void random_graph_auto(void)
{
    randomized(7, 25, 1024, 20000, 1000, 1000);
}

static const struct check_test tests[] = {
    TEST(alloc_zeroed_aligned),
    TEST(object_of_boundaries),
    TEST(list_cut_in_half),
    TEST(cycles),
    TEST(interior_pointers),
    TEST(scan_range_alignment),
    TEST(no_roots_callback),
    TEST(deep_list_tiny_worklist),
    TEST(deep_tree_tiny_worklist),
    TEST(wide_and_backwards_tiny_worklist),
    TEST(auto_collect_bounded),
    TEST(gogc_zero_never_collects),
    TEST(out_of_memory),
    TEST(random_graph),
    TEST(random_graph_auto),
};

CHECK_MAIN(tests)
