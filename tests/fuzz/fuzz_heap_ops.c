/*
 * fuzz_heap.c - a libFuzzer target for the heap, kernel/mm/heap.c and its
 * parts (kernel/mm/heap_*.c).
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude tests/fuzz/fuzz_heap.c kernel/mm/heap*.c
 *
 * The input bytes are read as a program of heap operations on 48 slots:
 * allocate, free, realloc, calloc, aligned allocation (good and bad
 * alignments), sizes from zero to past the heap's end, a grow callback that
 * can be told to refuse (the next few calls, every call, or every call for
 * more than a few pages), and a few misuses the heap promises to report and
 * ignore (misaligned and foreign pointers, freeing what was just freed, a
 * one-byte overrun).
 *
 * The heap lives in an 8 MiB reservation, so running out of memory is
 * common. The callbacks keep a byte per page of it: grow may only back
 * whole pages that are not backed, either at the heap's end or below it
 * (pages it gave back), shrink may only give back whole pages that are,
 * never the first. A page is readable and writable only while the heap
 * holds it, and comes back full of junk: touching anything the heap does
 * not hold crashes at once, and the heap cannot count on a page it gave
 * back keeping its contents.
 *
 * After every operation:
 *  - heap_check must pass;
 *  - the callbacks hold exactly mapped - released bytes, none of them at or
 *    above mapped, none of them under a live block, and the most they ever
 *    held is the heap's peak_backed;
 *  - every block handed out is 8-byte aligned (or as asked), lies inside
 *    the heap on pages it holds, has the usable size its request rounds to
 *    (4 mod 8, no split missed), and overlaps no other live block;
 *  - each block is filled over its whole usable size with a byte no other
 *    live block uses; the fill is verified before the block is freed or
 *    resized and after a resize, so any overlap or stray write shows;
 *  - the heap reports exactly the errors the operation should cause (the
 *    kind, the pointer, the size, the caller), and its counters and
 *    heap_get_stats match the slots: the used blocks and bytes are the
 *    slots', and all blocks together cover the heap from its first head
 *    to its end marker. A sweep also walks the blocks (heap_walk): they
 *    follow each other without a gap, the used ones are the slots', and a
 *    free one keeps the pages of its head, links and footer.
 * A misuse changes nothing and calls neither callback. A free never grows
 * the heap, and trims a free top it reaches by the rule of make_free and
 * heap_trim_top. An allocation grows the heap's end by what it needs or by one
 * step (mapped / 64, at most 64 KiB), and holds more than ever before only
 * when no large free block is left to give pages back. Running out of
 * memory is accepted only when the last grow call refused (a refused step
 * that a smaller grow made up for does not count), or when the
 * reservation could not have held the request.
 * At the end everything is freed: the heap must be one free block, holding
 * all its pages, and with a shrink callback no more than HEAP_TRIM_AT + 2
 * pages (a free top that big is trimmed, down to HEAP_TRIM_AT / 2 of slack).
 *
 * Pages the heap gives back read as zeroes afterwards (PROT_READ), as the
 * kernel's shared zero frame does: freeing again a block whose head is on
 * such a page must be reported, not fault. Writing there still crashes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

static struct {
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
} env;

static struct heap heap;
static struct slot slot[SLOTS];
static const char who[1];   /* the caller every call names */

static void fail(const char *what, ...) __attribute__((noreturn, format(printf, 1, 2)));

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

static size_t off(const void *p)
{
    return (size_t)((uintptr_t)p - (uintptr_t)env.base);
}

static size_t page_up(size_t x)
{
    return (x + HEAP_PAGE - 1) & ~(size_t)(HEAP_PAGE - 1);
}

