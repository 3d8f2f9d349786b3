/*
 * heap_pages.c - the memory the heap holds: extending its end (grow),
 * giving back the pages above a large free top (trim), and the pages inside
 * large free blocks, given back lazily - only when the heap is about to
 * hold more than it ever has - and backed again when a block is carved
 * from them. These are the only steps whose cost grows with the number of
 * pages; the rest of the heap takes a bounded number of steps.
 */
#include "mm/heap_block.h"

/* The most slack a trimmed top keeps (a fraction of the heap, up to this). */
#define TRIM_SLACK_MAX  (HEAP_TRIM_AT / 2)

static inline void note_backed(struct heap *h)
{
    uint32_t backed = h->mapped - h->released;
    if (backed > h->peak_backed)
        h->peak_backed = backed;
}

/* Gives [lo, hi) back, when it is not empty; it counts as released. */
void heap_unback(struct heap *h, uint32_t lo, uint32_t hi)
{
    if (lo >= hi)
        return;
    h->shrink(h->ctx, h->base + lo, hi - lo);
    h->released += hi - lo;
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
        heap_unback(h, from, top);
        set_flag(h, b, RELEASED, true);
        set_rel_lo(h, b, from);
        if (from == lo)
            pending_unlink(h, b);
    }
}

/* The grow callback backs [off, off + bytes), after make_room; false when
 * it refuses. */
static bool take_pages(struct heap *h, uint32_t off, uint32_t bytes)
{
    make_room(h, bytes);
    return h->grow(h->ctx, h->base + off, bytes) == 0;
}

/* Backs [lo, hi) again; false when the grow callback refuses. */
bool heap_back(struct heap *h, uint32_t lo, uint32_t hi)
{
    if (lo >= hi)
        return true;
    if (!take_pages(h, lo, hi - lo))
        return false;
    h->released -= hi - lo;
    note_backed(h);
    return true;
}

/*
 * Backs `bytes` (whole pages) more above the heap's end, or a step of a
 * fraction of the heap when that is more, so that a heap growing block by
 * block does not stop for every page (each stop flushes the cache). A step
 * that cannot be had falls back to just what is needed. Returns the bytes
 * backed; 0 when the grow callback refused. The end does not move yet.
 */
static uint32_t extend(struct heap *h, uint32_t bytes)
{
    uint32_t step = page_up(h->mapped / HEAP_GROW_FRACTION);
    if (step > HEAP_GROW_MAX_STEP)
        step = HEAP_GROW_MAX_STEP;
    if (step > bytes && step <= h->max - h->mapped && take_pages(h, h->mapped, step))
        return step;
    return take_pages(h, h->mapped, bytes) ? bytes : 0;
}

/*
 * Maps more pages at the top so that a free block of at least `size` bytes
 * ends there; returns that block, out of the lists, or HEAP_NONE.
 */
uint32_t heap_grow_top(struct heap *h, uint32_t size)
{
    uint32_t end = end_marker(h);
    uint32_t start = end, have = 0;
    if (!(block_flags(h, end) & PREV_USED)) {
        have = size_below(h, end);              /* the top block is free: extend it */
        start = end - have;
        if (have >= size) {
            /* Big enough already (find_free's rounding passed it over). */
            remove_free(h, start, have);
            return start;
        }
    }
    uint32_t need = size - have;
    if (need > h->max - h->mapped || page_up(need) > h->max - h->mapped)
        return HEAP_NONE;
    uint32_t bytes = extend(h, page_up(need));
    if (!bytes)
        return HEAP_NONE;
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
    set_end_marker(h);
    return start;
}

/* Trimming from `cut` up, past pages [gone.lo, gone.hi) that were given back
 * already: gives back what lies below them and counts them as no longer
 * released. Returns where the cut goes on. */
static uint32_t trim_past(struct heap *h, uint32_t cut, struct span gone)
{
    if (gone.lo >= gone.hi)
        return cut;
    if (gone.lo > cut)
        h->shrink(h->ctx, h->base + cut, gone.lo - cut);
    h->released -= gone.hi - gone.lo;
    return gone.hi;
}

/*
 * Free block b (out of the lists) is the top block: gives the pages above
 * it back down to a little slack, and puts what is left in its list. gone
 * holds the pages the blocks merged into it had given back, the lower range
 * first (either may be empty). A top made from blocks that had given pages
 * back keeps no slack: none of the pages they gave back are backed again.
 */
void heap_trim_top(struct heap *h, uint32_t b, uint32_t size, uint32_t flags,
                   const struct span gone[2])
{
    uint32_t keep = gone[0].lo < gone[0].hi ? 0 : page_up(h->mapped / HEAP_GROW_FRACTION);
    if (keep > TRIM_SLACK_MAX)
        keep = TRIM_SLACK_MAX;
    /* The smallest free block, then the end marker, then the slack. */
    uint32_t keep_end = page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER + keep);
    if (keep_end >= h->mapped) {
        set_free(h, b, size, flags);
        insert_free(h, b, size);
        return;
    }
    /* [keep_end, mapped) goes; the given-back parts of it are gone already. */
    uint32_t cut = trim_past(h, keep_end, gone[0]);
    cut = trim_past(h, cut, gone[1]);
    if (cut < h->mapped)
        h->shrink(h->ctx, h->base + cut, h->mapped - cut);
    h->mapped = keep_end;
    uint32_t block = end_marker(h) - b;
    set_free(h, b, block, flags & PREV_USED);
    set_end_marker(h);
    insert_free(h, b, block);
}
