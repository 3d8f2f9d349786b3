/*
 * heap.c - the segregated-fit allocator described in heap.h.
 *
 * Free blocks sit in one of HEAP_FL_COUNT x HEAP_SL_COUNT lists by size: the
 * first level is the power of two, the second splits it in 16. Two bitmaps
 * say which lists are not empty, so finding a list that certainly holds a
 * big enough block is two bit scans (a "good fit": the request is rounded up
 * to the next list boundary first). Freeing merges with both neighbours
 * through the boundary tags. Neither walks the blocks: both take a bounded
 * number of steps. Only growing the heap costs time in proportion to the
 * pages it maps.
 */
#include "heap.h"

#include "kstring.h"

#define USED        0x1u    /* this block is handed out */
#define PREV_USED   0x2u    /* the block just below is handed out (no footer) */
#define CACHED      0x4u    /* with USED: freed, waiting in the small-block cache */
#define FLAGS       0x7u
#define CHECK_SEED  0x5EA7A11Cu
#define END_SIZE    0u      /* the end marker: a used block of size 0 */

/* ---- raw access by offset ----------------------------------------------------- */

static inline uint32_t *word(const struct heap *h, uint32_t off)
{
    return (uint32_t *)(h->base + off);
}

static inline uint32_t block_size(const struct heap *h, uint32_t b)
{
    return *word(h, b) & ~FLAGS;
}

static inline uint32_t block_flags(const struct heap *h, uint32_t b)
{
    return *word(h, b) & FLAGS;
}

static inline uint32_t check_of(uint32_t b, uint32_t head)
{
    uint32_t x = (b ^ head) * 0x9E3779B1u;
    return x ^ (x >> 15) ^ CHECK_SEED;
}

static inline void set_header(struct heap *h, uint32_t b, uint32_t size, uint32_t flags)
{
    uint32_t head = size | flags;
    word(h, b)[0] = head;
    word(h, b)[1] = check_of(b, head);
}

static inline bool header_ok(const struct heap *h, uint32_t b)
{
    return word(h, b)[1] == check_of(b, word(h, b)[0]);
}

/* A header that can never pass header_ok: for blocks swallowed by a merge,
 * so that a stale pointer to one is never taken for a live block. */
static inline void wipe_header(struct heap *h, uint32_t b)
{
    word(h, b)[0] = 0;
    word(h, b)[1] = ~check_of(b, 0);
}

static inline void set_flag(struct heap *h, uint32_t b, uint32_t flag, bool on)
{
    uint32_t head = word(h, b)[0];
    set_header(h, b, head & ~FLAGS, on ? (head & FLAGS) | flag : (head & FLAGS) & ~flag);
}

/* Free blocks: links after the header, the size again in the last word. */
static inline uint32_t *next_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 8);
}

static inline uint32_t *prev_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 12);
}

static inline void set_footer(struct heap *h, uint32_t b, uint32_t size)
{
    *word(h, b + size - 4) = size;
}

static inline uint32_t end_marker(const struct heap *h)
{
    return h->mapped - HEAP_HEADER;
}

/* ---- size classes ------------------------------------------------------------------- */

static inline int fls32(uint32_t x)    /* index of the highest set bit */
{
    return 31 - __builtin_clz(x);
}

static void class_of(uint32_t size, uint32_t *fl, uint32_t *sl)
{
    if (size < HEAP_SMALL) {
        *fl = 0;
        *sl = size / (HEAP_SMALL / HEAP_SL_COUNT);
    } else {
        int f = fls32(size);
        *sl = (size >> (f - HEAP_SL_LOG2)) & (HEAP_SL_COUNT - 1);
        *fl = (uint32_t)(f - (HEAP_SL_LOG2 + 3) + 1);
    }
}

static void insert_free(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t fl, sl;
    class_of(size, &fl, &sl);
    uint32_t head = h->heads[fl][sl];
    *next_link(h, b) = head;
    *prev_link(h, b) = HEAP_NONE;
    if (head != HEAP_NONE)
        *prev_link(h, head) = b;
    h->heads[fl][sl] = b;
    h->sl_bitmap[fl] |= 1u << sl;
    h->fl_bitmap |= 1u << fl;
    h->free_bytes += size;
    h->free_blocks++;
}

