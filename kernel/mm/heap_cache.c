/*
 * heap_cache.c - the small-block cache (heap.h): blocks of up to
 * HEAP_CACHE_MAX_BLOCK bytes wait unmerged after a free, in a LIFO per
 * size, to be handed out again at once. Taking a block from it and putting
 * one in are inline in heap_block.h (the fast paths of alloc and free);
 * here is what merges cached blocks back into the free lists - a few at a
 * time (consolidation) or all of them - and what cuts a bigger cached
 * block down when the free lists have nothing that fits.
 */
#include "mm/heap_block.h"

/* Up to n blocks of class c go back to the free lists, merged; returns
 * how many of the n are left to do. */
static uint32_t flush_class(struct heap *h, uint32_t c, uint32_t n)
{
    uint32_t b;
    while (n && (b = cache_pop(h, c)) != HEAP_NONE) {
        heap_release(h, b);
        n--;
    }
    return n;
}

/* Up to n cached blocks go back to the free lists, merged, taken size by
 * size from where the last call stopped. */
void heap_flush_some(struct heap *h, uint32_t n)
{
    uint32_t c = h->flush_next;
    for (uint32_t seen = 0; n && seen < HEAP_CACHE_CLASSES; seen++) {
        n = flush_class(h, c, n);
        if (n)
            c = c + 1 == HEAP_CACHE_CLASSES ? 0 : c + 1;
    }
    h->flush_next = c;
}

void heap_flush_cache(struct heap *h)
{
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++)
        flush_class(h, c, UINT32_MAX);
}

void heap_set_cache(struct heap *h, unsigned per_size)
{
    if (per_size == 0)
        heap_flush_cache(h);
    h->cache_limit = per_size;
}

/* A cached block of a larger size class than `size`'s, cut down to `size`
 * (the rest goes to the free lists); HEAP_NONE when every larger class of
 * the cache is empty. Cheaper than flushing the whole cache. */
uint32_t heap_cache_take_larger(struct heap *h, uint32_t size)
{
    for (uint32_t c = cache_class(size) + 1; c < HEAP_CACHE_CLASSES; c++) {
        if (h->cache_head[c] == HEAP_NONE)
            continue;
        uint32_t b = cache_pop(h, c);
        heap_free_tail(h, b, cache_class_size(c), size);
        return b;
    }
    return HEAP_NONE;
}
