/*
 * heap.c - the segregated-fit allocator described in heap.h.
 *
 * Free blocks sit in one of HEAP_FL_COUNT x HEAP_SL_COUNT lists by size: the
 * first level is the power of two, the second splits it in 16. Two bitmaps
 * say which lists are not empty, so finding a list that certainly holds a
 * big enough block is two bit scans (a "good fit": the request is rounded up
 * to the next list boundary first). Freeing merges with both neighbours
 * through the boundary tags. Neither walks the blocks: both take a bounded
 * number of steps. Only calls that change the memory the heap holds (growing,
 * giving pages back, backing them again) cost time in proportion to the
 * pages - and the pending releases, each paid for by the free that made it.
 */
#include "mm/heap.h"

#include "lib/string.h"

#define USED        0x1u    /* this block is handed out */
#define PREV_USED   0x2u    /* the block just below is handed out (no footer) */
#define CACHED      0x4u    /* with USED: freed, waiting in the small-block cache */
#define RELEASED    0x4u    /* without USED: some pages inside were given back */
#define FLAGS       0x7u
#define CHECK_SEED  0x5EA7A11Cu
#define END_SIZE    0u      /* the end marker: a used block of size 0 */
#define BODY        32      /* a free block's pages inside start this far in */

/* ---- raw access by offset ----------------------------------------------------- */

static inline uint32_t *word(const struct heap *h, uint32_t off)
{
    return (uint32_t *)(h->base + off);
}

/* The head: bits 8..31 hold size | flags (size 0 in a free block's head),
 * bits 0..7 a check of them and of the block's offset. The cached flag is
 * left out of the check, so that the cache can flip it with one xor: an
 * overrun reaches it only through the check byte, which comes first. */
static inline uint32_t check_of(uint32_t b, uint32_t field)
{
    return ((b ^ (field & ~CACHED) ^ CHECK_SEED) * 0x9E3779B1u) >> 24;
}

static inline uint32_t field_of(const struct heap *h, uint32_t b)
{
    return *word(h, b) >> 8;
}

static inline uint32_t block_flags(const struct heap *h, uint32_t b)
{
    return field_of(h, b) & FLAGS;
}

static inline uint32_t block_size(const struct heap *h, uint32_t b)
{
    uint32_t f = field_of(h, b);
    return f & USED ? f & ~FLAGS : word(h, b)[3];
}

static inline void set_head(struct heap *h, uint32_t b, uint32_t field)
{
    *word(h, b) = field << 8 | check_of(b, field);
}

static inline bool header_ok(const struct heap *h, uint32_t b)
{
    uint32_t w = *word(h, b);
    return (w & 0xFF) == check_of(b, w >> 8);
}

/* A used (or cached, or end-marker) block's head. */
static inline void set_used(struct heap *h, uint32_t b, uint32_t size, uint32_t flags)
{
    set_head(h, b, size | flags);
}

static inline uint32_t inner_hi(uint32_t b, uint32_t size);

/* A free block: head, size in the body and in the last word. A large one
 * also says where the pages it gave back start (see rel_lo): nowhere yet,
 * unless the caller says otherwise with set_rel_lo. */
static inline void set_free(struct heap *h, uint32_t b, uint32_t size, uint32_t flags)
{
    set_head(h, b, flags & (PREV_USED | RELEASED));
    word(h, b)[3] = size;
    *word(h, b + size - 4) = size;
    if (size >= HEAP_RELEASE_MIN && !(flags & RELEASED))
        word(h, b)[6] = inner_hi(b, size);
}

/* A head that can never pass header_ok: for blocks swallowed by a merge,
 * so that a stale pointer to one is never taken for a live block. */
static inline void wipe_header(struct heap *h, uint32_t b)
{
    *word(h, b) = check_of(b, 0) ^ 0xFFu;
}

static inline void set_flag(struct heap *h, uint32_t b, uint32_t flag, bool on)
{
    uint32_t f = field_of(h, b);
    set_head(h, b, on ? f | flag : f & ~flag);
}

