/*
 * heap_block.h - the heap's insides, shared by kernel/mm/heap*.c and by no
 * one else: how a block is laid out (its head, the words of a free block,
 * the pages inside a large one), the size classes and the free lists, the
 * small-block cache's lists, and the functions the heap's files call in
 * one another. The list operations are inline because every allocation
 * and every free runs through them.
 *
 * The files: heap.c sets the heap up and allocates, heap_free.c frees and
 * merges, heap_cache.c merges cached blocks back, heap_pages.c backs pages
 * and gives them back, heap_check.c checks, walks and counts.
 */
#ifndef HEAP_BLOCK_H
#define HEAP_BLOCK_H

#include "mm/heap.h"

/* ---- a block's head ---------------------------------------------------------------- */

#define USED        0x1u    /* this block is handed out */
#define PREV_USED   0x2u    /* the block just below is handed out (no footer) */
#define CACHED      0x4u    /* with USED: freed, waiting in the small-block cache */
#define RELEASED    0x4u    /* without USED: some pages inside were given back */
#define FLAGS       0x7u
#define END_SIZE    0u      /* the end marker: a used block of size 0 */

/* The head's low byte is a check of the rest of it and of the block's offset. */
#define CHECK_BITS  8
#define CHECK_MASK  ((1u << CHECK_BITS) - 1)
#define CHECK_SEED  0x5EA7A11Cu
#define CHECK_MIX   0x9E3779B1u     /* 2^32 / the golden ratio: every bit reaches the top byte */

/* ---- a free block's words, counted from its head ------------------------------------ */

#define W_NEXT      1       /* its free list's links */
#define W_PREV      2
#define W_SIZE      3       /* its size (its head holds none) */
#define W_PNEXT     4       /* a large one's pending-list links */
#define W_PPREV     5
#define W_REL_LO    6       /* a large one's first page given back (see rel_lo) */
#define W_CACHE_NEXT 1      /* a cached (used) block's next in its cache list */
#define FOOTER      4       /* bytes: a free block's last word holds its size again */
#define BODY        32      /* the pages a free block can give back start this far in */

_Static_assert((W_REL_LO + 1) * 4 <= BODY, "a free block's words lie below its pages");
_Static_assert((W_SIZE + 1) * 4 + FOOTER <= HEAP_MIN_BLOCK, "the smallest block holds them");

/* ---- raw access by offset ----------------------------------------------------------- */

static inline uint32_t *word(const struct heap *h, uint32_t off)
{
    return (uint32_t *)(h->base + off);
}

static inline void *payload_of(const struct heap *h, uint32_t b)
{
    return (void *)(h->base + b + HEAP_HEADER);
}

/* The block whose payload p would be (p may be anything: check before use). */
static inline uint32_t block_at(const struct heap *h, const void *p)
{
    return (uint32_t)((uintptr_t)p - h->base) - HEAP_HEADER;
}

/* The head: bits 8..31 hold size | flags (size 0 in a free block's head),
 * bits 0..7 a check of them and of the block's offset. The cached flag is
 * left out of the check, so that the cache can flip it with one xor: an
 * overrun reaches it only through the check byte, which comes first. */
static inline uint32_t check_of(uint32_t b, uint32_t field)
{
    return ((b ^ (field & ~CACHED) ^ CHECK_SEED) * CHECK_MIX) >> (32 - CHECK_BITS);
}

static inline uint32_t field_of(const struct heap *h, uint32_t b)
{
    return *word(h, b) >> CHECK_BITS;
}

static inline uint32_t block_flags(const struct heap *h, uint32_t b)
{
    return field_of(h, b) & FLAGS;
}

/* A used block's size, from its head (a free block's head holds none). */
static inline uint32_t used_size(const struct heap *h, uint32_t b)
{
    return field_of(h, b) & ~FLAGS;
}

static inline uint32_t block_size(const struct heap *h, uint32_t b)
{
    return block_flags(h, b) & USED ? used_size(h, b) : word(h, b)[W_SIZE];
}

static inline void set_head(struct heap *h, uint32_t b, uint32_t field)
{
    *word(h, b) = field << CHECK_BITS | check_of(b, field);
}

static inline bool header_ok(const struct heap *h, uint32_t b)
{
    uint32_t w = *word(h, b);
    return (w & CHECK_MASK) == check_of(b, w >> CHECK_BITS);
}

/* Handed out: used and not waiting in the cache. */
static inline bool handed_out(uint32_t flags)
{
    return (flags & (USED | CACHED)) == USED;
}

/* The head at nb, just above a used block, is intact and says so: nothing
 * wrote past the end of the block below. */
static inline bool end_intact(const struct heap *h, uint32_t nb)
{
    return header_ok(h, nb) && (block_flags(h, nb) & PREV_USED);
}