/* The block size a request of `req` bytes gets: a 4-byte head, rounded to 8. */
static size_t block_for(size_t req)
{
    size_t b = (req + HEAP_HEADER + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
    return b < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : b;
}

/* ---- the heap's environment ------------------------------------------------ */

/* [addr, addr + bytes): whole pages of the reservation, all backed or all not. */
static void pages_are(const char *what, uintptr_t addr, size_t bytes, bool backed)
{
    uintptr_t lo = (uintptr_t)env.base;
    if (bytes == 0 || bytes % HEAP_PAGE || addr % HEAP_PAGE || addr < lo ||
        addr - lo > RESERVE || bytes > RESERVE - (addr - lo))
        fail("%s during %s: [+%#zx, %zu bytes) is not whole pages of the reservation", what,
             env.op, (size_t)(addr - lo), bytes);
    for (size_t k = 0; k < bytes; k += HEAP_PAGE)
        if (env.page[(addr - lo + k) / HEAP_PAGE] != backed)
            fail("%s during %s: [+%#zx, %zu bytes): page +%#zx is %s backed", what, env.op,
                 (size_t)(addr - lo), bytes, (size_t)(addr - lo + k),
                 backed ? "not" : "already");
}

static void mark(uintptr_t addr, size_t bytes, bool backed)
{
    memset(env.page + (addr - (uintptr_t)env.base) / HEAP_PAGE, backed, bytes / HEAP_PAGE);
}

static int grow_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    env.grows++;
    if (!env.may_grow)
        fail("grow [+%#zx, %zu bytes) during %s", off((void *)addr), bytes, env.op);
    pages_are("grow", addr, bytes, false);
    size_t at = off((void *)addr);
    /* More than the operation can need at the end: a step, which the heap
     * must follow with a smaller grow when refused. */
    bool step_only = at == heap.mapped && bytes > page_up(env.need);
    if (at == heap.mapped) {
        /* The end: what the operation needs, or one step. */
        size_t step = page_up(heap.mapped / HEAP_GROW_FRACTION);
        if (step > HEAP_GROW_MAX_STEP)
            step = HEAP_GROW_MAX_STEP;
        if (bytes > step && bytes > page_up(env.need))
            fail("grow by %zu bytes at the end (+%#x) during %s, which needs at most %zu "
                 "(a step is %zu)", bytes, heap.mapped, env.op, env.need, step);
    } else if (at + bytes > heap.mapped) {
        fail("grow [+%#zx, %zu bytes) straddles the heap's end +%#x", at, bytes, heap.mapped);
    }
    /* Holding more than ever before is for when no page can be given back. */
    if (env.backed + bytes > heap.peak_backed && heap.pending != HEAP_NONE)
        fail("grow by %zu bytes to %zu held, above the peak of %u, while large free blocks "
             "still hold pages", bytes, env.backed + bytes, heap.peak_backed);
    if (env.refuse || (env.refuse_above && bytes > env.refuse_above)) {
        if (env.refuse && env.refuse != ~0u)
            env.refuse--;
        env.refused++;
        env.last_refused = !step_only;
        return -1;
    }
    env.last_refused = false;
    if (mprotect((void *)addr, bytes, PROT_READ | PROT_WRITE) != 0)
        fail("mprotect failed");
    memset((void *)addr, JUNK, bytes);
    mark(addr, bytes, true);
    env.backed += bytes;
    if (env.backed > env.peak)
        env.peak = env.backed;
    return 0;
}

static void shrink_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    env.shrinks++;
    if (!env.may_shrink)
        fail("shrink [+%#zx, %zu bytes) during %s", off((void *)addr), bytes, env.op);
    pages_are("shrink", addr, bytes, true);
    if (addr < (uintptr_t)env.base + HEAP_PAGE || off((void *)addr) + bytes > heap.mapped)
        fail("shrink [+%#zx, %zu bytes): outside the first page to the end (+%#x)",
             off((void *)addr), bytes, heap.mapped);
    /* Contents go, as with a frame given back; the pages read as zeroes
     * (the kernel maps its zero frame there) and writes crash. */
    if (mmap((void *)addr, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED)
        fail("mmap failed");
    mark(addr, bytes, false);
    env.backed -= bytes;
}