/* Free blocks: links after the head; large ones also a pending-list link. */
static inline uint32_t *next_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 4);
}

static inline uint32_t *prev_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 8);
}

static inline uint32_t *pnext_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 16);
}

static inline uint32_t *pprev_link(const struct heap *h, uint32_t b)
{
    return word(h, b + 20);
}

/* A large free block gave back the pages from here to inner_hi: always a
 * tail of the pages inside it, since the heap carves blocks from the front. */
static inline uint32_t rel_lo(const struct heap *h, uint32_t b)
{
    return word(h, b)[6];
}

static inline uint32_t end_marker(const struct heap *h)
{
    return h->mapped - HEAP_HEADER;
}

/* ---- the pages inside large free blocks ------------------------------------------- */

static inline uint32_t page_up(uint32_t x)
{
    return (x + HEAP_PAGE - 1) & ~(uint32_t)(HEAP_PAGE - 1);
}

static inline uint32_t page_down(uint32_t x)
{
    return x & ~(uint32_t)(HEAP_PAGE - 1);
}

/* The whole pages a free block [b, b + size) can give back: past its links
 * and short of its footer. Not empty for any block of HEAP_RELEASE_MIN. */
static inline uint32_t inner_lo(uint32_t b)
{
    return page_up(b + BODY);
}

static inline uint32_t inner_hi(uint32_t b, uint32_t size)
{
    return page_down(b + size - 4);
}

/* Still holding pages it could give back: it waits on the pending list. */
static inline bool holds_pages(const struct heap *h, uint32_t b)
{
    return !(block_flags(h, b) & RELEASED) || rel_lo(h, b) > inner_lo(b);
}

/* Would this free block give its pages back? Not the top block: trimming
 * looks after that one. */
static inline bool releasable(const struct heap *h, uint32_t b, uint32_t size)
{
    return size >= HEAP_RELEASE_MIN && h->shrink && b + size != end_marker(h);
}

static inline void note_backed(struct heap *h)
{
    uint32_t backed = h->mapped - h->released;
    if (backed > h->peak_backed)
        h->peak_backed = backed;
}

static void unback(struct heap *h, uint32_t lo, uint32_t hi)
{
    if (lo >= hi)
        return;
    h->shrink(h->ctx, h->base + lo, hi - lo);
    h->released += hi - lo;
}

static void pending_unlink(struct heap *h, uint32_t b)
{
    uint32_t n = *pnext_link(h, b), p = *pprev_link(h, b);
    if (n != HEAP_NONE)
        *pprev_link(h, n) = p;
    else
        h->pending_tail = p;
    if (p != HEAP_NONE)
        *pnext_link(h, p) = n;
    else
        h->pending = n;
}

/*
 * The heap is about to hold `bytes` more. When that would be more than it
 * ever held, the large free blocks freed longest ago give pages back first,
 * from their ends (the heap carves blocks from the front), just as many as
 * it takes, or all they have.
 */
static void make_room(struct heap *h, uint32_t bytes)
{
    while (h->pending_tail != HEAP_NONE && h->mapped - h->released + bytes > h->peak_backed) {
        uint32_t b = h->pending_tail, size = block_size(h, b);
        uint32_t lo = inner_lo(b);
        uint32_t top = block_flags(h, b) & RELEASED ? rel_lo(h, b) : inner_hi(b, size);
        uint32_t want = page_up(h->mapped - h->released + bytes - h->peak_backed);
        uint32_t from = top - lo > want ? top - want : lo;
        unback(h, from, top);
        set_flag(h, b, RELEASED, true);
        word(h, b)[6] = from;
        if (from == lo)
            pending_unlink(h, b);
    }
}

/* Backs [lo, hi) again; false when the grow callback refuses. */
static bool back(struct heap *h, uint32_t lo, uint32_t hi)
{
    if (lo >= hi)
        return true;
    make_room(h, hi - lo);
    if (h->grow(h->ctx, h->base + lo, hi - lo) != 0)
        return false;
    h->released -= hi - lo;
    note_backed(h);
    return true;
}