static void remove_free(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t fl, sl;
    class_of(size, &fl, &sl);
    uint32_t next = *next_link(h, b), prev = *prev_link(h, b);
    if (next != HEAP_NONE)
        *prev_link(h, next) = prev;
    if (prev != HEAP_NONE) {
        *next_link(h, prev) = next;
    } else {
        h->heads[fl][sl] = next;
        if (next == HEAP_NONE) {
            h->sl_bitmap[fl] &= ~(1u << sl);
            if (!h->sl_bitmap[fl])
                h->fl_bitmap &= ~(1u << fl);
        }
    }
    h->free_bytes -= size;
    h->free_blocks--;
}

/* A free block of at least `size` bytes from the lists, or HEAP_NONE. */
static uint32_t find_free(struct heap *h, uint32_t size)
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
        uint32_t fl_map = fl + 1 < 32 ? h->fl_bitmap & (~0u << (fl + 1)) : 0;
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

/* ---- making blocks -------------------------------------------------------------- */

/* Marks free block b (already out of the lists) used, splitting off what is
 * left beyond `size` as a new free block when it is big enough. */
static void take_block(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t have = block_size(h, b);
    uint32_t prev_used = block_flags(h, b) & PREV_USED;
    if (have - size >= HEAP_MIN_BLOCK) {
        uint32_t rest = b + size, rest_size = have - size;
        set_header(h, rest, rest_size, PREV_USED);
        set_footer(h, rest, rest_size);
        insert_free(h, rest, rest_size);
        /* the block after rest already says "previous is free" */
        have = size;
    } else {
        set_flag(h, b + have, PREV_USED, true);
    }
    set_header(h, b, have, USED | prev_used);
    h->used_bytes += have;
    h->used_blocks++;
}

/* The block size for a request, or 0 when no block can be that big. */
static uint32_t adjust(const struct heap *h, size_t request)
{
    if (request > h->max - HEAP_PAGE || request > UINT32_MAX - HEAP_HEADER - HEAP_ALIGN)
        return 0;
    uint32_t size = ((uint32_t)request + HEAP_HEADER + HEAP_ALIGN - 1) & ~(uint32_t)(HEAP_ALIGN - 1);
    return size < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : size;
}

/*
 * Maps more pages at the top so that a free block of at least `size` bytes
 * ends there; returns that block, out of the lists, or HEAP_NONE.
 */
static uint32_t grow(struct heap *h, uint32_t size)
{
    uint32_t end = end_marker(h);
    uint32_t start = end, have = 0;
    if (!(block_flags(h, end) & PREV_USED)) {
        have = *word(h, end - 4);               /* the top block is free: extend it */
        start = end - have;
        if (have >= size) {
            /* Big enough already (find_free's rounding passed it over). */
            remove_free(h, start, have);
            return start;
        }
    }
    uint32_t need = size - have + HEAP_HEADER;  /* plus a new end marker */
    uint32_t bytes = (need + HEAP_PAGE - 1) & ~(uint32_t)(HEAP_PAGE - 1);
    if (bytes > h->max - h->mapped || h->grow(h->ctx, h->base + h->mapped, bytes) != 0)
        return HEAP_NONE;
    uint32_t prev_used = block_flags(h, start) & PREV_USED;
    if (have)
        remove_free(h, start, have);
    else
        prev_used = block_flags(h, end) & PREV_USED;
    if (end != start)
        wipe_header(h, end);            /* the old end marker is inside the block now */
    h->mapped += bytes;
    if (h->mapped > h->peak_mapped)
        h->peak_mapped = h->mapped;
    uint32_t block = end_marker(h) - start;
    set_header(h, start, block, prev_used);
    set_footer(h, start, block);
    set_header(h, end_marker(h), END_SIZE, USED);
    return start;
}

