/*
 * fuzz_heap.c - a libFuzzer target for kernel/heap.c.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude tests/fuzz/fuzz_heap.c kernel/heap.c
 *
 * The input bytes are read as a program of heap operations on 48 slots:
 * allocate, free, realloc, calloc, aligned allocation (good and bad
 * alignments), sizes from zero to past the heap's end, a grow callback that
 * can be told to refuse, and a few misuses the heap promises to report and
 * ignore (misaligned and foreign pointers, freeing what was just freed).
 *
 * The heap lives in an 8 MiB reservation, so running out of memory is
 * common. Its pages are made accessible only as the heap grows and are
 * taken away again (PROT_NONE) when it shrinks: touching anything it does
 * not hold crashes at once.
 *
 * After every operation:
 *  - heap_check must pass;
 *  - every block handed out is 8-byte aligned (or as asked), lies inside
 *    the mapped heap, can hold what was asked (heap_usable_size), and
 *    overlaps no other live block;
 *  - each block is filled over its whole usable size with a byte no other
 *    live block uses; the fill is verified before the block is freed or
 *    resized and after a resize, so any overlap or stray write shows;
 *  - the heap reports exactly the errors the operation should cause, and
 *    its counters match the slots.
 * At the end everything is freed: no block may be left used, and the
 * free top must have been given back down to less than HEAP_TRIM_AT.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heap.h"

#define RESERVE     (8u * 1024 * 1024)
#define SLOTS       48

struct slot {
    uint8_t *p;             /* NULL: empty */
    size_t req;             /* bytes asked for */
    size_t usable;          /* heap_usable_size when it was handed out */
    uint8_t fill;           /* the byte the whole usable size holds */
};

static struct {
    uint8_t *base;          /* the reservation */
    size_t mapped;          /* what the callbacks made accessible */
    unsigned refuse;        /* grow calls still to refuse; ~0u: all */
    unsigned refused;       /* grow calls refused so far */
    bool no_shrink;         /* the heap runs without a shrink callback */
    uint32_t expect;        /* errors the current operation may report */
    unsigned reports;
    enum heap_error last;
} env;

static struct heap heap;
static struct slot slot[SLOTS];

static void fail(const char *what, ...) __attribute__((noreturn, format(printf, 1, 2)));

#include <stdarg.h>
static void fail(const char *what, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_heap: ");
    va_start(ap, what);
    vfprintf(stderr, what, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

#define BIT(e) (1u << (e))

/* ---- the heap's environment ------------------------------------------------ */

static int grow_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    if (addr != (uintptr_t)env.base + env.mapped)
        fail("grow at +%#zx, but the heap ends at +%#zx",
             (size_t)(addr - (uintptr_t)env.base), env.mapped);
    if (bytes == 0 || bytes % HEAP_PAGE || env.mapped + bytes > RESERVE)
        fail("grow by %zu bytes from %zu (of %u)", bytes, env.mapped, RESERVE);
    if (env.refuse) {
        if (env.refuse != ~0u)
            env.refuse--;
        env.refused++;
        return -1;
    }
    if (mprotect(env.base + env.mapped, bytes, PROT_READ | PROT_WRITE) != 0)
        fail("mprotect failed");
    env.mapped += bytes;
    return 0;
}

static void shrink_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    if (bytes == 0 || bytes % HEAP_PAGE || bytes >= env.mapped ||
        addr + bytes != (uintptr_t)env.base + env.mapped)
        fail("shrink [+%#zx, +%zu) of a heap mapped to +%#zx",
             (size_t)(addr - (uintptr_t)env.base), bytes, env.mapped);
    env.mapped -= bytes;
    madvise(env.base + env.mapped, bytes, MADV_DONTNEED);
    if (mprotect(env.base + env.mapped, bytes, PROT_NONE) != 0)
        fail("mprotect failed");
}

static void report_cb(void *ctx, enum heap_error e, const void *p, size_t size,
                      const void *caller)
{
    (void)ctx;
    (void)caller;
    if ((unsigned)e >= 32 || !(env.expect & BIT(e)))
        fail("unexpected report: %s (%p, %zu)", heap_error_text(e), p, size);
    env.reports++;
    env.last = e;
}

/* ---- checking ---------------------------------------------------------------- */

static uint8_t fresh_fill(void)
{
    /* A byte no live block holds (there are fewer slots than bytes). */
    static uint8_t next = 1;
    for (;;) {
        uint8_t f = next++;
        if (f == 0)
            continue;               /* 0 is calloc's; keep it apart */
        bool taken = false;
        for (int i = 0; i < SLOTS; i++)
            if (slot[i].p && slot[i].fill == f)
                taken = true;
        if (!taken)
            return f;
    }
}

