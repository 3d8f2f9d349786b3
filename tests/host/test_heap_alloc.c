/*
 * test_heap.c - kernel/mm/heap.c and its parts, the segregated-fit
 * allocator, over host memory: a PROT_NONE reservation whose pages the grow
 * callback makes readable and writable (and the shrink callback takes back:
 * read-only zeroes from then on, like the kernel's zero frame), so that any
 * access past the mapped part, or any write to a page given back, crashes.
 * Alignment, sizes and per-block overhead, size 0, too-large requests,
 * running out, every misuse free reports, overruns, realloc, calloc,
 * aligned allocation, coalescing in every order, growing and trimming, the
 * pages given back inside large free blocks, and long randomized runs
 * checked after every operation.
 *
 * Every test runs on a fixture (HEAP_TEST, on_heap): a fresh heap over a
 * fresh reservation, and after the test's body, whatever it did, the checks
 * every test ends with - the callbacks were called properly, the heap
 * agrees with what they backed and passes heap_check, and every report it
 * made was expected - before the reservation goes.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "check.h"
#include "rng.h"
#include "mm/heap.h"

#define KiB         1024ul
#define MiB         (1024ul * 1024ul)
#define ARENA       (64 * MiB)
#define COUNT(a)    (sizeof (a) / sizeof (a)[0])

/* Distinct made-up callers, to see them come back in reports. */
static const char callers[4];
#define WHO1        ((const void *)&callers[1])
#define WHO2        ((const void *)&callers[2])
#define WHO3        ((const void *)&callers[3])

/* ---- the backing: an mmap reservation, the callbacks, their records -------- */

#define LOG_MAX     256
#define REP_MAX     64

struct call { uintptr_t addr; size_t bytes; };
struct rep { enum heap_error e; const void *ptr; size_t size; const void *caller; };

static struct arena {
    uint8_t *mem;
    size_t reserved;            /* bytes of address space held */
    size_t limit;               /* grow refuses to back more than this */
    size_t backed;              /* bytes readable and writable */
    uint8_t *page_backed;       /* one byte a page of the reservation */
    struct call grows[LOG_MAX], shrinks[LOG_MAX];
    unsigned ngrow, nshrink;    /* all calls; the first LOG_MAX are logged */
    unsigned refused;           /* grow calls answered with -1 */
    unsigned bad_calls;         /* not whole pages, outside, 0 bytes, backed twice */
    struct rep reps[REP_MAX];
    unsigned nrep;
    bool watch_peak;            /* grow checks the peak rule (see arena_grow) */
    unsigned peak_breaks;       /* grow calls past the peak with pages still pending */
    bool heap_open;             /* heap_init succeeded: the fixture checks the heap */
    bool heap_broken;           /* broken on purpose, or found so: no heap_check at the end */
} A;

static struct heap H;

/* Whole pages inside the reservation, every one of them backed (or not) as
 * `want` says; false after logging a bad call. */
static bool pages_are(struct arena *a, const char *what, uintptr_t addr, size_t bytes, bool want)
{
    uintptr_t lo = (uintptr_t)a->mem;
    bool ok = a == &A && bytes != 0 && bytes % HEAP_PAGE == 0 && addr % HEAP_PAGE == 0 &&
              addr >= lo && addr - lo <= a->reserved && bytes <= a->reserved - (addr - lo);
    for (size_t off = 0; ok && off < bytes; off += HEAP_PAGE)
        ok = a->page_backed[(addr - lo + off) / HEAP_PAGE] == want;
    if (!ok) {
        printf("  bad %s call: offset %#lx, %zu bytes\n", what, (unsigned long)(addr - lo), bytes);
        a->bad_calls++;
    }
    return ok;
}

static void mark_pages(struct arena *a, uintptr_t addr, size_t bytes, bool backed)
{
    for (size_t off = 0; off < bytes; off += HEAP_PAGE)
        a->page_backed[(addr - (uintptr_t)a->mem + off) / HEAP_PAGE] = backed;
}

static int arena_grow(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (a->ngrow < LOG_MAX)
        a->grows[a->ngrow] = (struct call){ addr, bytes };
    a->ngrow++;
    if (!pages_are(a, "grow", addr, bytes, false))
        return bytes == 0 ? 0 : -1;
    /* The heap holds more than ever only when no large free block has
     * pages left to give back first. */
    if (a->watch_peak && a->backed + bytes > H.peak_backed && H.pending != HEAP_NONE) {
        if (!a->peak_breaks)
            printf("  grow of %zu bytes at +%#lx: %zu backed, peak %u, block +%#x pending\n",
                   bytes, (unsigned long)(addr - (uintptr_t)a->mem), a->backed,
                   H.peak_backed, H.pending);
        a->peak_breaks++;
    }
    if (a->backed + bytes > a->limit) {
        a->refused++;
        return -1;
    }
    if (mprotect((void *)addr, bytes, PROT_READ | PROT_WRITE) != 0) {
        perror("mprotect");
        abort();
    }
    mark_pages(a, addr, bytes, true);
    a->backed += bytes;
    return 0;
}