/* ---- size classes ------------------------------------------------------------------- */

static inline int fls32(uint32_t x)    /* index of the highest set bit */
{
    return 31 - __builtin_clz(x);
}

static inline __attribute__((always_inline)) void class_of(uint32_t size, uint32_t *fl, uint32_t *sl)
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

/* Free block b (head, body and footer written) joins its list; a large one
 * that still holds its pages also joins the pending list. */
static inline __attribute__((always_inline)) void insert_free(struct heap *h, uint32_t b, uint32_t size)
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
    if (releasable(h, b, size) && holds_pages(h, b)) {
        *pnext_link(h, b) = h->pending;
        *pprev_link(h, b) = HEAP_NONE;
        if (h->pending != HEAP_NONE)
            *pprev_link(h, h->pending) = b;
        else
            h->pending_tail = b;
        h->pending = b;
    }
}

static inline __attribute__((always_inline)) void remove_free(struct heap *h, uint32_t b, uint32_t size)
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
    if (releasable(h, b, size) && holds_pages(h, b))
        pending_unlink(h, b);
}

static inline bool same_list(uint32_t a, uint32_t b)
{
    uint32_t fa, sa, fb, sb;
    class_of(a, &fa, &sa);
    class_of(b, &fb, &sb);
    return fa == fb && sa == sb;
}

/* Free block nb (of size `size`) takes free block ob's place in their list,
 * which is the same: no bitmap changes, no counting. For blocks that wait
 * on no pending list. */
static inline void relink(struct heap *h, uint32_t ob, uint32_t nb, uint32_t size)
{
    uint32_t next = *next_link(h, ob), prev = *prev_link(h, ob);
    *next_link(h, nb) = next;
    *prev_link(h, nb) = prev;
    if (next != HEAP_NONE)
        *prev_link(h, next) = nb;
    if (prev != HEAP_NONE) {
        *next_link(h, prev) = nb;
    } else {
        uint32_t fl, sl;
        class_of(size, &fl, &sl);
        h->heads[fl][sl] = nb;
    }
}

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
        if (!back(h, lo, rest_released ? rest_lo : inner_hi(f, have))) {
            insert_free(h, f, have);
            return 0;
        }
    }
    if (split) {
        set_free(h, rest, rest_size, PREV_USED | (rest_released ? RELEASED : 0));
        if (rest_released)
            word(h, rest)[6] = rest_lo;
        insert_free(h, rest, rest_size);
        /* the block after rest already says "previous is free" */
        return size;
    }
    set_flag(h, f + have, PREV_USED, true);
    return have;
}

/* Free block b (out of the lists) becomes a used block of `size` bytes or
 * a little more; false when the pages could not be backed. */
static inline __attribute__((always_inline)) bool take_block(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t prev_used = block_flags(h, b) & PREV_USED;
    uint32_t have = carve(h, b, size);
    if (!have)
        return false;
    set_used(h, b, have, USED | prev_used);
    h->busy_bytes += have;
    h->busy_blocks++;
    return true;
}

/* The block size for a request, or 0 when no block can be that big. */
static uint32_t adjust(const struct heap *h, size_t request)
{
    if (request > h->max - HEAP_PAGE || request > HEAP_MAX_REQUEST)
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
    uint32_t need = size - have;
    if (need > h->max - h->mapped)
        return HEAP_NONE;
    uint32_t bytes = page_up(need);
    if (bytes > h->max - h->mapped)
        return HEAP_NONE;
    /* Step up by a fraction of the heap at least, so that a heap growing
     * block by block does not stop for every page (each stop flushes the
     * cache); a step that cannot be had falls back to just what is needed. */
    uint32_t step = page_up(h->mapped / HEAP_GROW_FRACTION);
    if (step > HEAP_GROW_MAX_STEP)
        step = HEAP_GROW_MAX_STEP;
    bool stepped = false;
    if (step > bytes && step <= h->max - h->mapped) {
        make_room(h, step);
        stepped = h->grow(h->ctx, h->base + h->mapped, step) == 0;
        if (stepped)
            bytes = step;
    }
    if (!stepped) {
        make_room(h, bytes);
        if (h->grow(h->ctx, h->base + h->mapped, bytes) != 0)
            return HEAP_NONE;
    }
    uint32_t prev_used;
    if (have) {
        prev_used = block_flags(h, start) & PREV_USED;
        remove_free(h, start, have);            /* the top: never released */
        wipe_header(h, end);                    /* the old end marker is inside it now */
    } else {
        prev_used = block_flags(h, end) & PREV_USED;
    }
    h->mapped += bytes;
    note_backed(h);
    set_free(h, start, end_marker(h) - start, prev_used);
    set_used(h, end_marker(h), END_SIZE, USED);
    return start;
}

