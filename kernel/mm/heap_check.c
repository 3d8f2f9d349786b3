/*
 * heap_check.c - looking at the heap without changing it: heap_check walks
 * every block and every list and says what is wrong, heap_walk lists the
 * blocks, heap_get_stats counts them, heap_error_text names the misuses.
 * None of it is on the paths that allocate or free; heap_check is what the
 * tests and the fuzzer run after every operation.
 */
#include "mm/heap_block.h"

/* What the walk over the blocks counted, for the lists to be held against. */
struct tally {
    uint32_t used, used_n, free, free_n, cached, cached_n;
    uint32_t released, pending_n;   /* bytes given back; blocks that should wait */
};

/* Free block b, of `size` bytes: its footer, its given-back mark. NULL when
 * all is well, else what is wrong. */
static const char *check_free_block(const struct heap *h, uint32_t b, uint32_t size,
                                    struct tally *t)
{
    if (size_below(h, b + size) != size)
        return "a free block's footer differs from its header";
    if (block_flags(h, b) & RELEASED) {
        uint32_t lo = rel_lo(h, b);
        if (!releasable(h, b, size))
            return "a block gave pages back that it should keep";
        if (lo % HEAP_PAGE || lo < inner_lo(b) || lo >= inner_hi(b, size))
            return "a block's given-back pages are out of place";
        t->released += inner_hi(b, size) - lo;
    } else if (size >= HEAP_RELEASE_MIN && rel_lo(h, b) != inner_hi(b, size)) {
        return "a large free block's given-back mark is wrong";
    }
    if (releasable(h, b, size) && holds_pages(h, b))
        t->pending_n++;
    t->free += size;
    t->free_n++;
    return 0;
}

/* Every block from the first to the end marker, counted into t. */
static const char *check_blocks(const struct heap *h, struct tally *t)
{
    uint32_t end = end_marker(h), b = HEAP_FIRST;
    bool prev_used = true;
    for (; b < end; b += block_size(h, b)) {
        if (!header_ok(h, b))
            return "a block head's check byte is wrong";
        uint32_t size = block_size(h, b), flags = block_flags(h, b);
        if (!size_fits(h, b, size) || size % HEAP_ALIGN ||
            ((flags & USED) && size > HEAP_MAX_BLOCK))
            return "a block has an impossible size";
        if (!!(flags & PREV_USED) != prev_used)
            return "a block's previous-used bit is wrong";
        if ((flags & USED) && (flags & CACHED)) {
            t->cached += size;
            t->cached_n++;
        } else if (flags & USED) {
            t->used += size;
            t->used_n++;
        } else {
            if (!prev_used)
                return "two free blocks are next to each other";
            const char *why = check_free_block(h, b, size, t);
            if (why)
                return why;
        }
        prev_used = flags & USED;
    }
    if (b != end || !header_ok(h, end) || block_size(h, end) != END_SIZE ||
        !(block_flags(h, end) & USED) || !!(block_flags(h, end) & PREV_USED) != prev_used)
        return "the end marker is missing or wrong";
    if (t->used + t->cached != h->busy_bytes || t->used_n + t->cached_n != h->busy_blocks ||
        t->free != h->free_bytes || t->free_n != h->free_blocks ||
        t->cached_n != h->cached_blocks || t->released != h->released)
        return "the counters disagree with the blocks";
    return 0;
}

/* The pending list holds just the large free blocks that still hold pages. */
static const char *check_pending(const struct heap *h, const struct tally *t)
{
    uint32_t on_pending = 0;
    for (uint32_t x = h->pending, prev = HEAP_NONE; x != HEAP_NONE;
         prev = x, x = *pnext_link(h, x)) {
        if (x >= end_marker(h) || ++on_pending > t->pending_n)
            return "the pending list points outside the heap or loops";
        if (!header_ok(h, x) || (block_flags(h, x) & USED) ||
            !releasable(h, x, block_size(h, x)) || !holds_pages(h, x) ||
            *pprev_link(h, x) != prev)
            return "the pending list holds a block that should not wait there";
    }
    if (on_pending != t->pending_n)
        return "a large free block is missing from the pending list";
    return 0;
}

/* Each cache list holds cached blocks of its size, as many as it counts. */
static const char *check_cache(const struct heap *h, const struct tally *t)
{
    uint32_t in_cache = 0;
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++) {
        uint32_t n = 0;
        for (uint32_t x = h->cache_head[c]; x != HEAP_NONE; x = *cache_next(h, x)) {
            if (x >= end_marker(h) || ++in_cache > t->cached_n)
                return "a cache list points outside the heap or loops";
            if (!header_ok(h, x) || (block_flags(h, x) & (USED | CACHED)) != (USED | CACHED) ||
                block_size(h, x) != cache_class_size(c))
                return "a cache list holds a block that is not cached there";
            n++;
        }
        if (n != h->cache_count[c] || (h->cache_limit && n > h->cache_limit))
            return "a cache list's count is wrong";
    }
    if (in_cache != t->cached_n)
        return "a cached block is missing from the cache lists";
    return 0;
}