/* Gives whole pages back when free block b (in the lists) ends the heap. */
static void trim(struct heap *h, uint32_t b, uint32_t size)
{
    if (!h->shrink || size < HEAP_TRIM_AT || b + size != end_marker(h))
        return;
    /* Keep one page of slack so that a free-alloc seesaw does not thrash. */
    uint32_t keep_end = (b + HEAP_MIN_BLOCK + HEAP_PAGE + HEAP_HEADER + HEAP_PAGE - 1) &
                        ~(uint32_t)(HEAP_PAGE - 1);
    if (keep_end >= h->mapped)
        return;
    uint32_t release = h->mapped - keep_end;
    uint32_t prev_used = block_flags(h, b) & PREV_USED;
    remove_free(h, b, size);
    h->mapped = keep_end;
    uint32_t block = end_marker(h) - b;
    set_header(h, b, block, prev_used);
    set_footer(h, b, block);
    insert_free(h, b, block);
    set_header(h, end_marker(h), END_SIZE, USED);
    h->shrink(h->ctx, h->base + h->mapped, release);
}

/* The most recently cached block of size class c, now an ordinary used
 * block again; HEAP_NONE when that class waits empty. */
static uint32_t cache_pop(struct heap *h, uint32_t c)
{
    uint32_t b = h->cache_head[c];
    if (b == HEAP_NONE)
        return HEAP_NONE;
    uint32_t size = block_size(h, b);
    h->cache_head[c] = *word(h, b + HEAP_HEADER);
    h->cache_count[c]--;
    h->cached_bytes -= size;
    h->cached_blocks--;
    set_header(h, b, size, USED | (block_flags(h, b) & PREV_USED));
    h->used_bytes += size;
    h->used_blocks++;
    return b;
}

/* ---- the interface ---------------------------------------------------------------- */

int heap_init(struct heap *h, uintptr_t base, size_t max, heap_grow_fn grow_fn,
              heap_shrink_fn shrink_fn, heap_report_fn report, void *ctx)
{
    memset(h, 0, sizeof *h);
    for (unsigned f = 0; f < HEAP_FL_COUNT; f++)
        for (unsigned s = 0; s < HEAP_SL_COUNT; s++)
            h->heads[f][s] = HEAP_NONE;
    for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++)
        h->cache_head[c] = HEAP_NONE;
    h->base = base;
    h->max = max > UINT32_MAX ? UINT32_MAX & ~(uint32_t)(HEAP_PAGE - 1) : (uint32_t)max;
    h->grow = grow_fn;
    h->shrink = shrink_fn;
    h->report = report;
    h->ctx = ctx;
    if (h->max < HEAP_PAGE || grow_fn(ctx, base, HEAP_PAGE) != 0)
        return -1;
    h->mapped = h->peak_mapped = HEAP_PAGE;
    uint32_t first = HEAP_PAGE - HEAP_HEADER;
    set_header(h, 0, first, PREV_USED);
    set_footer(h, 0, first);
    insert_free(h, 0, first);
    set_header(h, end_marker(h), END_SIZE, USED);
    return 0;
}

static void report(struct heap *h, enum heap_error e, const void *p, size_t size,
                   const void *caller)
{
    h->errors++;
    if (h->report)
        h->report(h->ctx, e, p, size, caller);
}

void *heap_alloc(struct heap *h, size_t request, const void *caller)
{
    uint32_t size = adjust(h, request);
    if (!size) {
        report(h, HEAP_ERR_TOO_LARGE, 0, request, caller);
        return 0;
    }
    if (size <= HEAP_CACHE_MAX_BLOCK && h->cache_limit) {
        uint32_t cached = cache_pop(h, (size - HEAP_MIN_BLOCK) / HEAP_ALIGN);
        if (cached != HEAP_NONE)
            return (void *)(h->base + cached + HEAP_HEADER);
    }
    uint32_t b = find_free(h, size);
    if (b == HEAP_NONE)
        b = find_in_own_list(h, size);
    if (b == HEAP_NONE && h->cached_blocks) {
        heap_flush_cache(h);            /* merge what waits before growing */
        b = find_free(h, size);
        if (b == HEAP_NONE)
            b = find_in_own_list(h, size);
    }
    if (b != HEAP_NONE) {
        remove_free(h, b, block_size(h, b));
    } else if ((b = grow(h, size)) == HEAP_NONE) {
        report(h, HEAP_ERR_OUT_OF_MEMORY, 0, request, caller);
        return 0;
    }
    take_block(h, b, size);
    return (void *)(h->base + b + HEAP_HEADER);
}