/*
 * Free block b (out of the lists) is the top block: gives the pages above
 * it back down to a little slack, and puts what is left in its list. A top
 * made from blocks that had given pages back keeps no slack: none of the
 * pages they gave back are backed again.
 */
static void trim_top(struct heap *h, uint32_t b, uint32_t size, uint32_t flags,
                     uint32_t gone_lo, uint32_t gone_hi, uint32_t gone2_lo, uint32_t gone2_hi)
{
    uint32_t keep = gone_lo < gone_hi ? 0 : page_up(h->mapped / HEAP_GROW_FRACTION);
    if (keep > HEAP_TRIM_AT / 2)
        keep = HEAP_TRIM_AT / 2;
    uint32_t keep_end = page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER + keep);
    if (keep_end >= h->mapped) {
        set_free(h, b, size, flags);
        insert_free(h, b, size);
        return;
    }
    /* [keep_end, mapped) goes; the given-back parts of it are gone already. */
    uint32_t cut = keep_end;
    if (gone_lo < gone_hi) {
        if (gone_lo > cut)
            h->shrink(h->ctx, h->base + cut, gone_lo - cut);
        cut = gone_hi;
        h->released -= gone_hi - gone_lo;
    }
    if (gone2_lo < gone2_hi) {
        if (gone2_lo > cut)
            h->shrink(h->ctx, h->base + cut, gone2_lo - cut);
        cut = gone2_hi;
        h->released -= gone2_hi - gone2_lo;
    }
    if (cut < h->mapped)
        h->shrink(h->ctx, h->base + cut, h->mapped - cut);
    h->mapped = keep_end;
    uint32_t block = end_marker(h) - b;
    set_free(h, b, block, flags & PREV_USED);
    set_used(h, end_marker(h), END_SIZE, USED);
    insert_free(h, b, block);
}

/*
 * [b, b + size) becomes free: its head says whether the block below is used,
 * the rest of it is backed. Merges with free neighbours on both sides, keeps
 * the pages any of them gave back given back (and gives back the pages
 * between them), and trims the top.
 */