static void report_cb(void *ctx, enum heap_error e, const void *p, size_t size,
                      const void *caller)
{
    (void)ctx;
    if ((unsigned)e >= 32 || !(env.expect & BIT(e)))
        fail("unexpected report during %s: %s (%p, %zu)", env.op, heap_error_text(e), p, size);
    if (caller != who)
        fail("report %s names caller %p, not %p", heap_error_text(e), caller, (void *)who);
    env.reports++;
    env.last = e;
    env.last_ptr = p;
    env.last_size = size;
}

/* What the next call may do: report these errors, grow for a block of up
 * to `need` bytes (0: not at all), give pages back. */
static void expect(const char *op, uint32_t errors, size_t need, bool shrink)
{
    env.op = op;
    env.expect = errors;
    env.may_grow = need != 0;
    env.need = need;
    env.may_shrink = shrink;
}

/* ---- checking ---------------------------------------------------------------- */

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

/* A block's head, payload and the next block's head are on pages the heap holds. */
static void block_backed(const char *when, const uint8_t *p, size_t usable)
{
    size_t lo = off(p) - HEAP_HEADER, hi = off(p) + usable + HEAP_HEADER;
    for (size_t k = lo / HEAP_PAGE; k <= (hi - 1) / HEAP_PAGE; k++)
        if (!env.page[k])
            fail("%s: the block at +%#zx (%zu bytes) is on page +%#zx, which the heap gave "
                 "back", when, off(p), usable, k * HEAP_PAGE);
}

static int slot_at(const uint8_t *p)
{
    for (int k = 0; k < SLOTS; k++)
        if (slot[k].p && slot[k].p == p)
            return k;
    return -1;
}

/* A block just handed out: where it is, its size, its neighbours. */
static void take(int i, void *p, size_t req, size_t align, bool fill)
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

static void check_walk(void)
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

static void check_all(const char *after)
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
                                       HEAP_SMALL + 1, HEAP_MIN_BLOCK, 16,
                                       HEAP_MAX_REQUEST, HEAP_MAX_REQUEST + 1,
                                       LIMIT, LIMIT + 1, LIMIT - 8,
                                       HEAP_RELEASE_MIN - HEAP_HEADER, HEAP_RELEASE_MIN,
                                       HEAP_RELEASE_MIN + HEAP_PAGE,
                                       HEAP_TRIM_AT, HEAP_TRIM_AT + 2 * HEAP_PAGE,
                                       HEAP_CACHE_MAX_BLOCK - HEAP_HEADER,
                                       HEAP_CACHE_MAX_BLOCK - HEAP_HEADER + 1,
                                       HEAP_PAGE - 2 * HEAP_HEADER, HEAP_PAGE,
                                       HEAP_GROW_MAX_STEP, 20 };
        return edge[byte(in) % 32];
    }
    }
}

/* ---- the operations ---------------------------------------------------------------- */

#define ALLOC_FAILS (BIT(HEAP_ERR_OUT_OF_MEMORY) | BIT(HEAP_ERR_TOO_LARGE))

/* The errors a request of `req` bytes may fail with: too large past LIMIT
 * (a request no heap of this reservation could hold), else out of memory. */
static uint32_t fails_for(size_t req)
{
    return req > LIMIT ? BIT(HEAP_ERR_TOO_LARGE) : BIT(HEAP_ERR_OUT_OF_MEMORY);
}

/* The biggest block a request of `req` bytes may make the heap grow for;
 * 0 (no growing) for one that is too large. */
static size_t need_for(size_t req, size_t extra)
{
    return req > LIMIT ? 0 : block_for(req) + extra;
}