/* A used (or cached, or end-marker) block's head. */
static inline void set_used(struct heap *h, uint32_t b, uint32_t size, uint32_t flags)
{
    set_head(h, b, size | flags);
}

static inline uint32_t inner_hi(uint32_t b, uint32_t size);

/* A large free block gave back the pages from here to inner_hi: always a
 * tail of the pages inside it, since the heap carves blocks from the front.
 * Without RELEASED it holds inner_hi: nothing given back. */
static inline uint32_t rel_lo(const struct heap *h, uint32_t b)
{
    return word(h, b)[W_REL_LO];
}

static inline void set_rel_lo(struct heap *h, uint32_t b, uint32_t lo)
{
    word(h, b)[W_REL_LO] = lo;
}

/* A free block: head, size in the body and in the last word. A large one
 * also says where the pages it gave back start: nowhere yet, unless flags
 * has RELEASED (then the caller sets it with set_rel_lo, or it stays). */
static inline void set_free(struct heap *h, uint32_t b, uint32_t size, uint32_t flags)
{
    set_head(h, b, flags & (PREV_USED | RELEASED));
    word(h, b)[W_SIZE] = size;
    *word(h, b + size - FOOTER) = size;
    if (size >= HEAP_RELEASE_MIN && !(flags & RELEASED))
        set_rel_lo(h, b, inner_hi(b, size));
}

/* The size of the free block that ends at b, from its footer. */
static inline uint32_t size_below(const struct heap *h, uint32_t b)
{
    return *word(h, b - FOOTER);
}

/* A head that can never pass header_ok: for blocks swallowed by a merge,
 * so that a stale pointer to one is never taken for a live block. */
static inline void wipe_header(struct heap *h, uint32_t b)
{
    *word(h, b) = check_of(b, 0) ^ CHECK_MASK;
}

static inline void set_flag(struct heap *h, uint32_t b, uint32_t flag, bool on)
{
    uint32_t f = field_of(h, b);
    set_head(h, b, on ? f | flag : f & ~flag);
}

/* Free blocks: links after the head; large ones also a pending-list link. */
static inline uint32_t *next_link(const struct heap *h, uint32_t b)
{
    return &word(h, b)[W_NEXT];
}

static inline uint32_t *prev_link(const struct heap *h, uint32_t b)
{
    return &word(h, b)[W_PREV];
}

static inline uint32_t *pnext_link(const struct heap *h, uint32_t b)
{
    return &word(h, b)[W_PNEXT];
}

static inline uint32_t *pprev_link(const struct heap *h, uint32_t b)
{
    return &word(h, b)[W_PPREV];
}

static inline uint32_t end_marker(const struct heap *h)
{
    return h->mapped - HEAP_HEADER;
}

/* A size a block at b could have: at least the smallest, and no further
 * than the end marker. */
static inline bool size_fits(const struct heap *h, uint32_t b, uint32_t size)
{
    return size >= HEAP_MIN_BLOCK && size <= end_marker(h) - b;
}

/* A new end marker, above a free top block. */
static inline void set_end_marker(struct heap *h)
{
    set_used(h, end_marker(h), END_SIZE, USED);
}

/* Walking the blocks up from HEAP_FIRST: b is one to look at, below the end
 * marker and with a head that passes its check (a walk stops at one that
 * does not; heap_check says what is wrong). */
static inline bool walk_ok(const struct heap *h, uint32_t b)
{
    return b < end_marker(h) && header_ok(h, b) && block_size(h, b);
}

/* ---- the pages inside large free blocks ---------------------------------------------- */

static inline uint32_t page_up(uint32_t x)
{
    return (x + HEAP_PAGE - 1) & ~(uint32_t)(HEAP_PAGE - 1);
}

static inline uint32_t page_down(uint32_t x)
{
    return x & ~(uint32_t)(HEAP_PAGE - 1);
}

/* The whole pages a free block [b, b + size) can give back: past its words
 * and short of its footer. Not empty for any block of HEAP_RELEASE_MIN. */
static inline uint32_t inner_lo(uint32_t b)
{
    return page_up(b + BODY);
}

static inline uint32_t inner_hi(uint32_t b, uint32_t size)
{
    return page_down(b + size - FOOTER);
}

/* A range of pages, [lo, hi); empty when lo >= hi. */
struct span {
    uint32_t lo, hi;
};

static inline bool span_empty(struct span s)
{
    return s.lo >= s.hi;
}

