/*
 * heap_release.h - what the tests of giving back the pages inside large
 * free blocks share (test_heap_release.c, test_heap_release_reuse.c and the
 * release run in test_heap_random.c): where a block is and which of its
 * pages may go, the given-back mark, which pages the arena holds, and ways
 * to make the heap grow past its peak so that pending blocks give pages back.
 */
#ifndef HEAP_RELEASE_H
#define HEAP_RELEASE_H

#include <stdint.h>

#include "heap_fixture.h"

#define PAGES(lo, hi)   (((hi) - (lo)) / HEAP_PAGE)

/* The offset from the heap's base of the block whose payload is p. */
static inline uint32_t block_at(const void *p)
{
    return (uint32_t)((uintptr_t)p - H.base) - HEAP_HEADER;
}

/* The whole pages a free block [b, b + size) may give back: past its links
 * (32 bytes in) and short of its footer. */
static inline uint32_t inner_start(uint32_t b)
{
    return (b + 32 + HEAP_PAGE - 1) & ~(uint32_t)(HEAP_PAGE - 1);
}

static inline uint32_t inner_end(uint32_t b, uint32_t size)
{
    return (b + size - 4) & ~(uint32_t)(HEAP_PAGE - 1);
}

/* Word 6 of a large free block's body: where the pages it gave back start
 * (inner_end when none). It lies below inner_start, so it is always backed. */
static inline uint32_t *given_back_mark(uint32_t b)
{
    return (uint32_t *)(H.base + b) + 6;
}

/* How many of the pages in [lo, hi) (offsets from the base) are backed. */
static inline uint32_t backed_pages(uint32_t lo, uint32_t hi)
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
static inline uint32_t free_size_at(uint32_t b)
{
    walk();
    const struct wblock *w = walked_at((const void *)(H.base + b + HEAP_HEADER));
    return w && !w->used ? w->size : 0;
}

/* The size of the free block at the top; 0 when the top block is used. */
static inline uint32_t top_free(void)
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

static inline struct freed describe_free(uint32_t b)
{
    struct freed f = { b, free_size_at(b), inner_start(b), 0, 0 };
    f.hi = inner_end(b, f.size);
    f.n = f.lo < f.hi ? PAGES(f.lo, f.hi) : 0;
    return f;
}

/* Frees large block p, for WHO1, and describes the free block it is now. */
static inline struct freed free_large(void *p)
{
    heap_free(&H, p, WHO1);
    return describe_free(block_at(p));
}

/* What the heap would hold if every large free block but the top one gave
 * all its inner pages back. */
static inline uint32_t ideal_backed(void)
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
static inline void raise_peak(size_t bytes)
{
    FREE_ALL(ALLOC(bytes));
}

/* A new block at the top that takes the memory held `pages` pages past the
 * peak, so that the pending blocks have to give that many back first. It
 * fills the free top block and all the room below the peak, so it must be
 * bigger than every other free block (the tests leave room enough). */
static inline void *grow_past_peak(unsigned pages)
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
static inline void check_last_shrink(unsigned nth, uint32_t lo, uint32_t bytes)
{
    if (CHECK_INT_EQ(A.nshrink, nth + 1)) {
        CHECK_HEX_EQ(A.shrinks[nth].addr, H.base + lo);
        CHECK_INT_EQ(A.shrinks[nth].bytes, bytes);
    }
}

#endif
