/*
 * heap.h - a segregated-fit allocator with boundary tags, in the spirit of
 * TLSF: allocation and free take a bounded number of steps, whatever the
 * number of blocks.
 *
 * The heap is one contiguous range [base, base + max) of which the first
 * `mapped` bytes are in use, the way brk delimits a process's heap. It
 * backs pages through two callbacks: `grow` when the heap extends its end
 * (or needs a page it gave back earlier), `shrink` when whole pages are no
 * longer needed - at the top, and inside large free blocks. The code
 * (kernel/mm/heap.c and its parts, heap_*.c, whose shared insides are in
 * heap_block.h) is plain C: the kernel backs it with frames, the host tests
 * with mmap.
 *
 * Block layout (32-bit offsets, so a block costs the same everywhere; every
 * block starts 4 bytes before an 8-byte boundary):
 *
 *   used:  [ head ][ payload ...                                           ]
 *   free:  [ head ][ next | prev | size ][ pnext | pprev | rel_lo ] ... [ size ]
 *
 * (pnext, pprev and rel_lo only in free blocks of HEAP_RELEASE_MIN and up:
 * their place on the pending list, and the first page they gave back).
 *
 * The 4-byte head holds, above an 8-bit check, the block's size (a multiple
 * of 8, below 16 MiB) and three flags: this block is used, the block before
 * it is used, and a third one (cached, for used blocks; released, for free
 * ones). A free block keeps its size in its body instead, and again in its
 * last word, where the block above it can find it: a used block has no
 * footer, so its payload runs right up to the next head and a used block
 * costs 4 bytes. A write past a block's end lands on the next head and
 * breaks its check byte: free and heap_check find it (a one-byte overrun
 * always, wider ones with probability 255/256).
 *
 * Large free blocks (HEAP_RELEASE_MIN and up) give the whole pages inside
 * them back, lazily: only when the heap is about to hold more memory than
 * it ever has (to grow, or to back such pages again) do the blocks that
 * were freed longest ago give theirs back, as many as it takes. So the
 * peak of the memory the heap holds is as low as if every large free block
 * gave its pages back at once (but for an aligned allocation from such a
 * block, which backs all of it again), and pages that are about to be used
 * again mostly stay where they are.
 */
#ifndef HEAP_H
#define HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN          8           /* every payload is 8-byte aligned */
#define HEAP_HEADER         4           /* bytes of overhead in a used block */
#define HEAP_FIRST          4           /* offset of the first block's head */
#define HEAP_MIN_BLOCK      24          /* head, two links, size, footer, rounded */
#define HEAP_MAX_BLOCK      ((1u << 24) - 8)    /* the largest used block */
#define HEAP_MAX_REQUEST    (HEAP_MAX_BLOCK - HEAP_MIN_BLOCK)   /* bigger: refused */
#define HEAP_RELEASE_MIN    (16 * 1024) /* free blocks this big give pages back */
#define HEAP_GROW_FRACTION  64          /* grow by mapped / this at least; trim keeps it */
#define HEAP_GROW_MAX_STEP  (64 * 1024) /* but never step more than this */
#define HEAP_SL_LOG2        4           /* 16 lists per power of two */
#define HEAP_SL_COUNT       (1 << HEAP_SL_LOG2)
#define HEAP_SMALL_LOG2     (HEAP_SL_LOG2 + 3)  /* below HEAP_SMALL, lists 2^3 bytes apart */
#define HEAP_SMALL          (1 << HEAP_SMALL_LOG2)
#define HEAP_FL_COUNT       26          /* classes up to 2^32 */
#define HEAP_NONE           0xFFFFFFFFu
#define HEAP_TRIM_AT        (64 * 1024) /* a free top this big gives pages back */
#define HEAP_PAGE           4096
/* The small-block cache: freed blocks of 24..512 bytes wait, unmerged, in
 * a LIFO per size, to be handed out again at once (like glibc's tcache and
 * fast bins), and are merged back a few at a time when the free lists
 * would otherwise have to cut up a much bigger block. */
#define HEAP_CACHE_CLASSES  62
#define HEAP_CACHE_MAX_BLOCK (HEAP_MIN_BLOCK + HEAP_ALIGN * (HEAP_CACHE_CLASSES - 1))
#define HEAP_CACHE_DEFAULT  4096        /* blocks kept per size when it is on */
/* An allocation about to cut a block HEAP_CONSOLIDATE_RATIO times its size
 * or more first merges HEAP_CONSOLIDATE_STEP cached blocks, when more than
 * HEAP_CONSOLIDATE_MIN wait in the cache; growing first merges them all. */
#define HEAP_CONSOLIDATE_RATIO 8
#define HEAP_CONSOLIDATE_MIN   64
#define HEAP_CONSOLIDATE_STEP  64

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
/* [addr, addr + bytes) is no longer needed. The heap never writes there
 * again before backing it, but it may read it: a stale pointer (a double
 * free) is checked by reading the head in front of it, which may lie on a
 * page given back. So those pages must stay readable (zeroes will do): the
 * kernel maps a shared read-only frame of zeroes there. */
typedef void (*heap_shrink_fn)(void *ctx, uintptr_t addr, size_t bytes);
/* A misuse or a failure: what, the pointer or size involved, and who asked. */
typedef void (*heap_report_fn)(void *ctx, enum heap_error e, const void *ptr,
                               size_t size, const void *caller);

struct heap {
    uintptr_t base;
    uint32_t mapped;                /* bytes in use, from base: the heap's end */
    uint32_t max;                   /* bytes reserved, from base */
    uint32_t released;              /* bytes below mapped given back (inside free blocks) */
    uint32_t peak_backed;           /* the most mapped - released ever was */
    uint32_t pending, pending_tail; /* large free blocks still holding their pages */
    uint32_t fl_bitmap;             /* bit f: some list of class f is not empty */
    uint32_t sl_bitmap[HEAP_FL_COUNT];
    uint32_t heads[HEAP_FL_COUNT][HEAP_SL_COUNT];  /* offsets of list heads */
    uint32_t busy_bytes, busy_blocks;   /* used or cached blocks, heads included */
    uint32_t free_bytes, free_blocks;
    uint32_t errors;                /* misuses reported so far */
    uint32_t cache_head[HEAP_CACHE_CLASSES];    /* offsets; HEAP_NONE: empty */
    uint32_t cache_count[HEAP_CACHE_CLASSES];
    uint32_t cache_limit;           /* blocks per size; 0: no cache */
    uint32_t flush_next;            /* the size the next partial merge starts at */
    uint32_t cached_blocks;
    heap_grow_fn grow;
    heap_shrink_fn shrink;
    heap_report_fn report;
    void *ctx;
};

struct heap_stats {
    uint32_t mapped, backed, peak_backed, used, free, cached, largest_free;
    uint32_t used_blocks, free_blocks, cached_blocks;
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
/* Calls fn for every block in address order, up to the end or to a damaged
 * head (kheap_walk_print lists the kernel heap's blocks with it). used is
 * false for free blocks and for blocks waiting in the cache. */
void heap_walk(const struct heap *h,
               void (*fn)(void *ctx, uintptr_t payload, uint32_t size, bool used),
               void *ctx);
/* True when the block whose payload heap_walk reported at `payload` is
 * free but waiting, unmerged, in the small-block cache. */
bool heap_is_cached(const struct heap *h, uintptr_t payload);
const char *heap_error_text(enum heap_error e);

#endif