static void top_fn(void *ctx, uintptr_t payload, uint32_t size, bool used)
{
    struct { uintptr_t payload; uint32_t size; bool used; } *top = ctx;
    top->payload = payload;
    top->size = size;
    top->used = used;
}

/*
 * After a free of the block whose head was at `freed`, in a heap that was
 * `before` bytes long: the free top is trimmed by the rule of make_free and
 * heap_trim_top. A free top of HEAP_TRIM_AT + 2 pages or more that the free
 * reached is trimmed; trimming leaves its first HEAP_MIN_BLOCK + HEAP_HEADER
 * bytes and a slack of mapped / 64 (at most HEAP_TRIM_AT / 2) in pages, or
 * no slack when it swallowed pages given back.
 */
static void check_trim(size_t freed, uint32_t before)
{
    struct { uintptr_t payload; uint32_t size; bool used; } top = { 0, 0, true };
    heap_walk(&heap, top_fn, &top);
    size_t b = off((void *)top.payload) - HEAP_HEADER;
    if (heap.mapped > before)
        fail("a free grew the heap from %u to %u bytes", before, heap.mapped);
    if (heap.mapped < before) {
        size_t keep = page_up(before / HEAP_GROW_FRACTION);
        if (keep > HEAP_TRIM_AT / 2)
            keep = HEAP_TRIM_AT / 2;
        size_t least = page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER);
        if (top.used || (heap.mapped != least &&
                         heap.mapped != page_up(b + HEAP_MIN_BLOCK + HEAP_HEADER + keep)))
            fail("a free trimmed the heap from %u to %u bytes, its top block (+%#zx, %s) "
                 "keeping %zu bytes of slack", before, heap.mapped, b,
                 top.used ? "used" : "free", heap.mapped - least);
    } else if (!env.no_shrink && !top.used && b <= freed &&
               top.size >= HEAP_TRIM_AT + 2 * HEAP_PAGE) {
        fail("a free left a free top of %u bytes at +%#zx untrimmed", top.size, b);
    }
}

static void free_slot(int i)
{
    if (!slot[i].p)
        return;
    verify_fill(i, slot[i].usable, "before free");
    expect("free", 0, 0, true);
    uint32_t before = heap.mapped;
    heap_free(&heap, slot[i].p, who);
    check_trim(off(slot[i].p) - HEAP_HEADER, before);
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
    pre.mapped = heap.mapped;
    env.last_refused = false;
}

/*
 * A NULL result must come with exactly one report, of the pointer (`ptr`
 * for too large) and size involved (`size`), a block with none. Running out
 * of memory is only believable when the last grow call was refused and
 * asked for no more than the operation could need (a refused step must be
 * followed by a smaller grow), or when the reservation could not have held
 * the request even with generous slack (`extra`: an alignment gap):
 * otherwise the heap gave up too early.
 */
static void expect_result(void *p, const char *what, size_t size, const void *ptr,
                          size_t extra)
{
    if (p && env.reports != pre.reports)
        fail("%s(%zu) returned a block but reported %s", what, size,
             heap_error_text(env.last));
    if (p)
        return;
    if (env.reports != pre.reports + 1)
        fail("%s(%zu) returned NULL with %u reports", what, size, env.reports - pre.reports);
    if (env.last_size != size ||
        env.last_ptr != (env.last == HEAP_ERR_TOO_LARGE ? ptr : NULL))
        fail("%s(%zu) reported %s of %p, %zu bytes", what, size, heap_error_text(env.last),
             env.last_ptr, env.last_size);
    if (env.last == HEAP_ERR_OUT_OF_MEMORY &&
        !(env.refused != pre.refused && env.last_refused) &&
        size <= RESERVE && size + extra + 2 * HEAP_PAGE + 2 * HEAP_MIN_BLOCK <=
                               RESERVE - pre.mapped)
        fail("%s(%zu) ran out of memory with %zu of %u bytes mapped, and the grow "
             "callback refused no more than a step (%u refusals)", what, size, pre.mapped,
             RESERVE, env.refused - pre.refused);
}