/*
 * Rebuilds the header at nb after an overrun from the block below (which is
 * used). The end marker is known by heart. A free neighbour still has its
 * size in its footer, and the block after it says "previous is free": the
 * first header above nb with that bit clear, whose footer gives the distance
 * back to nb, ends it. A used neighbour keeps no footer and cannot be
 * rebuilt: then false, and it stays as it is (nothing but freeing it reads
 * its header, and that is refused). A cached neighbour is found in its
 * cache list, whose size class gives its size.
 */
static bool repair_header(struct heap *h, uint32_t nb)
{
    uint32_t end = end_marker(h);
    if (nb == end) {
        set_header(h, nb, END_SIZE, USED | PREV_USED);
        return true;
    }
    /* A cached neighbour: its cache list says how big it is. */
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++)
        for (uint32_t x = h->cache_head[c]; x != HEAP_NONE; x = *word(h, x + HEAP_HEADER))
            if (x == nb) {
                set_header(h, nb, HEAP_MIN_BLOCK + c * HEAP_ALIGN, USED | CACHED | PREV_USED);
                return true;
            }
    for (uint32_t x = nb + HEAP_MIN_BLOCK; x <= end; x += HEAP_ALIGN) {
        if (!header_ok(h, x) || (block_flags(h, x) & PREV_USED))
            continue;
        if (*word(h, x - 4) != x - nb)
            return false;
        set_header(h, nb, x - nb, PREV_USED);
        return true;
    }
    return false;
}

/* The block a payload pointer belongs to, after checking everything about it
 * that can be checked in constant time; HEAP_NONE after reporting. */
static uint32_t block_of(struct heap *h, const void *p, const void *caller)
{
    uintptr_t a = (uintptr_t)p;
    if (a < h->base + HEAP_HEADER || a >= h->base + h->mapped || (a & (HEAP_ALIGN - 1))) {
        report(h, HEAP_ERR_NOT_HEAP, p, 0, caller);
        return HEAP_NONE;
    }
    uint32_t b = (uint32_t)(a - h->base) - HEAP_HEADER;
    uint32_t size = block_size(h, b);
    if (!header_ok(h, b) || size < HEAP_MIN_BLOCK || b + size > end_marker(h)) {
        /* Not a header we wrote: a pointer into a block, or a damaged header.
         * Telling them apart needs a walk; this is the error path. */
        enum heap_error e = HEAP_ERR_CORRUPT;
        for (uint32_t x = 0; x < end_marker(h) && header_ok(h, x) && block_size(h, x);
             x += block_size(h, x))
            if (x < b + HEAP_HEADER && b + HEAP_HEADER < x + block_size(h, x))
                /* Inside a free block: freed before, then merged away. */
                e = block_flags(h, x) & USED ? HEAP_ERR_INSIDE_BLOCK
                                             : HEAP_ERR_DOUBLE_FREE;
        report(h, e, p, 0, caller);
        return HEAP_NONE;
    }
    if (!(block_flags(h, b) & USED) || (block_flags(h, b) & CACHED)) {
        report(h, HEAP_ERR_DOUBLE_FREE, p, size, caller);
        return HEAP_NONE;
    }
    if (!header_ok(h, b + size)) {
        /* Its end was written past, onto the next block's header. */
        report(h, HEAP_ERR_OVERRUN, p, size - HEAP_HEADER, caller);
        if (!repair_header(h, b + size))
            return HEAP_NONE;   /* a used neighbour: leave both where they are */
    }
    return b;
}

