/*
 * heap_free.c - giving blocks back: heap_free with its checks (a pointer
 * the heap handed out, not freed twice, its end not written past - and the
 * head an overrun broke, rebuilt where it can be), and the merge of a freed
 * block with its free neighbours through the boundary tags, which keeps
 * the pages they gave back given back and trims a free top.
 */
#include "mm/heap_block.h"

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
            heap_trim_top(h, b, size, flags, gone_lo, gone_hi, gone2_lo, gone2_hi);
            return;
        }
    } else if (gone_lo < gone_hi) {
        /* What was given back stays so, from the lowest page given back to
         * the end: the pages between go too, to keep it one tail. */
        if (gone2_lo < gone2_hi) {
            heap_unback(h, gone_hi, gone2_lo);
            gone_hi = gone2_hi;
        }
        heap_unback(h, gone_hi, inner_hi(b, size));
        set_free(h, b, size, flags | RELEASED);
        word(h, b)[6] = gone_lo;
        insert_free(h, b, size);
        return;
    }
    set_free(h, b, size, flags);
    insert_free(h, b, size);
}

/* make_free for the other files (inline here, where every free runs it). */
void heap_make_free(struct heap *h, uint32_t b, uint32_t size)
{
    make_free(h, b, size);
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
uint32_t heap_block_of(struct heap *h, const void *p, const void *caller)
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
__attribute__((noinline)) void heap_release(struct heap *h, uint32_t b)
{
    uint32_t size = block_size(h, b);
    h->busy_bytes -= size;
    h->busy_blocks--;
    make_free(h, b, size);
}

static __attribute__((noinline)) void free_slow(struct heap *h, void *p, const void *caller)
{
    uint32_t b = heap_block_of(h, p, caller);
    if (b == HEAP_NONE)
        return;
    uint32_t size = block_size(h, b);
    if (size > HEAP_CACHE_MAX_BLOCK || !cache_push(h, b, cache_class(size)))
        heap_release(h, b);
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
                    heap_release(h, b);
                return;
            }
        }
    }
    if (p)
        free_slow(h, p, caller);
}