static void op_alloc(int i, size_t size)
{
    free_slot(i);
    expect("alloc", fails_for(size), need_for(size, 0), true);
    before_call();
    void *p = heap_alloc(&heap, size, who);
    expect_result(p, "heap_alloc", size, NULL, 0);
    if (p)
        take(i, p, size, 0, true);
}

static void op_calloc(int i, size_t n, size_t size)
{
    free_slot(i);
    bool overflow = size && n > SIZE_MAX / size;
    size_t total = overflow ? SIZE_MAX : n * size;
    expect("calloc", fails_for(total), need_for(total, 0), true);
    before_call();
    uint8_t *p = heap_calloc(&heap, n, size, who);
    expect_result(p, "heap_calloc", total, NULL, 0);
    if (!p)
        return;
    if (overflow)
        fail("heap_calloc(%zu, %zu) overflows, but gave a block", n, size);
    size_t k = first_not(p, total, 0);
    if (k < total)
        fail("heap_calloc(%zu, %zu): byte %zu is %#x", n, size, k, p[k]);
    take(i, p, total, 0, true);
}

static void op_aligned(int i, size_t align, size_t size)
{
    free_slot(i);
    bool good = align && !(align & (align - 1));
    uint32_t errors = !good ? BIT(HEAP_ERR_BAD_ALIGN)
                    : align <= HEAP_ALIGN || size > LIMIT ? fails_for(size)
                    : ALLOC_FAILS;     /* too large also when the gap cannot fit */
    /* Room for the block and a gap in front that can be a block itself. */
    expect("aligned", errors, good ? need_for(size, align + HEAP_MIN_BLOCK) : 0, true);
    before_call();
    void *p = heap_alloc_aligned(&heap, align, size, who);
    if (!good) {
        if (p)
            fail("heap_alloc_aligned(%zu, %zu) took a bad alignment", align, size);
        if (env.reports != pre.reports + 1 || env.last_size != align || env.last_ptr)
            fail("heap_alloc_aligned(%zu, %zu): a bad alignment, reported wrong", align, size);
        return;
    }
    expect_result(p, "heap_alloc_aligned", size, NULL, good ? align : 0);
    if (!p && env.last == HEAP_ERR_TOO_LARGE && size <= LIMIT &&
        block_for(size) + align + HEAP_MIN_BLOCK <= RESERVE)
        fail("heap_alloc_aligned(%zu, %zu) is too large, though it fits", align, size);
    if (p)
        take(i, p, size, align, true);
}

