/*
 * gc.h - a garbage-collected heap: gc_alloc, and nothing to free by hand.
 *
 * A tri-colour mark and sweep, stop-the-world and conservative, after the
 * collector the guide mentions. Objects are white (not reached yet), grey
 * (reached, their insides not yet scanned: on the worklist) or black
 * (reached and scanned). Marking starts from the roots the caller names and
 * treats every aligned word that points into a managed object - anywhere
 * inside it, not only at its start - as a reference. What is still white
 * after marking is swept back to the arena's free lists.
 *
 * The arena is a heap.h heap of its own; two bitmaps, one bit per 8-byte
 * granule, say where objects start and which are marked. Pure C: the host
 * tests drive it with a simulated root set.
 */
#ifndef GC_H
#define GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"

#define GC_GRANULE      8
#define GC_GOGC_DEFAULT 100     /* collect when the heap has grown by 100% */
#define GC_MIN_TRIGGER  (64 * 1024)

struct gc;
/* Marks from [lo, hi): call gc_scan_range for each root range. */
typedef void (*gc_roots_fn)(struct gc *g, void *ctx);

struct gc_stats {
    unsigned cycle;             /* collections so far */
    unsigned marked, freed;     /* objects, in the last collection */
    size_t freed_bytes, live_bytes;
    unsigned objects;           /* managed objects now */
};

struct gc {
    struct heap heap;
    uint32_t *starts;           /* bit per granule: an object starts here */
    uint32_t *marks;            /* bit per granule: that object is marked */
    uint32_t granules;
    uintptr_t *grey;            /* the worklist of grey objects */
    unsigned grey_cap, grey_top;
    bool overflowed;            /* the worklist ran over: rescan needed */
    unsigned gogc;              /* 0: never collect by itself */
    size_t live_after_last;     /* live bytes after the last collection */
    size_t allocated_since;     /* bytes allocated since then */
    gc_roots_fn roots;
    void *roots_ctx;
    struct gc_stats stats;
};

/*
 * Sets up a managed arena over [base, base + max). starts and marks must each
 * hold max / GC_GRANULE bits, zeroed; grey holds grey_cap entries.
 */
int gc_init(struct gc *g, uintptr_t base, size_t max, heap_grow_fn grow,
            heap_shrink_fn shrink, uint32_t *starts, uint32_t *marks, uintptr_t *grey,
            unsigned grey_cap, gc_roots_fn roots, void *roots_ctx);
/* Zeroed memory, NULL when even a collection cannot make room. May collect first. */
void *gc_alloc(struct gc *g, size_t size);
/* A full stop-the-world collection. */
void gc_collect(struct gc *g);
/* For the roots callback: every aligned word in [lo, hi) is a possible pointer. */
void gc_scan_range(struct gc *g, const void *lo, const void *hi);
/* The start of the managed object holding p (interior pointers too), or NULL. */
void *gc_object_of(const struct gc *g, const void *p);
size_t gc_object_size(const struct gc *g, const void *obj);
bool gc_is_live_object(const struct gc *g, const void *obj);

#endif