/* The first of p[0, n) that is not v, or n. */
static size_t first_not(const uint8_t *p, size_t n, uint8_t v)
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

static void verify_fill(int i, size_t n, const char *when)
{
    const uint8_t *p = slot[i].p;
    size_t k = first_not(p, n, slot[i].fill);
    if (k < n)
        fail("%s: slot %d (%p, %zu bytes asked, %zu usable): byte %zu is %#x, not %#x",
             when, i, (void *)p, slot[i].req, slot[i].usable, k, p[k], slot[i].fill);
}

/* A block just handed out: where it is, its size, its neighbours. */
static void take(int i, void *p, size_t req, size_t align, bool fill)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)env.base;
    if (a % HEAP_ALIGN || (align > HEAP_ALIGN && a % align))
        fail("block %p is not aligned to %zu", p, align > HEAP_ALIGN ? align : HEAP_ALIGN);
    size_t usable = heap_usable_size(&heap, p);
    if (usable < req)
        fail("block %p holds %zu bytes, %zu were asked", p, usable, req);
    if (usable > req + HEAP_ALIGN + HEAP_MIN_BLOCK)
        fail("block %p holds %zu bytes for a request of %zu: a split was missed", p,
             usable, req);
    if (a < lo + HEAP_HEADER || a + usable > lo + env.mapped)
        fail("block %p (+%#zx, %zu bytes) is outside the mapped heap (%#zx bytes)", p,
             (size_t)(a - lo), usable, env.mapped);
    for (int k = 0; k < SLOTS; k++) {
        uintptr_t b = (uintptr_t)slot[k].p;
        if (k != i && slot[k].p && a < b + slot[k].usable && b < a + usable)
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
    uintptr_t last;
    unsigned used;
    size_t total;
};

static void walk_fn(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    struct walk_state *w = ctx;
    if (payload <= w->last)
        fail("heap_walk goes backwards: %#zx after %#zx", (size_t)payload, (size_t)w->last);
    if (payload < (uintptr_t)env.base || payload >= (uintptr_t)env.base + env.mapped)
        fail("heap_walk: block %#zx outside the heap", (size_t)payload);
    w->last = payload;
    w->used += used;
    w->total += size;
    if (used) {
        bool ours = false;
        for (int k = 0; k < SLOTS; k++)
            if ((uintptr_t)slot[k].p == payload)
                ours = true;
        if (!ours)
            fail("heap_walk: used block %#zx is no slot's", (size_t)payload);
    }
}

static void check_all(const char *after)
{
    const char *why = "?";
    if (!heap_check(&heap, &why))
        fail("heap_check after %s: %s", after, why);
    unsigned live = 0;
    for (int k = 0; k < SLOTS; k++)
        live += slot[k].p != NULL;
    if (heap.used_blocks != live)
        fail("after %s: the heap counts %u used blocks, the slots %u", after,
             heap.used_blocks, live);
    if (heap.mapped != env.mapped)
        fail("after %s: the heap says %u bytes mapped, the callbacks %zu", after,
             heap.mapped, env.mapped);
    if (heap.peak_mapped < heap.mapped)
        fail("after %s: peak_mapped %u below mapped %u", after, heap.peak_mapped,
             heap.mapped);
    if (heap.used_bytes + heap.free_bytes > heap.mapped)
        fail("after %s: used %u + free %u bytes exceed the %u mapped", after,
             heap.used_bytes, heap.free_bytes, heap.mapped);
    if (heap.errors != env.reports)
        fail("after %s: the heap counts %u errors, the report callback saw %u", after,
             heap.errors, env.reports);
}

static void check_walk(void)
{
    struct walk_state w = { 0, 0, 0 };
    heap_walk(&heap, walk_fn, &w);
    if (w.used != heap.used_blocks)
        fail("heap_walk saw %u used blocks, the heap counts %u", w.used, heap.used_blocks);
    if (w.total > heap.mapped)
        fail("heap_walk's blocks add up to %zu bytes, more than the %u mapped", w.total,
             heap.mapped);
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    if (s.mapped != heap.mapped || s.used_blocks != heap.used_blocks ||
        s.free_blocks != heap.free_blocks || s.used != heap.used_bytes ||
        s.free != heap.free_bytes || s.largest_free > s.free)
        fail("heap_get_stats disagrees with the heap");
}

/* ---- reading the input ---------------------------------------------------------- */

struct input {
    const uint8_t *p;
    size_t n;
};

