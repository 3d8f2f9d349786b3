/*
 * fuzz_vma.c - a libFuzzer target for the address-space map, kernel/mm/vma.c
 * (docs/fuzzing.md).
 *
 * The input is a program of operations on one set, run against a model
 * that knows nothing of areas: a record per page of a window of 1024 pages
 * (mapped or not, prot, kind, flags, name, and for a file page the offset
 * of its first byte and how many of its bytes come from the file). The
 * model says what each operation must return, as vma.h documents it, the
 * errors included: EFULL exactly when the pages, cut into the fewest areas
 * that can describe them, would not fit in the slots.
 *
 * After every operation vma_check must pass, the set must hold as many
 * areas as that fewest number, and every page of the window must be found
 * by vma_find with the model's permissions, kind, flags, name and file
 * bytes. A failed operation must leave the set as it was, byte for byte;
 * vma_remove must report each removed page once, in address order, before
 * the set changes. The slots are a malloc'd array of exactly cap areas, so
 * ASan sees a write past them.
 *
 * Input: byte 0 places the window (bits 0-1: at 0, at 0x08048000, ending
 * just under 4 GiB, or ending at 0xC0000000) and the set's range inside it
 * (bits 2-4: pages left free at the bottom, bits 5-7 at the top); byte 1
 * is cap - 1 (mod 32). Then operations, each a byte (mod 6: insert, mmap,
 * munmap, mprotect, brk, find_gap) and its arguments (see the readers).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fail.h"
#include "mm/vma.h"

#define NP          1024            /* pages in the window */
#define CAP_MAX     32
#define PG(n)       ((uint32_t)(n) * PAGE_SIZE)
#define FOUR_GIB    ((uint64_t)1 << 32)

/* The model and the checks go uninstrumented: libFuzzer's coverage should
 * come from vma.c, and tracing every comparison of their page loops made
 * the target several times slower. noinline: inlined into a traced caller,
 * they would be traced again. */
#define UNTRACED __attribute__((no_sanitize("coverage"), noinline))

struct page {
    uint8_t mapped, prot, kind, name;
    uint16_t flags, bytes;          /* bytes: how many come from the file */
    uint32_t off;                   /* file offset of the page's first byte */
};

static const char *const names[4] = { "", "text", "mmap", "a-longer-name" };

static struct page model[NP], trial[NP];
static uint32_t win;                /* the window's first address */
static struct vma_set set;
static struct vma *store;           /* exactly cap slots */
static unsigned cap;
static uint32_t lo, hi;
static struct vma snap[CAP_MAX];    /* the set before the operation */
static unsigned snap_count;

struct input {
    const uint8_t *p;
    size_t n;
};