static void arena_shrink(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (a->nshrink < LOG_MAX)
        a->shrinks[a->nshrink] = (struct call){ addr, bytes };
    a->nshrink++;
    if (!pages_are(a, "shrink", addr, bytes, true))
        return;
    /* Drop the contents too, as giving the frames back would; the pages
     * read as zeroes after (the kernel's shared zero frame) and writes fault. */
    if (mmap((void *)addr, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED) {
        perror("mmap");
        abort();
    }
    mark_pages(a, addr, bytes, false);
    a->backed -= bytes;
}

static void arena_report(void *ctx, enum heap_error e, const void *ptr, size_t size,
                         const void *caller)
{
    struct arena *a = ctx;
    if (a->nrep < REP_MAX)
        a->reps[a->nrep] = (struct rep){ e, ptr, size, caller };
    a->nrep++;
}

/* ---- the fixture: a fresh heap for every test ------------------------------------ */

/* How a test's heap is set up. */
struct arena_spec {
    size_t reserve;             /* address space to hold */
    size_t max;                 /* the heap's size, as heap_init is asked */
    size_t limit;               /* the most the grow callback will back */
    bool shrink;                /* with a shrink callback */
};

#define PLAIN_HEAP              ((struct arena_spec){ ARENA, ARENA, ARENA, true })
#define LIMITED_HEAP(limit)     ((struct arena_spec){ ARENA, ARENA, (limit), true })
#define NO_SHRINK_HEAP(limit)   ((struct arena_spec){ ARENA, ARENA, (limit), false })

static jmp_buf leave_body;      /* NEED's way out of a test's body */

/* A fresh reservation of spec.reserve bytes with a fresh record, no heap yet. */
static bool reserve_arena(struct arena_spec spec)
{
    memset(&A, 0, sizeof A);
    void *m = mmap(NULL, spec.reserve, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (!CHECK(m != MAP_FAILED))
        return false;
    A.mem = m;
    A.reserved = spec.reserve;
    A.page_backed = calloc(spec.reserve / HEAP_PAGE + 1, 1);
    A.limit = spec.limit;
    return true;
}

static void unreserve_arena(void)
{
    if (A.mem)
        munmap(A.mem, A.reserved);
    A.mem = NULL;
    free(A.page_backed);
    A.page_backed = NULL;
}

/* A fresh heap over a fresh reservation, set up as spec says; its first
 * page is backed by the one grow call heap_init makes. */
static bool open_arena(struct arena_spec spec)
{
    if (!reserve_arena(spec))
        return false;
    memset(&H, 0xA5, sizeof H);         /* heap_init must set every field */
    if (!CHECK_INT_EQ(heap_init(&H, (uintptr_t)A.mem, spec.max, arena_grow,
                                spec.shrink ? arena_shrink : NULL, arena_report, &A), 0))
        return false;
    A.heap_open = true;
    CHECK_INT_EQ(A.ngrow, 1);
    CHECK_HEX_EQ(A.grows[0].addr, (uintptr_t)A.mem);
    CHECK_INT_EQ(A.grows[0].bytes, HEAP_PAGE);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    return true;
}

static bool heap_ok(const char *file, int line)
{
    const char *why = NULL;
    bool ok = heap_check(&H, &why);
    if (!ok)
        check_fail(file, line, "heap_check: %s", why ? why : "(no reason)");
    return ok;
}
#define CHECK_HEAP()    heap_ok(__FILE__, __LINE__)

/* Ends a test: the callbacks were called properly, the heap agrees with the
 * backing (and passes heap_check, unless A.heap_broken), every report was
 * expected and consumed, and the reservation goes. */
static void close_arena(void)
{
    if (A.heap_open) {
        CHECK_INT_EQ(A.bad_calls, 0);
        CHECK_INT_EQ(H.mapped - H.released, A.backed);
        CHECK(H.peak_backed >= A.backed);
        if (!A.heap_broken)
            CHECK_HEAP();
        CHECK_INT_EQ(A.nrep, 0);
        if (A.nrep)
            printf("  first unexpected report: %s\n", heap_error_text(A.reps[0].e));
    }
    unreserve_arena();
}

/* Runs body on a fresh heap set up as spec says, then ends the test with
 * close_arena. A REQUIRE in the body leaves the body, and so does NEED. */
static void on_heap(struct arena_spec spec, void (*body)(void))
{
    if (open_arena(spec) && !setjmp(leave_body))
        body();
    close_arena();
}

/* A test whose body runs on a fresh heap: HEAP_TEST(name) { body }. */
#define HEAP_TEST_ON(name, spec) \
    static void name##_body(void); \
    static void name(void) { on_heap(spec, name##_body); } \
    static void name##_body(void)
#define HEAP_TEST(name)  HEAP_TEST_ON(name, PLAIN_HEAP)

/* p, which must not be NULL: else the check fails and the body ends. */
static void *must_have(void *p, const char *file, int line, const char *what)
{
    if (!p) {
        check_fail(file, line, "%s gave NULL", what);
        longjmp(leave_body, 1);
    }
    return p;
}
#define NEED(p)     must_have((p), __FILE__, __LINE__, #p)

/* A block of `size` bytes for WHO1 that must be had. */
#define ALLOC(size) ((uint8_t *)must_have(heap_alloc(&H, (size), WHO1), __FILE__, __LINE__, \
                                     "heap_alloc(" #size ")"))

/* Frees each block for WHO1, in order; none of that may report. */
static void free_each(void *const *blocks, unsigned n, const char *file, int line)
{
    for (unsigned i = 0; i < n; i++)
        heap_free(&H, blocks[i], WHO1);
    if (A.nrep)
        check_fail(file, line, "freeing %u blocks reported %u times, first: %s", n, A.nrep,
                   heap_error_text(A.reps[0].e));
    A.nrep = 0;
}
#define FREE_ALL(...) \
    free_each((void *const[]){ __VA_ARGS__ }, \
              sizeof (void *const[]){ __VA_ARGS__ } / sizeof (void *), __FILE__, __LINE__)

/* ---- what tests look at ------------------------------------------------------------ */

/* Exactly one report since the last look, and what it says. */
#define EXPECT_REPORT(kind, p, who) \
    do { \
        if (CHECK_INT_EQ(A.nrep, 1) || A.nrep) { \
            if (!CHECK_INT_EQ(A.reps[0].e, kind)) \
                printf("  got: %s\n", heap_error_text(A.reps[0].e)); \
            CHECK_HEX_EQ((uintptr_t)A.reps[0].ptr, (uintptr_t)(p)); \
            CHECK_HEX_EQ((uintptr_t)A.reps[0].caller, (uintptr_t)(who)); \
        } \
        A.nrep = 0; \
    } while (0)
#define EXPECT_NO_REPORT()  do { CHECK_INT_EQ(A.nrep, 0); A.nrep = 0; } while (0)
/* Exactly one report, of any kind; consumed. */
#define EXPECT_ONE_REPORT() do { CHECK_INT_EQ(A.nrep, 1); A.nrep = 0; } while (0)

static struct heap_stats stats(void)
{
    struct heap_stats s;
    heap_get_stats(&H, &s);
    return s;
}

#define CHECK_SAME_STATS(a, b) \
    do { \
        CHECK_INT_EQ((a).used, (b).used); \
        CHECK_INT_EQ((a).free, (b).free); \
        CHECK_INT_EQ((a).used_blocks, (b).used_blocks); \
        CHECK_INT_EQ((a).free_blocks, (b).free_blocks); \
        CHECK_INT_EQ((a).mapped, (b).mapped); \
    } while (0)

/* Nothing is used and all the heap is one free block. */
#define CHECK_ALL_FREE() \
    do { \
        CHECK_INT_EQ(stats().used_blocks, 0); \
        CHECK_INT_EQ(stats().free_blocks, 1); \
    } while (0)

/* The blocks in address order, through heap_walk. */
#define WALK_MAX 4096
static struct wblock { uintptr_t payload; uint32_t size; bool used; } walked[WALK_MAX];
static unsigned nwalked;

static void walk_one(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    (void)ctx;
    if (nwalked < WALK_MAX)
        walked[nwalked] = (struct wblock){ payload, size, used };
    nwalked++;
}

static void walk(void)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
}

/* Walks the heap and checks that the blocks tile [base + HEAP_FIRST, the end marker). */
static bool walk_covers(const char *file, int line)
{
    walk();
    if (nwalked == 0 || nwalked > WALK_MAX) {
        check_fail(file, line, "walk gave %u blocks", nwalked);
        return false;
    }
    uintptr_t at = H.base + HEAP_FIRST;
    for (unsigned i = 0; i < nwalked; i++) {
        if (walked[i].payload != at + HEAP_HEADER) {
            check_fail(file, line, "block %u at %#lx, expected %#lx", i,
                       (unsigned long)(walked[i].payload - HEAP_HEADER), (unsigned long)at);
            return false;
        }
        at += walked[i].size;
    }
    if (at != H.base + H.mapped - HEAP_HEADER) {
        check_fail(file, line, "blocks end at +%#lx, the end marker is at +%#lx",
                   (unsigned long)(at - H.base), (unsigned long)(H.mapped - HEAP_HEADER));
        return false;
    }
    return true;
}
#define CHECK_WALK()    walk_covers(__FILE__, __LINE__)

/* The walked block whose payload is p, or NULL. */
static const struct wblock *walked_at(const void *p)
{
    for (unsigned i = 0; i < nwalked && i < WALK_MAX; i++)
        if (walked[i].payload == (uintptr_t)p)
            return &walked[i];
    return NULL;
}

/* ---- patterns ------------------------------------------------------------- */

static uint64_t pattern_word(uint64_t seed, size_t i)
{
    uint64_t x = seed ^ (i * 0x9E3779B97F4A7C15ull);
    return x ^ (x >> 29);
}

/* Byte i of the pattern: the same whether written by words or by bytes. */
static uint8_t pattern_byte(uint64_t seed, size_t i)
{
    return (uint8_t)(pattern_word(seed, i / 8) >> (8 * (i % 8)));
}

/* Fills p with seed's pattern; returns p. */
static void *fill(void *p, size_t bytes, uint64_t seed)
{
    uint64_t *w = p;
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = pattern_word(seed, i);
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++)
        ((uint8_t *)p)[i] = pattern_byte(seed, i);
    return p;
}

/* The offset of the first byte that differs from the pattern, or -1. */
static long differs(const void *p, size_t bytes, uint64_t seed)
{
    const uint64_t *w = p;
    for (size_t i = 0; i < bytes / 8; i++)
        if (w[i] != pattern_word(seed, i))
            for (size_t j = i * 8;; j++)
                if (((const uint8_t *)p)[j] != pattern_byte(seed, j))
                    return (long)j;
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++)
        if (((const uint8_t *)p)[i] != pattern_byte(seed, i))
            return (long)i;
    return -1;
}
#define CHECK_INTACT(p, bytes, seed)    CHECK_INT_EQ(differs((p), (bytes), (seed)), -1)

static bool all_zero(const void *p, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (((const uint8_t *)p)[i])
            return false;
    return true;
}

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

/* ---- growing and trimming ---------------------------------------------------- */

/* Every logged grow and shrink is whole pages at the top, in order. */
static void check_call_log(void)
{
    /* The arena checks each call against the top as it comes; here the
     * shapes, once more. */
    uintptr_t top = H.base;
    unsigned g, s;
    for (g = 0; g < A.ngrow && g < LOG_MAX; g++) {
        CHECK_INT_EQ(A.grows[g].bytes % HEAP_PAGE, 0);
        CHECK(A.grows[g].bytes > 0);
        CHECK_INT_EQ(A.grows[g].addr % HEAP_PAGE, 0);
    }
    for (s = 0; s < A.nshrink && s < LOG_MAX; s++) {
        CHECK_INT_EQ(A.shrinks[s].bytes % HEAP_PAGE, 0);
        CHECK(A.shrinks[s].bytes > 0);
        CHECK(A.shrinks[s].addr > top);
    }
}

/* A block that grows the heap by whole pages at its top, in one grow call. */
static uint8_t *alloc_growing(size_t size, uint64_t seed)
{
    uint32_t mapped = H.mapped;
    unsigned calls = A.ngrow;
    uint8_t *p = fill(ALLOC(size), size, seed);
    CHECK(H.mapped > mapped);
    CHECK_INT_EQ(H.mapped % HEAP_PAGE, 0);
    CHECK_INT_EQ(A.ngrow, calls + 1);
    CHECK_HEX_EQ(A.grows[calls].addr, H.base + mapped);
    CHECK_INT_EQ(A.grows[calls].bytes, H.mapped - mapped);
    CHECK_INT_EQ(H.peak_backed, H.mapped);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    return p;
}

HEAP_TEST(grow_and_trim)
{
    uintptr_t base = H.base;
    CHECK(CHECK_WALK());

    /* Three medium blocks: the heap grows in whole pages, at its top. */
    uint8_t *m[3];
    for (unsigned i = 0; i < 3; i++)
        m[i] = alloc_growing(10000, i);
    /* Growth extends a free top block rather than leaving it behind: the
     * blocks follow each other. */
    CHECK_HEX_EQ((uintptr_t)m[0], base + HEAP_FIRST + HEAP_HEADER);
    CHECK_INT_EQ(m[1] - m[0], heap_usable_size(&H, m[0]) + HEAP_HEADER);
    CHECK_INT_EQ(m[2] - m[1], heap_usable_size(&H, m[1]) + HEAP_HEADER);

    /* A big one at the top, then freed: whole pages go back. */
    uint32_t before_big = H.mapped;
    uint8_t *big = fill(ALLOC(300 * KiB), 300 * KiB, 99);
    uint32_t peak = H.mapped;
    CHECK(peak >= before_big + 300 * KiB);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(CHECK_WALK());
    unsigned shrinks = A.nshrink;
    heap_free(&H, big, WHO1);
    REQUIRE_INT_EQ(A.nshrink, shrinks + 1);
    struct call sh = A.shrinks[shrinks];
    CHECK_INT_EQ(sh.addr % HEAP_PAGE, 0);
    CHECK_INT_EQ(sh.bytes % HEAP_PAGE, 0);
    CHECK_HEX_EQ(sh.addr + sh.bytes, base + peak);
    CHECK_HEX_EQ(sh.addr, base + H.mapped);
    CHECK(H.mapped < peak);
    CHECK(H.mapped <= before_big + 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(stats().largest_free < HEAP_TRIM_AT);
    CHECK(CHECK_WALK());
    CHECK_HEAP();

    /* A big free block that is not at the top stays mapped. */
    uint8_t *big2 = ALLOC(200 * KiB), *cap = ALLOC(16);
    uint32_t mapped = H.mapped;
    shrinks = A.nshrink;
    heap_free(&H, big2, WHO1);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_INT_EQ(H.mapped, mapped);
    CHECK(stats().largest_free >= 200 * KiB);
    /* ... until what is above it goes: then the merged top is trimmed. */
    heap_free(&H, cap, WHO1);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK(H.mapped < mapped);
    CHECK(CHECK_WALK());

    /* Shrinking a big top block with realloc gives pages back too. */
    uint8_t *r = fill(ALLOC(200 * KiB), 200 * KiB, 5);
    mapped = H.mapped;
    shrinks = A.nshrink;
    CHECK(heap_realloc(&H, r, 100, WHO1) == r);
    CHECK_INTACT(r, 100, 5);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK(H.mapped < mapped);
    CHECK(CHECK_WALK());
    CHECK_HEAP();

    /* Freeing it all keeps at most a couple of pages. */
    for (unsigned i = 0; i < 3; i++) {
        CHECK_INTACT(m[i], 10000, i);
        heap_free(&H, m[i], WHO1);
    }
    FREE_ALL(r);
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_ALL_FREE();
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(CHECK_WALK());
    check_call_log();
}

/* A request that fits in the free block at the top, though not in the list
 * good-fit rounding picks, takes that block: no grow call for 0 bytes, and
 * no failure while the space is there. */
static void top_block_of_first_page(void)
{
    /* The first page's free block is 4088 bytes; 3992 + 8 = 4000 fits in it. */
    void *p = ALLOC(3992);
    CHECK_INT_EQ(A.ngrow, 1);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    FREE_ALL(p);
}

/* Without a shrink callback a big free top block stays, and must serve a
 * request of nearly its size. */
static void top_block_without_shrink(void)
{
    void *low = ALLOC(64);
    FREE_ALL(ALLOC(MiB + 20 * KiB));
    uint32_t mapped = H.mapped;
    CHECK(stats().largest_free >= MiB + 20 * KiB);
    void *p = ALLOC(MiB);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.mapped, mapped);
    FREE_ALL(p, low);
    CHECK_INT_EQ(A.nshrink, 0);
}

static void grow_uses_free_top_block(void)
{
    on_heap(PLAIN_HEAP, top_block_of_first_page);
    on_heap(NO_SHRINK_HEAP(2 * MiB), top_block_without_shrink);
}

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

/* Two blocks after a repaired overrun: new, apart, and neither is `other`. */
static void check_two_fresh_blocks(size_t size, const uint8_t *other)
{
    uint8_t *d = ALLOC(size), *e = ALLOC(size);
    CHECK(d != e && d != other && e != other);
    CHECK(d + heap_usable_size(&H, d) <= e - HEAP_HEADER ||
          e + heap_usable_size(&H, e) <= d - HEAP_HEADER);
    FREE_ALL(d, e);
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

/* ---- randomized runs ----------------------------------------------------------------- */

/*
 * Blocks come and go at random, each filled with a pattern of its own that
 * is checked before the block is freed or resized (and after a resize).
 * After every operation heap_check must pass, and then the run's own check.
 * A run is replayable: it starts from its spec's seed.
 */
#define RUN_LIVE_MAX    128

struct live {
    uint8_t *p;
    size_t usable;
    uint64_t seed;
};

/* What differs between the runs. */
struct run_spec {
    uint64_t seed;
    unsigned ops, live_max;
    unsigned add_low, add_high;     /* % chance to add a block, below / from half live_max */
    unsigned free_below;            /* a removal frees when its draw is below this, else resizes */
    size_t (*size)(void);           /* a new block's size */
    uint8_t *(*alloc)(size_t *size);    /* allocates it one way or another (may round *size) */
    size_t (*resize)(void);         /* the size a resize asks for; 0 frees the block */
    bool (*check)(void);            /* after each operation; false after failing */
};

/* The run going on: its blocks, its counts, and the operation it is at. */
static struct run {
    struct live live[RUN_LIVE_MAX];
    unsigned n;
    uint64_t next_seed, sum_usable;
    unsigned op;
    uint32_t peak_before, released_before;  /* the heap's, before this operation */
    bool plain;                     /* this operation was an alloc or a calloc */
    unsigned allocs, callocs, aligned, frees, resizes, moved;
} R;

/* A failure in a run, with the operation it happened at: the run stops. */
#define RUN_FAIL(fmt, ...) \
    (check_fail(__FILE__, __LINE__, "op %u: " fmt, R.op, __VA_ARGS__), false)

static bool run_add(const struct run_spec *spec)
{
    size_t size = spec->size();
    uint8_t *p = spec->alloc(&size);
    if (check_failures)
        return false;               /* the way it allocated found something wrong */
    if (!p)
        return RUN_FAIL("allocation of %zu failed", size);
    size_t u = heap_usable_size(&H, p);
    if (u < size || (uintptr_t)p % HEAP_ALIGN)
        return RUN_FAIL("%p usable %zu for %zu", (void *)p, u, size);
    R.live[R.n] = (struct live){ p, u, R.next_seed++ };
    fill(p, u, R.live[R.n].seed);
    R.sum_usable += u;
    R.n++;
    return true;
}

/* Block i is resized; false after a failure. */
static bool run_resize(const struct run_spec *spec, unsigned i)
{
    struct live *l = &R.live[i];
    size_t size = spec->resize();
    uint8_t *q = heap_realloc(&H, l->p, size, WHO3);
    R.resizes++;
    if (size == 0) {
        if (q)
            return RUN_FAIL("realloc to 0 gave %p", (void *)q);
        R.live[i] = R.live[--R.n];
        return true;
    }
    if (!q)
        return RUN_FAIL("realloc to %zu failed", size);
    size_t u = heap_usable_size(&H, q);
    long bad = differs(q, u < l->usable ? u : l->usable, l->seed);
    if (u < size || bad >= 0)
        return RUN_FAIL("realloc %p -> %p (%zu -> %zu bytes) usable %zu, differs at %ld",
                        (void *)l->p, (void *)q, l->usable, size, u, bad);
    if (q != l->p)
        R.moved++;
    *l = (struct live){ q, u, R.next_seed++ };
    fill(q, u, l->seed);
    R.sum_usable += u;
    return true;
}

/* A random live block is checked, then freed or resized as draw says. */
static bool run_remove(const struct run_spec *spec, uint32_t draw)
{
    unsigned i = rng_below(R.n);
    struct live *l = &R.live[i];
    long bad = differs(l->p, l->usable, l->seed);
    if (bad >= 0)
        return RUN_FAIL("block %p (%zu bytes) damaged at +%ld", (void *)l->p, l->usable, bad);
    R.sum_usable -= l->usable;
    if (draw >= spec->free_below)
        return run_resize(spec, i);
    heap_free(&H, l->p, WHO2);
    R.live[i] = R.live[--R.n];
    R.frees++;
    return true;
}

/* Runs spec->ops operations on the fixture's heap; false after a failure. */
static bool run_random(const struct run_spec *spec)
{
    memset(&R, 0, sizeof R);
    R.next_seed = 1;
    rng_seed(spec->seed);
    for (; R.op < spec->ops; R.op++) {
        uint32_t draw = rng_below(100);
        R.peak_before = H.peak_backed;
        R.released_before = H.released;
        R.plain = false;
        /* Mostly adding below half the limit, mostly taking away above. */
        bool add = R.n == 0 || (R.n < spec->live_max &&
                                draw < (R.n < spec->live_max / 2 ? spec->add_low
                                                                 : spec->add_high));
        if (!(add ? run_add(spec) : run_remove(spec, draw)))
            return false;
        const char *why = NULL;
        if (!heap_check(&H, &why))
            return RUN_FAIL("heap_check: %s", why);
        if (!spec->check())
            return false;
    }
    return true;
}

/* Every block the run left goes, each checked first. */
static void run_free_all(void)
{
    for (unsigned i = 0; i < R.n; i++) {
        CHECK_INTACT(R.live[i].p, R.live[i].usable, R.live[i].seed);
        heap_free(&H, R.live[i].p, WHO2);
    }
}

/* -- the long run: every kind of allocation, every size class -- */

static size_t stress_size(void)
{
    uint32_t r = rng_below(1000);
    if (r < 700)
        return rng_below(129);                  /* small, 0 included */
    if (r < 960)
        return 129 + rng_below(4000);           /* medium */
    if (r < 997)
        return 4096 + rng_below(60000);         /* large */
    return HEAP_TRIM_AT + rng_below(200000);    /* huge: grows, then trims */
}

static uint8_t *stress_alloc(size_t *size)
{
    uint32_t kind = rng_below(10);
    if (kind < 6) {
        R.allocs++;
        return heap_alloc(&H, *size, WHO1);
    }
    if (kind < 7) {
        size_t m = 1 + rng_below(16);
        uint8_t *p = heap_calloc(&H, m, *size / m, WHO1);
        *size = m * (*size / m);
        R.callocs++;
        if (p && !all_zero(p, *size))
            (void)RUN_FAIL("calloc gave dirty memory at %p", (void *)p);
        return p;
    }
    if (kind < 9) {
        size_t align = (size_t)16 << rng_below(rng_below(8) == 0 ? 13 : 5);
        uint8_t *p = heap_alloc_aligned(&H, align, *size, WHO1);
        R.aligned++;
        if (p && (uintptr_t)p % align)
            (void)RUN_FAIL("%p not aligned to %zu", (void *)p, align);
        return p;
    }
    R.allocs++;
    return heap_realloc(&H, NULL, *size, WHO1);
}

static size_t stress_resize(void)
{
    return rng_below(20) == 0 ? 0 : stress_size();
}

static uint64_t stress_live_sum;
static unsigned stress_most;

/* The counters agree with the live blocks, nothing was reported, and the
 * callbacks hold what the heap says it holds. */
static bool stress_check(void)
{
    stress_live_sum += R.n;
    if (R.n > stress_most)
        stress_most = R.n;
    uint32_t cached_bytes = 0;
    for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++)
        cached_bytes += H.cache_count[c] * (HEAP_MIN_BLOCK + c * HEAP_ALIGN);
    uint32_t used_blocks = H.busy_blocks - H.cached_blocks;
    uint32_t used_bytes = H.busy_bytes - cached_bytes;
    if (used_blocks != R.n || used_bytes != R.sum_usable + (uint64_t)R.n * HEAP_HEADER ||
        A.nrep || H.mapped - H.released != A.backed)
        return RUN_FAIL("%u blocks (%u used), used %u, usable %llu, %u reports, mapped %u, "
                        "backed %zu", R.n, used_blocks, used_bytes,
                        (unsigned long long)R.sum_usable, A.nrep, H.mapped, A.backed);
    return true;
}

#define STRESS_OPS      1000000

static const struct run_spec stress_spec = {
    .seed = 0x4D454D41544C4153ull, .ops = STRESS_OPS, .live_max = 128,  /* hovers near 64 */
    .add_low = 60, .add_high = 38, .free_below = 80,
    .size = stress_size, .alloc = stress_alloc, .resize = stress_resize, .check = stress_check,
};

static void stress_run(unsigned cache)
{
    heap_set_cache(&H, cache);
    stress_live_sum = 0;
    stress_most = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool ok = run_random(&stress_spec);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  stress: %u operations in %.2f s: %u alloc, %u calloc, %u aligned, %u free, "
           "%u realloc (%u moved); %.1f live on average, %u at most; %u grows, "
           "%u shrinks, peak %u KiB\n", STRESS_OPS, secs, R.allocs, R.callocs, R.aligned,
           R.frees, R.resizes, R.moved, (double)stress_live_sum / STRESS_OPS, stress_most,
           A.ngrow, A.nshrink, H.peak_backed / 1024);
    if (!ok) {
        A.heap_broken = true;
        return;
    }
    CHECK(A.nshrink > 0);
    run_free_all();
    heap_flush_cache(&H);
    CHECK_INT_EQ(H.cached_blocks, 0);
    CHECK_ALL_FREE();
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_WALK();
}

