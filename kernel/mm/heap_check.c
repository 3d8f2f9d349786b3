/*
 * heap_check.c - looking at the heap without changing it: heap_check walks
 * every block and every list and says what is wrong, heap_walk lists the
 * blocks, heap_get_stats counts them, heap_error_text names the misuses.
 * None of it is on the paths that allocate or free; heap_check is what the
 * tests and the fuzzer run after every operation.
 */
#include "mm/heap_block.h"

bool heap_check(const struct heap *h, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    uint32_t end = end_marker(h);
    uint32_t used = 0, used_n = 0, free = 0, free_n = 0, cached = 0, cached_n = 0;
    uint32_t released = 0, pending_n = 0;
    bool prev_used = true;
    uint32_t b = HEAP_FIRST;
    if (h->mapped - h->released > h->peak_backed)
        return *why = "the memory held is above its recorded peak", false;
    while (b < end) {
        if (!header_ok(h, b))
            return *why = "a block head's check byte is wrong", false;
        uint32_t size = block_size(h, b), flags = block_flags(h, b);
        if (size < HEAP_MIN_BLOCK || size % HEAP_ALIGN || size > end - b ||
            ((flags & USED) && size > HEAP_MAX_BLOCK))
            return *why = "a block has an impossible size", false;
        if (!!(flags & PREV_USED) != prev_used)
            return *why = "a block's previous-used bit is wrong", false;
        if ((flags & USED) && (flags & CACHED)) {
            cached += size;
            cached_n++;
        } else if (flags & USED) {
            used += size;
            used_n++;
        } else {
            if (!prev_used)
                return *why = "two free blocks are next to each other", false;
            if (*word(h, b + size - 4) != size)
                return *why = "a free block's footer differs from its header", false;
            if (flags & RELEASED) {
                uint32_t lo = rel_lo(h, b);
                if (!releasable(h, b, size))
                    return *why = "a block gave pages back that it should keep", false;
                if (lo % HEAP_PAGE || lo < inner_lo(b) || lo >= inner_hi(b, size))
                    return *why = "a block's given-back pages are out of place", false;
                released += inner_hi(b, size) - lo;
            } else if (size >= HEAP_RELEASE_MIN && rel_lo(h, b) != inner_hi(b, size)) {
                return *why = "a large free block's given-back mark is wrong", false;
            }
            if (releasable(h, b, size) && holds_pages(h, b))
                pending_n++;
            free += size;
            free_n++;
        }
        prev_used = flags & USED;
        b += size;
    }
    if (b != end || !header_ok(h, end) || block_size(h, end) != END_SIZE ||
        !(block_flags(h, end) & USED) || !!(block_flags(h, end) & PREV_USED) != prev_used)
        return *why = "the end marker is missing or wrong", false;
    if (used + cached != h->busy_bytes || used_n + cached_n != h->busy_blocks ||
        free != h->free_bytes || free_n != h->free_blocks ||
        cached_n != h->cached_blocks || released != h->released)
        return *why = "the counters disagree with the blocks", false;

    uint32_t on_pending = 0;
    for (uint32_t x = h->pending, prev = HEAP_NONE; x != HEAP_NONE;
         prev = x, x = *pnext_link(h, x)) {
        if (x >= end || ++on_pending > pending_n)
            return *why = "the pending list points outside the heap or loops", false;
        if (!header_ok(h, x) || (block_flags(h, x) & USED) ||
            !releasable(h, x, block_size(h, x)) || !holds_pages(h, x) ||
            *pprev_link(h, x) != prev)
            return *why = "the pending list holds a block that should not wait there", false;
    }
    if (on_pending != pending_n)
        return *why = "a large free block is missing from the pending list", false;

    uint32_t in_cache = 0;
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++) {
        uint32_t n = 0;
        for (uint32_t x = h->cache_head[c]; x != HEAP_NONE; x = *word(h, x + HEAP_HEADER)) {
            if (x >= end || ++in_cache > cached_n)
                return *why = "a cache list points outside the heap or loops", false;
            if (!header_ok(h, x) || (block_flags(h, x) & (USED | CACHED)) != (USED | CACHED) ||
                block_size(h, x) != HEAP_MIN_BLOCK + c * HEAP_ALIGN)
                return *why = "a cache list holds a block that is not cached there", false;
            n++;
        }
        if (n != h->cache_count[c] || (h->cache_limit && n > h->cache_limit))
            return *why = "a cache list's count is wrong", false;
    }
    if (in_cache != cached_n)
        return *why = "a cached block is missing from the cache lists", false;

    uint32_t listed = 0;
    for (uint32_t f = 0; f < HEAP_FL_COUNT; f++) {
        if (!!h->sl_bitmap[f] != !!(h->fl_bitmap & (1u << f)))
            return *why = "the first-level bitmap disagrees with the second", false;
        for (uint32_t s = 0; s < HEAP_SL_COUNT; s++) {
            uint32_t x = h->heads[f][s], prev = HEAP_NONE;
            if ((x != HEAP_NONE) != !!(h->sl_bitmap[f] & (1u << s)))
                return *why = "a list's bitmap bit disagrees with the list", false;
            for (; x != HEAP_NONE; prev = x, x = *next_link(h, x)) {
                if (x >= end || ++listed > free_n)
                    return *why = "a free list points outside the heap or loops", false;
                uint32_t size = block_size(h, x), ff, ss;
                if (!header_ok(h, x) || (block_flags(h, x) & USED))
                    return *why = "a free list holds a used block", false;
                if (*prev_link(h, x) != prev)
                    return *why = "a free list's back link is wrong", false;
                class_of(size, &ff, &ss);
                if (ff != f || ss != s)
                    return *why = "a free block is in the wrong list", false;
            }
        }
    }
    if (listed != free_n)
        return *why = "a free block is missing from the lists", false;
    return true;
}

void heap_walk(const struct heap *h,
               void (*fn)(void *ctx, uintptr_t payload, uint32_t size, bool used),
               void *ctx)
{
    uint32_t end = end_marker(h);
    for (uint32_t b = HEAP_FIRST; b < end && header_ok(h, b) && block_size(h, b);
         b += block_size(h, b))
        fn(ctx, h->base + b + HEAP_HEADER, block_size(h, b),
           (block_flags(h, b) & (USED | CACHED)) == USED);
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
    uint32_t end = end_marker(h);
    for (uint32_t b = HEAP_FIRST; b < end && header_ok(h, b) && block_size(h, b);
         b += block_size(h, b))
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