/* The pages free block b (of `size` bytes) has given back; empty for none. */
static inline struct span given_back(const struct heap *h, uint32_t b, uint32_t size)
{
    if (!(block_flags(h, b) & RELEASED))
        return (struct span){ 0, 0 };
    return (struct span){ rel_lo(h, b), inner_hi(b, size) };
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

/* The pending list: large free blocks that still hold pages, the newest at
 * its head; make_room takes pages from its tail, the oldest. */
static inline void pending_push(struct heap *h, uint32_t b)
{
    *pnext_link(h, b) = h->pending;
    *pprev_link(h, b) = HEAP_NONE;
    if (h->pending != HEAP_NONE)
        *pprev_link(h, h->pending) = b;
    else
        h->pending_tail = b;
    h->pending = b;
}

static inline void pending_unlink(struct heap *h, uint32_t b)
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

/* ---- size classes and the free lists ------------------------------------------------- */

static inline int fls32(uint32_t x)    /* index of the highest set bit */
{
    return 31 - __builtin_clz(x);
}

/* Free blocks sit in one of HEAP_FL_COUNT x HEAP_SL_COUNT lists by size:
 * the first level is the power of two, the second splits it in
 * HEAP_SL_COUNT; below HEAP_SMALL the lists are HEAP_ALIGN bytes apart. */
static inline __attribute__((always_inline)) void class_of(uint32_t size, uint32_t *fl, uint32_t *sl)
{
    if (size < HEAP_SMALL) {
        *fl = 0;
        *sl = size / (HEAP_SMALL / HEAP_SL_COUNT);
    } else {
        int f = fls32(size);
        *sl = (size >> (f - HEAP_SL_LOG2)) & (HEAP_SL_COUNT - 1);
        *fl = (uint32_t)(f - HEAP_SMALL_LOG2 + 1);
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
    if (releasable(h, b, size) && holds_pages(h, b))
        pending_push(h, b);
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

/* ---- the small-block cache's lists --------------------------------------------------- */

/* One class per block size from HEAP_MIN_BLOCK to HEAP_CACHE_MAX_BLOCK. */
static inline uint32_t cache_class(uint32_t size)
{
    return (size - HEAP_MIN_BLOCK) / HEAP_ALIGN;
}

static inline uint32_t cache_class_size(uint32_t c)
{
    return HEAP_MIN_BLOCK + c * HEAP_ALIGN;
}

/* The block after cached block b in its class's list, or HEAP_NONE. */
static inline uint32_t *cache_next(const struct heap *h, uint32_t b)
{
    return &word(h, b)[W_CACHE_NEXT];
}

/* The most recently cached block of size class c, now an ordinary used
 * block again; HEAP_NONE when that class waits empty. Cached blocks count
 * as busy all along: only the cache's own counts change. */
static inline __attribute__((always_inline)) uint32_t cache_pop(struct heap *h, uint32_t c)
{
    uint32_t b = h->cache_head[c];
    if (b == HEAP_NONE)
        return HEAP_NONE;
    h->cache_head[c] = *cache_next(h, b);
    h->cache_count[c]--;
    h->cached_blocks--;
    *word(h, b) ^= CACHED << CHECK_BITS;
    return b;
}

/* Used block b of class c waits in the cache; false when that class is full. */
static inline __attribute__((always_inline)) bool cache_push(struct heap *h, uint32_t b,
                                                             uint32_t c)
{
    if (h->cache_count[c] >= h->cache_limit)
        return false;
    *word(h, b) |= CACHED << CHECK_BITS;        /* still "used" to its neighbours */
    *cache_next(h, b) = h->cache_head[c];
    h->cache_head[c] = b;
    h->cache_count[c]++;
    h->cached_blocks++;
    return true;
}

/* A misuse or a failure: counted, and passed on to the report callback. */
static inline void report(struct heap *h, enum heap_error e, const void *p, size_t size,
                          const void *caller)
{
    h->errors++;
    if (h->report)
        h->report(h->ctx, e, p, size, caller);
}

/* ---- between the heap's files -------------------------------------------------------- */

/* heap_pages.c: backing and giving back pages, growing and trimming. */
void heap_unback(struct heap *h, uint32_t lo, uint32_t hi);
bool heap_back(struct heap *h, uint32_t lo, uint32_t hi);
uint32_t heap_grow_top(struct heap *h, uint32_t size);
void heap_trim_top(struct heap *h, uint32_t b, uint32_t size, uint32_t flags,
                   const struct span gone[2]);
/* heap_free.c: freeing and merging. */
uint32_t heap_block_of(struct heap *h, const void *p, const void *caller);
void heap_release(struct heap *h, uint32_t b);
void heap_free_tail(struct heap *h, uint32_t b, uint32_t have, uint32_t size);
/* heap_cache.c: merging cached blocks back. */
void heap_flush_some(struct heap *h, uint32_t n);
uint32_t heap_cache_take_larger(struct heap *h, uint32_t size);

#endif