static inline __attribute__((always_inline)) void make_free(struct heap *h, uint32_t b, uint32_t size)
{
    uint32_t flags = block_flags(h, b) & PREV_USED;
    uint32_t gone_lo = 0, gone_hi = 0, gone2_lo = 0, gone2_hi = 0;
    uint32_t next = b + size, next_field = field_of(h, next);

    /* The common merges first: with one neighbour whose list does not
     * change, where nothing is given back and nothing trimmed. */
    if (next != end_marker(h) && !(flags & PREV_USED) && (next_field & USED)) {
        uint32_t psize = *word(h, b - 4), prev = b - psize;
        if (!(block_flags(h, prev) & RELEASED) && !releasable(h, prev, psize + size) &&
            same_list(psize, psize + size)) {
            wipe_header(h, b);
            set_free(h, prev, psize + size, block_flags(h, prev));
            h->free_bytes += size;
            set_head(h, next, next_field & ~PREV_USED);
            return;
        }
    }
    if ((flags & PREV_USED) && !(next_field & (USED | RELEASED))) {
        uint32_t nsize = word(h, next)[3];
        bool next_is_top = next + nsize == end_marker(h);
        if (!(next_is_top && h->shrink && size + nsize >= HEAP_TRIM_AT + 2 * HEAP_PAGE) &&
            !releasable(h, b, size + nsize) && same_list(nsize, size + nsize)) {
            relink(h, next, b, size + nsize);
            wipe_header(h, next);               /* may be b's word 6: before set_free */
            set_free(h, b, size + nsize, PREV_USED);
            h->free_bytes += size;
            return;
        }
    }

    if (!(flags & PREV_USED)) {
        uint32_t psize = *word(h, b - 4);
        uint32_t prev = b - psize;
        remove_free(h, prev, psize);
        if (block_flags(h, prev) & RELEASED) {
            gone_lo = rel_lo(h, prev);
            gone_hi = inner_hi(prev, psize);
        }
        wipe_header(h, b);
        flags = block_flags(h, prev) & PREV_USED;
        b = prev;
        size += psize;
    }
    next = b + size;
    if (!(block_flags(h, next) & USED)) {
        uint32_t nsize = block_size(h, next);
        remove_free(h, next, nsize);
        if (block_flags(h, next) & RELEASED) {
            gone2_lo = rel_lo(h, next);
            gone2_hi = inner_hi(next, nsize);
        }
        wipe_header(h, next);
        size += nsize;
    }
    if (gone2_lo < gone2_hi && gone_lo >= gone_hi) {
        gone_lo = gone2_lo;             /* keep the lower range first */
        gone_hi = gone2_hi;
        gone2_lo = gone2_hi = 0;
    }
    set_flag(h, b + size, PREV_USED, false);
    if (b + size == end_marker(h)) {
        if (h->shrink && (gone_lo < gone_hi || size >= HEAP_TRIM_AT + 2 * HEAP_PAGE)) {
            trim_top(h, b, size, flags, gone_lo, gone_hi, gone2_lo, gone2_hi);
            return;
        }
    } else if (gone_lo < gone_hi) {
        /* What was given back stays so, from the lowest page given back to
         * the end: the pages between go too, to keep it one tail. */
        if (gone2_lo < gone2_hi) {
            unback(h, gone_hi, gone2_lo);
            gone_hi = gone2_hi;
        }
        unback(h, gone_hi, inner_hi(b, size));
        set_free(h, b, size, flags | RELEASED);
        word(h, b)[6] = gone_lo;
        insert_free(h, b, size);
        return;
    }
    set_free(h, b, size, flags);
    insert_free(h, b, size);
}

static inline uint32_t cache_class(uint32_t size)
{
    return (size - HEAP_MIN_BLOCK) / HEAP_ALIGN;
}

static inline uint32_t cache_class_size(uint32_t c)
{
    return HEAP_MIN_BLOCK + c * HEAP_ALIGN;
}

/* The most recently cached block of size class c, now an ordinary used
 * block again; HEAP_NONE when that class waits empty. Cached blocks count
 * as busy all along: only the cache's own counts change. */
static inline __attribute__((always_inline)) uint32_t cache_pop(struct heap *h, uint32_t c)
{
    uint32_t b = h->cache_head[c];
    if (b == HEAP_NONE)
        return HEAP_NONE;
    uint32_t *w = word(h, b);
    h->cache_head[c] = w[1];
    h->cache_count[c]--;
    h->cached_blocks--;
    w[0] ^= CACHED << 8;
    return b;
}