/* List f, s of the free lists: free blocks of its class, linked both ways. */
static const char *check_list(const struct heap *h, uint32_t f, uint32_t s, uint32_t *listed,
                              const struct tally *t)
{
    uint32_t x = h->heads[f][s], prev = HEAP_NONE;
    if ((x != HEAP_NONE) != !!(h->sl_bitmap[f] & (1u << s)))
        return "a list's bitmap bit disagrees with the list";
    for (; x != HEAP_NONE; prev = x, x = *next_link(h, x)) {
        if (x >= end_marker(h) || ++*listed > t->free_n)
            return "a free list points outside the heap or loops";
        uint32_t ff, ss;
        if (!header_ok(h, x) || (block_flags(h, x) & USED))
            return "a free list holds a used block";
        if (*prev_link(h, x) != prev)
            return "a free list's back link is wrong";
        class_of(block_size(h, x), &ff, &ss);
        if (ff != f || ss != s)
            return "a free block is in the wrong list";
    }
    return 0;
}

/* The bitmaps and the free lists: every free block in its list, once. */
static const char *check_lists(const struct heap *h, const struct tally *t)
{
    uint32_t listed = 0;
    for (uint32_t f = 0; f < HEAP_FL_COUNT; f++) {
        if (!!h->sl_bitmap[f] != !!(h->fl_bitmap & (1u << f)))
            return "the first-level bitmap disagrees with the second";
        for (uint32_t s = 0; s < HEAP_SL_COUNT; s++) {
            const char *why = check_list(h, f, s, &listed, t);
            if (why)
                return why;
        }
    }
    if (listed != t->free_n)
        return "a free block is missing from the lists";
    return 0;
}

bool heap_check(const struct heap *h, const char **why)
{
    const char *wrong = 0;
    struct tally t = { 0 };
    if (h->mapped - h->released > h->peak_backed)
        wrong = "the memory held is above its recorded peak";
    if (!wrong)
        wrong = check_blocks(h, &t);
    if (!wrong)
        wrong = check_pending(h, &t);
    if (!wrong)
        wrong = check_cache(h, &t);
    if (!wrong)
        wrong = check_lists(h, &t);
    if (wrong && why)
        *why = wrong;           /* left as it was when all is well */
    return !wrong;
}

void heap_walk(const struct heap *h,
               void (*fn)(void *ctx, uintptr_t payload, uint32_t size, bool used),
               void *ctx)
{
    for (uint32_t b = HEAP_FIRST; walk_ok(h, b); b += block_size(h, b))
        fn(ctx, (uintptr_t)payload_of(h, b), block_size(h, b), handed_out(block_flags(h, b)));
}

bool heap_is_cached(const struct heap *h, uintptr_t payload)
{
    for (uint32_t b = HEAP_FIRST; walk_ok(h, b); b += block_size(h, b))
        if ((uintptr_t)payload_of(h, b) == payload)
            return (block_flags(h, b) & (USED | CACHED)) == (USED | CACHED);
    return false;
}

void heap_get_stats(const struct heap *h, struct heap_stats *s)
{
    s->mapped = h->mapped;
    s->backed = h->mapped - h->released;
    s->peak_backed = h->peak_backed;
    s->cached = 0;
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++)
        s->cached += h->cache_count[c] * cache_class_size(c);
    s->cached_blocks = h->cached_blocks;
    s->used = h->busy_bytes - s->cached;
    s->free = h->free_bytes;
    s->used_blocks = h->busy_blocks - h->cached_blocks;
    s->free_blocks = h->free_blocks;
    s->largest_free = 0;
    for (uint32_t b = HEAP_FIRST; walk_ok(h, b); b += block_size(h, b))
        if (!(block_flags(h, b) & USED) && block_size(h, b) > s->largest_free)
            s->largest_free = block_size(h, b);
}

const char *heap_error_text(enum heap_error e)
{
    switch (e) {
    case HEAP_ERR_TOO_LARGE:     return "request too large";
    case HEAP_ERR_OUT_OF_MEMORY: return "out of memory";
    case HEAP_ERR_NOT_HEAP:      return "pointer is not from this heap";
    case HEAP_ERR_INSIDE_BLOCK:  return "pointer is inside a block, not at its start";
    case HEAP_ERR_DOUBLE_FREE:   return "double free";
    case HEAP_ERR_OVERRUN:       return "overrun: the block's end was written past";
    case HEAP_ERR_CORRUPT:       return "the block's header is damaged";
    case HEAP_ERR_BAD_ALIGN:     return "alignment is not a power of two";
    }
    return "?";
}