static void op_realloc(int i, size_t size)
{
    struct slot old = slot[i];
    if (old.p)
        verify_fill(i, old.usable, "before realloc");
    /* realloc(p, 0) frees; realloc(NULL, 0) allocates */
    if (size == 0 && old.p)
        expect("realloc", 0, 0, true);
    else
        expect("realloc", fails_for(size), need_for(size, 0), true);
    before_call();
    uint8_t *p = heap_realloc(&heap, old.p, size, who);
    if (size == 0 && old.p) {
        if (p)
            fail("heap_realloc(p, 0) returned %p, not NULL", (void *)p);
        check_trim(off(old.p) - HEAP_HEADER, (uint32_t)pre.mapped);
        slot[i].p = NULL;
        return;
    }
    /* Moving needs room for both blocks at once. */
    expect_result(p, "heap_realloc", size, old.p, old.p ? old.usable + HEAP_MIN_BLOCK : 0);
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
 * A one-byte overrun (a string's terminating NUL one past the end) onto
 * the next block's head, then the block's free: the heap must report it
 * (unless that byte was 0 already: then nothing happened). When the next
 * block is free, cached or the end marker, the heap rebuilds its head and
 * frees the block; a used neighbour's head cannot be rebuilt: the heap
 * keeps the block (leaked) and the damage stays, so the input ends here:
 * true.
 */
static bool op_overrun(int i)
{
    uint8_t *p = slot[i].p;
    if (!p)
        return false;
    verify_fill(i, slot[i].usable, "before an overrun");
    size_t usable = slot[i].usable;
    int next = slot_at(p + usable + HEAP_HEADER);
    uint8_t was = p[usable];
    p[usable] = 0;
    unsigned before = env.reports, busy = heap.busy_blocks;
    uint32_t mapped = heap.mapped;
    expect("overrun", was ? BIT(HEAP_ERR_OVERRUN) : 0, 0, true);
    heap_free(&heap, p, who);
    if (env.reports != before + !!was)
        fail("an overrun of slot %d (%#x over %#x): %u reports", i, 0, was,
             env.reports - before);
    if (was && (env.last_ptr != p || env.last_size != usable))
        fail("an overrun of slot %d (%p, %zu bytes) reported as %p, %zu bytes", i, (void *)p,
             usable, env.last_ptr, env.last_size);
    if (was && next >= 0) {
        if (heap.busy_blocks != busy)
            fail("an overrun onto slot %d's head: slot %d was freed anyway", next, i);
        verify_fill(next, slot[next].usable, "after an overrun onto its head");
        return true;
    }
    check_trim(off(p) - HEAP_HEADER, mapped);
    slot[i].p = NULL;
    return false;
}

/* Misuses the heap must report and ignore, leaving everything as it was. */
static void op_misuse(struct input *in, const uint8_t *last_freed)
{
    int i = (int)(byte(in) % SLOTS);
    unsigned kind = byte(in) % 7;
    uint8_t *p = slot[i].p;
    struct heap was = heap;
    unsigned grows = env.grows, shrinks = env.shrinks;
    unsigned before = env.reports, want = 1;
    const void *bad = NULL;
    expect("misuse", BIT(HEAP_ERR_NOT_HEAP), 0, false);
    switch (kind) {
    case 0:         /* misaligned: inside a live block */
        if (!p)
            return;
        bad = p + 1 + byte(in) % 7;
        heap_free(&heap, (void *)bad, who);
        break;
    case 1:         /* below the heap */
        bad = env.base - HEAP_PAGE;
        heap_free(&heap, (void *)bad, who);
        break;
    case 2:         /* past the mapped end */
        bad = env.base + heap.mapped + HEAP_ALIGN * (byte(in) + 1);
        heap_free(&heap, (void *)bad, who);
        break;
    case 3:         /* the block freed just before */
        if (!last_freed)
            return;
        /* Its head may be on a page given back since: it reads as zeroes. */
        /* (NOT_HEAP when the free gave the pages at the top back) */
        env.expect = BIT(HEAP_ERR_DOUBLE_FREE) | BIT(HEAP_ERR_CORRUPT) |
                     BIT(HEAP_ERR_INSIDE_BLOCK) | BIT(HEAP_ERR_NOT_HEAP);
        bad = last_freed;
        heap_free(&heap, (void *)bad, who);
        break;
    case 4:         /* realloc of a misaligned pointer */
        if (!p)
            return;
        bad = p + 4;
        if (heap_realloc(&heap, (void *)bad, 64, who))
            fail("heap_realloc of a misaligned pointer returned a block");
        break;
    case 5:         /* the very first bytes of the heap: no block starts there */
        bad = env.base;
        heap_free(&heap, (void *)bad, who);
        break;
    default:        /* NULL: nothing happens, nothing is reported */
        env.expect = 0;
        heap_free(&heap, NULL, who);
        want = 0;
        break;
    }
    if (env.reports != before + want)
        fail("misuse %u: %u reports, not %u", kind, env.reports - before, want);
    if (want && env.last_ptr != bad)
        fail("misuse %u of %p reported %p", kind, bad, env.last_ptr);
    if (heap.busy_blocks != was.busy_blocks || heap.busy_bytes != was.busy_bytes ||
        heap.free_blocks != was.free_blocks || heap.free_bytes != was.free_bytes ||
        heap.cached_blocks != was.cached_blocks || heap.mapped != was.mapped ||
        heap.released != was.released || heap.pending != was.pending ||
        env.grows != grows || env.shrinks != shrinks)
        fail("misuse %u changed the heap", kind);
    if (p)
        verify_fill(i, slot[i].usable, "after a misuse");
}

/* A fresh heap for the next input, set up as its first byte says; false
 * when that byte made heap_init fail (as it must), which ends the input. */
static bool start_input(struct input *in)
{
    if (!env.base) {
        void *b = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                       -1, 0);
        if (b == MAP_FAILED)
            fail("cannot reserve %u bytes", RESERVE);
        env.base = b;
    }
    memset(env.page, 0, sizeof env.page);
    env.backed = env.peak = env.mapped = 0;
    env.reports = 0;
    env.refuse = 0;
    env.refuse_above = 0;
    env.refused = 0;
    env.grows = env.shrinks = 0;
    env.next_fill = 1;
    memset(slot, 0, sizeof slot);
    expect("heap_init", 0, HEAP_PAGE, false);

    /* The first byte can make the heap's very first page unavailable, or
     * leave the heap without a shrink callback (it then never gives back). */
    unsigned mode = byte(in);
    if (mode == 0xFF) {
        env.refuse = 1;
        if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb, shrink_cb, report_cb,
                      NULL) != -1)
            fail("heap_init succeeded without its first page");
        if (env.backed)
            fail("heap_init failed, yet holds %zu bytes", env.backed);
        return false;
    }
    env.no_shrink = mode >= 0xE0;
    if (heap_init(&heap, (uintptr_t)env.base, RESERVE, grow_cb,
                  env.no_shrink ? NULL : shrink_cb, report_cb, NULL) != 0)
        fail("heap_init failed");
    /* Odd modes turn the small-block cache on, with 1 to 8 blocks per size. */
    if (mode & 1)
        heap_set_cache(&heap, 1 + (mode >> 1) % 8);
    check_all("heap_init");
    return true;
}