/* Used block b of class c waits in the cache; false when that class is full. */
static inline __attribute__((always_inline)) bool cache_push(struct heap *h, uint32_t b,
                                                             uint32_t c)
{
    if (h->cache_count[c] >= h->cache_limit)
        return false;
    uint32_t *w = word(h, b);
    w[0] |= CACHED << 8;                        /* still "used" to its neighbours */
    w[1] = h->cache_head[c];
    h->cache_head[c] = b;
    h->cache_count[c]++;
    h->cached_blocks++;
    return true;
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
    h->pending = h->pending_tail = HEAP_NONE;
    h->base = base;
    h->max = max > UINT32_MAX ? UINT32_MAX & ~(uint32_t)(HEAP_PAGE - 1) : (uint32_t)max;
    h->grow = grow_fn;
    h->shrink = shrink_fn;
    h->report = report;
    h->ctx = ctx;
    if (h->max < HEAP_PAGE || grow_fn(ctx, base, HEAP_PAGE) != 0)
        return -1;
    h->mapped = h->peak_backed = HEAP_PAGE;
    *word(h, 0) = 0;                    /* the word below the first head */
    uint32_t first = HEAP_PAGE - HEAP_FIRST - HEAP_HEADER;
    set_free(h, HEAP_FIRST, first, PREV_USED);
    set_used(h, end_marker(h), END_SIZE, USED);
    insert_free(h, HEAP_FIRST, first);
    return 0;
}

static void report(struct heap *h, enum heap_error e, const void *p, size_t size,
                   const void *caller)
{
    h->errors++;
    if (h->report)
        h->report(h->ctx, e, p, size, caller);
}

/* A free block of `size` bytes or more, out of the lists; HEAP_NONE when
 * even growing cannot give one. */
static void release(struct heap *h, uint32_t b);

/* Up to n cached blocks go back to the free lists, merged, taken size by
 * size from where the last call stopped. */
static void flush_some(struct heap *h, uint32_t n)
{
    uint32_t c = h->flush_next;
    for (uint32_t seen = 0; n && seen < HEAP_CACHE_CLASSES; seen++) {
        uint32_t b;
        while (n && (b = cache_pop(h, c)) != HEAP_NONE) {
            release(h, b);
            n--;
        }
        if (n)
            c = c + 1 == HEAP_CACHE_CLASSES ? 0 : c + 1;
    }
    h->flush_next = c;
}

/* The good-fit search, then a look into the request's own list. */
static inline uint32_t find_fit(struct heap *h, uint32_t size)
{
    uint32_t b = find_free(h, size);
    return b != HEAP_NONE ? b : find_in_own_list(h, size);
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
    if (b == HEAP_NONE)
        return grow(h, size);
    remove_free(h, b, block_size(h, b));
    return b;
}

/* A free block of `size` bytes or more, out of the lists; HEAP_NONE when
 * even growing cannot give one. */
static uint32_t get_free(struct heap *h, uint32_t size)
{
    uint32_t b = find_fit(h, size);
    if (b == HEAP_NONE)
        return flush_or_grow(h, size);
    remove_free(h, b, block_size(h, b));
    return b;
}

/* A cached block of a larger size class than `size`'s, cut down to `size`
 * (the rest goes to the free lists); HEAP_NONE when every larger class of
 * the cache is empty. Cheaper than flushing the whole cache. */
static uint32_t cache_take_larger(struct heap *h, uint32_t size)
{
    for (uint32_t c = cache_class(size) + 1; c < HEAP_CACHE_CLASSES; c++) {
        if (h->cache_head[c] == HEAP_NONE)
            continue;
        uint32_t b = cache_pop(h, c), have = cache_class_size(c);
        if (have - size >= HEAP_MIN_BLOCK) {
            set_used(h, b, size, block_flags(h, b));
            h->busy_bytes -= have - size;
            set_used(h, b + size, 0, PREV_USED);        /* the tail's head, for make_free */
            make_free(h, b + size, have - size);
        }
        return b;
    }
    return HEAP_NONE;
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
        flush_some(h, HEAP_CONSOLIDATE_STEP);
        b = find_fit(h, size);
    }
    if (b == HEAP_NONE && size < HEAP_CACHE_MAX_BLOCK && h->cached_blocks) {
        uint32_t cached = cache_take_larger(h, size);
        if (cached != HEAP_NONE)
            return (void *)(h->base + cached + HEAP_HEADER);
    }
    if (b != HEAP_NONE) {
        uint32_t have = block_size(h, b), flags = block_flags(h, b);
        if (have - size >= HEAP_MIN_BLOCK && !(flags & RELEASED) &&
            !releasable(h, b, have) && same_list(have, have - size)) {
            /* What is left stays in the same list: it takes b's place. */
            set_free(h, b + size, have - size, PREV_USED);
            relink(h, b, b + size, have - size);
            h->free_bytes -= size;
            set_used(h, b, size, USED | (flags & PREV_USED));
            h->busy_bytes += size;
            h->busy_blocks++;
            return (void *)(h->base + b + HEAP_HEADER);
        }
        remove_free(h, b, have);
    } else {
        b = flush_or_grow(h, size);     /* the lists were just searched */
    }
    if (b == HEAP_NONE || !take_block(h, b, size)) {
        report(h, HEAP_ERR_OUT_OF_MEMORY, 0, request, caller);
        return 0;
    }
    return (void *)(h->base + b + HEAP_HEADER);
}