static unsigned get8(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static unsigned get16(struct input *in)
{
    unsigned v = get8(in);
    return v | get8(in) << 8;
}

static uint32_t get32(struct input *in)
{
    uint32_t v = get16(in);
    return v | (uint32_t)get16(in) << 16;
}

/* ---- the model ------------------------------------------------------------------ */

/* The window index of address a, or -1 outside it. */
UNTRACED static int page_of(uint64_t a)
{
    return a >= win && a < (uint64_t)win + PG(NP) ? (int)((a - win) / PAGE_SIZE) : -1;
}

/* Whether page q (the one after p) could be in the same area as p. */
UNTRACED static int alike(const struct page *p, const struct page *q)
{
    if (!p->mapped || !q->mapped || p->prot != q->prot || p->kind != q->kind ||
        p->flags != q->flags || p->name != q->name)
        return 0;
    if (p->kind != VMA_FILE)
        return 1;
    return (uint64_t)p->off + PAGE_SIZE == q->off && (q->bytes == 0 || p->bytes == PAGE_SIZE);
}

/* The fewest areas that describe m. */
UNTRACED static unsigned runs(const struct page *m)
{
    unsigned n = 0;
    for (int k = 0; k < NP; k++)
        n += m[k].mapped && !(k > 0 && alike(&m[k - 1], &m[k]));
    return n;
}

/* range_arg's rule, as vma.h words it: aligned start, len > 0, no wrap. */
static int model_range(uint32_t start, uint32_t len, uint64_t *end)
{
    if (start % PAGE_SIZE || len == 0)
        return -VMA_EINVAL;
    *end = start + (((uint64_t)len + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1));
    return *end > FOUR_GIB ? -VMA_EINVAL : 0;
}

UNTRACED static int model_insert(const struct vma *a, unsigned name_id, int has_nul)
{
    uint32_t len = a->end - a->start;
    if (a->start % PAGE_SIZE || a->end % PAGE_SIZE || a->start >= a->end)
        return -VMA_EINVAL;
    if ((a->prot & ~VMA_PROT_ALL) || a->kind >= VMA_KIND_COUNT ||
        (a->kind == VMA_GUARD && a->prot) || !has_nul)
        return -VMA_EINVAL;
    if (a->kind == VMA_FILE && (uint64_t)a->file_base + len > FOUR_GIB)
        return -VMA_EINVAL;
    if (a->start < lo || a->end > hi)
        return -VMA_ERANGE;
    memcpy(trial, model, sizeof trial);
    for (uint32_t skip = 0; skip < len; skip += PAGE_SIZE) {
        struct page *p = &trial[page_of(a->start + skip)];
        if (p->mapped)
            return -VMA_EOVERLAP;
        *p = (struct page){ .mapped = 1, .prot = a->prot, .kind = a->kind, .name = name_id,
                            .flags = a->flags };
        if (a->kind == VMA_FILE) {
            p->off = a->file_base + skip;
            uint32_t size = a->file_size < len ? a->file_size : len;
            p->bytes = size <= skip ? 0 : size - skip >= PAGE_SIZE ? PAGE_SIZE : size - skip;
        }
    }
    return runs(trial) > cap ? -VMA_EFULL : 0;
}

UNTRACED static int model_remove(uint32_t start, uint32_t len)
{
    uint64_t end;
    int err = model_range(start, len, &end);
    if (err)
        return err;
    memcpy(trial, model, sizeof trial);
    for (int k = 0; k < NP; k++)
        if (win + (uint64_t)PG(k) >= start && win + (uint64_t)PG(k) < end)
            trial[k] = (struct page){ 0 };
    return runs(trial) > cap ? -VMA_EFULL : 0;
}

UNTRACED static int model_protect(uint32_t start, uint32_t len, uint8_t prot)
{
    uint64_t end;
    int err = model_range(start, len, &end);
    if (err)
        return err;
    if (prot & ~VMA_PROT_ALL)
        return -VMA_EINVAL;
    int guard = 0;
    for (uint64_t a = start; a < end; a += PAGE_SIZE) {
        int k = page_of(a);
        if (k < 0 || !model[k].mapped)
            return -VMA_ENOMEM;
        guard |= model[k].kind == VMA_GUARD;
    }
    if (guard && prot)
        return -VMA_EACCES;
    memcpy(trial, model, sizeof trial);
    for (uint64_t a = start; a < end; a += PAGE_SIZE)
        trial[page_of(a)].prot = prot;
    return runs(trial) > cap ? -VMA_EFULL : 0;
}

UNTRACED static int model_resize(uint32_t start, uint32_t new_end)
{
    if (new_end % PAGE_SIZE || new_end < start)
        return -VMA_EINVAL;
    int k = page_of(start);
    if (start % PAGE_SIZE || k < 0 || !model[k].mapped || (k > 0 && alike(&model[k - 1], &model[k])))
        return -VMA_EINVAL;                     /* no area starts there */
    if (new_end > hi)
        return -VMA_ERANGE;
    int last = k;
    while (last + 1 < NP && alike(&model[last], &model[last + 1]))
        last++;
    memcpy(trial, model, sizeof trial);
    int stop = page_of(new_end - 1);            /* new_end > start: in the window */
    if (new_end == start || stop <= last) {
        for (int j = new_end == start ? k : stop + 1; j <= last; j++)
            trial[j] = (struct page){ 0 };
        return 0;
    }
    for (int j = last + 1; j <= stop; j++)
        if (model[j].mapped)
            return -VMA_EOVERLAP;
    if (model[k].kind == VMA_FILE && (uint64_t)model[k].off + (new_end - start) > FOUR_GIB)
        return -VMA_EINVAL;
    for (int j = last + 1; j <= stop; j++) {
        trial[j] = model[last];
        trial[j].bytes = 0;
        trial[j].off = model[k].kind == VMA_FILE ? model[k].off + PG(j - k) : 0;
    }
    return 0;
}

/* The highest free run of len bytes (whole pages) ending at or below below. */
UNTRACED static int model_gap(uint32_t len, uint32_t below, uint32_t *at)
{
    if (len == 0)
        return -VMA_EINVAL;
    uint64_t need = ((uint64_t)len + PAGE_SIZE - 1) / PAGE_SIZE;
    uint32_t top = below & ~(uint32_t)(PAGE_SIZE - 1);
    if (top > hi)
        top = hi;
    uint64_t run = 0;
    for (uint32_t a = top; a > lo; a -= PAGE_SIZE) {
        run = model[page_of(a - PAGE_SIZE)].mapped ? 0 : run + 1;
        if (run == need) {
            *at = a - PAGE_SIZE;
            return 0;
        }
    }
    return -VMA_ENOMEM;
}

/* ---- the checks ----------------------------------------------------------------- */

/* Page k of the window, at addr, against a, the area the set has there
 * (NULL: none). name_too: compare the name (once per area is enough). */
UNTRACED static void check_page(int k, const struct vma *a, uint32_t addr, int name_too,
                       const char *what)
{
    const struct page *p = &model[k];
    if (!p->mapped) {
        if (a)
            fuzz_fail("%s: 0x%x is in [0x%x, 0x%x), the model has it free", what, addr,
                      a->start, a->end);
        return;
    }
    if (!a || addr < a->start || addr >= a->end)
        fuzz_fail("%s: no area holds 0x%x", what, addr);
    uint32_t off, bytes = vma_page_source(a, addr & ~(uint32_t)(PAGE_SIZE - 1), &off);
    if (a->prot != p->prot || a->kind != p->kind || a->flags != p->flags ||
        (name_too && strcmp(a->name, names[p->name]) != 0) || bytes != p->bytes ||
        (p->kind == VMA_FILE && off != p->off))
        fuzz_fail("%s: page 0x%x: prot %u kind %u flags %u name '%s' %u file bytes at 0x%x; "
                  "the model: prot %u kind %u flags %u name '%s' %u at 0x%x", what, addr,
                  a->prot, a->kind, a->flags, a->name, bytes, off, p->prot, p->kind, p->flags,
                  names[p->name], p->bytes, p->off);
}

/* vma_find at a few addresses: each area's ends and an unaligned one inside,
 * what follows it, the range's edges, and eight more anywhere in the window. */
UNTRACED static void check_find(const char *what)
{
    static uint32_t mix = 1;
    for (unsigned i = 0; i < set.count; i++) {
        const struct vma *a = &set.v[i], *next = i + 1 < set.count ? a + 1 : NULL;
        uint32_t mid = a->start + (a->end - a->start) / 2 + 0x123;
        if (vma_find(&set, a->start) != a || vma_find(&set, a->end - 1) != a ||
            vma_find(&set, mid < a->end ? mid : a->start) != a)
            fuzz_fail("%s: vma_find misses [0x%x, 0x%x)", what, a->start, a->end);
        if (vma_find(&set, a->end) != (next && next->start == a->end ? next : NULL))
            fuzz_fail("%s: vma_find(0x%x) after [0x%x, 0x%x)", what, a->end, a->start, a->end);
    }
    if ((lo > 0 && vma_find(&set, lo - 1)) || vma_find(&set, hi))
        fuzz_fail("%s: an area outside [0x%x, 0x%x)", what, lo, hi);
    for (int n = 0; n < 8; n++) {
        mix = mix * 1103515245u + 12345u;
        uint32_t addr = win + (mix >> 8) % PG(NP);
        int k = page_of(addr);
        check_page(k, vma_find(&set, addr), addr, 1, what);
    }
}

/* vma_for_each must give the areas in order, and stop when told. */
struct walk_check {
    unsigned n, stop_at;
};

static int walk_one(void *ctx, const struct vma *a)
{
    struct walk_check *w = ctx;
    if (a != &set.v[w->n])
        fuzz_fail("vma_for_each: area %u is not the set's", w->n);
    return ++w->n == w->stop_at ? -1 : 0;
}

UNTRACED static void check_walk(const char *what)
{
    struct walk_check w = { 0, 0 };
    if (vma_for_each(&set, walk_one, &w) != 0 || w.n != set.count)
        fuzz_fail("%s: vma_for_each saw %u of %u areas", what, w.n, set.count);
    w = (struct walk_check){ 0, (set.count + 1) / 2 };
    if (set.count && (vma_for_each(&set, walk_one, &w) != -1 || w.n != w.stop_at))
        fuzz_fail("%s: vma_for_each did not stop after %u areas", what, w.stop_at);
}

/* The whole set against the model, page by page. */
UNTRACED static void check_all(const char *what)
{
    const char *why = vma_check(&set);
    if (why)
        fuzz_fail("%s: vma_check: %s", what, why);
    if (set.v != store || set.cap != cap || set.lo != lo || set.hi != hi)
        fuzz_fail("%s: the set's storage or range changed", what);
    if (set.count != runs(model))
        fuzz_fail("%s: %u areas, the model needs %u", what, set.count, runs(model));
    int k = 0;
    for (unsigned i = 0; i < set.count; i++) {
        const struct vma *a = &set.v[i];
        int first = page_of(a->start), last = page_of(a->end - 1);
        if (first < 0 || last < 0)
            fuzz_fail("%s: [0x%x, 0x%x) is outside the window", what, a->start, a->end);
        for (; k < first; k++)
            check_page(k, NULL, win + PG(k), 0, what);
        for (; k <= last; k++)
            check_page(k, a, win + PG(k), k == first, what);
    }
    for (; k < NP; k++)
        check_page(k, NULL, win + PG(k), 0, what);
    check_find(what);
    check_walk(what);
}

UNTRACED static void take_snapshot(void)
{
    snap_count = set.count;
    memcpy(snap, store, set.count * sizeof *store);
}

UNTRACED static int unchanged(void)
{
    return set.count == snap_count && memcmp(snap, store, snap_count * sizeof *store) == 0;
}

/* With FUZZ_VMA_TRACE set, each operation and the set after it (to see
 * what a seed does: build/host/fuzz_vma tests/fuzz/corpus/vma/NAME). */
static int tracing;

static void trace(int got, const char *what)
{
    if (!tracing)
        return;
    fprintf(stderr, "%s: %s, %u areas:", what, vma_strerror(got), set.count);
    for (unsigned i = 0; i < set.count; i++)
        fprintf(stderr, " [%x, %x) p%u k%u '%s' @%x+%x;", set.v[i].start, set.v[i].end,
                set.v[i].prot, set.v[i].kind, set.v[i].name, set.v[i].file_base,
                set.v[i].file_size);
    fputc('\n', stderr);
}

/* The operation returned got; the model says want (and trial, on success). */
static void judge(int got, int want, const char *what)
{
    trace(got, what);
    if (got != want)
        fuzz_fail("%s: returned %s, the model says %s", what, vma_strerror(got),
                  vma_strerror(want));
    if (got && !unchanged())
        fuzz_fail("%s: failed with %s but changed the set", what, vma_strerror(got));
    if (!got)
        memcpy(model, trial, sizeof model);
    check_all(what);
}

/* ---- the operations ------------------------------------------------------------- */

/* An address near the window: page -32 to NP + 31 of it (wrapping past 0
 * or 4 GiB), one in eight of them not page aligned. */
static uint32_t get_addr(struct input *in)
{
    unsigned r = get16(in);
    int64_t idx = (int64_t)((r & 0x7FF) % (NP + 64)) - 32;
    uint32_t a = (uint32_t)((int64_t)win + idx * PAGE_SIZE);
    if ((r >> 13) == 7)
        a += 1 + ((r >> 11) & 3) * 0x3FF;
    return a;
}

/* A length in bytes: whole pages, less a bit, tiny, 0, or huge. */
static uint32_t get_len(struct input *in)
{
    unsigned b = get8(in), s = get8(in);
    if (b == 0xFF)
        return 0xFFFFFFFFu;
    if (b == 0xFE)
        return 0xFFFFF000u;
    uint32_t pages = (b & 0x7F) * ((b & 0x80) ? 8 : 1);
    if (pages == 0)
        return s;
    return PG(pages) - ((s & 1) ? (s >> 1) * 16 : 0);
}

/*
 * An area's attributes: attr (bits 0-2 prot, 3-5 kind: the five kinds,
 * then FILE, ANON, and one invalid, bits 6-7 name) and extra (bits 0-1
 * flags, bit 2 junk after the name's NUL, bit 3 a guard keeps its prot,
 * bits 4-7 all set: a name without NUL), then for a file its source.
 */
static void get_attrs(struct input *in, struct vma *a, unsigned *name_id, int *has_nul)
{
    static const uint8_t kinds[8] = { VMA_ANON, VMA_FILE, VMA_HEAP, VMA_STACK, VMA_GUARD,
                                      VMA_FILE, VMA_ANON, 7 };
    unsigned attr = get8(in), extra = get8(in);
    a->prot = attr & 7;
    a->kind = kinds[(attr >> 3) & 7];
    if (a->kind == 7 && (attr & 1))
        a->prot |= 8, a->kind = VMA_ANON;       /* a bad prot instead */
    if (a->kind == VMA_GUARD && !(extra & 8))
        a->prot = 0;
    *name_id = attr >> 6;
    a->flags = extra & 3;
    memset(a->name, 0, sizeof a->name);
    strcpy(a->name, names[*name_id]);
    if (extra & 4)
        memcpy(a->name + strlen(a->name) + 1, "junk", 2);
    *has_nul = (extra >> 4) != 0xF;
    if (!*has_nul)
        memset(a->name, 'n', sizeof a->name);
    if (a->kind != VMA_FILE) {
        a->file_base = get8(in) == 0x5A ? 0x1234 : 0;   /* to be cleared */
        a->file_size = a->file_base;
        return;
    }
    unsigned src = get8(in);
    switch (src & 3) {
    case 0: a->file_base = a->start - win; break;       /* one image over the window */
    case 1: a->file_base = 0; break;
    case 2: a->file_base = 0xFFFFF000u - PG(get8(in)); break;
    default: a->file_base = get32(in); break;
    }
    switch ((src >> 2) & 3) {
    case 0: a->file_size = 0xFFFFFFFFu; break;
    case 1: a->file_size = 0; break;
    case 2: a->file_size = get16(in) * 7u; break;
    default: a->file_size = get32(in); break;
    }
}

static void do_insert(struct vma *a, unsigned name_id, int has_nul, const char *what)
{
    struct vma copy = *a;
    int want = model_insert(a, name_id, has_nul);
    take_snapshot();
    int got = vma_insert(&set, a);
    if (memcmp(&copy, a, sizeof copy) != 0)
        fuzz_fail("%s: vma_insert changed its argument", what);
    judge(got, want, what);
}

static void op_insert(struct input *in)
{
    struct vma a = { .start = get_addr(in) };
    unsigned b = get8(in), name_id;
    uint32_t pages = b == 0xFF ? 0 : ((b & 0x3F) + 1) * ((b & 0x40) ? 8 : 1);
    a.end = a.start + PG(pages);
    int has_nul;
    get_attrs(in, &a, &name_id, &has_nul);
    do_insert(&a, name_id, has_nul, "insert");
}

/* mmap without an address: find_gap under hi, then insert there. */
static void op_mmap(struct input *in)
{
    uint32_t len = get_len(in), at = 0, want_at = 0;
    int want = model_gap(len, hi, &want_at);
    int got = vma_find_gap(&set, len, hi, &at);
    if (got != want || (!got && at != want_at))
        fuzz_fail("mmap: find_gap(0x%x) gave %s at 0x%x, the model %s at 0x%x", len,
                  vma_strerror(got), at, vma_strerror(want), want_at);
    struct vma a = { .start = at, .end = at + (uint32_t)(((uint64_t)len + PAGE_SIZE - 1) &
                                                          ~(uint64_t)(PAGE_SIZE - 1)) };
    unsigned name_id;
    int has_nul;
    get_attrs(in, &a, &name_id, &has_nul);
    if (!got)
        do_insert(&a, name_id, has_nul, "mmap");
}

/* What vma_remove reported: the pages seen, in order, before any change. */
static uint8_t seen[NP];
static uint64_t gone_next;
static uint32_t gone_start;
static uint64_t gone_end;

static void on_gone(void *ctx, const struct vma *p)
{
    if (ctx != &set)
        fuzz_fail("munmap: gone() got ctx %p", ctx);
    if (!unchanged())
        fuzz_fail("munmap: gone() called after the set changed");
    if (p->start < gone_next || p->start >= p->end || p->start < gone_start ||
        p->end > gone_end || p->start % PAGE_SIZE || p->end % PAGE_SIZE)
        fuzz_fail("munmap: piece [0x%x, 0x%x) out of order or outside the range", p->start,
                  p->end);
    gone_next = p->end;
    for (uint32_t a = p->start; a < p->end; a += PAGE_SIZE) {
        int k = page_of(a);
        if (k < 0 || seen[k])
            fuzz_fail("munmap: page 0x%x reported twice or outside the window", a);
        seen[k] = 1;
        check_page(k, p, a, a == p->start, "munmap: a removed piece");
    }
}

static void op_remove(struct input *in)
{
    uint32_t start = get_addr(in), len = get_len(in);
    int want = model_remove(start, len);
    memset(seen, 0, sizeof seen);
    gone_next = 0;
    gone_start = start;
    gone_end = start + ((uint64_t)len + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    uint8_t was[NP];
    for (int k = 0; k < NP; k++)
        was[k] = model[k].mapped;
    take_snapshot();
    int got = vma_remove(&set, start, len, on_gone, &set);
    for (int k = 0; k < NP; k++) {
        uint64_t a = win + (uint64_t)PG(k);
        int inside = !got && a >= start && a < gone_end;
        if (seen[k] != (inside && was[k]))
            fuzz_fail("munmap(0x%x, 0x%x): page 0x%llx %s", start, len, (unsigned long long)a,
                      seen[k] ? "reported but not removed" : "removed but not reported");
    }
    judge(got, want, "munmap");
}

static void op_protect(struct input *in)
{
    uint32_t start = get_addr(in), len = get_len(in);
    unsigned b = get8(in);
    uint8_t prot = b == 0xFF ? 8 : b & 7;
    int want = model_protect(start, len, prot);
    take_snapshot();
    judge(vma_protect(&set, start, len, prot), want, "mprotect");
}

/* brk: an area's start (or any address) and a new end: its end moved by
 * -127 to 126 pages, its start (-128), or the next area's start (127). */
static void op_resize(struct input *in)
{
    unsigned sel = get8(in);
    uint32_t start;
    if (set.count && (sel & 1))
        start = set.v[(sel >> 1) % set.count].start;
    else
        start = get_addr(in);
    int delta = (int8_t)get8(in);
    const struct vma *a = vma_find(&set, start);
    uint32_t end = a ? a->end : start;
    uint32_t new_end = delta == -128 ? start : end + (uint32_t)delta * PAGE_SIZE;
    if (delta == 127)
        new_end = a && a + 1 < set.v + set.count ? a[1].start : hi;
    if ((sel & 0xC0) == 0xC0)
        new_end += 0x10;
    int want = model_resize(start, new_end);
    take_snapshot();
    judge(vma_resize(&set, start, new_end), want, "brk");
}

static void op_gap(struct input *in)
{
    uint32_t len = get_len(in), below = get_addr(in), at = 0x5A5A5A5A, want_at = 0;
    if ((below & 0xFFF) == 0 && (len & 1))
        below += 0xFFF;
    int want = model_gap(len, below, &want_at);
    take_snapshot();
    int got = vma_find_gap(&set, len, below, &at);
    if (got != want || (got == 0 && at != want_at) || (got && at != 0x5A5A5A5A))
        fuzz_fail("find_gap(0x%x, below 0x%x) gave %s at 0x%x, the model %s at 0x%x", len,
                  below, vma_strerror(got), at, vma_strerror(want), want_at);
    if (!unchanged())
        fuzz_fail("find_gap changed the set");
    if (tracing)
        fprintf(stderr, "find_gap(0x%x, below 0x%x): %s at 0x%x\n", len, below,
                vma_strerror(got), at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t bases[4] = { 0, 0x08048000u, 0xFFFFF000u - PG(NP),
                                       0xC0000000u - PG(NP) };
    struct input in = { data, size };
    tracing = getenv("FUZZ_VMA_TRACE") != NULL;
    unsigned place = get8(&in);
    win = bases[place & 3];
    lo = win + PG((place >> 2) & 7);
    hi = win + PG(NP - (place >> 5));
    cap = 1 + get8(&in) % CAP_MAX;
    store = malloc(cap * sizeof *store);
    if (!store)
        abort();
    memset(store, 0xA5, cap * sizeof *store);
    if (vma_init(&set, store, cap, lo, hi) != 0)
        fuzz_fail("vma_init refused [0x%x, 0x%x)", lo, hi);
    memset(model, 0, sizeof model);
    check_all("init");
    while (in.n) {
        switch (get8(&in) % 6) {
        case 0: op_insert(&in); break;
        case 1: op_mmap(&in); break;
        case 2: op_remove(&in); break;
        case 3: op_protect(&in); break;
        case 4: op_resize(&in); break;
        default: op_gap(&in); break;
        }
    }
    free(store);
    return 0;
}