HEAP_TEST(stress)
{
    stress_run(0);
}

HEAP_TEST(stress_with_cache)
{
    stress_run(8);
}

/* ---- giving back the pages inside large free blocks --------------------------------- */

#define PAGES(lo, hi)   (((hi) - (lo)) / HEAP_PAGE)

/* The offset from the heap's base of the block whose payload is p. */
static uint32_t block_at(const void *p)
{
    return (uint32_t)((uintptr_t)p - H.base) - HEAP_HEADER;
}

/* The whole pages a free block [b, b + size) may give back: past its links
 * (32 bytes in) and short of its footer. */
static uint32_t inner_start(uint32_t b)
{
    return (b + 32 + HEAP_PAGE - 1) & ~(uint32_t)(HEAP_PAGE - 1);
}

static uint32_t inner_end(uint32_t b, uint32_t size)
{
    return (b + size - 4) & ~(uint32_t)(HEAP_PAGE - 1);
}

/* Word 6 of a large free block's body: where the pages it gave back start
 * (inner_end when none). It lies below inner_start, so it is always backed. */
static uint32_t *given_back_mark(uint32_t b)
{
    return (uint32_t *)(H.base + b) + 6;
}

/* How many of the pages in [lo, hi) (offsets from the base) are backed. */
static uint32_t backed_pages(uint32_t lo, uint32_t hi)
{
    uint32_t n = 0;
    for (uint32_t off = lo; off < hi; off += HEAP_PAGE)
        n += A.page_backed[(H.base + off - (uintptr_t)A.mem) / HEAP_PAGE];
    return n;
}

