/*
 * heap.h - a segregated-fit allocator with boundary tags, in the spirit of
 * TLSF: allocation and free take a bounded number of steps, whatever the
 * number of blocks.
 *
 * The heap is one contiguous range [base, base + max) of which the first
 * `mapped` bytes are backed; it grows (and gives whole pages back at the
 * top) through two callbacks, the way brk moves a process's heap. The core
 * is plain C: the kernel backs it with frames, the host tests with mmap.
 *
 * Block layout (all offsets 32-bit, so a block costs the same everywhere):
 *
 *   used:  [ size|flags | check ][ payload ...                   ]
 *   free:  [ size|flags | check ][ next | prev ] ... [ size ]
 *
 * The 8-byte header holds the block's size (a multiple of 8) with two flag
 * bits - this block is used, the block before it is used - and a check word
 * derived from the header and the block's offset. A write past a block's
 * end lands on the next header and breaks its check word: free and
 * heap_check find it. Free blocks keep a footer with their size so that a
 * block being freed can find a free neighbour below it. A third flag marks
 * small blocks that wait in the cache (see HEAP_CACHE_CLASSES).
 */
#ifndef HEAP_H
#define HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN          8           /* every payload is 8-byte aligned */
#define HEAP_HEADER         8           /* bytes of overhead in a used block */
#define HEAP_MIN_BLOCK      24          /* header, two links, footer, rounded */
#define HEAP_SL_LOG2        4           /* 16 lists per power of two */
#define HEAP_SL_COUNT       (1 << HEAP_SL_LOG2)
#define HEAP_SMALL          (1 << (HEAP_SL_LOG2 + 3))  /* below: lists 8 bytes apart */
#define HEAP_FL_COUNT       26          /* classes up to 2^32 */
#define HEAP_NONE           0xFFFFFFFFu
#define HEAP_TRIM_AT        (64 * 1024) /* a free top this big gives pages back */
#define HEAP_PAGE           4096
/* The small-block cache: freed blocks of 24..264 bytes wait, unmerged, in a
 * LIFO per size, to be handed out again at once (like glibc's tcache). */
#define HEAP_CACHE_CLASSES  31
#define HEAP_CACHE_MAX_BLOCK (HEAP_MIN_BLOCK + HEAP_ALIGN * (HEAP_CACHE_CLASSES - 1))
#define HEAP_CACHE_DEFAULT  32          /* blocks kept per size when it is on */

enum heap_error {
    HEAP_ERR_TOO_LARGE,         /* a request the heap can never satisfy */
    HEAP_ERR_OUT_OF_MEMORY,     /* the grow callback refused */
    HEAP_ERR_NOT_HEAP,          /* a pointer outside the heap, or misaligned */
    HEAP_ERR_INSIDE_BLOCK,      /* a pointer into the middle of a block */
    HEAP_ERR_DOUBLE_FREE,       /* the block is already free */
    HEAP_ERR_OVERRUN,           /* the next block's header was overwritten */
    HEAP_ERR_CORRUPT,           /* a header that no allocation wrote */
    HEAP_ERR_BAD_ALIGN,         /* an alignment that is not a power of two */
};

struct heap;

/* Back [addr, addr + bytes) with memory; 0 on success. */
typedef int (*heap_grow_fn)(void *ctx, uintptr_t addr, size_t bytes);
/* [addr, addr + bytes) is no longer needed. */
typedef void (*heap_shrink_fn)(void *ctx, uintptr_t addr, size_t bytes);
/* A misuse or a failure: what, the pointer or size involved, and who asked. */
typedef void (*heap_report_fn)(void *ctx, enum heap_error e, const void *ptr,
                               size_t size, const void *caller);

struct heap {
    uintptr_t base;
    uint32_t mapped;                /* bytes backed, from base */
    uint32_t max;                   /* bytes reserved, from base */
    uint32_t peak_mapped;
    uint32_t fl_bitmap;             /* bit f: some list of class f is not empty */
    uint32_t sl_bitmap[HEAP_FL_COUNT];
    uint32_t heads[HEAP_FL_COUNT][HEAP_SL_COUNT];  /* offsets of list heads */
    uint32_t used_bytes, used_blocks;              /* including headers */
    uint32_t free_bytes, free_blocks;
    uint32_t errors;                /* misuses reported so far */
    uint32_t cache_head[HEAP_CACHE_CLASSES];    /* offsets; HEAP_NONE: empty */
    uint32_t cache_count[HEAP_CACHE_CLASSES];
    uint32_t cache_limit;           /* blocks per size; 0: no cache */
    uint32_t cached_bytes, cached_blocks;
    heap_grow_fn grow;
    heap_shrink_fn shrink;
    heap_report_fn report;
    void *ctx;
};

struct heap_stats {
    uint32_t mapped, peak_mapped, used, free, largest_free;
    uint32_t used_blocks, free_blocks;
};

/* Sets up an empty heap over [base, base + max) and backs its first page.
 * Returns 0, or -1 when that first page cannot be had. */
int heap_init(struct heap *h, uintptr_t base, size_t max, heap_grow_fn grow,
              heap_shrink_fn shrink, heap_report_fn report, void *ctx);
/* size 0 gives a unique smallest block (it must be freed like any other). */
void *heap_alloc(struct heap *h, size_t size, const void *caller);
/* NULL does nothing; a pointer the heap did not hand out is reported, ignored. */
void heap_free(struct heap *h, void *p, const void *caller);
/* NULL p: heap_alloc. size 0: frees p and returns NULL. On failure p stays. */
void *heap_realloc(struct heap *h, void *p, size_t size, const void *caller);
void *heap_calloc(struct heap *h, size_t n, size_t size, const void *caller);
/* align: a power of two; 16 and 4096 are the usual ones. */
void *heap_alloc_aligned(struct heap *h, size_t align, size_t size,
                         const void *caller);
/* Turns the small-block cache on (blocks kept per size) or off (0). Off
 * after heap_init. Cached blocks count neither as used nor as free. */
void heap_set_cache(struct heap *h, unsigned per_size);
/* Gives every cached block back to the free lists, merged. */
void heap_flush_cache(struct heap *h);
/* The payload bytes a block handed out can hold (>= what was asked). */
size_t heap_usable_size(const struct heap *h, const void *p);

/* Walks every block and every free list; true when all invariants hold.
 * On failure, why is set (when not NULL) to a short explanation. */
bool heap_check(const struct heap *h, const char **why);
void heap_get_stats(const struct heap *h, struct heap_stats *s);
/* Calls fn for every block in address order (the monitor's heap walk). */
void heap_walk(const struct heap *h,
               void (*fn)(void *ctx, uintptr_t payload, uint32_t size, bool used),
               void *ctx);
const char *heap_error_text(enum heap_error e);

#endif