static unsigned byte(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t u32(struct input *in)
{
    uint32_t v = byte(in);
    v |= byte(in) << 8;
    v |= byte(in) << 16;
    return v | (uint32_t)byte(in) << 24;
}

/* A request size: mostly small, some big, a few that cannot fit at all. */
static size_t size_of(struct input *in)
{
    unsigned k = byte(in);
    switch (k % 16) {
    case 0: case 1: case 2: case 3: case 4: case 5:
        return byte(in) % 65;                       /* 0 .. 64 */
    case 6: case 7: case 8: case 9:
        return (byte(in) | byte(in) << 8) % 4097;   /* .. 4 KiB */
    case 10: case 11:
        return u32(in) % (256 * 1024 + 1);         /* .. 256 KiB */
    case 12:
        return u32(in) % (4 * 1024 * 1024 + 1);     /* .. 4 MiB: fills the heap */
    case 13:
        return RESERVE - HEAP_PAGE * (k >> 6) - byte(in) % 32;     /* about all of it */
    case 14:
        return (size_t)u32(in) | 1;                 /* usually far too big */
    default: {
        static const size_t edge[] = { SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 16, UINT32_MAX,
                                       UINT32_MAX - 7, UINT32_MAX - 8, UINT32_MAX - 24,
                                       RESERVE, RESERVE + 1, RESERVE - HEAP_PAGE,
                                       (size_t)1 << 31, HEAP_SMALL - 1, HEAP_SMALL,
                                       HEAP_SMALL + 1, HEAP_MIN_BLOCK, 16 };
        return edge[byte(in) % 16];
    }
    }
}

/* ---- the operations ---------------------------------------------------------------- */

#define ALLOC_FAILS (BIT(HEAP_ERR_OUT_OF_MEMORY) | BIT(HEAP_ERR_TOO_LARGE))

static void free_slot(int i)
{
    if (!slot[i].p)
        return;
    verify_fill(i, slot[i].usable, "before free");
    env.expect = 0;
    heap_free(&heap, slot[i].p, NULL);
    slot[i].p = NULL;
}

/* Taken before each allocating call, for expect_result. */
static struct {
    unsigned reports, refused;
    size_t mapped;
} pre;

static void before_call(void)
{
    pre.reports = env.reports;
    pre.refused = env.refused;
    pre.mapped = env.mapped;
}

/*
 * A NULL result must come with a report, a block without one. Running out
 * of memory is only believable when the grow callback refused, or when the
 * reservation could not have held the request even with generous slack
 * (`extra`: an alignment gap): otherwise the heap gave up too early.
 */
static void expect_result(void *p, const char *what, size_t size, size_t extra)
{
    if (!p && env.reports == pre.reports)
        fail("%s(%zu) returned NULL without a report", what, size);
    if (p && env.reports != pre.reports)
        fail("%s(%zu) returned a block but reported %s", what, size,
             heap_error_text(env.last));
    if (!p && env.last == HEAP_ERR_OUT_OF_MEMORY && env.refused == pre.refused &&
        size <= RESERVE && size + extra + 2 * HEAP_PAGE + 2 * HEAP_MIN_BLOCK <=
                               RESERVE - pre.mapped)
        fail("%s(%zu) ran out of memory with %zu of %u bytes mapped and the grow "
             "callback never refusing", what, size, pre.mapped, RESERVE);
}

static void op_alloc(int i, size_t size)
{
    free_slot(i);
    env.expect = ALLOC_FAILS;
    before_call();
    void *p = heap_alloc(&heap, size, NULL);
    expect_result(p, "heap_alloc", size, 0);
    if (p)
        take(i, p, size, 0, true);
}

static void op_calloc(int i, size_t n, size_t size)
{
    free_slot(i);
    env.expect = ALLOC_FAILS;
    before_call();
    uint8_t *p = heap_calloc(&heap, n, size, NULL);
    expect_result(p, "heap_calloc", size && n > SIZE_MAX / size ? SIZE_MAX : n * size, 0);
    if (!p)
        return;
    if (size && n > SIZE_MAX / size)
        fail("heap_calloc(%zu, %zu) overflows, but gave a block", n, size);
    size_t k = first_not(p, n * size, 0);
    if (k < n * size)
        fail("heap_calloc(%zu, %zu): byte %zu is %#x", n, size, k, p[k]);
    take(i, p, n * size, 0, true);
}

static void op_aligned(int i, size_t align, size_t size)
{
    free_slot(i);
    bool good = align && !(align & (align - 1));
    env.expect = good ? ALLOC_FAILS : BIT(HEAP_ERR_BAD_ALIGN);
    before_call();
    void *p = heap_alloc_aligned(&heap, align, size, NULL);
    expect_result(p, "heap_alloc_aligned", size, good ? align : 0);
    if (p && !good)
        fail("heap_alloc_aligned(%zu, %zu) took a bad alignment", align, size);
    if (p)
        take(i, p, size, align, true);
}

static void op_realloc(int i, size_t size)
{
    struct slot old = slot[i];
    if (old.p)
        verify_fill(i, old.usable, "before realloc");
    env.expect = size || !old.p ? ALLOC_FAILS : 0;   /* realloc(NULL, 0) allocates */
    before_call();
    uint8_t *p = heap_realloc(&heap, old.p, size, NULL);
    if (size == 0 && old.p) {
        if (p)
            fail("heap_realloc(p, 0) returned %p, not NULL", (void *)p);
        slot[i].p = NULL;
        return;
    }
    /* Moving needs room for both blocks at once. */
    expect_result(p, "heap_realloc", size, old.p ? old.usable + HEAP_MIN_BLOCK : 0);
    if (!p) {
        if (old.p)          /* the old block stays, untouched */
            verify_fill(i, old.usable, "after a failed realloc");
        return;
    }
    size_t keep = old.p ? (old.req < size ? old.req : size) : 0;
    size_t k = first_not(p, keep, old.fill);
    if (k < keep)
        fail("heap_realloc(%zu -> %zu) lost byte %zu: %#x, not %#x", old.req, size, k,
                 p[k], old.fill);
    slot[i].p = NULL;       /* so that take() does not see the old block as a neighbour */
    take(i, p, size, 0, true);
}

/*
 * A one-byte overrun (a string's terminating NUL one past the end), then
 * the block's free: the heap must report it. When the byte landed on the
 * end marker the heap repairs that and frees the block; otherwise it keeps
 * the block (leaked) and the next block's header stays damaged, so the
 * input ends here: true.
 */
static bool op_overrun(int i)
{
    uint8_t *p = slot[i].p;
    if (!p)
        return false;
    verify_fill(i, slot[i].usable, "before an overrun");
    bool at_end = p + slot[i].usable == env.base + heap.mapped - HEAP_HEADER;
    unsigned before = env.reports;
    p[slot[i].usable] = 0;
    env.expect = BIT(HEAP_ERR_OVERRUN);
    heap_free(&heap, p, NULL);
    if (env.reports != before + 1)
        fail("an overrun of slot %d went unreported", i);
    if (!at_end)
        return true;
    slot[i].p = NULL;
    return false;
}

/* Misuses the heap must report and ignore, leaving everything as it was. */
static void op_misuse(struct input *in, const uint8_t *last_freed)
{
    int i = (int)(byte(in) % SLOTS);
    unsigned kind = byte(in) % 7;
    uint8_t *p = slot[i].p;
    uint32_t used = heap.used_blocks, free_b = heap.free_blocks, mapped = heap.mapped;
    unsigned before = env.reports, want = 1;
    switch (kind) {
    case 0:         /* misaligned: inside a live block */
        if (!p)
            return;
        env.expect = BIT(HEAP_ERR_NOT_HEAP);
        heap_free(&heap, p + 1 + byte(in) % 7, NULL);
        break;
    case 1:         /* below the heap */
        env.expect = BIT(HEAP_ERR_NOT_HEAP);
        heap_free(&heap, env.base - HEAP_PAGE, NULL);
        break;
    case 2:         /* past the mapped end */
        env.expect = BIT(HEAP_ERR_NOT_HEAP);
        heap_free(&heap, env.base + heap.mapped + HEAP_ALIGN * (byte(in) + 1), NULL);
        break;
    case 3:         /* the block freed just before */
        if (!last_freed)
            return;
        /* (NOT_HEAP when the free gave the pages at the top back) */
        env.expect = BIT(HEAP_ERR_DOUBLE_FREE) | BIT(HEAP_ERR_CORRUPT) |
                     BIT(HEAP_ERR_INSIDE_BLOCK) | BIT(HEAP_ERR_NOT_HEAP);
        heap_free(&heap, (void *)last_freed, NULL);
        break;
    case 4:         /* realloc of a misaligned pointer */
        if (!p)
            return;
        env.expect = BIT(HEAP_ERR_NOT_HEAP);
        if (heap_realloc(&heap, p + 4, 64, NULL))
            fail("heap_realloc of a misaligned pointer returned a block");
        break;
    case 5:         /* the very first bytes of the heap: no block starts there */
        env.expect = BIT(HEAP_ERR_NOT_HEAP);
        heap_free(&heap, env.base, NULL);
        break;
    default:        /* NULL: nothing happens, nothing is reported */
        env.expect = 0;
        heap_free(&heap, NULL, NULL);
        want = 0;
        break;
    }
    if (env.reports != before + want)
        fail("misuse %u: %u reports, not %u", kind, env.reports - before, want);
    if (heap.used_blocks != used || heap.free_blocks != free_b || heap.mapped != mapped)
        fail("misuse %u changed the heap", kind);
    if (p)
        verify_fill(i, slot[i].usable, "after a misuse");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };

    if (!env.base) {
        void *b = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (b == MAP_FAILED)
            fail("cannot reserve %u bytes", RESERVE);
        env.base = b;
    }
    env.mapped = 0;
    env.reports = 0;
    env.refuse = 0;
    env.refused = 0;
    env.expect = 0;
    memset(slot, 0, sizeof slot);

    /* The first byte can make the heap's very first page unavailable, or
     * leave the heap without a shrink callback (it then never gives back). */
    unsigned mode = byte(&in);
    if (mode == 0xFF) {
        env.refuse = 1;
        if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb, shrink_cb, report_cb,
                      NULL) != -1)
            fail("heap_init succeeded without its first page");
        return 0;
    }
    env.no_shrink = mode >= 0xE0;
    if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb,
                  env.no_shrink ? NULL : shrink_cb, report_cb, NULL) != 0)
        fail("heap_init failed");
    /* Odd modes turn the small-block cache on, with 1 to 8 blocks per size. */
    if (mode & 1)
        heap_set_cache(&heap, 1 + (mode >> 1) % 8);
    check_all("heap_init");

    const uint8_t *last_freed = NULL;
    char what[32];
    while (in.n) {
        unsigned op = byte(&in);
        int i = (int)(byte(&in) % SLOTS);
        const uint8_t *freed = NULL;
        switch (op % 16) {
        case 0: case 1: case 2: case 3:
            op_alloc(i, size_of(&in));
            snprintf(what, sizeof what, "alloc");
            break;
        case 4: case 5: case 6:
            freed = slot[i].p;
            free_slot(i);
            snprintf(what, sizeof what, "free");
            break;
        case 7: case 8:
            op_realloc(i, size_of(&in));
            snprintf(what, sizeof what, "realloc");
            break;
        case 9: {
            size_t n = byte(&in) & 0x80 ? size_of(&in) : byte(&in) % 17;
            op_calloc(i, n, size_of(&in));
            snprintf(what, sizeof what, "calloc");
            break;
        }
        case 10: case 11: {
            unsigned a = byte(&in);
            size_t align = a < 224 ? (size_t)1 << (a % 14)      /* 1 .. 8 KiB */
                         : a < 240 ? (size_t)(a % 16) * 3       /* 0, 3, 6, ...: bad */
                                   : (size_t)1 << (16 + a % 8); /* 64 KiB .. 8 MiB */
            op_aligned(i, align, size_of(&in));
            snprintf(what, sizeof what, "aligned(%zu)", align);
            break;
        }
        case 12:                    /* the grow callback refuses some or all */
            env.refuse = byte(&in) & 0x80 ? ~0u : byte(&in) % 4;
            continue;
        case 13:
            if (byte(&in) < 0xF0) {
                env.refuse = 0;
                continue;
            }
            if (op_overrun(i))
                goto damaged;
            snprintf(what, sizeof what, "overrun");
            break;
        case 14:
            op_misuse(&in, last_freed);
            snprintf(what, sizeof what, "misuse");
            break;
        default:
            for (int k = 0; k < SLOTS; k++)
                if (slot[k].p)
                    verify_fill(k, slot[k].usable, "in a sweep");
            check_walk();
            snprintf(what, sizeof what, "sweep");
            break;
        }
        /* "freed just before" holds only until something else happens. */
        last_freed = freed;
        check_all(what);
    }

    env.refuse = 0;
    for (int k = 0; k < SLOTS; k++)
        free_slot(k);
    heap_flush_cache(&heap);
    check_all("freeing everything");
    check_walk();
    if (heap.used_blocks || heap.used_bytes)
        fail("%u blocks (%u bytes) still used with every slot freed", heap.used_blocks,
             heap.used_bytes);
    if (!env.no_shrink && heap.mapped >= HEAP_TRIM_AT + 2 * HEAP_PAGE)
        fail("everything is free, yet %u bytes stay mapped", heap.mapped);

damaged:
    /* Leave the reservation as it was found. */
    madvise(env.base, RESERVE, MADV_DONTNEED);
    mprotect(env.base, RESERVE, PROT_NONE);
    return 0;
}