/* All the pages in [lo, hi) are backed (true), or none of them (false). */
#define CHECK_BACKED(lo, hi, all) \
    CHECK_INT_EQ(backed_pages((lo), (hi)), (all) ? PAGES((lo), (hi)) : 0)

/* The size of the free block at offset b; 0 when no free block starts there. */
static uint32_t free_size_at(uint32_t b)
{
    walk();
    const struct wblock *w = walked_at((const void *)(H.base + b + HEAP_HEADER));
    return w && !w->used ? w->size : 0;
}

/* The size of the free block at the top; 0 when the top block is used. */
static uint32_t top_free(void)
{
    walk();
    if (nwalked == 0 || nwalked > WALK_MAX || walked[nwalked - 1].used)
        return 0;
    return walked[nwalked - 1].size;
}

/* A large block, just freed, in the middle of the heap: where it is, and
 * the whole pages inside it, [lo, hi), n of them. */
struct freed {
    uint32_t b, size, lo, hi, n;
};

static struct freed describe_free(uint32_t b)
{
    struct freed f = { b, free_size_at(b), inner_start(b), 0, 0 };
    f.hi = inner_end(b, f.size);
    f.n = f.lo < f.hi ? PAGES(f.lo, f.hi) : 0;
    return f;
}

/* Frees large block p, for WHO1, and describes the free block it is now. */
static struct freed free_large(void *p)
{
    heap_free(&H, p, WHO1);
    return describe_free(block_at(p));
}