/* Used block b goes back to the free lists, merged with free neighbours. */
static void release(struct heap *h, uint32_t b)
{
    uint32_t size = block_size(h, b);
    uint32_t flags = block_flags(h, b);
    h->used_bytes -= size;
    h->used_blocks--;

    uint32_t next = b + size;
    if (!(block_flags(h, next) & USED)) {
        uint32_t nsize = block_size(h, next);
        remove_free(h, next, nsize);
        wipe_header(h, next);
        size += nsize;
    }
    if (!(flags & PREV_USED)) {
        uint32_t psize = *word(h, b - 4);
        uint32_t prev = b - psize;
        remove_free(h, prev, psize);
        wipe_header(h, b);
        flags = block_flags(h, prev);
        b = prev;
        size += psize;
    }
    set_header(h, b, size, flags & PREV_USED);
    set_footer(h, b, size);
    set_flag(h, b + size, PREV_USED, false);
    insert_free(h, b, size);
    trim(h, b, size);
}

void heap_free(struct heap *h, void *p, const void *caller)
{
    if (!p)
        return;
    uint32_t b = block_of(h, p, caller);
    if (b == HEAP_NONE)
        return;
    uint32_t size = block_size(h, b);
    if (size <= HEAP_CACHE_MAX_BLOCK && h->cache_limit) {
        uint32_t c = (size - HEAP_MIN_BLOCK) / HEAP_ALIGN;
        if (h->cache_count[c] < h->cache_limit) {
            /* Still "used" to its neighbours: no merge, no footer. */
            set_header(h, b, size, USED | CACHED | (block_flags(h, b) & PREV_USED));
            *word(h, b + HEAP_HEADER) = h->cache_head[c];
            h->cache_head[c] = b;
            h->cache_count[c]++;
            h->used_bytes -= size;
            h->used_blocks--;
            h->cached_bytes += size;
            h->cached_blocks++;
            return;
        }
    }
    release(h, b);
}

void heap_flush_cache(struct heap *h)
{
    for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++) {
        uint32_t b;
        while ((b = cache_pop(h, c)) != HEAP_NONE)
            release(h, b);
    }
}

void heap_set_cache(struct heap *h, unsigned per_size)
{
    if (per_size == 0)
        heap_flush_cache(h);
    h->cache_limit = per_size;
}

size_t heap_usable_size(const struct heap *h, const void *p)
{
    uint32_t b = (uint32_t)((uintptr_t)p - h->base) - HEAP_HEADER;
    return block_size(h, b) - HEAP_HEADER;
}