void *heap_alloc(struct heap *h, size_t request, const void *caller)
{
    /* The fast path: a block of just this size waits in the cache. */
    if (request <= HEAP_CACHE_MAX_BLOCK - HEAP_HEADER) {
        uint32_t size = ((uint32_t)request + HEAP_HEADER + HEAP_ALIGN - 1) & ~(uint32_t)(HEAP_ALIGN - 1);
        uint32_t b = cache_pop(h, cache_class(size < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : size));
        if (b != HEAP_NONE)
            return (void *)(h->base + b + HEAP_HEADER);
    }
    return alloc_slow(h, request, caller);
}

/*
 * Rebuilds the head at nb after an overrun from the block below (which is
 * used). The end marker is known by heart. A free neighbour still has its
 * size in its body and in its last word; whether it gave its pages back,
 * the pending list says. A cached neighbour is found in its cache list,
 * whose size class gives its size. A used neighbour keeps its size nowhere
 * else and cannot be rebuilt: then false, and it stays as it is (nothing
 * but freeing it reads its head, and that is refused).
 */
static bool repair_header(struct heap *h, uint32_t nb)
{
    uint32_t end = end_marker(h);
    if (nb == end) {
        set_used(h, nb, END_SIZE, USED | PREV_USED);
        return true;
    }
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++)
        for (uint32_t x = h->cache_head[c]; x != HEAP_NONE; x = *word(h, x + HEAP_HEADER))
            if (x == nb) {
                set_used(h, nb, HEAP_MIN_BLOCK + c * HEAP_ALIGN, USED | CACHED | PREV_USED);
                return true;
            }
    uint32_t size = word(h, nb)[3];
    if (size < HEAP_MIN_BLOCK || size % HEAP_ALIGN || size > end - nb ||
        *word(h, nb + size - 4) != size || !header_ok(h, nb + size) ||
        (block_flags(h, nb + size) & PREV_USED))
        return false;
    uint32_t flags = PREV_USED;
    if (size >= HEAP_RELEASE_MIN && rel_lo(h, nb) < inner_hi(nb, size))
        flags |= RELEASED;                  /* set_free keeps its mark as it is */
    set_free(h, nb, size, flags);
    return true;
}

/* The block a payload pointer belongs to, after checking everything about it
 * that can be checked in constant time; HEAP_NONE after reporting. */
