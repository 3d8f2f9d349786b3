/*
 * test_heap.c - kernel/mm/heap.c, the segregated-fit allocator, over host
 * memory: a PROT_NONE reservation whose pages the grow callback makes
 * readable and writable (and the shrink callback takes back: read-only
 * zeroes from then on, like the kernel's zero frame), so that any access
 * past the mapped part, or any write to a page given back, crashes. Alignment, sizes
 * and per-block overhead, size 0, too-large requests, running out, every
 * misuse free reports, overruns, realloc, calloc, aligned allocation,
 * coalescing in every order, growing and trimming, and a long randomized run
 * checked after every operation.
 */
#define _GNU_SOURCE
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

/* A fresh heap of `max` bytes over a fresh reservation of `reserve` bytes,
 * of which at most `limit` may be backed. */
static bool setup_with(size_t reserve, size_t max, size_t limit, bool shrink)
{
    memset(&A, 0, sizeof A);
    memset(&H, 0xA5, sizeof H);
    void *m = mmap(NULL, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (!CHECK(m != MAP_FAILED))
        return false;
    A.mem = m;
    A.reserved = reserve;
    A.page_backed = calloc(reserve / HEAP_PAGE + 1, 1);
    A.limit = limit;
    if (!CHECK_INT_EQ(heap_init(&H, (uintptr_t)m, max, arena_grow,
                                shrink ? arena_shrink : NULL, arena_report, &A), 0))
        return false;
    CHECK_INT_EQ(A.ngrow, 1);
    CHECK_HEX_EQ(A.grows[0].addr, (uintptr_t)m);
    CHECK_INT_EQ(A.grows[0].bytes, HEAP_PAGE);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    return true;
}

static bool setup(void)
{
    return setup_with(ARENA, ARENA, ARENA, true);
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
 * backing, and the reservation goes. */
static void finish(bool heap_should_be_ok)
{
    CHECK_INT_EQ(A.bad_calls, 0);
    CHECK_INT_EQ(H.mapped - H.released, A.backed);
    CHECK(H.peak_backed >= A.backed);
    if (heap_should_be_ok)
        CHECK_HEAP();
    CHECK_INT_EQ(A.nrep, 0);        /* every report was expected and consumed */
    if (A.nrep)
        printf("  first unexpected report: %s\n", heap_error_text(A.reps[0].e));
    munmap(A.mem, A.reserved);
    A.mem = NULL;
    free(A.page_backed);
    A.page_backed = NULL;
}

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

/* Walks the heap and checks that the blocks tile [base + HEAP_FIRST, the end marker). */
static bool walk_covers(const char *file, int line)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
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

static void fill(void *p, size_t bytes, uint64_t seed)
{
    uint64_t *w = p;
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = pattern_word(seed, i);
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++)
        ((uint8_t *)p)[i] = pattern_byte(seed, i);
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

static bool all_zero(const void *p, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (((const uint8_t *)p)[i])
            return false;
    return true;
}


/* ---- init ------------------------------------------------------------------ */

static void init_layout(void)
{
    REQUIRE(setup());
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
    finish(true);
}

static void init_fails(void)
{
    /* The grow callback refuses the first page. */
    memset(&A, 0, sizeof A);
    void *m = mmap(NULL, ARENA, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    REQUIRE(m != MAP_FAILED);
    A.mem = m;
    A.reserved = ARENA;
    A.page_backed = calloc(ARENA / HEAP_PAGE, 1);
    A.limit = 0;
    CHECK_INT_EQ(heap_init(&H, (uintptr_t)m, ARENA, arena_grow, arena_shrink,
                           arena_report, &A), -1);
    CHECK_INT_EQ(A.refused, 1);
    /* Less than a page to work with. */
    A.limit = ARENA;
    A.ngrow = A.refused = 0;
    CHECK_INT_EQ(heap_init(&H, (uintptr_t)m, HEAP_PAGE - 8, arena_grow, arena_shrink,
                           arena_report, &A), -1);
    CHECK_INT_EQ(A.ngrow, 0);
    CHECK_INT_EQ(A.nrep, 0);
    munmap(m, ARENA);
    free(A.page_backed);
    A.page_backed = NULL;
}

/* ---- heap_alloc --------------------------------------------------------------- */

static void alloc_aligned_sizes_no_overlap(void)
{
    REQUIRE(setup());
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
        CHECK_INT_EQ(differs(p[i], u, i), -1);
        uintptr_t lo = (uintptr_t)p[i] - HEAP_HEADER, hi = (uintptr_t)p[i] + u;
        for (unsigned j = i + 1; j < n; j++) {
            uintptr_t lo2 = (uintptr_t)p[j] - HEAP_HEADER;
            uintptr_t hi2 = (uintptr_t)p[j] + heap_usable_size(&H, p[j]);
            if (!CHECK(hi <= lo2 || hi2 <= lo))
                return;
        }
    }
    struct heap_stats s = stats();
    CHECK_INT_EQ(s.used_blocks, n);
    for (unsigned i = 0; i < n; i += 2)
        heap_free(&H, p[i], WHO1);
    CHECK_HEAP();
    for (unsigned i = 1; i < n; i += 2)
        CHECK_INT_EQ(differs(p[i], heap_usable_size(&H, p[i]), i), -1);
    for (unsigned i = 1; i < n; i += 2)
        heap_free(&H, p[i], WHO1);
    EXPECT_NO_REPORT();
    s = stats();
    CHECK_INT_EQ(s.used, 0);
    CHECK_INT_EQ(s.used_blocks, 0);
    CHECK_INT_EQ(s.free_blocks, 1);
    finish(true);
}

static void alloc_overhead_is_one_header(void)
{
    REQUIRE(setup());
    /* Make one big free block first (below the trim threshold, so it stays),
     * then carve consecutive blocks from its front. */
    void *big = heap_alloc(&H, 60000, WHO1);
    REQUIRE(big != NULL);
    heap_free(&H, big, WHO1);
    CHECK_INT_EQ(stats().free_blocks, 1);
    /* Sizes that fill their blocks exactly: 4 below a multiple of 8. */
    static const size_t sizes[] = { 20, 28, 36, 44, 52, 60, 68, 76, 84, 100, 124, 132,
                                    140, 252, 260, 268, 1004, 1020, 2044, 4092, 8188,
                                    20, 20, 20, 28 };
    uint8_t *prev = NULL;
    size_t prev_size = 0;
    for (unsigned i = 0; i < COUNT(sizes); i++) {
        uint8_t *q = heap_alloc(&H, sizes[i], WHO1);
        REQUIRE(q != NULL);
        CHECK_INT_EQ(heap_usable_size(&H, q), sizes[i]);
        if (prev)
            CHECK_INT_EQ(q - prev, prev_size + HEAP_HEADER);
        else
            CHECK_HEX_EQ((uintptr_t)q, H.base + HEAP_FIRST + HEAP_HEADER);
        prev = q;
        prev_size = sizes[i];
    }
    struct heap_stats s = stats();
    size_t total = 0;
    for (unsigned i = 0; i < COUNT(sizes); i++)
        total += sizes[i] + HEAP_HEADER;
    CHECK_INT_EQ(s.used, total);
    CHECK_INT_EQ(s.used_blocks, COUNT(sizes));
    EXPECT_NO_REPORT();
    finish(true);
}

static void alloc_zero(void)
{
    REQUIRE(setup());
    void *a = heap_alloc(&H, 0, WHO1), *b = heap_alloc(&H, 0, WHO1);
    REQUIRE(a != NULL && b != NULL);
    CHECK(a != b);
    CHECK_INT_EQ((uintptr_t)a % HEAP_ALIGN, 0);
    CHECK(heap_usable_size(&H, a) < HEAP_MIN_BLOCK);
    CHECK_INT_EQ(stats().used_blocks, 2);
    CHECK_INT_EQ(stats().used, 2 * HEAP_MIN_BLOCK);
    heap_free(&H, a, WHO1);
    heap_free(&H, b, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used_blocks, 0);
    /* calloc and realloc(NULL) of nothing behave the same. */
    void *c = heap_calloc(&H, 0, 16, WHO1), *d = heap_realloc(&H, NULL, 0, WHO1);
    CHECK(c != NULL && d != NULL && c != d);
    heap_free(&H, c, WHO1);
    heap_free(&H, d, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void alloc_too_large(void)
{
    REQUIRE(setup());
    void *keep = heap_alloc(&H, 100, WHO1);
    REQUIRE(keep != NULL);
    struct heap_stats before = stats();
    unsigned grows = A.ngrow;
    const size_t requests[] = {
        SIZE_MAX, SIZE_MAX - 4, SIZE_MAX - 7, SIZE_MAX - 8, SIZE_MAX - 15,
        (size_t)UINT32_MAX, (size_t)UINT32_MAX - 4, (size_t)UINT32_MAX - 15,
        (size_t)UINT32_MAX + 1, (size_t)1 << 40, ARENA, ARENA + 1, ARENA - HEAP_PAGE + 1,
        (size_t)-1 / 2,
    };
    for (unsigned i = 0; i < COUNT(requests); i++) {
        CHECK(heap_alloc(&H, requests[i], WHO2) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO2);
        CHECK_INT_EQ(A.reps[0].size, requests[i]);
        CHECK(heap_alloc_aligned(&H, 16, requests[i], WHO3) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO3);
        CHECK(heap_alloc_aligned(&H, 4096, requests[i], WHO3) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO3);
        CHECK(heap_calloc(&H, 1, requests[i], WHO1) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
        CHECK(heap_calloc(&H, requests[i], 1, WHO1) == NULL);
        EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
    }
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
    heap_free(&H, keep, WHO1);
    CHECK(heap_alloc(&H, HEAP_MAX_REQUEST + 1, WHO1) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO1);
    void *most = heap_alloc(&H, HEAP_MAX_REQUEST, WHO1);
    CHECK(most != NULL);
    EXPECT_NO_REPORT();
    CHECK(H.mapped > HEAP_MAX_REQUEST);
    if (most)
        CHECK(heap_usable_size(&H, most) >= HEAP_MAX_REQUEST);
    uint32_t peak = H.mapped;
    heap_free(&H, most, WHO1);
    CHECK(H.mapped <= HEAP_TRIM_AT / 2 + 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    finish(true);
}

/* A heap whose max is the whole 32-bit range (the size is clamped), over a
 * 4 GiB reservation of which only 64 MiB may be backed: the requests in the
 * last few hundred MiB must fail cleanly, not wrap around to a small size. */
static void alloc_too_large_4gib_heap(void)
{
    REQUIRE(setup_with((size_t)4 << 30, SIZE_MAX, ARENA, true));
    CHECK_HEX_EQ(H.max, 0xFFFFF000u);
    void *keep = heap_alloc(&H, 100, WHO1);
    REQUIRE(keep != NULL);
    fill(keep, 100, 7);
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
        CHECK_INT_EQ(A.nrep, 1);
        A.nrep = 0;
        CHECK(heap_realloc(&H, keep, requests[i], WHO2) == NULL);
        CHECK_INT_EQ(A.nrep, 1);
        A.nrep = 0;
        if (!CHECK_HEAP())
            break;
    }
    CHECK(heap_alloc(&H, 0xFFFFE001u, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_TOO_LARGE, NULL, WHO2);
    CHECK_SAME_STATS(stats(), before);
    CHECK_INT_EQ(differs(keep, 100, 7), -1);
    heap_free(&H, keep, WHO1);
    finish(true);
}

static void alloc_out_of_memory(void)
{
    REQUIRE(setup_with(ARENA, ARENA, 16 * HEAP_PAGE, true));
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
        CHECK_INT_EQ(differs(p[i], 4000, i), -1);
    /* Freeing two neighbours makes room for one more. */
    heap_free(&H, p[3], WHO1);
    heap_free(&H, p[4], WHO1);
    void *again = heap_alloc(&H, 4000, WHO1);
    CHECK(again != NULL);
    EXPECT_NO_REPORT();
    CHECK_HEX_EQ((uintptr_t)again, (uintptr_t)p[3]);
    p[3] = again;
    p[4] = heap_alloc(&H, 3000, WHO1);
    CHECK(p[4] != NULL);
    EXPECT_NO_REPORT();
    for (unsigned i = 0; i < n; i++)
        heap_free(&H, p[i], WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used_blocks, 0);
    /* With everything free, the space is there again. */
    void *big = heap_alloc(&H, 12 * HEAP_PAGE, WHO1);
    CHECK(big != NULL);
    heap_free(&H, big, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
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

static void grow_and_trim(void)
{
    REQUIRE(setup());
    uintptr_t base = H.base;
    CHECK(CHECK_WALK());

    /* Three medium blocks: the heap grows in whole pages, at its top. */
    uint8_t *m[3];
    for (unsigned i = 0; i < 3; i++) {
        uint32_t mapped = H.mapped;
        unsigned calls = A.ngrow;
        m[i] = heap_alloc(&H, 10000, WHO1);
        REQUIRE(m[i] != NULL);
        fill(m[i], 10000, i);
        CHECK(H.mapped > mapped);
        CHECK_INT_EQ(H.mapped % HEAP_PAGE, 0);
        CHECK_INT_EQ(A.ngrow, calls + 1);
        CHECK_HEX_EQ(A.grows[calls].addr, base + mapped);
        CHECK_INT_EQ(A.grows[calls].bytes, H.mapped - mapped);
        CHECK_INT_EQ(H.peak_backed, H.mapped);
        CHECK(CHECK_WALK());
        CHECK_HEAP();
    }
    /* Growth extends a free top block rather than leaving it behind: the
     * blocks follow each other. */
    CHECK_HEX_EQ((uintptr_t)m[0], base + HEAP_FIRST + HEAP_HEADER);
    CHECK_INT_EQ(m[1] - m[0], heap_usable_size(&H, m[0]) + HEAP_HEADER);
    CHECK_INT_EQ(m[2] - m[1], heap_usable_size(&H, m[1]) + HEAP_HEADER);

    /* A big one at the top, then freed: whole pages go back. */
    uint32_t before_big = H.mapped;
    uint8_t *big = heap_alloc(&H, 300 * KiB, WHO1);
    REQUIRE(big != NULL);
    fill(big, 300 * KiB, 99);
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
    uint8_t *big2 = heap_alloc(&H, 200 * KiB, WHO1);
    uint8_t *cap = heap_alloc(&H, 16, WHO1);
    REQUIRE(big2 && cap);
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
    uint8_t *r = heap_alloc(&H, 200 * KiB, WHO1);
    REQUIRE(r != NULL);
    fill(r, 200 * KiB, 5);
    mapped = H.mapped;
    shrinks = A.nshrink;
    CHECK(heap_realloc(&H, r, 100, WHO1) == r);
    CHECK_INT_EQ(differs(r, 100, 5), -1);
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK(H.mapped < mapped);
    CHECK(CHECK_WALK());
    CHECK_HEAP();

    /* Freeing it all keeps at most a couple of pages. */
    for (unsigned i = 0; i < 3; i++) {
        CHECK_INT_EQ(differs(m[i], 10000, i), -1);
        heap_free(&H, m[i], WHO1);
    }
    heap_free(&H, r, WHO1);
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK(CHECK_WALK());
    check_call_log();
    EXPECT_NO_REPORT();
    finish(true);
}

/* A request that fits in the free block at the top, though not in the list
 * good-fit rounding picks, takes that block: no grow call for 0 bytes, and
 * no failure while the space is there. */
static void grow_uses_free_top_block(void)
{
    REQUIRE(setup());
    /* The first page's free block is 4088 bytes; 3992 + 8 = 4000 fits in it. */
    void *p = heap_alloc(&H, 3992, WHO1);
    CHECK(p != NULL);
    CHECK_INT_EQ(A.ngrow, 1);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    heap_free(&H, p, WHO1);
    EXPECT_NO_REPORT();
    finish(true);

    /* Without a shrink callback a big free top block stays, and must serve
     * a request of nearly its size. */
    REQUIRE(setup_with(ARENA, ARENA, 2 * MiB, false));
    void *low = heap_alloc(&H, 64, WHO1);
    void *big = heap_alloc(&H, MiB + 20 * KiB, WHO1);
    REQUIRE(low && big);
    heap_free(&H, big, WHO1);
    uint32_t mapped = H.mapped;
    uint32_t top = stats().largest_free;
    CHECK(top >= MiB + 20 * KiB);
    p = heap_alloc(&H, MiB, WHO1);
    CHECK(p != NULL);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.mapped, mapped);
    heap_free(&H, p, WHO1);
    heap_free(&H, low, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(A.nshrink, 0);
    finish(true);
}

/* ---- freeing: misuse ----------------------------------------------------------- */

static void free_null(void)
{
    REQUIRE(setup());
    struct heap_stats before = stats();
    heap_free(&H, NULL, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.errors, 0);
    CHECK_SAME_STATS(stats(), before);
    finish(true);
}

static void free_double(void)
{
    REQUIRE(setup());
    void *p = heap_alloc(&H, 40, WHO1), *q = heap_alloc(&H, 40, WHO1);
    REQUIRE(p && q);
    heap_free(&H, p, WHO1);
    EXPECT_NO_REPORT();
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
    void *r = heap_alloc(&H, 40, WHO1);
    CHECK(r == p);
    void *s = heap_alloc(&H, 1000, WHO1);
    CHECK(s != NULL);
    heap_free(&H, r, WHO1);
    heap_free(&H, s, WHO1);
    heap_free(&H, q, WHO1);
    EXPECT_NO_REPORT();
    /* And q, now merged into the top block, is still caught. */
    before = stats();
    CHECK_INT_EQ(before.free_blocks, 1);
    heap_free(&H, q, WHO3);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, q, WHO3);
    CHECK_SAME_STATS(stats(), before);
    finish(true);
}

/* Frees three neighbours in one order, then each of them again. */
static void double_free_after_merge_in(const unsigned order[3])
{
    REQUIRE(setup());
    void *lo = heap_alloc(&H, 32, WHO1);
    void *b[3];
    for (unsigned i = 0; i < 3; i++)
        b[i] = heap_alloc(&H, 48, WHO1);
    void *hi = heap_alloc(&H, 32, WHO1);
    REQUIRE(lo && b[0] && b[1] && b[2] && hi);
    for (unsigned i = 0; i < 3; i++)
        heap_free(&H, b[order[i]], WHO1);
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
    void *all = heap_alloc(&H, 3 * 56 - HEAP_HEADER, WHO1);
    CHECK(all == b[0]);
    heap_free(&H, all, WHO1);
    heap_free(&H, lo, WHO1);
    heap_free(&H, hi, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void free_double_after_merge(void)
{
    static const unsigned orders[6][3] = {
        { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
    };
    for (unsigned i = 0; i < 6; i++) {
        unsigned before = (unsigned)check_failures;
        double_free_after_merge_in(orders[i]);
        if ((unsigned)check_failures != before) {
            printf("  in order %u %u %u\n", orders[i][0], orders[i][1], orders[i][2]);
            return;
        }
    }
}

static void free_inside_block(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_alloc(&H, 64, WHO1), *q = heap_alloc(&H, 64, WHO1);
    REQUIRE(p && q);
    fill(p, 64, 1);
    fill(q, 64, 2);
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
    CHECK_INT_EQ(differs(p, 64, 1), -1);
    CHECK_INT_EQ(differs(q, 64, 2), -1);
    heap_free(&H, p, WHO1);
    heap_free(&H, q, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void free_not_heap(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_alloc(&H, 64, WHO1);
    REQUIRE(p != NULL);
    fill(p, 64, 3);
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
    CHECK_INT_EQ(differs(p, 64, 3), -1);
    heap_free(&H, p, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* A pointer to a block's own header: some report, nothing changed. */
static void free_header_pointer(void)
{
    REQUIRE(setup());
    uint8_t *a = heap_alloc(&H, 64, WHO1), *b = heap_alloc(&H, 64, WHO1);
    REQUIRE(a && b);
    fill(a, 64, 1);
    struct heap_stats before = stats();
    heap_free(&H, b - HEAP_HEADER, WHO2);
    printf("  reported as: %s\n", heap_error_text(A.reps[0].e));
    CHECK_INT_EQ(A.nrep, 1);
    CHECK(A.reps[0].ptr == b - HEAP_HEADER && A.reps[0].caller == WHO2);
    A.nrep = 0;
    CHECK_SAME_STATS(stats(), before);
    CHECK_HEAP();
    heap_free(&H, a, WHO1);
    heap_free(&H, b, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* ---- overruns ---------------------------------------------------------------------- */

static void overrun_onto_next_header(void)
{
    REQUIRE(setup());
    uint8_t *a = heap_alloc(&H, 40, WHO1), *b = heap_alloc(&H, 40, WHO1);
    uint8_t *c = heap_alloc(&H, 40, WHO1);
    REQUIRE(a && b && c);
    CHECK_HEAP();
    size_t u = heap_usable_size(&H, a);
    CHECK_HEX_EQ((uintptr_t)(a + u), (uintptr_t)(b - HEAP_HEADER));
    memset(a, 'x', u + 1);                  /* one byte too many */
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
    uint8_t *d = heap_alloc(&H, 100, WHO1), *e = heap_alloc(&H, 3000, WHO1);
    CHECK(d && e);
    fill(d, 100, 4);
    heap_free(&H, d, WHO1);
    heap_free(&H, c, WHO1);
    heap_free(&H, e, WHO1);
    EXPECT_NO_REPORT();
    why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "check byte");
    /* The damaged neighbour cannot be freed; reported, not crashed on. */
    heap_free(&H, b, WHO3);
    CHECK_INT_EQ(A.nrep, 1);
    CHECK(A.reps[0].ptr == b);
    A.nrep = 0;
    finish(false);
}

static void overrun_onto_end_marker(void)
{
    REQUIRE(setup());
    /* One block filling the first page: the end marker follows it. */
    uint8_t *p = heap_alloc(&H, HEAP_PAGE - HEAP_FIRST - 2 * HEAP_HEADER, WHO1);
    REQUIRE(p != NULL);
    CHECK_INT_EQ(H.mapped, HEAP_PAGE);
    size_t u = heap_usable_size(&H, p);
    CHECK_HEX_EQ((uintptr_t)(p + u), H.base + H.mapped - HEAP_HEADER);
    memset(p, 0, u + HEAP_HEADER);          /* the whole marker */
    const char *why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "end marker");
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, p, WHO2);
    /* The marker is rewritten and the block freed. */
    CHECK_HEAP();
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    void *q = heap_alloc(&H, 10000, WHO1);
    CHECK(q != NULL);
    heap_free(&H, q, WHO1);
    EXPECT_NO_REPORT();

    finish(true);

    /* The same through realloc: reported, then it goes ahead. */
    REQUIRE(setup());
    p = heap_alloc(&H, HEAP_PAGE - HEAP_FIRST - 2 * HEAP_HEADER, WHO1);
    REQUIRE(p != NULL);
    u = heap_usable_size(&H, p);
    REQUIRE(p + u == (uint8_t *)(H.base + H.mapped - HEAP_HEADER));
    fill(p, u, 9);
    p[u] ^= 0x40;                           /* one bit of the marker */
    CHECK(!heap_check(&H, NULL));
    uint8_t *r = heap_realloc(&H, p, 100, WHO3);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, p, WHO3);
    CHECK(r == p);
    CHECK_INT_EQ(differs(p, 100, 9), -1);
    CHECK_HEAP();
    heap_free(&H, r, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* An overrun onto a free neighbour: the neighbour's header is rebuilt from
 * its footer, the overrun block is freed, and no block is handed out twice. */
static void overrun_onto_free_neighbour(void)
{
    REQUIRE(setup());
    uint8_t *a = heap_alloc(&H, 100, WHO1), *b = heap_alloc(&H, 100, WHO1);
    uint8_t *c = heap_alloc(&H, 100, WHO1);
    REQUIRE(a && b && c);
    heap_free(&H, b, WHO1);
    size_t u = heap_usable_size(&H, a);
    a[u] = 0;                               /* onto the free block's header */
    CHECK(!heap_check(&H, NULL));
    heap_free(&H, a, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, a, WHO2);
    CHECK_HEAP();                           /* repaired: everything consistent */
    uint8_t *d = heap_alloc(&H, 100, WHO1), *e = heap_alloc(&H, 100, WHO1);
    REQUIRE(d && e);
    CHECK(d != e);
    CHECK(d + heap_usable_size(&H, d) <= e - HEAP_HEADER ||
          e + heap_usable_size(&H, e) <= d - HEAP_HEADER);
    CHECK(d != c && e != c);
    heap_free(&H, d, WHO1);
    heap_free(&H, e, WHO1);
    heap_free(&H, c, WHO1);
    EXPECT_NO_REPORT();
    CHECK_HEAP();
    finish(true);
}

/* ---- the small-block cache ------------------------------------------------------------ */

static void stress(void);
static unsigned stress_cache;

static void cache_reuses_and_refuses_double_free(void)
{
    REQUIRE(setup());
    heap_set_cache(&H, 4);
    uint8_t *a = heap_alloc(&H, 40, WHO1), *b = heap_alloc(&H, 40, WHO1);
    REQUIRE(a && b);
    struct heap_stats before = stats();
    heap_free(&H, a, WHO1);
    CHECK_INT_EQ(H.cached_blocks, 1);
    CHECK_INT_EQ(stats().used_blocks, before.used_blocks - 1);
    CHECK_INT_EQ(stats().free_blocks, before.free_blocks);   /* not merged */
    CHECK_HEAP();
    heap_free(&H, a, WHO2);                 /* a double free, though a waits in the cache */
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, a, WHO2);
    uint8_t *c = heap_alloc(&H, 40, WHO1);
    CHECK(c == a);                          /* the same size comes back from the cache */
    CHECK_INT_EQ(H.cached_blocks, 0);
    heap_free(&H, b, WHO1);
    heap_free(&H, c, WHO1);
    heap_free(&H, c + 8, WHO3);             /* inside a cached block */
    CHECK_INT_EQ(A.nrep, 1);
    A.nrep = 0;
    CHECK_HEAP();
    /* A cache limit: the fifth block of a size is freed for real. */
    uint8_t *p[6];
    for (int i = 0; i < 6; i++)
        p[i] = heap_alloc(&H, 100, WHO1);
    for (int i = 0; i < 6; i++)
        heap_free(&H, p[i], WHO1);
    CHECK(H.cache_count[(104 + HEAP_HEADER - HEAP_MIN_BLOCK) / HEAP_ALIGN] <= 4);
    CHECK_HEAP();
    heap_set_cache(&H, 0);                  /* off: everything goes back, merged */
    CHECK_INT_EQ(H.cached_blocks, 0);
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void cache_overrun_onto_cached_neighbour(void)
{
    REQUIRE(setup());
    heap_set_cache(&H, 8);
    uint8_t *a = heap_alloc(&H, 100, WHO1), *b = heap_alloc(&H, 100, WHO1);
    uint8_t *c = heap_alloc(&H, 100, WHO1);
    REQUIRE(a && b && c);
    heap_free(&H, b, WHO1);                 /* b waits in the cache */
    a[heap_usable_size(&H, a)] ^= 0x55;     /* onto b's header */
    CHECK(!heap_check(&H, NULL));
    heap_free(&H, a, WHO2);
    EXPECT_REPORT(HEAP_ERR_OVERRUN, a, WHO2);
    CHECK_HEAP();                           /* b's header rebuilt from its cache list */
    uint8_t *d = heap_alloc(&H, 100, WHO1), *e = heap_alloc(&H, 100, WHO1);
    REQUIRE(d && e);
    CHECK(d != e && d != c && e != c);
    heap_free(&H, d, WHO1);
    heap_free(&H, e, WHO1);
    heap_free(&H, c, WHO1);
    EXPECT_NO_REPORT();
    heap_flush_cache(&H);
    CHECK_HEAP();
    finish(true);
}

static void stress_with_cache(void)
{
    stress_cache = 8;
    stress();
    stress_cache = 0;
}

/* ---- realloc ---------------------------------------------------------------------- */

static void realloc_null_and_zero(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_realloc(&H, NULL, 100, WHO1);
    REQUIRE(p != NULL);
    CHECK(heap_usable_size(&H, p) >= 100);
    CHECK_INT_EQ(stats().used_blocks, 1);
    CHECK(heap_realloc(&H, p, 0, WHO1) == NULL);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().used, 0);
    /* It really was freed. */
    heap_free(&H, p, WHO2);
    EXPECT_REPORT(HEAP_ERR_DOUBLE_FREE, p, WHO2);
    finish(true);
}

static void realloc_shrink(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_alloc(&H, 1000, WHO1), *guard = heap_alloc(&H, 16, WHO1);
    REQUIRE(p && guard);
    fill(p, 1000, 11);
    uint32_t used = stats().used;
    size_t u0 = heap_usable_size(&H, p);
    CHECK(heap_realloc(&H, p, 100, WHO1) == p);
    CHECK_INT_EQ(differs(p, 100, 11), -1);
    size_t u = heap_usable_size(&H, p);
    CHECK(u >= 100 && u < 100 + HEAP_MIN_BLOCK);
    CHECK_INT_EQ(stats().used, used - (u0 - u));
    CHECK_INT_EQ(stats().free_blocks, 2);   /* the tail, and the top */
    CHECK_HEAP();
    /* Shrinking by less than a block keeps the block as it is. */
    CHECK(heap_realloc(&H, p, 96, WHO1) == p);
    CHECK_INT_EQ(heap_usable_size(&H, p), u);
    CHECK_INT_EQ(differs(p, 96, 11), -1);
    /* Shrinking next to a free block merges the tail into it. */
    uint8_t *q = heap_alloc(&H, 2000, WHO1), *r = heap_alloc(&H, 500, WHO1);
    uint8_t *guard2 = heap_alloc(&H, 16, WHO1);
    REQUIRE(q && r && guard2);
    fill(q, 2000, 12);
    heap_free(&H, r, WHO1);
    unsigned free_blocks = stats().free_blocks;
    CHECK(heap_realloc(&H, q, 10, WHO1) == q);
    CHECK_INT_EQ(differs(q, 10, 12), -1);
    CHECK_INT_EQ(stats().free_blocks, free_blocks);
    CHECK_HEAP();
    heap_free(&H, q, WHO1);
    heap_free(&H, p, WHO1);
    heap_free(&H, guard, WHO1);
    heap_free(&H, guard2, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

static void realloc_grow_in_place(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_alloc(&H, 100, WHO1), *n = heap_alloc(&H, 200, WHO1);
    uint8_t *guard = heap_alloc(&H, 16, WHO1);
    REQUIRE(p && n && guard);
    fill(p, 100, 21);
    heap_free(&H, n, WHO1);
    uint32_t used = stats().used;
    CHECK(heap_realloc(&H, p, 250, WHO1) == p);
    CHECK(heap_usable_size(&H, p) >= 250);
    CHECK_INT_EQ(differs(p, 100, 21), -1);
    CHECK_INT_EQ(stats().used_blocks, 2);
    CHECK_INT_EQ(stats().used, used + (heap_usable_size(&H, p) + HEAP_HEADER - 104));
    CHECK_HEAP();
    fill(p, 250, 22);
    /* Exactly all of it: the neighbour disappears. */
    size_t all = 104 + 208 - HEAP_HEADER;   /* both blocks less one header */
    CHECK(heap_realloc(&H, p, all, WHO1) == p);
    CHECK_INT_EQ(heap_usable_size(&H, p), all);
    CHECK_INT_EQ(differs(p, 250, 22), -1);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_HEAP();
    heap_free(&H, p, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void realloc_move(void)
{
    REQUIRE(setup());
    uint8_t *p = heap_alloc(&H, 100, WHO1), *n = heap_alloc(&H, 100, WHO1);
    REQUIRE(p && n);
    fill(p, 100, 31);
    fill(n, 100, 32);
    uint8_t *q = heap_realloc(&H, p, 5000, WHO1);
    REQUIRE(q != NULL);
    CHECK(q != p);
    CHECK(heap_usable_size(&H, q) >= 5000);
    CHECK_INT_EQ(differs(q, 100, 31), -1);
    CHECK_INT_EQ(differs(n, 100, 32), -1);
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
    uint8_t *r = heap_realloc(&H, q, 500000, WHO1);
    REQUIRE(r != NULL);
    CHECK_INT_EQ(differs(r, 5000, 33), -1);
    CHECK_HEAP();
    heap_free(&H, r, WHO1);
    heap_free(&H, n, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

static void realloc_failure_keeps_block(void)
{
    REQUIRE(setup_with(ARENA, ARENA, MiB, true));
    uint8_t *p = heap_alloc(&H, 300, WHO1);
    REQUIRE(p != NULL);
    fill(p, 300, 41);
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
    CHECK_INT_EQ(differs(p, 300, 41), -1);
    CHECK_HEAP();
    heap_free(&H, p, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* ---- calloc ------------------------------------------------------------------------- */

static void calloc_zeroes(void)
{
    REQUIRE(setup());
    /* 1016 + 8: a block at a list boundary, so that the same request finds
     * it again (good fit rounds up to the next boundary). */
    uint8_t *p = heap_alloc(&H, 1016, WHO1), *guard = heap_alloc(&H, 16, WHO1);
    REQUIRE(p && guard);
    memset(p, 0xFF, 1016);
    heap_free(&H, p, WHO1);
    uint8_t *q = heap_calloc(&H, 8, 127, WHO1);
    REQUIRE(q != NULL);
    CHECK(q == p);                          /* the dirty block again */
    CHECK(all_zero(q, 1016));
    memset(q, 0xEE, 1016);
    heap_free(&H, q, WHO1);
    /* Odd sizes, dirty smaller pieces. */
    for (size_t n = 1; n < 40; n++) {
        uint8_t *r = heap_calloc(&H, n, 7, WHO1);
        REQUIRE(r != NULL);
        CHECK(all_zero(r, n * 7));
        memset(r, 0xDD, heap_usable_size(&H, r));
        heap_free(&H, r, WHO1);
    }
    /* A big one that grows the heap, then reuses the dirtied pages. */
    uint8_t *big = heap_calloc(&H, 1000, 50, WHO1);
    REQUIRE(big != NULL);
    CHECK(all_zero(big, 50000));
    memset(big, 0xCC, 50000);
    heap_free(&H, big, WHO1);
    big = heap_calloc(&H, 50, 1000, WHO1);
    REQUIRE(big != NULL);
    CHECK(all_zero(big, 50000));
    heap_free(&H, big, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* ---- aligned ------------------------------------------------------------------------- */

static void aligned_each_power(void)
{
    REQUIRE(setup());
    static const size_t aligns[] = { 1, 2, 4, 8, 16, 32, 64, 256, 4096, 65536 };
    static const size_t sizes[] = { 0, 1, 24, 100, 5000, 70000 };
    /* Some blocks around, so that payloads start at odd places. */
    void *pad = heap_alloc(&H, 40, WHO1);
    REQUIRE(pad != NULL);
    for (unsigned i = 0; i < COUNT(aligns); i++)
        for (unsigned j = 0; j < COUNT(sizes); j++) {
            void *before = heap_alloc(&H, 8 * (i + j) + 8, WHO1);
            uint8_t *p = heap_alloc_aligned(&H, aligns[i], sizes[j], WHO1);
            void *after = heap_alloc(&H, 24, WHO1);
            REQUIRE(before && p && after);
            CHECK_INT_EQ((uintptr_t)p % aligns[i], 0);
            CHECK_INT_EQ((uintptr_t)p % HEAP_ALIGN, 0);
            size_t u = heap_usable_size(&H, p);
            CHECK(u >= sizes[j]);
            fill(p, u, i * 100 + j);
            if (!CHECK_HEAP()) {
                printf("  align %zu size %zu\n", aligns[i], sizes[j]);
                return;
            }
            CHECK_INT_EQ(differs(p, u, i * 100 + j), -1);
            heap_free(&H, before, WHO1);
            heap_free(&H, p, WHO1);
            CHECK_HEAP();
            heap_free(&H, after, WHO1);
            EXPECT_NO_REPORT();
        }
    heap_free(&H, pad, WHO1);
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_WALK();
    EXPECT_NO_REPORT();
    finish(true);
}

static void aligned_many_live(void)
{
    REQUIRE(setup());
    static uint8_t *p[200];
    for (unsigned i = 0; i < COUNT(p); i++) {
        size_t align = (size_t)16 << (i % 9);          /* 16 .. 4096 */
        p[i] = heap_alloc_aligned(&H, align, 8 + i * 13, WHO1);
        REQUIRE(p[i] != NULL);
        CHECK_INT_EQ((uintptr_t)p[i] % align, 0);
        fill(p[i], 8 + i * 13, i);
    }
    CHECK_HEAP();
    for (unsigned i = 0; i < COUNT(p); i++)
        CHECK_INT_EQ(differs(p[i], 8 + i * 13, i), -1);
    for (unsigned i = 0; i < COUNT(p); i += 3)
        heap_free(&H, p[i], WHO1);
    for (unsigned i = 1; i < COUNT(p); i += 3)
        heap_free(&H, p[i], WHO1);
    CHECK_HEAP();
    for (unsigned i = 2; i < COUNT(p); i += 3) {
        CHECK_INT_EQ(differs(p[i], 8 + i * 13, i), -1);
        heap_free(&H, p[i], WHO1);
    }
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

static void aligned_bad_alignment(void)
{
    REQUIRE(setup());
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
    finish(true);
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

/* n neighbours freed in every order: one free block where they were, with a
 * used block on each side (cap) or the free top above them (no cap). */
static void coalesce_all_orders(unsigned n, bool cap)
{
    unsigned order[5] = { 0, 1, 2, 3, 4 };
    do {
        REQUIRE(setup());
        uint8_t *lo = heap_alloc(&H, 32, WHO1), *b[5];
        for (unsigned i = 0; i < n; i++)
            b[i] = heap_alloc(&H, 40 + 8 * i, WHO1);
        uint8_t *hi = cap ? heap_alloc(&H, 32, WHO1) : NULL;
        REQUIRE(lo != NULL && (!cap || hi != NULL));
        uint32_t span = 0;
        for (unsigned i = 0; i < n; i++) {
            REQUIRE(b[i] != NULL);
            span += (40 + 8 * i + HEAP_HEADER + HEAP_ALIGN - 1) & ~(HEAP_ALIGN - 1);
        }
        for (unsigned i = 0; i < n; i++) {
            heap_free(&H, b[order[i]], WHO1);
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
        bool failed = check_failures != 0;
        finish(true);
        if (failed) {
            printf("  order:");
            for (unsigned i = 0; i < n; i++)
                printf(" %u", order[i]);
            printf(cap ? " (capped)\n" : " (at the top)\n");
            return;
        }
    } while (next_perm(order, n));
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

/* ---- the long randomized run -------------------------------------------------------- */

#define STRESS_OPS      1000000
#define STRESS_LIVE     128     /* at most; it hovers around half that */

struct live {
    uint8_t *p;
    size_t usable;
    uint64_t seed;
};

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

static void stress(void)
{
    REQUIRE(setup());
    heap_set_cache(&H, stress_cache);
    static struct live live[STRESS_LIVE];
    unsigned n = 0;
    uint64_t sum_usable = 0, next_seed = 1;
    unsigned counts[6] = { 0 }, most = 0;
    uint64_t live_sum = 0;
    rng_state = 0x4D454D41544C4153ull;         /* fixed: runs can be replayed */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    for (unsigned op = 0; op < STRESS_OPS; op++) {
        uint32_t r = rng_below(100);
        /* Mostly adding below half the limit, mostly taking away above. */
        bool add = n == 0 || (n < STRESS_LIVE && r < (n < STRESS_LIVE / 2 ? 60 : 38));
        if (add) {
            size_t size = stress_size();
            uint8_t *p = NULL;
            uint32_t kind = rng_below(10);
            if (kind < 6) {
                p = heap_alloc(&H, size, WHO1);
                counts[0]++;
            } else if (kind < 7) {
                size_t m = 1 + rng_below(16);
                p = heap_calloc(&H, m, size / m, WHO1);
                size = m * (size / m);
                if (p && !all_zero(p, size)) {
                    check_fail(__FILE__, __LINE__, "op %u: calloc gave dirty memory", op);
                    break;
                }
                counts[1]++;
            } else if (kind < 9) {
                size_t align = (size_t)16 << rng_below(rng_below(8) == 0 ? 13 : 5);
                p = heap_alloc_aligned(&H, align, size, WHO1);
                if (p && (uintptr_t)p % align) {
                    check_fail(__FILE__, __LINE__, "op %u: %p not aligned to %zu", op,
                               (void *)p, align);
                    break;
                }
                counts[2]++;
            } else {
                p = heap_realloc(&H, NULL, size, WHO1);
                counts[0]++;
            }
            if (!p) {
                check_fail(__FILE__, __LINE__, "op %u: allocation of %zu failed", op, size);
                break;
            }
            size_t u = heap_usable_size(&H, p);
            if (u < size || (uintptr_t)p % HEAP_ALIGN) {
                check_fail(__FILE__, __LINE__, "op %u: %p usable %zu for %zu", op,
                           (void *)p, u, size);
                break;
            }
            live[n] = (struct live){ p, u, next_seed++ };
            fill(p, u, live[n].seed);
            sum_usable += u;
            n++;
        } else {
            unsigned i = rng_below(n);
            struct live *l = &live[i];
            long bad = differs(l->p, l->usable, l->seed);
            if (bad >= 0) {
                check_fail(__FILE__, __LINE__, "op %u: block %p (%zu bytes) damaged at +%ld",
                           op, (void *)l->p, l->usable, bad);
                break;
            }
            if (r < 80) {
                heap_free(&H, l->p, WHO2);
                sum_usable -= l->usable;
                live[i] = live[--n];
                counts[3]++;
            } else {
                size_t size = rng_below(20) == 0 ? 0 : stress_size();
                uint8_t *q = heap_realloc(&H, l->p, size, WHO3);
                counts[4]++;
                sum_usable -= l->usable;
                if (size == 0) {
                    if (q) {
                        check_fail(__FILE__, __LINE__, "op %u: realloc to 0 gave %p", op,
                                   (void *)q);
                        break;
                    }
                    live[i] = live[--n];
                } else {
                    if (!q) {
                        check_fail(__FILE__, __LINE__, "op %u: realloc to %zu failed", op,
                                   size);
                        break;
                    }
                    size_t u = heap_usable_size(&H, q);
                    size_t keep = u < l->usable ? u : l->usable;
                    bad = differs(q, keep, l->seed);
                    if (u < size || bad >= 0) {
                        check_fail(__FILE__, __LINE__,
                                   "op %u: realloc %p -> %p (%zu -> %zu bytes) usable %zu, "
                                   "differs at %ld", op, (void *)l->p, (void *)q,
                                   l->usable, size, u, bad);
                        break;
                    }
                    if (q != l->p)
                        counts[5]++;
                    *l = (struct live){ q, u, next_seed++ };
                    fill(q, u, l->seed);
                    sum_usable += u;
                }
            }
        }
        live_sum += n;
        if (n > most)
            most = n;
        const char *why = NULL;
        if (!heap_check(&H, &why)) {
            check_fail(__FILE__, __LINE__, "op %u: heap_check: %s", op, why);
            break;
        }
        uint32_t cached_bytes = 0;
        for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++)
            cached_bytes += H.cache_count[c] * (HEAP_MIN_BLOCK + c * HEAP_ALIGN);
        uint32_t used_blocks = H.busy_blocks - H.cached_blocks;
        uint32_t used_bytes = H.busy_bytes - cached_bytes;
        if (used_blocks != n || used_bytes != sum_usable + (uint64_t)n * HEAP_HEADER ||
            A.nrep || H.mapped - H.released != A.backed) {
            check_fail(__FILE__, __LINE__, "op %u: %u blocks (%u used), used %u, "
                       "usable %llu, %u reports, mapped %u, backed %zu", op, n,
                       used_blocks, used_bytes, (unsigned long long)sum_usable, A.nrep,
                       H.mapped, A.backed);
            break;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  stress: %u operations in %.2f s: %u alloc, %u calloc, %u aligned, %u free, "
           "%u realloc (%u moved); %.1f live on average, %u at most; %u grows, "
           "%u shrinks, peak %u KiB\n", STRESS_OPS, secs, counts[0], counts[1], counts[2],
           counts[3], counts[4], counts[5], (double)live_sum / STRESS_OPS, most, A.ngrow,
           A.nshrink, H.peak_backed / 1024);
    if (check_failures) {
        finish(false);
        return;
    }
    CHECK(A.nshrink > 0);
    for (unsigned i = 0; i < n; i++) {
        CHECK_INT_EQ(differs(live[i].p, live[i].usable, live[i].seed), -1);
        heap_free(&H, live[i].p, WHO2);
    }
    heap_flush_cache(&H);
    CHECK_INT_EQ(H.cached_blocks, 0);
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_WALK();
    finish(true);
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

/* The size of the free block at offset b; 0 when no free block starts there. */
static uint32_t free_size_at(uint32_t b)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
    const struct wblock *w = walked_at((const void *)(H.base + b + HEAP_HEADER));
    return w && !w->used ? w->size : 0;
}

/* The size of the free block at the top; 0 when the top block is used. */
static uint32_t top_free(void)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
    if (nwalked == 0 || nwalked > WALK_MAX || walked[nwalked - 1].used)
        return 0;
    return walked[nwalked - 1].size;
}

/* What the heap would hold if every large free block but the top one gave
 * all its inner pages back. */
static uint32_t ideal_backed(void)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
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
    void *t = heap_alloc(&H, bytes, WHO1);
    CHECK(t != NULL);
    heap_free(&H, t, WHO1);
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
    void *x = heap_alloc(&H, bytes + top_free() - 64 - HEAP_HEADER, WHO1);
    CHECK(x != NULL);
    CHECK_INT_EQ(H.mapped, mapped + bytes);
    return x;
}

/* A large block freed in the middle keeps its pages while the heap grows
 * up to its peak. Past the peak it gives back just the pages needed, from
 * its end; when it has none left, the peak rises by the rest. */
static void release_waits_for_peak(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *big = heap_alloc(&H, 48 * KiB, WHO1);
    uint8_t *guard = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && big && guard);
    fill(low, 100, 1);
    fill(guard, 100, 2);
    raise_peak(160 * KiB);
    uint32_t peak = H.peak_backed;
    CHECK(H.mapped < peak);

    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b);
    REQUIRE(size >= 48 * KiB);
    uint32_t lo = inner_start(b), hi = inner_end(b, size), n = PAGES(lo, hi);
    REQUIRE(n > 6);
    /* Freed: it waits on the pending list with every page still there. */
    CHECK_HEX_EQ(H.pending, b);
    CHECK_HEX_EQ(H.pending_tail, b);
    CHECK_INT_EQ(H.released, 0);
    CHECK_HEX_EQ(*given_back_mark(b), hi);
    CHECK_INT_EQ(backed_pages(lo, hi), n);
    CHECK_HEAP();

    /* Growing right up to the peak takes nothing from it. */
    unsigned shrinks = A.nshrink;
    void *x = grow_past_peak(0);
    CHECK_INT_EQ(H.mapped, peak);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_INT_EQ(backed_pages(lo, hi), n);
    CHECK_INT_EQ(H.peak_backed, peak);
    heap_free(&H, x, WHO1);             /* trimmed: room below the peak again */
    CHECK(H.mapped < peak);
    CHECK_INT_EQ(H.released, 0);

    /* Two pages past it: the block's last two pages go, and only they. */
    shrinks = A.nshrink;
    x = grow_past_peak(2);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_INT_EQ(H.mapped - H.released, peak);
    CHECK_INT_EQ(backed_pages(hi - 2 * HEAP_PAGE, hi), 0);
    CHECK_INT_EQ(backed_pages(lo, hi - 2 * HEAP_PAGE), n - 2);
    CHECK_HEX_EQ(*given_back_mark(b), hi - 2 * HEAP_PAGE);
    if (CHECK_INT_EQ(A.nshrink, shrinks + 1)) {
        CHECK_HEX_EQ(A.shrinks[shrinks].addr, H.base + hi - 2 * HEAP_PAGE);
        CHECK_INT_EQ(A.shrinks[shrinks].bytes, 2 * HEAP_PAGE);
    }
    /* Partly given back, it stays on the pending list. */
    CHECK_HEX_EQ(H.pending_tail, b);
    CHECK_HEAP();
    heap_free(&H, x, WHO1);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);    /* trimming the top leaves it be */

    /* Past the peak by more than the block has left: it gives back all the
     * rest, leaves the pending list, and the peak rises by the difference. */
    x = grow_past_peak(n - 2 + 3);
    CHECK_INT_EQ(H.released, n * HEAP_PAGE);
    CHECK_INT_EQ(backed_pages(lo, hi), 0);
    CHECK_HEX_EQ(*given_back_mark(b), lo);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEX_EQ(H.pending_tail, HEAP_NONE);
    CHECK_INT_EQ(H.peak_backed, peak + 3 * HEAP_PAGE);
    CHECK_INT_EQ(H.mapped - H.released, H.peak_backed);
    CHECK_INT_EQ(free_size_at(b), size);
    CHECK_HEAP();
    /* The blocks around it never noticed. */
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    CHECK_INT_EQ(differs(guard, 100, 2), -1);
    heap_free(&H, x, WHO1);
    heap_free(&H, low, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

/* The large free blocks freed longest ago give their pages back first. */
static void release_oldest_first(void)
{
    REQUIRE(setup());
    uint8_t *b1 = heap_alloc(&H, 32 * KiB, WHO1), *g1 = heap_alloc(&H, 100, WHO1);
    uint8_t *b2 = heap_alloc(&H, 32 * KiB, WHO1), *g2 = heap_alloc(&H, 100, WHO1);
    REQUIRE(b1 && g1 && b2 && g2);
    raise_peak(160 * KiB);
    uint32_t peak = H.peak_backed;
    heap_free(&H, b1, WHO1);
    heap_free(&H, b2, WHO1);
    uint32_t o1 = block_at(b1), o2 = block_at(b2);
    uint32_t s1 = free_size_at(o1), s2 = free_size_at(o2);
    REQUIRE(s1 >= 32 * KiB && s2 >= 32 * KiB);
    uint32_t lo1 = inner_start(o1), hi1 = inner_end(o1, s1), n1 = PAGES(lo1, hi1);
    uint32_t lo2 = inner_start(o2), hi2 = inner_end(o2, s2), n2 = PAGES(lo2, hi2);
    REQUIRE(n1 > 2 && n2 > 3);
    CHECK_HEX_EQ(H.pending, o2);        /* the newest at the head */
    CHECK_HEX_EQ(H.pending_tail, o1);

    /* A little: from the older block only. */
    void *x = grow_past_peak(2);
    CHECK_INT_EQ(H.released, 2 * HEAP_PAGE);
    CHECK_INT_EQ(backed_pages(lo1, hi1), n1 - 2);
    CHECK_INT_EQ(backed_pages(hi1 - 2 * HEAP_PAGE, hi1), 0);
    CHECK_INT_EQ(backed_pages(lo2, hi2), n2);
    CHECK_HEX_EQ(*given_back_mark(o2), hi2);
    CHECK_HEX_EQ(H.pending_tail, o1);
    CHECK_HEAP();
    heap_free(&H, x, WHO1);

    /* More than the older one has left: all of it, then the newer one's end. */
    x = grow_past_peak(n1 - 2 + 3);
    CHECK_INT_EQ(H.released, (n1 + 3) * HEAP_PAGE);
    CHECK_INT_EQ(backed_pages(lo1, hi1), 0);
    CHECK_HEX_EQ(*given_back_mark(o1), lo1);
    CHECK_INT_EQ(backed_pages(lo2, hi2 - 3 * HEAP_PAGE), n2 - 3);
    CHECK_INT_EQ(backed_pages(hi2 - 3 * HEAP_PAGE, hi2), 0);
    CHECK_HEX_EQ(*given_back_mark(o2), hi2 - 3 * HEAP_PAGE);
    CHECK_HEX_EQ(H.pending, o2);
    CHECK_HEX_EQ(H.pending_tail, o2);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_INT_EQ(H.mapped - H.released, peak);
    CHECK_HEAP();
    heap_free(&H, x, WHO1);
    heap_free(&H, g1, WHO1);
    heap_free(&H, g2, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

/* Allocating from a block that gave pages back backs again the pages the
 * new block and the remainder's head need, no more; a remainder big enough
 * keeps its given-back tail; an older pending block pays for the backing. */
static void release_alloc_backs_again(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *big = heap_alloc(&H, 64 * KiB, WHO1);
    uint8_t *g1 = heap_alloc(&H, 100, WHO1), *cblk = heap_alloc(&H, 96 * KiB, WHO1);
    uint8_t *g2 = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && big && g1 && cblk && g2);
    fill(low, 100, 1);
    fill(g1, 100, 2);
    fill(g2, 100, 3);
    raise_peak(200 * KiB);
    uint32_t peak = H.peak_backed;

    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b);
    uint32_t lo = inner_start(b), hi = inner_end(b, size), n = PAGES(lo, hi);
    REQUIRE(size >= 64 * KiB && n >= 12);
    void *x = grow_past_peak(8);
    fill(x, 1000, 4);
    uint32_t gone = hi - 8 * HEAP_PAGE;            /* the first page given back */
    CHECK_HEX_EQ(*given_back_mark(b), gone);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    /* A second large block, freed later and holding all its pages. */
    heap_free(&H, cblk, WHO1);
    uint32_t c = block_at(cblk), csize = free_size_at(c);
    uint32_t chi = inner_end(c, csize);
    REQUIRE(PAGES(inner_start(c), chi) > 8);

    /* A small block from the front needs none of the given-back pages. */
    unsigned grows = A.ngrow;
    uint8_t *p1 = heap_alloc(&H, 8 * KiB, WHO1);
    REQUIRE(p1 != NULL);
    CHECK_HEX_EQ((uintptr_t)p1, (uintptr_t)big);
    fill(p1, 8 * KiB, 5);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    uint32_t rest = b + (uint32_t)heap_usable_size(&H, p1) + HEAP_HEADER;
    CHECK_INT_EQ(free_size_at(rest), b + size - rest);
    CHECK_HEX_EQ(*given_back_mark(rest), gone);     /* the tail stays given back */
    CHECK_HEX_EQ(H.pending, rest);                  /* and it still has pages */
    CHECK_HEX_EQ(H.pending_tail, c);
    CHECK_HEAP();

    /* One reaching 100 bytes into the second given-back page: those two
     * pages come back (the second holds the remainder's head too), and the
     * other large block gives back two pages to pay for them. */
    uint32_t end2 = gone + HEAP_PAGE + 100;
    size_t req2 = end2 - rest - HEAP_HEADER;
    uint8_t *p2 = heap_alloc(&H, req2, WHO1);
    REQUIRE(p2 != NULL);
    CHECK_HEX_EQ((uintptr_t)p2, H.base + rest + HEAP_HEADER);
    if (CHECK_INT_EQ(A.ngrow, grows + 1)) {
        CHECK_HEX_EQ(A.grows[grows].addr, H.base + gone);
        CHECK_INT_EQ(A.grows[grows].bytes, 2 * HEAP_PAGE);
    }
    fill(p2, req2, 6);
    CHECK_INT_EQ(backed_pages(gone, gone + 2 * HEAP_PAGE), 2);
    CHECK_INT_EQ(backed_pages(gone + 2 * HEAP_PAGE, hi), 0);
    CHECK_INT_EQ(free_size_at(end2), b + size - end2);
    CHECK_HEX_EQ(*given_back_mark(end2), gone + 2 * HEAP_PAGE);
    CHECK_HEX_EQ(*given_back_mark(c), chi - 2 * HEAP_PAGE);
    CHECK_INT_EQ(backed_pages(chi - 2 * HEAP_PAGE, chi), 0);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    /* The remainder has given back all its pages: only the other block waits. */
    CHECK_HEX_EQ(H.pending, c);
    CHECK_HEX_EQ(H.pending_tail, c);
    CHECK_HEAP();

    /* Most of the remainder, leaving a small block: every page it gave back
     * comes back, and the other block gives back as many again. */
    uint32_t rest2 = free_size_at(end2);
    size_t req3 = rest2 - HEAP_PAGE - HEAP_HEADER;
    uint8_t *p3 = heap_alloc(&H, req3, WHO1);
    REQUIRE(p3 != NULL);
    CHECK_HEX_EQ((uintptr_t)p3, H.base + end2 + HEAP_HEADER);
    fill(p3, req3, 7);
    CHECK_INT_EQ(backed_pages(lo, hi), n);
    CHECK_INT_EQ(backed_pages(chi - 8 * HEAP_PAGE, chi), 0);
    CHECK_HEX_EQ(*given_back_mark(c), chi - 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEAP();

    /* Nothing else was touched. */
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    CHECK_INT_EQ(differs(g1, 100, 2), -1);
    CHECK_INT_EQ(differs(g2, 100, 3), -1);
    CHECK_INT_EQ(differs(x, 1000, 4), -1);
    CHECK_INT_EQ(differs(p1, 8 * KiB, 5), -1);
    CHECK_INT_EQ(differs(p2, req2, 6), -1);
    void *all[] = { p3, p1, x, g2, p2, low, g1 };
    for (unsigned i = 0; i < COUNT(all); i++) {
        heap_free(&H, all[i], WHO1);
        CHECK_HEAP();
    }
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

/* Backing given-back pages again can be refused: the allocation fails, the
 * block stays free as it was, and serves once the memory is there. */
static void release_alloc_refused(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *big = heap_alloc(&H, 48 * KiB, WHO1);
    uint8_t *g1 = heap_alloc(&H, 100, WHO1), *cblk = heap_alloc(&H, 64 * KiB, WHO1);
    uint8_t *g2 = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && big && g1 && cblk && g2);
    fill(low, 100, 1);
    raise_peak(160 * KiB);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b);
    uint32_t lo = inner_start(b), hi = inner_end(b, size);
    void *x = grow_past_peak(PAGES(lo, hi));        /* all of them */
    CHECK_HEX_EQ(*given_back_mark(b), lo);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    /* Another large block waits with its pages: it gives some back before
     * the grow callback is asked, and they stay given back. */
    heap_free(&H, cblk, WHO1);
    uint32_t c = block_at(cblk), chi = inner_end(c, free_size_at(c));
    uint32_t peak = H.peak_backed, released = H.released;

    /* 10000 bytes from the block's front: the pages up to the remainder's
     * head have to come back; the limit refuses them. */
    uint32_t need = PAGES(lo, inner_start(b + 10000 + HEAP_HEADER + 4));
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
    CHECK_INT_EQ(free_size_at(b), size);
    CHECK_HEX_EQ(*given_back_mark(b), lo);
    CHECK_INT_EQ(backed_pages(lo, hi), 0);
    CHECK_INT_EQ(H.released, released + need * HEAP_PAGE);
    CHECK_HEX_EQ(*given_back_mark(c), chi - need * HEAP_PAGE);
    CHECK_INT_EQ(H.mapped - H.released, A.backed);
    CHECK_INT_EQ(H.peak_backed, peak);
    /* Again: the same, and nothing more is given back. */
    CHECK(heap_alloc(&H, 10000, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK_INT_EQ(H.released, released + need * HEAP_PAGE);
    CHECK_HEAP();

    /* With the limit raised, the same block serves. */
    A.limit = ARENA;
    uint8_t *p = heap_alloc(&H, 10000, WHO2);
    EXPECT_NO_REPORT();
    REQUIRE(p != NULL);
    CHECK_HEX_EQ((uintptr_t)p, (uintptr_t)big);
    fill(p, 10000, 8);
    CHECK_INT_EQ(backed_pages(lo, lo + need * HEAP_PAGE), need);
    CHECK_INT_EQ(backed_pages(lo + need * HEAP_PAGE, hi), 0);    /* still given back */
    uint32_t rest = b + (uint32_t)heap_usable_size(&H, p) + HEAP_HEADER;
    CHECK_HEX_EQ(*given_back_mark(rest), lo + need * HEAP_PAGE);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEAP();
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    CHECK_INT_EQ(differs(p, 10000, 8), -1);
    heap_free(&H, p, WHO1);
    heap_free(&H, x, WHO1);
    heap_free(&H, g1, WHO1);
    heap_free(&H, g2, WHO1);
    heap_free(&H, low, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* A block that gave pages back merges with a freed neighbour below (the
 * given-back tail stays as it is) and above (the tail reaches the new end:
 * the pages in between go at once). */
static void release_merge_neighbours(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *l = heap_alloc(&H, 2000, WHO1);
    uint8_t *big = heap_alloc(&H, 48 * KiB, WHO1), *u = heap_alloc(&H, 6000, WHO1);
    uint8_t *guard = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && l && big && u && guard);
    fill(low, 100, 1);
    fill(guard, 100, 2);
    raise_peak(160 * KiB);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b), hi = inner_end(b, size);
    void *x = grow_past_peak(3);
    uint32_t gone = hi - 3 * HEAP_PAGE;
    CHECK_HEX_EQ(*given_back_mark(b), gone);

    /* Below: the merged block starts lower, its tail is the same. */
    unsigned shrinks = A.nshrink, grows = A.ngrow;
    heap_free(&H, l, WHO1);
    uint32_t m = block_at(l), msize = free_size_at(m);
    CHECK_INT_EQ(msize, b + size - m);
    CHECK_HEX_EQ(*given_back_mark(m), gone);
    CHECK_INT_EQ(H.released, 3 * HEAP_PAGE);
    CHECK_INT_EQ(backed_pages(inner_start(m), gone), PAGES(inner_start(m), gone));
    CHECK_INT_EQ(backed_pages(gone, hi), 0);
    CHECK_HEX_EQ(H.pending, m);
    CHECK_INT_EQ(A.nshrink, shrinks);
    CHECK_HEAP();

    /* Above: the tail grows to the merged block's new end. */
    heap_free(&H, u, WHO1);
    msize = free_size_at(m);
    uint32_t mhi = inner_end(m, msize);
    CHECK_INT_EQ(msize, block_at(guard) - m);
    CHECK(mhi > hi);
    CHECK_HEX_EQ(*given_back_mark(m), gone);
    CHECK_INT_EQ(H.released, mhi - gone);
    CHECK_INT_EQ(backed_pages(gone, mhi), 0);
    CHECK_INT_EQ(backed_pages(inner_start(m), gone), PAGES(inner_start(m), gone));
    CHECK_INT_EQ(A.nshrink, shrinks + 1);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK_HEX_EQ(H.pending, m);
    CHECK_HEX_EQ(H.pending_tail, m);
    CHECK_HEAP();
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    CHECK_INT_EQ(differs(guard, 100, 2), -1);
    heap_free(&H, x, WHO1);
    heap_free(&H, low, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(stats().free_blocks, 1);
    finish(true);
}

/* A used block between two large free blocks is freed: the merged block
 * keeps one given-back tail, from the lowest page either gave back to its
 * end, the pages in between included. Three cases: the lower block gave
 * all back and the upper some; the lower some and the upper none; the lower
 * none and the upper some. */
static void release_merge_between(void)
{
    for (unsigned order = 0; order < 3; order++) {
        REQUIRE(setup());
        uint8_t *b1 = heap_alloc(&H, 40 * KiB, WHO1), *mid = heap_alloc(&H, 3000, WHO1);
        uint8_t *b2 = heap_alloc(&H, 40 * KiB, WHO1), *guard = heap_alloc(&H, 100, WHO1);
        REQUIRE(b1 && mid && b2 && guard);
        fill(guard, 100, 2);
        raise_peak(160 * KiB);
        uint32_t o1 = block_at(b1), o2 = block_at(b2);
        if (order == 2) {               /* the upper one first: it goes first */
            heap_free(&H, b2, WHO1);
            heap_free(&H, b1, WHO1);
        } else {
            heap_free(&H, b1, WHO1);
            heap_free(&H, b2, WHO1);
        }
        uint32_t s1 = free_size_at(o1), s2 = free_size_at(o2);
        uint32_t lo1 = inner_start(o1), hi1 = inner_end(o1, s1), n1 = PAGES(lo1, hi1);
        uint32_t hi2 = inner_end(o2, s2);
        uint32_t gone;                  /* the first page the merged block gave back */
        void *x;
        if (order == 0) {
            x = grow_past_peak(n1 + 2);
            CHECK_HEX_EQ(*given_back_mark(o1), lo1);
            CHECK_HEX_EQ(*given_back_mark(o2), hi2 - 2 * HEAP_PAGE);
            gone = lo1;
        } else if (order == 1) {
            x = grow_past_peak(2);
            CHECK_HEX_EQ(*given_back_mark(o1), hi1 - 2 * HEAP_PAGE);
            CHECK_HEX_EQ(*given_back_mark(o2), hi2);
            gone = hi1 - 2 * HEAP_PAGE;
        } else {
            x = grow_past_peak(2);
            CHECK_HEX_EQ(*given_back_mark(o1), hi1);
            CHECK_HEX_EQ(*given_back_mark(o2), hi2 - 2 * HEAP_PAGE);
            gone = hi2 - 2 * HEAP_PAGE;
        }
        CHECK_HEAP();
        uint32_t grows = A.ngrow;
        heap_free(&H, mid, WHO1);
        uint32_t size = free_size_at(o1);
        CHECK_INT_EQ(size, block_at(guard) - o1);
        CHECK_INT_EQ(inner_end(o1, size), hi2);
        CHECK_HEX_EQ(*given_back_mark(o1), gone);
        CHECK_INT_EQ(H.released, hi2 - gone);
        CHECK_INT_EQ(backed_pages(gone, hi2), 0);
        CHECK_INT_EQ(backed_pages(lo1, gone), PAGES(lo1, gone));
        CHECK_INT_EQ(A.ngrow, grows);
        /* Still holding pages below its tail: it waits on the pending list. */
        CHECK_HEX_EQ(H.pending, gone == lo1 ? HEAP_NONE : o1);
        CHECK_HEAP();
        CHECK_INT_EQ(differs(guard, 100, 2), -1);
        heap_free(&H, x, WHO1);
        heap_free(&H, guard, WHO1);
        EXPECT_NO_REPORT();
        CHECK_INT_EQ(stats().free_blocks, 1);
        finish(true);
    }
}

/* A block that gave pages back merges into the free top: the heap is trimmed
 * with no slack, and none of the pages given back is backed on the way. */
static void release_merge_into_top(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *big = heap_alloc(&H, 48 * KiB, WHO1);
    uint8_t *u = heap_alloc(&H, 3000, WHO1);
    REQUIRE(low && big && u);
    fill(low, 100, 1);
    raise_peak(160 * KiB);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big);
    void *x = grow_past_peak(4);
    heap_free(&H, x, WHO1);             /* the free top is right above u again */
    CHECK(top_free() > 0);
    CHECK_INT_EQ(H.released, 4 * HEAP_PAGE);
    uint32_t mapped = H.mapped, peak = H.peak_backed;
    unsigned grows = A.ngrow, shrinks = A.nshrink;

    heap_free(&H, u, WHO1);
    CHECK_INT_EQ(H.mapped, (b + HEAP_MIN_BLOCK + HEAP_HEADER + HEAP_PAGE - 1) &
                               ~(uint32_t)(HEAP_PAGE - 1));
    CHECK(H.mapped < mapped);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.ngrow, grows);
    CHECK(A.nshrink > shrinks);
    CHECK_INT_EQ(A.backed, H.mapped);
    CHECK_INT_EQ(backed_pages(H.mapped, mapped), 0);
    CHECK_INT_EQ(H.peak_backed, peak);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_INT_EQ(top_free(), H.mapped - HEAP_HEADER - b);
    CHECK(CHECK_WALK());
    CHECK_HEAP();
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    /* It grows again as usual. */
    uint8_t *again = heap_alloc(&H, 48 * KiB, WHO1);
    REQUIRE(again != NULL);
    fill(again, 48 * KiB, 9);
    CHECK_HEAP();
    heap_free(&H, again, WHO1);
    heap_free(&H, low, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* realloc grows a block in place into a free neighbour that gave pages
 * back: only the pages it needs come back, the remainder keeps its tail;
 * when they are refused, the block stays as it was. */
static void release_realloc_in_place(void)
{
    REQUIRE(setup());
    uint8_t *low = heap_alloc(&H, 100, WHO1), *p = heap_alloc(&H, 1000, WHO1);
    uint8_t *big = heap_alloc(&H, 64 * KiB, WHO1), *guard = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && p && big && guard);
    fill(low, 100, 1);
    fill(p, 1000, 2);
    fill(guard, 100, 3);
    raise_peak(160 * KiB);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b), hi = inner_end(b, size);
    void *x = grow_past_peak(8);
    uint32_t gone = hi - 8 * HEAP_PAGE, peak = H.peak_backed;
    CHECK_HEX_EQ(*given_back_mark(b), gone);

    /* Up to 100 bytes into the second given-back page: refused first. */
    uint32_t pb = block_at(p), end = gone + HEAP_PAGE + 100;
    size_t req = end - pb - HEAP_HEADER;
    size_t u0 = heap_usable_size(&H, p);
    A.limit = A.backed;
    CHECK(heap_realloc(&H, p, req, WHO2) == NULL);
    EXPECT_REPORT(HEAP_ERR_OUT_OF_MEMORY, NULL, WHO2);
    CHECK_INT_EQ(heap_usable_size(&H, p), u0);
    CHECK_INT_EQ(differs(p, 1000, 2), -1);
    CHECK_INT_EQ(free_size_at(b), size);
    CHECK_HEX_EQ(*given_back_mark(b), gone);
    CHECK_INT_EQ(H.released, 8 * HEAP_PAGE);
    CHECK_HEAP();

    /* Then allowed: in place, two pages back, the rest keeps its tail. */
    A.limit = ARENA;
    CHECK(heap_realloc(&H, p, req, WHO2) == p);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(heap_usable_size(&H, p), req);
    CHECK_INT_EQ(differs(p, 1000, 2), -1);
    fill(p, req, 4);
    CHECK_INT_EQ(backed_pages(gone, gone + 2 * HEAP_PAGE), 2);
    CHECK_INT_EQ(backed_pages(gone + 2 * HEAP_PAGE, hi), 0);
    CHECK_INT_EQ(free_size_at(end), b + size - end);
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
    CHECK_INT_EQ(differs(p, end - pb - HEAP_HEADER, 4), -1);
    fill(p, req, 5);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(backed_pages(inner_start(b), hi), PAGES(inner_start(b), hi));
    CHECK_INT_EQ(differs(low, 100, 1), -1);
    CHECK_INT_EQ(differs(guard, 100, 3), -1);
    CHECK_HEAP();
    heap_free(&H, p, WHO1);
    heap_free(&H, x, WHO1);
    heap_free(&H, low, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* heap_check reads the given-back mark: wrong values are caught, whether
 * the block gave pages back or not. */
static void release_check_detects_bad_mark(void)
{
    REQUIRE(setup());
    uint8_t *big = heap_alloc(&H, 48 * KiB, WHO1), *guard = heap_alloc(&H, 100, WHO1);
    REQUIRE(big && guard);
    raise_peak(160 * KiB);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b);
    uint32_t lo = inner_start(b), hi = inner_end(b, size);
    uint32_t *mark = given_back_mark(b);
    const char *why = NULL;

    /* Nothing given back yet: the mark must be the inner pages' end. */
    CHECK_HEX_EQ(*mark, hi);
    *mark = hi - HEAP_PAGE;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "given-back mark");
    *mark = hi;
    CHECK_HEAP();

    /* Three pages given back: a mark out of place, or in place but not
     * what was given back. */
    void *x = grow_past_peak(3);
    uint32_t good = hi - 3 * HEAP_PAGE;
    CHECK_HEX_EQ(*mark, good);
    const uint32_t bad[] = { good + 8, hi, hi + HEAP_PAGE, lo - HEAP_PAGE, 0 };
    for (unsigned i = 0; i < COUNT(bad); i++) {
        *mark = bad[i];
        why = NULL;
        CHECK(!heap_check(&H, &why));
        CHECK_CONTAINS(why, "given-back pages are out of place");
    }
    *mark = good - HEAP_PAGE;
    why = NULL;
    CHECK(!heap_check(&H, &why));
    CHECK_CONTAINS(why, "counters disagree");
    *mark = good;
    CHECK_HEAP();
    heap_free(&H, x, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* A double free of a block whose head lies on a page given back since (it
 * merged into a block that had given its pages back) is reported: the page
 * reads as zeroes, and the heap does not take that for a head. */
static void release_double_free_reported(void)
{
    REQUIRE(setup());
    uint8_t *a = heap_alloc(&H, 64 * KiB, WHO1), *b = heap_alloc(&H, 8 * KiB, WHO1);
    uint8_t *c = heap_alloc(&H, 32, WHO1);
    REQUIRE(a && b && c);
    fill(c, 32, 3);
    heap_free(&H, a, WHO1);
    uint32_t ab = block_at(a), asize = free_size_at(ab);
    void *x = grow_past_peak(PAGES(inner_start(ab), inner_end(ab, asize)) + 4);
    CHECK_INT_EQ(*given_back_mark(ab), inner_start(ab));  /* all of it went */
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
    CHECK_INT_EQ(differs(c, 32, 3), -1);
    heap_free(&H, x, WHO1);
    heap_free(&H, c, WHO1);
    EXPECT_NO_REPORT();
    finish(true);
}

/* Without a shrink callback nothing is ever given back: no pending blocks,
 * and the heap grows past its peak with every page of a large free block
 * still there. */
static void release_needs_shrink_callback(void)
{
    REQUIRE(setup_with(ARENA, ARENA, ARENA, false));
    uint8_t *low = heap_alloc(&H, 2000, WHO1), *big = heap_alloc(&H, 48 * KiB, WHO1);
    uint8_t *guard = heap_alloc(&H, 100, WHO1);
    REQUIRE(low && big && guard);
    heap_free(&H, big, WHO1);
    uint32_t b = block_at(big), size = free_size_at(b);
    uint32_t lo = inner_start(b), hi = inner_end(b, size);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEX_EQ(*given_back_mark(b), hi);
    uint8_t *more = heap_alloc(&H, 200 * KiB, WHO1);
    REQUIRE(more != NULL);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(H.peak_backed, H.mapped);
    CHECK_INT_EQ(backed_pages(lo, hi), PAGES(lo, hi));
    /* Merging changes nothing either. */
    heap_free(&H, low, WHO1);
    CHECK_INT_EQ(H.released, 0);
    CHECK_HEX_EQ(H.pending, HEAP_NONE);
    CHECK_HEAP();
    heap_free(&H, more, WHO1);
    heap_free(&H, guard, WHO1);
    EXPECT_NO_REPORT();
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.nshrink, 0);
    finish(true);
}

/* Large blocks coming and going at random. The grow callback checks that
 * the heap never goes past its peak while a large free block still holds
 * pages; after an allocation that raised the peak, the peak is what the
 * heap would hold if every large free block had given all its pages back. */
#define RELEASE_STRESS_OPS  200000
#define RELEASE_STRESS_LIVE 40

static size_t release_stress_size(void)
{
    uint32_t r = rng_below(100);
    if (r < 40)
        return rng_below(2000);
    if (r < 95)
        return 8 * KiB + rng_below(72 * KiB);
    return 100 * KiB + rng_below(200 * KiB);
}

static void release_peak_stress(void)
{
    REQUIRE(setup());
    A.watch_peak = true;
    static struct live live[RELEASE_STRESS_LIVE];
    unsigned n = 0, rises = 0, rises_released = 0, gave_back = 0;
    uint64_t next_seed = 1;
    uint32_t most_released = 0;
    rng_state = 0x52454C4541534521ull;         /* fixed: runs can be replayed */

    for (unsigned op = 0; op < RELEASE_STRESS_OPS; op++) {
        uint32_t r = rng_below(100);
        uint32_t peak = H.peak_backed, released = H.released;
        bool add = n == 0 ||
                   (n < RELEASE_STRESS_LIVE && r < (n < RELEASE_STRESS_LIVE / 2 ? 60 : 40));
        bool plain = false;             /* an allocation that frees nothing */
        if (add) {
            size_t size = release_stress_size();
            uint8_t *p;
            uint32_t kind = rng_below(10);
            if (kind < 7) {
                p = heap_alloc(&H, size, WHO1);
                plain = true;
            } else if (kind < 8) {
                p = heap_calloc(&H, 1, size, WHO1);
                plain = true;
                if (p && !all_zero(p, size)) {
                    check_fail(__FILE__, __LINE__, "op %u: calloc gave dirty memory", op);
                    break;
                }
            } else {
                p = heap_alloc_aligned(&H, (size_t)16 << rng_below(10), size, WHO1);
            }
            if (!p) {
                check_fail(__FILE__, __LINE__, "op %u: allocation of %zu failed", op, size);
                break;
            }
            live[n] = (struct live){ p, heap_usable_size(&H, p), next_seed++ };
            fill(p, live[n].usable, live[n].seed);
            n++;
        } else {
            unsigned i = rng_below(n);
            struct live *l = &live[i];
            long bad = differs(l->p, l->usable, l->seed);
            if (bad >= 0) {
                check_fail(__FILE__, __LINE__, "op %u: block %p (%zu bytes) damaged at +%ld",
                           op, (void *)l->p, l->usable, bad);
                break;
            }
            if (r < 75) {
                heap_free(&H, l->p, WHO2);
                live[i] = live[--n];
            } else {
                size_t size = 1 + release_stress_size();
                uint8_t *q = heap_realloc(&H, l->p, size, WHO3);
                if (!q) {
                    check_fail(__FILE__, __LINE__, "op %u: realloc to %zu failed", op, size);
                    break;
                }
                size_t u = heap_usable_size(&H, q);
                bad = differs(q, u < l->usable ? u : l->usable, l->seed);
                if (bad >= 0) {
                    check_fail(__FILE__, __LINE__, "op %u: realloc lost data at +%ld", op, bad);
                    break;
                }
                *l = (struct live){ q, u, next_seed++ };
                fill(q, u, l->seed);
            }
        }
        if (H.released > released)
            gave_back++;
        if (H.released > most_released)
            most_released = H.released;
        if (H.peak_backed > peak) {
            rises++;
            if (released)
                rises_released++;
            if (plain && H.peak_backed != ideal_backed()) {
                check_fail(__FILE__, __LINE__, "op %u: the peak rose to %u, but %u would do",
                           op, H.peak_backed, ideal_backed());
                break;
            }
        }
        const char *why = NULL;
        if (!heap_check(&H, &why)) {
            check_fail(__FILE__, __LINE__, "op %u: heap_check: %s", op, why);
            break;
        }
        if (A.peak_breaks || A.nrep || H.mapped - H.released != A.backed) {
            check_fail(__FILE__, __LINE__, "op %u: %u grows past the peak with pages "
                       "pending, %u reports, mapped %u, released %u, backed %zu", op,
                       A.peak_breaks, A.nrep, H.mapped, H.released, A.backed);
            break;
        }
    }
    printf("  release stress: %u operations; %u gave pages back, %u raised the peak "
           "(%u with pages given back), at most %u KiB given back; peak %u KiB\n",
           RELEASE_STRESS_OPS, gave_back, rises, rises_released, most_released / 1024,
           H.peak_backed / 1024);
    if (check_failures) {
        finish(false);
        return;
    }
    CHECK(gave_back > 100);
    for (unsigned i = 0; i < n; i++) {
        CHECK_INT_EQ(differs(live[i].p, live[i].usable, live[i].seed), -1);
        heap_free(&H, live[i].p, WHO2);
    }
    CHECK_INT_EQ(stats().used_blocks, 0);
    CHECK_INT_EQ(stats().free_blocks, 1);
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.peak_breaks, 0);
    finish(true);
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
