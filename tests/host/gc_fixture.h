/*
 * gc_fixture.h - the set-up shared by the host tests of kernel/mm/gc.c, the
 * conservative mark-and-sweep collector (test_gc_alloc.c, test_gc_mark.c,
 * test_gc_pacing.c, test_gc_stress.c), over host memory. The arena is a
 * PROT_NONE reservation whose pages the grow callback opens (and the shrink
 * callback closes again), as in heap_fixture.h. The roots are precise: the roots
 * callback scans the static array roots[] and nothing else - never this
 * program's stack or registers - so what a collection keeps is exactly what
 * is reachable from roots[], which the tests work out for themselves and
 * compare. On the host a pointer is an 8-byte word; the kernel's are 4 bytes.
 *
 * A test starts with REQUIRE(setup(...)) and ends with finish().
 */
#ifndef GC_FIXTURE_H
#define GC_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "check.h"
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

static inline int backing_grow(void *ctx, uintptr_t addr, size_t bytes)
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

static inline void backing_shrink(void *ctx, uintptr_t addr, size_t bytes)
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

static inline void scan_roots(struct gc *g, void *ctx)
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
static inline bool setup(size_t max, unsigned grey_cap, unsigned gogc)
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

/* heap_check on the collector's heap; a failure names the line of the check. */
static inline bool heap_ok(const char *file, int line)
{
    const char *why = NULL;
    bool ok = heap_check(&G.heap, &why);
    if (!ok)
        check_fail(file, line, "heap_check: %s", why ? why : "(no reason)");
    return ok;
}
#define CHECK_HEAP()    heap_ok(__FILE__, __LINE__)

/* Ends a test: the heap and the backing agree, the reservation goes. */
static inline void finish(void)
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

/* ---- objects ---------------------------------------------------------------- */

/* An id word: high bits set, so it never looks like a pointer into the arena. */
static inline uintptr_t tag(unsigned id)
{
    return ((uintptr_t)0xA110C000u << 32) | id;
}

struct node {
    struct node *next;
    uintptr_t tag;
};

/* Every byte of [p, p + bytes) is zero. */
static inline bool all_zero(const void *p, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        if (((const uint8_t *)p)[i])
            return false;
    return true;
}

/* A list of n nodes of `size` bytes rooted at roots[r], ids first..first+n-1. */
static inline struct node *build_list(unsigned r, unsigned n, size_t size,
                                      unsigned first, struct node **saved)
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

#endif