/* What one step of an input did. */
enum step {
    STEP_OP,        /* an operation on the heap, named: check everything after it */
    STEP_SETTING,   /* the grow callback's behaviour changed; nothing to check */
    STEP_DAMAGED,   /* an overrun the heap cannot repair: the input stops */
};

/* A setting for the grow callback: refuse some calls or all, or every call
 * for more than 1 to 16 pages (a step, not what is needed). */
static void set_refusal(unsigned r)
{
    env.refuse = r & 0x80 ? ~0u : r & 0x40 ? 0 : r % 4;
    env.refuse_above = (r & 0xC0) == 0x40 ? (1 + r % 16) * (size_t)HEAP_PAGE : 0;
}

/* The input's next step; `what` names an operation, *last_freed is the
 * pointer freed by the operation just before (for the misuse op). */
static enum step next_step(struct input *in, const uint8_t **last_freed, char *what,
                           size_t what_size)
{
    unsigned op = byte(in);
    int i = (int)(byte(in) % SLOTS);
    const uint8_t *freed = NULL;
    switch (op % 16) {
    case 0: case 1: case 2: case 3:
        op_alloc(i, size_of(in));
        snprintf(what, what_size, "alloc");
        break;
    case 4: case 5: case 6:
        freed = slot[i].p;
        free_slot(i);
        snprintf(what, what_size, "free");
        break;
    case 7: case 8:
        op_realloc(i, size_of(in));
        snprintf(what, what_size, "realloc");
        break;
    case 9: {
        size_t n = byte(in) & 0x80 ? size_of(in) : byte(in) % 17;
        op_calloc(i, n, size_of(in));
        snprintf(what, what_size, "calloc");
        break;
    }
    case 10: case 11: {
        unsigned a = byte(in);
        size_t align = a < 224 ? (size_t)1 << (a % 14)      /* 1 .. 8 KiB */
                     : a < 240 ? (size_t)(a % 16) * 3       /* 0, 3, 6, ...: bad */
                               : (size_t)1 << (16 + a % 8); /* 64 KiB .. 8 MiB */
        op_aligned(i, align, size_of(in));
        snprintf(what, what_size, "aligned(%zu)", align);
        break;
    }
    case 12:
        set_refusal(byte(in));
        return STEP_SETTING;
    case 13:
        if (byte(in) < 0xF0) {
            env.refuse = 0;
            env.refuse_above = 0;
            return STEP_SETTING;
        }
        if (op_overrun(i))
            return STEP_DAMAGED;
        snprintf(what, what_size, "overrun");
        break;
    case 14:
        op_misuse(in, *last_freed);
        snprintf(what, what_size, "misuse");
        break;
    default:
        for (int k = 0; k < SLOTS; k++)
            if (slot[k].p)
                verify_fill(k, slot[k].usable, "in a sweep");
        check_walk();
        snprintf(what, what_size, "sweep");
        break;
    }
    /* "freed just before" holds only until something else happens. */
    *last_freed = freed;
    return STEP_OP;
}