void *heap_realloc(struct heap *h, void *p, size_t request, const void *caller)
{
    if (!p)
        return heap_alloc(h, request, caller);
    if (request == 0) {
        heap_free(h, p, caller);
        return 0;
    }
    uint32_t b = block_of(h, p, caller);
    if (b == HEAP_NONE)
        return 0;
    uint32_t size = adjust(h, request);
    if (!size) {
        report(h, HEAP_ERR_TOO_LARGE, p, request, caller);
        return 0;
    }
    uint32_t have = block_size(h, b);
    uint32_t next = b + have;
    /* Grow in place into a free neighbour above when it is big enough. */
    if (size > have && !(block_flags(h, next) & USED) &&
        have + block_size(h, next) >= size) {
        uint32_t nsize = block_size(h, next);
        remove_free(h, next, nsize);
        wipe_header(h, next);
        have += nsize;
        set_header(h, b, have, block_flags(h, b));
        set_flag(h, b + have, PREV_USED, true);
        h->used_bytes += nsize;
    }
    if (size <= have) {
        /* Shrink (or fit): give back a tail big enough to be a block. */
        if (have - size >= HEAP_MIN_BLOCK) {
            uint32_t rest = b + size, rest_size = have - size;
            set_header(h, b, size, block_flags(h, b));
            h->used_bytes -= rest_size;
            uint32_t after = rest + rest_size;
            if (!(block_flags(h, after) & USED)) {
                uint32_t asize = block_size(h, after);
                remove_free(h, after, asize);
                wipe_header(h, after);
                rest_size += asize;
            }
            set_header(h, rest, rest_size, PREV_USED);
            set_footer(h, rest, rest_size);
            set_flag(h, rest + rest_size, PREV_USED, false);
            insert_free(h, rest, rest_size);
            trim(h, rest, rest_size);
        }
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
    uint32_t with_gap = size + (uint32_t)align + HEAP_MIN_BLOCK;
    uint32_t b = find_free(h, with_gap);
    if (b == HEAP_NONE && h->cached_blocks) {
        heap_flush_cache(h);            /* merge what waits before growing */
        b = find_free(h, with_gap);
    }
    if (b != HEAP_NONE)
        remove_free(h, b, block_size(h, b));
    else if ((b = grow(h, with_gap)) == HEAP_NONE) {
        report(h, HEAP_ERR_OUT_OF_MEMORY, 0, request, caller);
        return 0;
    }
    uintptr_t payload = h->base + b + HEAP_HEADER;
    uintptr_t aligned = (payload + align - 1) & ~(uintptr_t)(align - 1);
    while (aligned != payload && aligned - payload < HEAP_MIN_BLOCK)
        aligned += align;
    uint32_t gap = (uint32_t)(aligned - payload);
    if (gap) {
        /* The gap in front becomes a free block of its own. */
        uint32_t have = block_size(h, b), flags = block_flags(h, b);
        set_header(h, b, gap, flags & PREV_USED);
        set_footer(h, b, gap);
        insert_free(h, b, gap);
        b += gap;
        set_header(h, b, have - gap, 0);
    }
    take_block(h, b, size);
    return (void *)aligned;
}

/* ---- looking at it ------------------------------------------------------------------ */

bool heap_check(const struct heap *h, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    uint32_t end = end_marker(h);
    uint32_t used = 0, used_n = 0, free = 0, free_n = 0, cached = 0, cached_n = 0;
    bool prev_used = true;
    uint32_t b = 0;
    while (b < end) {
        if (!header_ok(h, b))
            return *why = "a block header's check word is wrong", false;
        uint32_t size = block_size(h, b), flags = block_flags(h, b);
        if (size < HEAP_MIN_BLOCK || size % HEAP_ALIGN || b + size > end)
            return *why = "a block has an impossible size", false;
        if (!!(flags & PREV_USED) != prev_used)
            return *why = "a block's previous-used bit is wrong", false;
        if ((flags & USED) && (flags & CACHED)) {
            cached += size;
            cached_n++;
        } else if (flags & USED) {
            used += size;
            used_n++;
        } else if (flags & CACHED) {
            return *why = "a free block is marked cached", false;
        } else {
            if (!prev_used)
                return *why = "two free blocks are next to each other", false;
            if (*word(h, b + size - 4) != size)
                return *why = "a free block's footer differs from its header", false;
            free += size;
            free_n++;
        }
        prev_used = flags & USED;
        b += size;
    }
    if (b != end || !header_ok(h, end) || block_size(h, end) != END_SIZE ||
        !(block_flags(h, end) & USED) || !!(block_flags(h, end) & PREV_USED) != prev_used)
        return *why = "the end marker is missing or wrong", false;
    if (used != h->used_bytes || used_n != h->used_blocks || free != h->free_bytes ||
        free_n != h->free_blocks || cached != h->cached_bytes ||
        cached_n != h->cached_blocks)
        return *why = "the counters disagree with the blocks", false;

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
    for (uint32_t b = 0; b < end && header_ok(h, b) && block_size(h, b);
         b += block_size(h, b))
        fn(ctx, h->base + b + HEAP_HEADER, block_size(h, b),
           (block_flags(h, b) & (USED | CACHED)) == USED);
}

void heap_get_stats(const struct heap *h, struct heap_stats *s)
{
    s->mapped = h->mapped;
    s->peak_mapped = h->peak_mapped;
    s->used = h->used_bytes;
    s->free = h->free_bytes;
    s->used_blocks = h->used_blocks;
    s->free_blocks = h->free_blocks;
    s->largest_free = 0;
    uint32_t end = end_marker(h);
    for (uint32_t b = 0; b < end && header_ok(h, b) && block_size(h, b); b += block_size(h, b))
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
