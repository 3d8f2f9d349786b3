/*
 * fuzz_heap.h - what the parts of the heap's libFuzzer target share: the
 * reservation and the slots, the callbacks' bookkeeping (env), the checks
 * and the operations. fuzz_heap.c says what the target does as a whole.
 */
#ifndef FUZZ_HEAP_H
#define FUZZ_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"

#define RESERVE     (8u * 1024 * 1024)
#define PAGES       (RESERVE / HEAP_PAGE)
#define SLOTS       48
#define JUNK        0xCB    /* what a freshly backed page holds */

/* The biggest request that is not too large: the reservation less a page. */
#define LIMIT       (RESERVE - HEAP_PAGE < HEAP_MAX_REQUEST ? RESERVE - HEAP_PAGE \
                                                     : HEAP_MAX_REQUEST)

struct slot {
    uint8_t *p;             /* NULL: empty */
    size_t req;             /* bytes asked for */
    size_t usable;          /* heap_usable_size when it was handed out */
    uint8_t fill;           /* the byte the whole usable size holds */
};

struct fuzz_env {
    uint8_t *base;          /* the reservation */
    uint8_t page[PAGES];    /* 1: the heap holds this page */
    size_t backed;          /* bytes the heap holds */
    size_t peak;            /* the most it ever held */
    size_t mapped;          /* heap.mapped at the last check */
    unsigned refuse;        /* grow calls still to refuse; ~0u: all */
    size_t refuse_above;    /* refuse grow calls for more bytes than this; 0: none */
    unsigned refused;       /* grow calls refused so far */
    bool last_refused;      /* the last grow call was refused, and not a mere step */
    unsigned grows, shrinks;    /* calls so far */
    bool no_shrink;         /* the heap runs without a shrink callback */
    const char *op;         /* what runs now */
    bool may_grow;          /* the current operation may call grow */
    bool may_shrink;        /* ... and shrink */
    size_t need;            /* the biggest block it may need; 0: none */
    uint32_t expect;        /* errors the current operation may report */
    unsigned reports;
    enum heap_error last;   /* the last report */
    const void *last_ptr;
    size_t last_size;
    uint8_t next_fill;      /* where fresh_fill looks first */
    bool stale_frees;       /* double-free blocks whose head was given back too */
};

extern struct fuzz_env env;
extern struct heap heap;
extern struct slot slot[SLOTS];
extern const char who[1];   /* the caller every call names */

void fail(const char *what, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define BIT(e) (1u << (e))

static inline size_t off(const void *p)
{
    return (size_t)((uintptr_t)p - (uintptr_t)env.base);
}

static inline size_t page_up(size_t x)
{
    return (x + HEAP_PAGE - 1) & ~(size_t)(HEAP_PAGE - 1);
}

/* The block size a request of `req` bytes gets: a 4-byte head, rounded to 8. */
static inline size_t block_for(size_t req)
{
    size_t b = (req + HEAP_HEADER + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    return b < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : b;
}

/* The input, read a byte at a time (fuzz_heap.c). */
struct input {
    const uint8_t *p;
    size_t n;
};

unsigned byte(struct input *in);

/* The heap's environment: its callbacks, and what they allow (fuzz_heap_env.c). */
int grow_cb(void *ctx, uintptr_t addr, size_t bytes);
void shrink_cb(void *ctx, uintptr_t addr, size_t bytes);
void report_cb(void *ctx, enum heap_error e, const void *p, size_t size, const void *caller);
void expect(const char *op, uint32_t errors, size_t need, bool shrink);

/* Checking (fuzz_heap_check.c). */
size_t first_not(const uint8_t *p, size_t n, uint8_t v);
void verify_fill(int i, size_t n, const char *when);
void block_backed(const char *when, const uint8_t *p, size_t usable);
int slot_at(const uint8_t *p);
void take(int i, void *p, size_t req, size_t align, bool fill);
void check_walk(void);
void check_all(const char *after);

/* The operations (fuzz_heap_ops.c). */
void free_slot(int i);
void op_alloc(int i, size_t size);
void op_calloc(int i, size_t n, size_t size);
void op_aligned(int i, size_t align, size_t size);
void op_realloc(int i, size_t size);
bool op_overrun(int i);
void op_misuse(struct input *in, const uint8_t *last_freed);

#endif
