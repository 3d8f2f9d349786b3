/*
 * heap.c - the segregated-fit allocator described in heap.h: setting a heap
 * up, and allocating (heap_alloc, heap_realloc, heap_calloc and
 * heap_alloc_aligned). Freeing is in heap_free.c, the small-block cache in
 * heap_cache.c, the pages the heap holds in heap_pages.c, checking and
 * counting in heap_check.c; the block format and the lists they share are
 * in heap_block.h.
 *
 * An allocation takes a block of just its size from the small-block cache
 * when one waits there (the fast path, inline). Otherwise it searches the
 * free lists: two bitmaps say which lists are not empty, so finding a list
 * that certainly holds a big enough block is two bit scans (a "good fit":
 * the request is rounded up to the next list boundary first), and a few
 * blocks of the request's own list are looked at when that finds nothing.
 * Neither allocation nor free walks the blocks: both take a bounded number
 * of steps. Only calls that change the memory the heap holds (growing,
 * giving pages back, backing them again) cost time in proportion to the
 * pages - and the pending releases, each paid for by the free that made it.
 */
#include "mm/heap_block.h"

#include "lib/string.h"

/* A free block of at least `size` bytes from the lists, or HEAP_NONE. */
static inline __attribute__((always_inline)) uint32_t find_free(struct heap *h, uint32_t size)
{
    /* Round up to the next list boundary: every block there is big enough.
     * Near 4 GiB that would wrap around to a small size: no block is that big. */
    if (size >= HEAP_SMALL) {
        uint32_t round = (1u << (fls32(size) - HEAP_SL_LOG2)) - 1;
        if (size > UINT32_MAX - round)
            return HEAP_NONE;
        size += round;
    }
    uint32_t fl, sl;
    class_of(size, &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return HEAP_NONE;
    uint32_t sl_map = h->sl_bitmap[fl] & (~0u << sl);
    if (!sl_map) {
        uint32_t fl_map = fl + 1 < HEAP_FL_COUNT ? h->fl_bitmap & (~0u << (fl + 1)) : 0;
        if (!fl_map)
            return HEAP_NONE;
        fl = (uint32_t)__builtin_ctz(fl_map);
        sl_map = h->sl_bitmap[fl];
    }
    sl = (uint32_t)__builtin_ctz(sl_map);
    return h->heads[fl][sl];
}

/*
 * When the good-fit search finds nothing, the request's own list may still
 * hold a block big enough (its sizes span up to 1/16 more than its start).
 * Looking at a bounded number of them keeps the time bounded and saves
 * growing the heap: it is what keeps fragmentation down on power-law sizes.
 */
#define OWN_LIST_LOOKS 8

static uint32_t find_in_own_list(struct heap *h, uint32_t size)
{
    uint32_t fl, sl;
    class_of(size, &fl, &sl);
    if (fl >= HEAP_FL_COUNT)
        return HEAP_NONE;
    uint32_t b = h->heads[fl][sl];
    for (int i = 0; i < OWN_LIST_LOOKS && b != HEAP_NONE; i++, b = *next_link(h, b))
        if (block_size(h, b) >= size)
            return b;
    return HEAP_NONE;
}

/* The good-fit search, then a look into the request's own list. */
static inline uint32_t find_fit(struct heap *h, uint32_t size)
{
    uint32_t b = find_free(h, size);
    return b != HEAP_NONE ? b : find_in_own_list(h, size);
}

/* Free block b leaves its list, for the caller to cut up; returns b. */
static inline __attribute__((always_inline)) uint32_t unlist(struct heap *h, uint32_t b)
{
    remove_free(h, b, block_size(h, b));
    return b;
}

/* The block size for a request of at most HEAP_MAX_REQUEST bytes: the head
 * added, rounded up to HEAP_ALIGN, at least HEAP_MIN_BLOCK. */
static inline uint32_t size_for(uint32_t request)
{
    uint32_t size = (request + HEAP_HEADER + HEAP_ALIGN - 1) & ~(uint32_t)(HEAP_ALIGN - 1);
    return size < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : size;
}

/* The block size for a request, or 0 when no block can be that big. */
static uint32_t adjust(const struct heap *h, size_t request)
{
    if (request > h->max - HEAP_PAGE || request > HEAP_MAX_REQUEST)
        return 0;
    return size_for((uint32_t)request);
}

/*
 * Takes the first `size` bytes of free block f (already out of the lists)
 * for a used block, and makes what is left beyond them a free block of its
 * own when it is big enough. Pages f gave back are backed again where the
 * used part and the new block's links need them. Returns the bytes taken
 * (size, or all of f), or 0 when backing failed: then f is back in its list.
 */
static inline __attribute__((always_inline)) uint32_t carve(struct heap *h, uint32_t f, uint32_t size)
{
    uint32_t have = block_size(h, f);
    uint32_t flags = block_flags(h, f);
    bool split = have - size >= HEAP_MIN_BLOCK;
    uint32_t rest = f + size, rest_size = have - size;
    bool rest_released = false;
    uint32_t rest_lo = 0;
    if (flags & RELEASED) {
        /* The rest stays given back where it is big enough to be. */
        uint32_t lo = rel_lo(h, f);
        rest_released = split && releasable(h, rest, rest_size);
        rest_lo = rest_released && inner_lo(rest) > lo ? inner_lo(rest) : lo;
        if (!heap_back(h, lo, rest_released ? rest_lo : inner_hi(f, have))) {
            insert_free(h, f, have);
            return 0;
        }
    }
    if (split) {
        set_free(h, rest, rest_size, PREV_USED | (rest_released ? RELEASED : 0));
        if (rest_released)
            set_rel_lo(h, rest, rest_lo);
        insert_free(h, rest, rest_size);
        /* the block after rest already says "previous is free" */
        return size;
    }
    set_flag(h, f + have, PREV_USED, true);
    return have;
}

/* b becomes a used block of `size` bytes, counted as busy. */
static inline void mark_used(struct heap *h, uint32_t b, uint32_t size, uint32_t prev_used)
{
    set_used(h, b, size, USED | prev_used);
    h->busy_bytes += size;
    h->busy_blocks++;
}

/* Free block b (out of the lists) becomes a used block of `size` bytes or
 * a little more; false when the pages could not be backed. */
static inline __attribute__((always_inline)) bool take_block(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t prev_used = block_flags(h, b) & PREV_USED;
    uint32_t have = carve(h, b, size);
    if (!have)
        return false;
    mark_used(h, b, have, prev_used);
    return true;
}

/*
 * The common split, done in place: free block b (in its list) gives its
 * first `size` bytes to a used block when what is left stays in the same
 * list, where it takes b's place. False, with nothing done, otherwise.
 */
static inline bool split_in_list(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t have = block_size(h, b), flags = block_flags(h, b);
    if (have - size < HEAP_MIN_BLOCK || (flags & RELEASED) || releasable(h, b, have) ||
        !same_list(have, have - size))
        return false;
    set_free(h, b + size, have - size, PREV_USED);
    relink(h, b, b + size, have - size);
    h->free_bytes -= size;
    mark_used(h, b, size, flags & PREV_USED);
    return true;
}

/* The lists hold nothing that fits: a free block of `size` bytes or more,
 * out of the lists, after merging the cache or else growing; HEAP_NONE
 * when even growing cannot give one. */
static uint32_t flush_or_grow(struct heap *h, uint32_t size)
{
    uint32_t b = HEAP_NONE;
    if (h->cached_blocks) {
        /* Merge all that waits in the cache before growing: flushing only
         * part of it (until something fits) leaves more small holes, and
         * the heap then needs more pages at its peak. */
        heap_flush_cache(h);
        b = find_fit(h, size);
    }
    return b == HEAP_NONE ? heap_grow_top(h, size) : unlist(h, b);
}

/* A free block of `size` bytes or more, out of the lists; HEAP_NONE when
 * even growing cannot give one. */
static uint32_t get_free(struct heap *h, uint32_t size)
{
    uint32_t b = find_fit(h, size);
    return b == HEAP_NONE ? flush_or_grow(h, size) : unlist(h, b);
}

static __attribute__((noinline)) void *alloc_slow(struct heap *h, size_t request, const void *caller)
{
    uint32_t size = adjust(h, request);
    if (!size) {
        report(h, HEAP_ERR_TOO_LARGE, 0, request, caller);
        return 0;
    }
    uint32_t b = find_fit(h, size);
    /*
     * Consolidate, a little at a time, the way glibc does with its fast
     * bins: when the best the lists have is a block many times too big (or
     * nothing), and many blocks wait in the cache unmerged, merge some of
     * them first. Cutting up a big block while small holes wait is what
     * fragments a heap; merging a bounded number keeps the step bounded.
     */
    if (h->cached_blocks > HEAP_CONSOLIDATE_MIN &&
        (b == HEAP_NONE || block_size(h, b) / HEAP_CONSOLIDATE_RATIO > size)) {
        heap_flush_some(h, HEAP_CONSOLIDATE_STEP);
        b = find_fit(h, size);
    }
    if (b == HEAP_NONE && size < HEAP_CACHE_MAX_BLOCK && h->cached_blocks) {
        uint32_t cached = heap_cache_take_larger(h, size);
        if (cached != HEAP_NONE)
            return payload_of(h, cached);
    }
    if (b != HEAP_NONE) {
        if (split_in_list(h, b, size))
            return payload_of(h, b);
        unlist(h, b);
    } else {
        b = flush_or_grow(h, size);     /* the lists were just searched */
    }
    if (b == HEAP_NONE || !take_block(h, b, size)) {
        report(h, HEAP_ERR_OUT_OF_MEMORY, 0, request, caller);
        return 0;
    }
    return payload_of(h, b);
}

void *heap_alloc(struct heap *h, size_t request, const void *caller)
{
    /* The fast path: a block of just this size waits in the cache. */
    if (request <= HEAP_CACHE_MAX_BLOCK - HEAP_HEADER) {
        uint32_t b = cache_pop(h, cache_class(size_for((uint32_t)request)));
        if (b != HEAP_NONE)
            return payload_of(h, b);
    }
    return alloc_slow(h, request, caller);
}

int heap_init(struct heap *h, uintptr_t base, size_t max, heap_grow_fn grow_fn,
              heap_shrink_fn shrink_fn, heap_report_fn report_fn, void *ctx)
{
    memset(h, 0, sizeof *h);
    for (unsigned f = 0; f < HEAP_FL_COUNT; f++)
        for (unsigned s = 0; s < HEAP_SL_COUNT; s++)
            h->heads[f][s] = HEAP_NONE;
    for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++)
        h->cache_head[c] = HEAP_NONE;
    h->pending = h->pending_tail = HEAP_NONE;
    h->base = base;
    h->max = max > UINT32_MAX ? UINT32_MAX & ~(uint32_t)(HEAP_PAGE - 1) : (uint32_t)max;
    h->grow = grow_fn;
    h->shrink = shrink_fn;
    h->report = report_fn;
    h->ctx = ctx;
    if (h->max < HEAP_PAGE || grow_fn(ctx, base, HEAP_PAGE) != 0)
        return -1;
    h->mapped = h->peak_backed = HEAP_PAGE;
    *word(h, 0) = 0;                    /* the word below the first head */
    uint32_t first = HEAP_PAGE - HEAP_FIRST - HEAP_HEADER;
    set_free(h, HEAP_FIRST, first, PREV_USED);
    set_end_marker(h);
    insert_free(h, HEAP_FIRST, first);
    return 0;
}