/* What the heap would hold if every large free block but the top one gave
 * all its inner pages back. */
static uint32_t ideal_backed(void)
{
    walk();
    uint32_t held = H.mapped;
    for (unsigned i = 0; i < nwalked && i < WALK_MAX; i++) {
        uint32_t b = block_at((const void *)walked[i].payload), size = walked[i].size;
        if (!walked[i].used && size >= HEAP_RELEASE_MIN && b + size != H.mapped - HEAP_HEADER)
            held -= inner_end(b, size) - inner_start(b);
    }
    return held;
}

/* Room below the peak: a big block at the top, freed again and trimmed
 * away. Call it before freeing the large blocks: growing past the peak
 * would have them give pages back. */
static void raise_peak(size_t bytes)
{
    FREE_ALL(ALLOC(bytes));
}

/* A new block at the top that takes the memory held `pages` pages past the
 * peak, so that the pending blocks have to give that many back first. It
 * fills the free top block and all the room below the peak, so it must be
 * bigger than every other free block (the tests leave room enough). */
static void *grow_past_peak(unsigned pages)
{
    uint32_t room = H.peak_backed - (H.mapped - H.released);
    uint32_t bytes = room + pages * HEAP_PAGE;
    uint32_t mapped = H.mapped;
    /* A block of bytes - 64 more than the top block has: grows by bytes. */
    void *x = ALLOC(bytes + top_free() - 64 - HEAP_HEADER);
    CHECK_INT_EQ(H.mapped, mapped + bytes);
    return x;
}

