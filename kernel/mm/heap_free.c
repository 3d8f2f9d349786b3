/*
 * heap_free.c - giving blocks back: heap_free with its checks (a pointer
 * the heap handed out, not freed twice, its end not written past - and the
 * head an overrun broke, rebuilt where it can be), and the merge of a freed
 * block with its free neighbours through the boundary tags, which keeps
 * the pages they gave back given back and trims a free top.
 */
#include "mm/heap_block.h"

/* A free top this big is trimmed (down to a little slack). */
#define TRIM_TOP_MIN    (HEAP_TRIM_AT + 2 * HEAP_PAGE)

/*
 * The common merges of [b, b + size), about to be free: with one free
 * neighbour, when the merged block stays in that neighbour's list and
 * nothing is given back or trimmed. True when it is done; false, with
 * nothing changed, when make_free has to do it the long way.
 */
static inline __attribute__((always_inline)) bool merge_in_list(struct heap *h, uint32_t b,
                                                                uint32_t size)
{
    uint32_t flags = block_flags(h, b) & PREV_USED;
    uint32_t next = b + size, next_field = field_of(h, next);
    if (next != end_marker(h) && !(flags & PREV_USED) && (next_field & USED)) {
        uint32_t psize = size_below(h, b), prev = b - psize;
        if (!(block_flags(h, prev) & RELEASED) && !releasable(h, prev, psize + size) &&
            same_list(psize, psize + size)) {
            wipe_header(h, b);
            set_free(h, prev, psize + size, block_flags(h, prev));
            h->free_bytes += size;
            set_head(h, next, next_field & ~PREV_USED);
            return true;
        }
    }
    if ((flags & PREV_USED) && !(next_field & (USED | RELEASED))) {
        uint32_t nsize = word(h, next)[W_SIZE];
        bool next_is_top = next + nsize == end_marker(h);
        if (!(next_is_top && h->shrink && size + nsize >= TRIM_TOP_MIN) &&
            !releasable(h, b, size + nsize) && same_list(nsize, size + nsize)) {
            relink(h, next, b, size + nsize);
            wipe_header(h, next);       /* may be b's W_REL_LO: before set_free */
            set_free(h, b, size + nsize, PREV_USED);
            h->free_bytes += size;
            return true;
        }
    }
    return false;
}

/*
 * Free block [b, b + size) (out of the lists, not the top) was merged from
 * blocks that had given back the pages in gone, the lower range first. What
 * was given back stays so, from the lowest page given back to the end: the
 * pages between go too, to keep it one tail.
 */
static void keep_given_back(struct heap *h, uint32_t b, uint32_t size, uint32_t flags,
                            const struct span gone[2])
{
    uint32_t hi = gone[0].hi;
    if (!span_empty(gone[1])) {
        heap_unback(h, hi, gone[1].lo);
        hi = gone[1].hi;
    }
    heap_unback(h, hi, inner_hi(b, size));
    set_free(h, b, size, flags | RELEASED);
    set_rel_lo(h, b, gone[0].lo);
    insert_free(h, b, size);
}

/*
 * [b, b + size) becomes free: its head says whether the block below is used,
 * the rest of it is backed. Merges with free neighbours on both sides, keeps
 * the pages any of them gave back given back (and gives back the pages
 * between them), and trims the top.
 */
static inline __attribute__((always_inline)) void make_free(struct heap *h, uint32_t b, uint32_t size)
{
    if (merge_in_list(h, b, size))
        return;
    uint32_t flags = block_flags(h, b) & PREV_USED;
    struct span gone[2] = { { 0, 0 }, { 0, 0 } };  /* by the blocks below and above */
    if (!(flags & PREV_USED)) {
        uint32_t psize = size_below(h, b);
        uint32_t prev = b - psize;
        remove_free(h, prev, psize);
        gone[0] = given_back(h, prev, psize);
        wipe_header(h, b);
        flags = block_flags(h, prev) & PREV_USED;
        b = prev;
        size += psize;
    }
    uint32_t next = b + size;
    if (!(block_flags(h, next) & USED)) {
        uint32_t nsize = block_size(h, next);
        remove_free(h, next, nsize);
        gone[1] = given_back(h, next, nsize);
        wipe_header(h, next);
        size += nsize;
    }
    if (span_empty(gone[0])) {
        gone[0] = gone[1];              /* keep the lower range first */
        gone[1] = (struct span){ 0, 0 };
    }
    set_flag(h, b + size, PREV_USED, false);
    if (b + size == end_marker(h)) {
        if (h->shrink && (!span_empty(gone[0]) || size >= TRIM_TOP_MIN)) {
            heap_trim_top(h, b, size, flags, gone);
            return;
        }
    } else if (!span_empty(gone[0])) {
        keep_given_back(h, b, size, flags, gone);
        return;
    }
    set_free(h, b, size, flags);
    insert_free(h, b, size);
}

/* Used block b, of `have` bytes, keeps the first `size` of them; the rest
 * is freed (and merged) when it is big enough to be a block of its own. */
void heap_free_tail(struct heap *h, uint32_t b, uint32_t have, uint32_t size)
{
    if (have - size < HEAP_MIN_BLOCK)
        return;
    set_used(h, b, size, block_flags(h, b));
    h->busy_bytes -= have - size;
    set_used(h, b + size, 0, PREV_USED);        /* the tail's head, for make_free */
    make_free(h, b + size, have - size);
}

