/*
 * fuzz_heap_check.c - the fuzz target's checks: each block handed out
 * (where, how big, overlapping nothing, its fill intact), the heap's walk,
 * and the heap's counters against the slots and the callbacks.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_heap.h"

static uint8_t fresh_fill(void)
{
    /* A byte no live block holds (there are fewer slots than bytes). */
    for (;;) {
        uint8_t f = env.next_fill++;
        if (f == 0 || f == JUNK)
            continue;               /* 0 is calloc's, JUNK fresh pages'; keep them apart */
        bool taken = false;
        for (int i = 0; i < SLOTS; i++)
            if (slot[i].p && slot[i].fill == f)
                taken = true;
        if (!taken)
            return f;
    }
}

/* The first of p[0, n) that is not v, or n. */
size_t first_not(const uint8_t *p, size_t n, uint8_t v)
{
    static uint8_t ref[4096];
    if (ref[0] != v)
        memset(ref, v, sizeof ref);
    size_t k = 0;
    for (; k + sizeof ref <= n; k += sizeof ref)
        if (memcmp(p + k, ref, sizeof ref) != 0)
            break;
    while (k < n && p[k] == v)
        k++;
    return k;
}

void verify_fill(int i, size_t n, const char *when)
{
    const uint8_t *p = slot[i].p;
    size_t k = first_not(p, n, slot[i].fill);
    if (k < n)
        fail("%s: slot %d (%p, %zu bytes asked, %zu usable): byte %zu is %#x, not %#x",
             when, i, (void *)p, slot[i].req, slot[i].usable, k, p[k], slot[i].fill);
}

/* A block's head, payload and the next block's head are on pages the heap holds. */
void block_backed(const char *when, const uint8_t *p, size_t usable)
{
    size_t lo = off(p) - HEAP_HEADER, hi = off(p) + usable + HEAP_HEADER;
    for (size_t k = lo / HEAP_PAGE; k <= (hi - 1) / HEAP_PAGE; k++)
        if (!env.page[k])
            fail("%s: the block at +%#zx (%zu bytes) is on page +%#zx, which the heap gave "
                 "back", when, off(p), usable, k * HEAP_PAGE);
}

int slot_at(const uint8_t *p)
{
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].p && slot[k].p == p)
            return k;
    return -1;
}

/* A block just handed out: where it is, its size, its neighbours. */
void take(int i, void *p, size_t req, size_t align, bool fill)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)env.base;
    if (a % HEAP_ALIGN || (align > HEAP_ALIGN && a % align))
        fail("block %p is not aligned to %zu", p, align > HEAP_ALIGN ? align : HEAP_ALIGN);
    if (a < lo + HEAP_FIRST + HEAP_HEADER || a >= lo + heap.mapped)
        fail("block %p (+%#zx) is outside the heap (%#x bytes)", p, (size_t)(a - lo),
             heap.mapped);
    size_t usable = heap_usable_size(&heap, p);
    if (usable + HEAP_HEADER > heap.mapped - (a - lo))
        fail("block %p (+%#zx, %zu bytes) runs into the end marker at +%#x", p,
             (size_t)(a - lo), usable, heap.mapped - HEAP_HEADER);
    /* Its size is the request's, rounded up, and less than a block more. */
    size_t want = block_for(req);
    if (usable % HEAP_ALIGN != HEAP_ALIGN - HEAP_HEADER || usable + HEAP_HEADER < want)
        fail("block %p holds %zu bytes for a request of %zu (a block of %zu)", p, usable,
             req, want);
    if (usable + HEAP_HEADER >= want + HEAP_MIN_BLOCK)
        fail("block %p holds %zu bytes for a request of %zu: a split was missed", p,
             usable, req);
    block_backed("a new block", p, usable);
    for (int k = 0; k < SLOTS; k++) {
        uintptr_t b = (uintptr_t)slot[k].p;
        if (k != i && slot[k].p && a - HEAP_HEADER < b + slot[k].usable &&
            b - HEAP_HEADER < a + usable)
            fail("block %p (%zu bytes) overlaps slot %d at %p (%zu bytes)", p, usable, k,
                 (void *)slot[k].p, slot[k].usable);
    }
    slot[i].p = p;
    slot[i].req = req;
    slot[i].usable = usable;
    slot[i].fill = fresh_fill();
    if (fill)
        memset(p, slot[i].fill, usable);
}

struct walk_state {
    uintptr_t next;         /* where the next block's payload must be */
    unsigned used, other;   /* blocks handed out; free or cached */
    uint32_t largest;       /* the biggest free or cached one */
};