/* The last shrink call gave back [lo, lo + bytes), and it was call number `nth`. */
static void check_last_shrink(unsigned nth, uint32_t lo, uint32_t bytes)
{
    if (CHECK_INT_EQ(A.nshrink, nth + 1)) {
        CHECK_HEX_EQ(A.shrinks[nth].addr, H.base + lo);
        CHECK_INT_EQ(A.shrinks[nth].bytes, bytes);
    }
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

    /* Past the peak by more than the block has left: it gives back all the
     * rest, leaves the pending list, and the peak rises by the difference. */
    x = grow_past_peak(f.n - 2 + 3);
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

    /* One reaching 100 bytes into the second given-back page: those two
     * pages come back (the second holds the remainder's head too), and the
     * other large block gives back two pages to pay for them. */
    uint32_t end2 = gone + HEAP_PAGE + 100;
    size_t req2 = end2 - rest - HEAP_HEADER;
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

    /* Most of the remainder, leaving a small block: every page it gave back
     * comes back, and the other block gives back as many again. */
    size_t req3 = free_size_at(end2) - HEAP_PAGE - HEAP_HEADER;
    uint8_t *p3 = fill(ALLOC(req3), req3, 7);
    CHECK_HEX_EQ((uintptr_t)p3, H.base + end2 + HEAP_HEADER);
    CHECK_BACKED(f.lo, f.hi, true);
    CHECK_BACKED(c.hi - 8 * HEAP_PAGE, c.hi, false);
    CHECK_HEX_EQ(*given_back_mark(c.b), c.hi - 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEAP();

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

/* -- large blocks coming and going at random -- */

static size_t release_stress_size(void)
{
    uint32_t r = rng_below(100);
    if (r < 40)
        return rng_below(2000);
    if (r < 95)
        return 8 * KiB + rng_below(72 * KiB);
    return 100 * KiB + rng_below(200 * KiB);
}

static uint8_t *release_stress_alloc(size_t *size)
{
    uint32_t kind = rng_below(10);
    if (kind < 7) {
        R.plain = true;
        return heap_alloc(&H, *size, WHO1);
    }
    if (kind < 8) {
        R.plain = true;
        uint8_t *p = heap_calloc(&H, 1, *size, WHO1);
        if (p && !all_zero(p, *size))
            (void)RUN_FAIL("calloc gave dirty memory at %p", (void *)p);
        return p;
    }
    return heap_alloc_aligned(&H, (size_t)16 << rng_below(10), *size, WHO1);
}

static size_t release_stress_resize(void)
{
    return 1 + release_stress_size();
}

static unsigned rel_rises, rel_rises_released, rel_gave_back;
static uint32_t rel_most_released;

/* After an allocation that raised the peak, the peak is what the heap would
 * hold had every large free block given all its pages back; the grow
 * callback saw no grow past the peak while pages were pending. */
static bool release_stress_check(void)
{
    if (H.released > R.released_before)
        rel_gave_back++;
    if (H.released > rel_most_released)
        rel_most_released = H.released;
    if (H.peak_backed > R.peak_before) {
        rel_rises++;
        if (R.released_before)
            rel_rises_released++;
        if (R.plain && H.peak_backed != ideal_backed())
            return RUN_FAIL("the peak rose to %u, but %u would do", H.peak_backed,
                            ideal_backed());
    }
    if (A.peak_breaks || A.nrep || H.mapped - H.released != A.backed)
        return RUN_FAIL("%u grows past the peak with pages pending, %u reports, mapped %u, "
                        "released %u, backed %zu", A.peak_breaks, A.nrep, H.mapped,
                        H.released, A.backed);
    return true;
}

#define RELEASE_STRESS_OPS  200000

static const struct run_spec release_stress_spec = {
    .seed = 0x52454C4541534521ull, .ops = RELEASE_STRESS_OPS, .live_max = 40,
    .add_low = 60, .add_high = 40, .free_below = 75,
    .size = release_stress_size, .alloc = release_stress_alloc,
    .resize = release_stress_resize, .check = release_stress_check,
};

/* Large blocks coming and going at random, the peak rule checked all along. */
HEAP_TEST(release_peak_stress)
{
    A.watch_peak = true;
    rel_rises = rel_rises_released = rel_gave_back = 0;
    rel_most_released = 0;
    bool ok = run_random(&release_stress_spec);
    printf("  release stress: %u operations; %u gave pages back, %u raised the peak "
           "(%u with pages given back), at most %u KiB given back; peak %u KiB\n",
           RELEASE_STRESS_OPS, rel_gave_back, rel_rises, rel_rises_released,
           rel_most_released / 1024, H.peak_backed / 1024);
    if (!ok) {
        A.heap_broken = true;
        return;
    }
    CHECK(rel_gave_back > 100);
    run_free_all();
    CHECK_ALL_FREE();
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.peak_breaks, 0);
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
    TEST(init_layout),
    TEST(init_fails),
    TEST(alloc_aligned_sizes_no_overlap),
    TEST(alloc_overhead_is_one_header),
    TEST(alloc_zero),
    TEST(alloc_too_large),
    TEST(alloc_too_large_4gib_heap),
    TEST(alloc_out_of_memory),
    TEST(grow_and_trim),
    TEST(grow_uses_free_top_block),
    TEST(free_null),
    TEST(free_double),
    TEST(free_double_after_merge),
    TEST(free_inside_block),
    TEST(free_not_heap),
    TEST(free_header_pointer),
    TEST(overrun_onto_next_header),
    TEST(overrun_onto_end_marker),
    TEST(overrun_onto_free_neighbour),
    TEST(cache_reuses_and_refuses_double_free),
    TEST(cache_overrun_onto_cached_neighbour),
    TEST(stress_with_cache),
    TEST(realloc_null_and_zero),
    TEST(realloc_shrink),
    TEST(realloc_grow_in_place),
    TEST(realloc_move),
    TEST(realloc_failure_keeps_block),
    TEST(calloc_zeroes),
    TEST(aligned_each_power),
    TEST(aligned_many_live),
    TEST(aligned_bad_alignment),
    TEST(coalesce_three),
    TEST(coalesce_four),
    TEST(coalesce_five),
    TEST(release_waits_for_peak),
    TEST(release_oldest_first),
    TEST(release_alloc_backs_again),
    TEST(release_alloc_refused),
    TEST(release_merge_neighbours),
    TEST(release_merge_between),
    TEST(release_merge_into_top),
    TEST(release_realloc_in_place),
    TEST(release_check_detects_bad_mark),
    TEST(release_double_free_reported),
    TEST(release_needs_shrink_callback),
    TEST(release_peak_stress),
    TEST(error_texts),
    TEST(stress),
};

CHECK_MAIN(tests)
