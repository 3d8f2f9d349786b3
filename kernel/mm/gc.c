/*
 * gc.c - tri-colour mark and sweep over a heap.h arena (see gc.h).
 */
#include "mm/gc.h"

#include "lib/string.h"

static inline uint32_t granule_of(const struct gc *g, uintptr_t a)
{
    return (uint32_t)((a - g->heap.base) / GC_GRANULE);
}

static inline bool bit(const uint32_t *map, uint32_t i)
{
    return map[i / 32] & (1u << (i % 32));
}

static inline void set_bit(uint32_t *map, uint32_t i)
{
    map[i / 32] |= 1u << (i % 32);
}

static inline void clear_bit(uint32_t *map, uint32_t i)
{
    map[i / 32] &= ~(1u << (i % 32));
}

int gc_init(struct gc *g, uintptr_t base, size_t max, heap_grow_fn grow,
            heap_shrink_fn shrink, uint32_t *starts, uint32_t *marks, uintptr_t *grey,
            unsigned grey_cap, gc_roots_fn roots, void *roots_ctx)
{
    memset(g, 0, sizeof *g);
    g->starts = starts;
    g->marks = marks;
    g->granules = (uint32_t)(max / GC_GRANULE);
    g->grey = grey;
    g->grey_cap = grey_cap;
    g->gogc = GC_GOGC_DEFAULT;
    g->roots = roots;
    g->roots_ctx = roots_ctx;
    return heap_init(&g->heap, base, max, grow, shrink, 0, 0);
}

void *gc_object_of(const struct gc *g, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a < g->heap.base + HEAP_HEADER || a >= g->heap.base + g->heap.mapped)
        return 0;
    /* Back to the nearest object start at or below a, a word at a time. */
    uint32_t i = granule_of(g, a);
    uint32_t w = i / 32;
    uint32_t bits = g->starts[w] & (0xFFFFFFFFu >> (31 - i % 32));
    while (!bits) {
        if (w == 0)
            return 0;
        bits = g->starts[--w];
    }
    uint32_t start_granule = w * 32 + (uint32_t)(31 - __builtin_clz(bits));
    uintptr_t obj = g->heap.base + (uintptr_t)start_granule * GC_GRANULE;
    return a < obj + heap_usable_size(&g->heap, (void *)obj) ? (void *)obj : 0;
}

size_t gc_object_size(const struct gc *g, const void *obj)
{
    return heap_usable_size(&g->heap, obj);
}

bool gc_is_live_object(const struct gc *g, const void *obj)
{
    uintptr_t a = (uintptr_t)obj;
    return a >= g->heap.base && a < g->heap.base + g->heap.mapped &&
           bit(g->starts, granule_of(g, a));
}

/* White to grey: mark it and put it on the worklist. */
static void shade(struct gc *g, uintptr_t obj)
{
    uint32_t i = granule_of(g, obj);
    if (bit(g->marks, i))
        return;                         /* grey or black already */
    set_bit(g->marks, i);
    g->stats.marked++;
    if (g->grey_top < g->grey_cap)
        g->grey[g->grey_top++] = obj;
    else
        g->overflowed = true;           /* marked but unscanned: found by a rescan */
}

void gc_scan_range(struct gc *g, const void *lo, const void *hi)
{
    uintptr_t a = ((uintptr_t)lo + sizeof(uintptr_t) - 1) & ~(uintptr_t)(sizeof(uintptr_t) - 1);
    for (; a + sizeof(uintptr_t) <= (uintptr_t)hi; a += sizeof(uintptr_t)) {
        void *obj = gc_object_of(g, (const void *)*(const uintptr_t *)a);
        if (obj)
            shade(g, (uintptr_t)obj);
    }
}

/* Grey to black: scan an object's words. */
static void drain(struct gc *g)
{
    for (;;) {
        while (g->grey_top) {
            uintptr_t obj = g->grey[--g->grey_top];
            gc_scan_range(g, (const void *)obj,
                          (const void *)(obj + heap_usable_size(&g->heap, (void *)obj)));
        }
        if (!g->overflowed)
            return;
        /* The worklist overflowed: rescan every marked object once more. Marked
         * objects are never unmarked during marking, so this terminates. */
        g->overflowed = false;
        for (uint32_t i = 0; i < g->granules; i++)
            if (bit(g->marks, i)) {
                uintptr_t obj = g->heap.base + (uintptr_t)i * GC_GRANULE;
                gc_scan_range(g, (const void *)obj,
                              (const void *)(obj + heap_usable_size(&g->heap, (void *)obj)));
            }
    }
}

void gc_collect(struct gc *g)
{
    g->stats.marked = g->stats.freed = 0;
    g->stats.freed_bytes = 0;
    g->grey_top = 0;
    g->overflowed = false;
    if (g->roots)
        g->roots(g, g->roots_ctx);
    drain(g);

    /* Sweep: what is still white goes back; black turns white again. */
    size_t live = 0;
    unsigned objects = 0;
    uint32_t words = (granule_of(g, g->heap.base + g->heap.mapped) + 31) / 32;
    for (uint32_t w = 0; w < words; w++) {
        uint32_t bits = g->starts[w];
        while (bits) {
            uint32_t i = w * 32 + (uint32_t)__builtin_ctz(bits);
            bits &= bits - 1;
            void *obj = (void *)(g->heap.base + (uintptr_t)i * GC_GRANULE);
            size_t size = heap_usable_size(&g->heap, obj);
            if (bit(g->marks, i)) {
                clear_bit(g->marks, i);
                live += size;
                objects++;
            } else {
                clear_bit(g->starts, i);
                g->stats.freed++;
                g->stats.freed_bytes += size;
                heap_free(&g->heap, obj, 0);
            }
        }
    }
    g->stats.cycle++;
    g->stats.live_bytes = live;
    g->stats.objects = objects;
    g->live_after_last = live;
    g->allocated_since = 0;
}

void *gc_alloc(struct gc *g, size_t size)
{
    /* live * gogc / 100, saturating: on a 32-bit size_t the product of a few
     * MiB and a large GOGC would wrap and make collections far too frequent. */
    size_t per_cent = g->live_after_last / 100 + 1;
    size_t trigger = per_cent > (size_t)-1 / (g->gogc ? g->gogc : 1)
                         ? (size_t)-1 : per_cent * g->gogc;
    if (trigger < GC_MIN_TRIGGER)
        trigger = GC_MIN_TRIGGER;
    if (g->gogc && g->allocated_since + size > trigger)
        gc_collect(g);
    void *p = heap_alloc(&g->heap, size ? size : 1, 0);
    if (!p) {
        gc_collect(g);                  /* make room, then try once more */
        p = heap_alloc(&g->heap, size ? size : 1, 0);
        if (!p)
            return 0;
    }
    size_t usable = heap_usable_size(&g->heap, p);
    memset(p, 0, usable);               /* no stale pointers keep garbage alive */
    set_bit(g->starts, granule_of(g, (uintptr_t)p));
    g->allocated_since += usable;
    g->stats.objects++;
    return p;
}