size_t heap_usable_size(const struct heap *h, const void *p)
{
    return block_size(h, block_at(h, p)) - HEAP_HEADER;
}

/* Used block b, of `have` bytes, grows in place to `size` bytes or a little
 * more into the free block above it, when that one is big enough and its
 * pages can be backed; returns b's size now. */
static uint32_t grow_in_place(struct heap *h, uint32_t b, uint32_t have, uint32_t size)
{
    uint32_t next = b + have;
    if ((block_flags(h, next) & USED) || block_size(h, next) < size - have)
        return have;
    unlist(h, next);
    uint32_t took = carve(h, next, size - have);
    if (!took)
        return have;
    wipe_header(h, next);
    set_used(h, b, have + took, block_flags(h, b));
    h->busy_bytes += took;
    return have + took;
}

void *heap_realloc(struct heap *h, void *p, size_t request, const void *caller)
{
    if (!p)
        return heap_alloc(h, request, caller);
    if (request == 0) {
        heap_free(h, p, caller);
        return 0;
    }
    uint32_t b = heap_block_of(h, p, caller);
    if (b == HEAP_NONE)
        return 0;
    uint32_t size = adjust(h, request);
    if (!size) {
        report(h, HEAP_ERR_TOO_LARGE, p, request, caller);
        return 0;
    }
    uint32_t have = block_size(h, b);
    if (size > have)
        have = grow_in_place(h, b, have, size);
    if (size <= have) {
        /* Shrink (or fit): give back a tail big enough to be a block. */
        heap_free_tail(h, b, have, size);
        return p;
    }
    void *q = heap_alloc(h, request, caller);
    if (!q)
        return 0;
    memcpy(q, p, have - HEAP_HEADER);
    heap_free(h, p, caller);
    return q;
}