/*
 * Rebuilds the head at nb after an overrun from the block below (which is
 * used). The end marker is known by heart. A free neighbour still has its
 * size in its body and in its last word; whether it gave its pages back,
 * its given-back mark says. A cached neighbour is found in its cache list,
 * whose size class gives its size. A used neighbour keeps its size nowhere
 * else and cannot be rebuilt: then false, and it stays as it is (nothing
 * but freeing it reads its head, and that is refused).
 */
static bool repair_header(struct heap *h, uint32_t nb)
{
    if (nb == end_marker(h)) {
        set_used(h, nb, END_SIZE, USED | PREV_USED);
        return true;
    }
    for (uint32_t c = 0; c < HEAP_CACHE_CLASSES; c++)
        for (uint32_t x = h->cache_head[c]; x != HEAP_NONE; x = *cache_next(h, x))
            if (x == nb) {
                set_used(h, nb, cache_class_size(c), USED | CACHED | PREV_USED);
                return true;
            }
    uint32_t size = word(h, nb)[W_SIZE];
    if (!size_fits(h, nb, size) || size % HEAP_ALIGN || size_below(h, nb + size) != size ||
        !header_ok(h, nb + size) || (block_flags(h, nb + size) & PREV_USED))
        return false;
    uint32_t flags = PREV_USED;
    if (size >= HEAP_RELEASE_MIN && rel_lo(h, nb) < inner_hi(nb, size))
        flags |= RELEASED;                  /* set_free keeps its mark as it is */
    set_free(h, nb, size, flags);
    return true;
}

/* What a pointer to b's payload is when b holds no head the heap wrote: a
 * pointer into a block, or a damaged head. Telling them apart needs a
 * walk; this is the error path. */
static enum heap_error not_a_block(const struct heap *h, uint32_t b)
{
    enum heap_error e = HEAP_ERR_CORRUPT;
    for (uint32_t x = HEAP_FIRST; walk_ok(h, x); x += block_size(h, x))
        if (x < b + HEAP_HEADER && b + HEAP_HEADER < x + block_size(h, x))
            /* Inside a free block: freed before, then merged away. */
            e = block_flags(h, x) & USED ? HEAP_ERR_INSIDE_BLOCK : HEAP_ERR_DOUBLE_FREE;
    return e;
}

/* The block a payload pointer belongs to, after checking everything about it
 * that can be checked in constant time; HEAP_NONE after reporting. */
uint32_t heap_block_of(struct heap *h, const void *p, const void *caller)
{
    uintptr_t a = (uintptr_t)p;
    if (a < h->base + HEAP_FIRST + HEAP_HEADER || a >= h->base + h->mapped ||
        (a & (HEAP_ALIGN - 1))) {
        report(h, HEAP_ERR_NOT_HEAP, p, 0, caller);
        return HEAP_NONE;
    }
    uint32_t b = block_at(h, p);
    uint32_t size = block_size(h, b);
    if (!header_ok(h, b) || !size_fits(h, b, size)) {
        report(h, not_a_block(h, b), p, 0, caller);
        return HEAP_NONE;
    }
    if (!handed_out(block_flags(h, b))) {
        report(h, HEAP_ERR_DOUBLE_FREE, p, size, caller);
        return HEAP_NONE;
    }
    if (!end_intact(h, b + size)) {
        /* Its end was written past, onto the next block's head. */
        report(h, HEAP_ERR_OVERRUN, p, size - HEAP_HEADER, caller);
        if (!repair_header(h, b + size))
            return HEAP_NONE;   /* a used neighbour: leave both where they are */
    }
    return b;
}

/* Used block b goes back to the free lists, merged with free neighbours. */
__attribute__((noinline)) void heap_release(struct heap *h, uint32_t b)
{
    uint32_t size = block_size(h, b);
    h->busy_bytes -= size;
    h->busy_blocks--;
    make_free(h, b, size);
}

/* Used block b (of `size` bytes) waits in the cache, or goes back to the
 * free lists when it is too big for the cache or its class is full. */
static inline __attribute__((always_inline)) void put_back(struct heap *h, uint32_t b,
                                                           uint32_t size)
{
    if (size > HEAP_CACHE_MAX_BLOCK || !cache_push(h, b, cache_class(size)))
        heap_release(h, b);
}

static __attribute__((noinline)) void free_slow(struct heap *h, void *p, const void *caller)
{
    uint32_t b = heap_block_of(h, p, caller);
    if (b != HEAP_NONE)
        put_back(h, b, block_size(h, b));
}

void heap_free(struct heap *h, void *p, const void *caller)
{
    /*
     * The fast path makes every check heap_block_of makes, inline: a head
     * we wrote, handed out, of a size that fits, and an intact head after
     * it. Anything else, NULL included, goes the long way, which reports it.
     */
    uint32_t b = block_at(h, p);
    if (b < h->mapped - HEAP_MIN_BLOCK && b >= HEAP_FIRST && !((uintptr_t)p & (HEAP_ALIGN - 1))) {
        uint32_t size = used_size(h, b);        /* what it is worth once the head passes */
        if (header_ok(h, b) && handed_out(block_flags(h, b)) && size_fits(h, b, size) &&
            end_intact(h, b + size)) {
            put_back(h, b, size);
            return;
        }
    }
    if (p)
        free_slow(h, p, caller);
}
