/*
 * heap_fixture.h - the set-up shared by the host tests of kernel/mm/heap.c
 * and its parts, the segregated-fit allocator (test_heap_*.c), over host
 * memory: a PROT_NONE reservation whose pages the grow callback makes
 * readable and writable (and the shrink callback takes back: read-only
 * zeroes from then on, like the kernel's zero frame), so that any access
 * past the mapped part, or any write to a page given back, crashes.
 *
 * Every test runs on a fixture (HEAP_TEST, on_heap): a fresh heap over a
 * fresh reservation, and after the test's body, whatever it did, the checks
 * every test ends with - the callbacks were called properly, the heap
 * agrees with what they backed and passes heap_check, and every report it
 * made was expected - before the reservation goes. Here too: what the
 * tests look at (reports, stats, heap_walk) and the patterns they fill
 * blocks with.
 */
#ifndef HEAP_FIXTURE_H
#define HEAP_FIXTURE_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check.h"
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
static inline bool pages_are(struct arena *a, const char *what, uintptr_t addr, size_t bytes, bool want)
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

static inline void mark_pages(struct arena *a, uintptr_t addr, size_t bytes, bool backed)
{
    for (size_t off = 0; off < bytes; off += HEAP_PAGE)
        a->page_backed[(addr - (uintptr_t)a->mem + off) / HEAP_PAGE] = backed;
}

static inline int arena_grow(void *ctx, uintptr_t addr, size_t bytes)
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

static inline void arena_shrink(void *ctx, uintptr_t addr, size_t bytes)
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

static inline void arena_report(void *ctx, enum heap_error e, const void *ptr, size_t size,
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
static inline bool reserve_arena(struct arena_spec spec)
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

static inline void unreserve_arena(void)
{
    if (A.mem)
        munmap(A.mem, A.reserved);
    A.mem = NULL;
    free(A.page_backed);
    A.page_backed = NULL;
}

/* A fresh heap over a fresh reservation, set up as spec says; its first
 * page is backed by the one grow call heap_init makes. */
static inline bool open_arena(struct arena_spec spec)
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

static inline bool heap_ok(const char *file, int line)
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
static inline void close_arena(void)
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
static inline void on_heap(struct arena_spec spec, void (*body)(void))
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
static inline void *must_have(void *p, const char *file, int line, const char *what)
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
static inline void free_each(void *const *blocks, unsigned n, const char *file, int line)
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

static inline struct heap_stats stats(void)
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

static inline void walk_one(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    (void)ctx;
    if (nwalked < WALK_MAX)
        walked[nwalked] = (struct wblock){ payload, size, used };
    nwalked++;
}

static inline void walk(void)
{
    nwalked = 0;
    heap_walk(&H, walk_one, NULL);
}

/* Walks the heap and checks that the blocks tile [base + HEAP_FIRST, the end marker). */
static inline bool walk_covers(const char *file, int line)
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
static inline const struct wblock *walked_at(const void *p)
{
    for (unsigned i = 0; i < nwalked && i < WALK_MAX; i++)
        if (walked[i].payload == (uintptr_t)p)
            return &walked[i];
    return NULL;
}

/* Two blocks after a repaired overrun: new, apart, and neither is `other`. */
static inline void check_two_fresh_blocks(size_t size, const uint8_t *other)
{
    uint8_t *d = ALLOC(size), *e = ALLOC(size);
    CHECK(d != e && d != other && e != other);
    CHECK(d + heap_usable_size(&H, d) <= e - HEAP_HEADER ||
          e + heap_usable_size(&H, e) <= d - HEAP_HEADER);
    FREE_ALL(d, e);
}

/* ---- patterns ------------------------------------------------------------- */

static inline uint64_t pattern_word(uint64_t seed, size_t i)
{
    uint64_t x = seed ^ (i * 0x9E3779B97F4A7C15ull);
    return x ^ (x >> 29);
}

/* Byte i of the pattern: the same whether written by words or by bytes. */
static inline uint8_t pattern_byte(uint64_t seed, size_t i)
{
    return (uint8_t)(pattern_word(seed, i / 8) >> (8 * (i % 8)));
}

/* Fills p with seed's pattern; returns p. */
static inline void *fill(void *p, size_t bytes, uint64_t seed)
{
    uint64_t *w = p;
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = pattern_word(seed, i);
    for (size_t i = bytes & ~(size_t)7; i < bytes; i++)
        ((uint8_t *)p)[i] = pattern_byte(seed, i);
    return p;
}

/* The offset of the first byte that differs from the pattern, or -1. */
static inline long differs(const void *p, size_t bytes, uint64_t seed)
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

static inline bool all_zero(const void *p, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (((const uint8_t *)p)[i])
            return false;
    return true;
}

#endif