/* Runs the input's steps, checking everything after each operation; false
 * when an overrun damaged the heap beyond repair. */
static bool run_steps(struct input *in)
{
    const uint8_t *last_freed = NULL;
    char what[32];
    while (in->n) {
        unsigned shrinks = env.shrinks;
        enum step step = next_step(in, &last_freed, what, sizeof what);
        if (step == STEP_DAMAGED)
            return false;
        if (step == STEP_SETTING)
            continue;
        check_all(what);
        /* Pages given back: none of a live block's. */
        if (env.shrinks != shrinks)
            for (int k = 0; k < SLOTS; k++)
                if (slot[k].p)
                    block_backed(what, slot[k].p, slot[k].usable);
    }
    return true;
}

/*
 * Frees every slot. Everything merged into one free block from the first
 * head to the end marker, holding all its pages: only a block with a used
 * neighbour gives pages back. With a shrink callback, a free top of
 * HEAP_TRIM_AT + 2 pages or more is trimmed (make_free in heap_free.c),
 * down to a page plus a slack of at most HEAP_TRIM_AT / 2 (heap_trim_top
 * in heap_pages.c): so the heap ends at HEAP_TRIM_AT + 2 pages at most.
 */
static void free_everything(void)
{
    env.refuse = 0;
    env.refuse_above = 0;
    for (int k = 0; k < SLOTS; k++)
        free_slot(k);
    expect("heap_flush_cache", 0, 0, true);
    heap_flush_cache(&heap);
    check_all("freeing everything");
    check_walk();
    struct heap_stats s;
    heap_get_stats(&heap, &s);
    if (s.used_blocks || s.used || s.cached_blocks || s.free_blocks != 1 ||
        s.free != heap.mapped - HEAP_FIRST - HEAP_HEADER)
        fail("every slot freed, yet %u blocks (%u bytes) used, %u cached, and %u free blocks "
             "of %u bytes in a heap of %u", s.used_blocks, s.used, s.cached_blocks,
             s.free_blocks, s.free, heap.mapped);
    if (heap.released || heap.pending != HEAP_NONE)
        fail("everything is free, yet %u bytes stay given back", heap.released);
    if (!env.no_shrink && heap.mapped > HEAP_TRIM_AT + 2 * HEAP_PAGE)
        fail("everything is free, yet %u bytes stay mapped", heap.mapped);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    if (!start_input(&in))
        return 0;
    if (run_steps(&in))
        free_everything();
    /* Leave the reservation as it was found. */
    if (mmap(env.base, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED)
        fail("mmap failed");
    return 0;
}