static void walk_fn(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    struct walk_state *w = ctx;
    if (payload != w->next)
        fail("heap_walk: a block at +%#zx, where +%#zx was due", off((void *)payload),
             off((void *)w->next));
    if (size < HEAP_MIN_BLOCK || size % HEAP_ALIGN || off((void *)payload) + size > heap.mapped)
        fail("heap_walk: block +%#zx has an impossible size %u", off((void *)payload), size);
    w->next = payload + size;
    if (used) {
        int k = slot_at((const uint8_t *)payload);
        if (k < 0)
            fail("heap_walk: used block +%#zx is no slot's", off((void *)payload));
        if (size != slot[k].usable + HEAP_HEADER)
            fail("heap_walk: used block +%#zx is %u bytes, slot %d holds %zu",
                 off((void *)payload), size, k, slot[k].usable);
        w->used++;
    } else {
        /* A free block keeps its head, links and size on its first 32
         * bytes and its footer at its end: those pages stay. */
        size_t head = off((void *)payload) - HEAP_HEADER, body = size < 32 ? size : 32;
        if (!env.page[head / HEAP_PAGE] || !env.page[(head + body - 1) / HEAP_PAGE] ||
            !env.page[(head + size - 1) / HEAP_PAGE])
            fail("heap_walk: free block +%#zx (%u bytes) lost the page of its head or footer",
                 off((void *)payload), size);
        if (slot_at((const uint8_t *)payload) >= 0)
            fail("heap_walk: block +%#zx is a slot's, but not used", off((void *)payload));
        w->other++;
        if (size > w->largest)
            w->largest = size;
    }
}

void check_walk(void)
{
    struct walk_state w = { (uintptr_t)env.base + HEAP_FIRST + HEAP_HEADER, 0, 0, 0 };
    heap_walk(&heap, walk_fn, &w);
    if (w.next != (uintptr_t)env.base + heap.mapped)
        fail("heap_walk stops at +%#zx, the end marker is at +%#x",
             off((void *)w.next) - HEAP_HEADER, heap.mapped - HEAP_HEADER);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    if (w.used != s.used_blocks || w.other != s.free_blocks + s.cached_blocks)
        fail("heap_walk saw %u used and %u other blocks, the stats %u used, %u free, %u cached",
             w.used, w.other, s.used_blocks, s.free_blocks, s.cached_blocks);
    /* Cached blocks are small: above that, the biggest block is a free one. */
    if (w.largest > HEAP_CACHE_MAX_BLOCK ? s.largest_free != w.largest
                                         : s.largest_free > w.largest)
        fail("heap_get_stats: largest free %u, heap_walk's largest free or cached %u",
             s.largest_free, w.largest);
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].p)
            block_backed("a sweep", slot[k].p, slot[k].usable);
}

void check_all(const char *after)
{
    const char *why = "?";
    if (!heap_check(&heap, &why))
        fail("heap_check after %s: %s", after, why);
    if (heap.errors != env.reports)
        fail("after %s: the heap counts %u errors, the report callback saw %u", after,
             heap.errors, env.reports);

    /* The memory held. */
    if (heap.mapped % HEAP_PAGE || heap.mapped < HEAP_PAGE || heap.mapped > RESERVE ||
        heap.released > heap.mapped)
        fail("after %s: mapped %u, released %u", after, heap.mapped, heap.released);
    if (env.backed != heap.mapped - heap.released)
        fail("after %s: the heap holds %u - %u bytes, the callbacks %zu", after, heap.mapped,
             heap.released, env.backed);
    if (heap.peak_backed != env.peak || env.backed > env.peak)
        fail("after %s: peak_backed %u, the callbacks' peak %zu, held %zu", after,
             heap.peak_backed, env.peak, env.backed);
    if (memchr(env.page + heap.mapped / HEAP_PAGE, 1, PAGES - heap.mapped / HEAP_PAGE))
        fail("after %s: pages at or above the end (+%#x) are still backed", after, heap.mapped);
    if (env.no_shrink && (heap.released || heap.pending != HEAP_NONE || env.shrinks ||
                          heap.mapped < env.mapped))
        fail("after %s: without a shrink callback, %u bytes are given back, the heap went "
             "from %zu to %u bytes", after, heap.released, env.mapped, heap.mapped);
    env.mapped = heap.mapped;

    /* The counters against the slots. */
    unsigned live = 0;
    size_t used = 0;
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].p) {
            live++;
            used += slot[k].usable + HEAP_HEADER;
        }
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    if (s.used_blocks != live || s.used != used)
        fail("after %s: the heap counts %u used blocks of %u bytes, the slots %u of %zu",
             after, s.used_blocks, s.used, live, used);
    if (s.used_blocks + s.cached_blocks != heap.busy_blocks ||
        s.used + s.cached != heap.busy_bytes || s.cached_blocks != heap.cached_blocks ||
        s.free != heap.free_bytes || s.free_blocks != heap.free_blocks ||
        s.mapped != heap.mapped || s.backed != env.backed || s.peak_backed != heap.peak_backed)
        fail("after %s: heap_get_stats disagrees with the heap", after);
    if (heap.busy_bytes + heap.free_bytes != heap.mapped - HEAP_FIRST - HEAP_HEADER)
        fail("after %s: %u busy and %u free bytes, for a heap of %u", after, heap.busy_bytes,
             heap.free_bytes, heap.mapped);
    if (s.cached < s.cached_blocks * HEAP_MIN_BLOCK ||
        s.cached > s.cached_blocks * HEAP_CACHE_MAX_BLOCK ||
        (heap.cache_limit == 0 && s.cached_blocks))
        fail("after %s: %u cached blocks of %u bytes (%u a size)", after, s.cached_blocks,
             s.cached, heap.cache_limit);
    if (s.largest_free > s.free || !s.largest_free != !s.free_blocks)
        fail("after %s: the largest free block is %u bytes of %u free in %u blocks", after,
             s.largest_free, s.free, s.free_blocks);
}