void *heap_calloc(struct heap *h, size_t n, size_t size, const void *caller)
{
    if (size && n > (size_t)-1 / size) {
        report(h, HEAP_ERR_TOO_LARGE, 0, (size_t)-1, caller);
        return 0;
    }
    void *p = heap_alloc(h, n * size, caller);
    if (p)
        memset(p, 0, n * size);
    return p;
}

/* Free block b (out of the lists) backs again all the pages it gave back:
 * rare enough to back all of it rather than work out which part. False,
 * with b back in its list, when the grow callback refuses. */
static bool back_all(struct heap *h, uint32_t b)
{
    if (!(block_flags(h, b) & RELEASED))
        return true;
    uint32_t have = block_size(h, b);
    if (!heap_back(h, rel_lo(h, b), inner_hi(b, have))) {
        insert_free(h, b, have);
        return false;
    }
    set_free(h, b, have, block_flags(h, b) & PREV_USED);
    return true;
}

void *heap_alloc_aligned(struct heap *h, size_t align, size_t request, const void *caller)
{
    if (align == 0 || (align & (align - 1))) {
        report(h, HEAP_ERR_BAD_ALIGN, 0, align, caller);
        return 0;
    }
    if (align <= HEAP_ALIGN)
        return heap_alloc(h, request, caller);
    uint32_t size = adjust(h, request);
    if (!size || align > h->max - HEAP_MIN_BLOCK || size > h->max - align - HEAP_MIN_BLOCK) {
        report(h, HEAP_ERR_TOO_LARGE, 0, request, caller);
        return 0;
    }
    /* Room for the block, plus a gap in front big enough to be a block itself. */
    uint32_t b = get_free(h, size + (uint32_t)align + HEAP_MIN_BLOCK);
    if (b == HEAP_NONE || !back_all(h, b)) {
        report(h, HEAP_ERR_OUT_OF_MEMORY, 0, request, caller);
        return 0;
    }
    uintptr_t payload = (uintptr_t)payload_of(h, b);
    uintptr_t aligned = (payload + align - 1) & ~(uintptr_t)(align - 1);
    while (aligned != payload && aligned - payload < HEAP_MIN_BLOCK)
        aligned += align;
    uint32_t gap = (uint32_t)(aligned - payload);
    if (gap) {
        /* The gap in front becomes a free block of its own. */
        uint32_t have = block_size(h, b), flags = block_flags(h, b);
        set_free(h, b, gap, flags & PREV_USED);
        insert_free(h, b, gap);
        b += gap;
        set_free(h, b, have - gap, 0);
    }
    take_block(h, b, size);             /* nothing to back: it cannot fail */
    return (void *)aligned;
}