static inline __attribute__((always_inline)) uint32_t block_of(struct heap *h, const void *p, const void *caller)
{
    uintptr_t a = (uintptr_t)p;
    if (a < h->base + HEAP_FIRST + HEAP_HEADER || a >= h->base + h->mapped ||
        (a & (HEAP_ALIGN - 1))) {
        report(h, HEAP_ERR_NOT_HEAP, p, 0, caller);
        return HEAP_NONE;
    }
    uint32_t b = (uint32_t)(a - h->base) - HEAP_HEADER;
    uint32_t size = block_size(h, b);
    if (!header_ok(h, b) || size < HEAP_MIN_BLOCK || size > end_marker(h) - b) {
        /* Not a head we wrote: a pointer into a block, or a damaged head.
         * Telling them apart needs a walk; this is the error path. */
        enum heap_error e = HEAP_ERR_CORRUPT;
        for (uint32_t x = HEAP_FIRST; x < end_marker(h) && header_ok(h, x) && block_size(h, x);
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
    if (!header_ok(h, b + size) || !(block_flags(h, b + size) & PREV_USED)) {
        /* Its end was written past, onto the next block's head. */
        report(h, HEAP_ERR_OVERRUN, p, size - HEAP_HEADER, caller);
        if (!repair_header(h, b + size))
            return HEAP_NONE;   /* a used neighbour: leave both where they are */
    }
    return b;
}

/* Used block b goes back to the free lists, merged with free neighbours. */
static __attribute__((noinline)) void release(struct heap *h, uint32_t b)
{
    uint32_t size = block_size(h, b);
    h->busy_bytes -= size;
    h->busy_blocks--;
    make_free(h, b, size);
}

static __attribute__((noinline)) void free_slow(struct heap *h, void *p, const void *caller)
{
    uint32_t b = block_of(h, p, caller);
    if (b == HEAP_NONE)
        return;
    uint32_t size = block_size(h, b);
    if (size > HEAP_CACHE_MAX_BLOCK || !cache_push(h, b, cache_class(size)))
        release(h, b);
}

void heap_free(struct heap *h, void *p, const void *caller)
{
    /*
     * The fast path makes every check block_of makes, inline: a head we
     * wrote, used and not cached, and an intact head after it. Anything
     * else, NULL included, goes the long way, which reports it.
     */
    uint32_t b = (uint32_t)((uintptr_t)p - h->base) - HEAP_HEADER;
    if (b < h->mapped - HEAP_MIN_BLOCK && b >= HEAP_FIRST && !((uintptr_t)p & (HEAP_ALIGN - 1))) {
        uint32_t w = *word(h, b), f = w >> 8, size = f & ~FLAGS;
        if ((w & 0xFF) == check_of(b, f) && (f & (USED | CACHED)) == USED &&
            size >= HEAP_MIN_BLOCK && size <= end_marker(h) - b) {
            uint32_t nw = *word(h, b + size);
            if ((nw & 0xFF) == check_of(b + size, nw >> 8) && ((nw >> 8) & PREV_USED)) {
                if (size > HEAP_CACHE_MAX_BLOCK || !cache_push(h, b, cache_class(size)))
                    release(h, b);
                return;
            }
        }
    }
    if (p)
        free_slow(h, p, caller);
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
        block_size(h, next) >= size - have) {
        uint32_t nsize = block_size(h, next);
        remove_free(h, next, nsize);
        uint32_t took = carve(h, next, size - have);
        if (took) {
            wipe_header(h, next);
            have += took;
            set_used(h, b, have, block_flags(h, b));
            h->busy_bytes += took;
        }
    }
    if (size <= have) {
        /* Shrink (or fit): give back a tail big enough to be a block. */
        if (have - size >= HEAP_MIN_BLOCK) {
            set_used(h, b, size, block_flags(h, b));
            h->busy_bytes -= have - size;
            set_used(h, b + size, 0, PREV_USED);     /* the tail's head, for make_free */
            make_free(h, b + size, have - size);
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
    uint32_t b = get_free(h, with_gap);
    if (b != HEAP_NONE && (block_flags(h, b) & RELEASED)) {
        /* Rare enough to back all of it rather than work out which part. */
        uint32_t have = block_size(h, b);
        if (back(h, rel_lo(h, b), inner_hi(b, have))) {
            set_free(h, b, have, block_flags(h, b) & PREV_USED);
        } else {
            insert_free(h, b, have);
            b = HEAP_NONE;
        }
    }
    if (b == HEAP_NONE) {
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
        set_free(h, b, gap, flags & PREV_USED);
        insert_free(h, b, gap);
        b += gap;
        set_free(h, b, have - gap, 0);
    }
    take_block(h, b, size);             /* nothing to back: it cannot fail */
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
