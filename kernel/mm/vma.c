/*
 * vma.c - the map of a process's address space (mm/vma.h).
 *
 * A set is a sorted array. munmap and mprotect both rewrite a window of
 * neighbouring areas: each area is cut at the range's ends, the pieces
 * inside dropped or given the new permissions, and what is alike merged
 * again. That rewrite runs twice: once to count the pieces it would make,
 * so that an operation that does not fit is refused before anything
 * changes, then in place, writing the pieces over the window.
 *
 * Pure C: built for the host tests and a fuzz target too.
 */
#include "mm/vma.h"

#include "lib/string.h"

#define FOUR_GIB ((uint64_t)1 << 32)
#define REMOVE (-1)         /* rewrite()'s prot for munmap: drop the pieces */

static uint32_t min32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

static uint32_t len_of(const struct vma *a)
{
    return a->end - a->start;
}

/* [start, *end) for a range argument: len in whole pages, not wrapping. */
static int range_arg(uint32_t start, uint32_t len, uint64_t *end)
{
    if (start % PAGE_SIZE || len == 0)
        return -VMA_EINVAL;
    *end = (uint64_t)start + PAGE_ALIGN_UP((uint64_t)len);
    return *end > FOUR_GIB ? -VMA_EINVAL : 0;
}

/* The first area that ends above addr (count when none): the one holding
 * addr, if any, or the first one after it. */
static unsigned lower_bound(const struct vma_set *s, uint32_t addr)
{
    unsigned lo = 0, hi = s->count;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (s->v[mid].end > addr)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The part [from, to) of a, with its file offset and size moved on by
 * what is cut off its front, so that every page keeps its bytes. */
static struct vma slice(const struct vma *a, uint32_t from, uint32_t to)
{
    struct vma p = *a;
    uint32_t skip = from - a->start;
    p.start = from;
    p.end = to;
    if (a->kind == VMA_FILE) {
        p.file_base = a->file_base + skip;
        p.file_size = a->file_size > skip ? min32(a->file_size - skip, to - from) : 0;
    }
    return p;
}

int vma_mergeable(const struct vma *a, const struct vma *b)
{
    if (a->end != b->start || a->kind != b->kind || a->prot != b->prot ||
        a->flags != b->flags || memcmp(a->name, b->name, VMA_NAME_LEN) != 0)
        return 0;
    if (a->kind != VMA_FILE)
        return 1;
    /* b's first page must be the file page after a's last, and a's tail
     * may be zero-filled only when b has no file bytes either. */
    if ((uint64_t)a->file_base + len_of(a) != b->file_base)
        return 0;
    return b->file_size == 0 || a->file_size == len_of(a);
}

/* a becomes a and b together; vma_mergeable(a, b) holds. */
static void merge_onto(struct vma *a, const struct vma *b)
{
    if (a->kind == VMA_FILE && b->file_size)
        a->file_size = len_of(a) + b->file_size;
    a->end = b->end;
}

int vma_init(struct vma_set *s, struct vma *storage, unsigned cap, uint32_t lo, uint32_t hi)
{
    if (!s)
        return -VMA_EINVAL;
    *s = (struct vma_set){ 0 };
    if ((!storage && cap) || lo % PAGE_SIZE || hi % PAGE_SIZE || lo >= hi)
        return -VMA_EINVAL;
    *s = (struct vma_set){ .v = storage, .cap = cap, .lo = lo, .hi = hi };
    return 0;
}

const struct vma *vma_find(const struct vma_set *s, uint32_t addr)
{
    unsigned i = lower_bound(s, addr);
    return i < s->count && s->v[i].start <= addr ? &s->v[i] : NULL;
}

/* *a checked and put in the form the set keeps (vma_insert's rules). */
static int normalize(const struct vma *a, struct vma *out)
{
    if (!a || a->start % PAGE_SIZE || a->end % PAGE_SIZE || a->start >= a->end)
        return -VMA_EINVAL;
    if ((a->prot & ~VMA_PROT_ALL) || a->kind >= VMA_KIND_COUNT ||
        (a->kind == VMA_GUARD && a->prot))
        return -VMA_EINVAL;
    size_t name_len = strnlen(a->name, VMA_NAME_LEN);
    if (name_len == VMA_NAME_LEN)
        return -VMA_EINVAL;
    *out = *a;
    memset(out->name, 0, VMA_NAME_LEN);
    memcpy(out->name, a->name, name_len);
    if (a->kind != VMA_FILE) {
        out->file_base = out->file_size = 0;
    } else {
        if ((uint64_t)a->file_base + len_of(a) > FOUR_GIB)
            return -VMA_EINVAL;
        out->file_size = min32(a->file_size, len_of(a));
    }
    return 0;
}

int vma_insert(struct vma_set *s, const struct vma *a)
{
    struct vma c;
    int err = normalize(a, &c);
    if (err)
        return err;
    if (c.start < s->lo || c.end > s->hi)
        return -VMA_ERANGE;
    unsigned i = lower_bound(s, c.start);
    if (i < s->count && s->v[i].start < c.end)
        return -VMA_EOVERLAP;

    /* Merge with the area below, then with the one above. */
    int left = i > 0 && vma_mergeable(&s->v[i - 1], &c);
    struct vma joined = c;
    if (left) {
        joined = s->v[i - 1];
        merge_onto(&joined, &c);
    }
    int right = i < s->count && vma_mergeable(&joined, &s->v[i]);
    if (right)
        merge_onto(&joined, &s->v[i]);

    if (left && right) {
        s->v[i - 1] = joined;
        memmove(&s->v[i], &s->v[i + 1], (s->count - i - 1) * sizeof *s->v);
        s->count--;
    } else if (left) {
        s->v[i - 1] = joined;
    } else if (right) {
        s->v[i] = joined;
    } else {
        if (s->count == s->cap)
            return -VMA_EFULL;
        memmove(&s->v[i + 1], &s->v[i], (s->count - i) * sizeof *s->v);
        s->v[i] = c;
        s->count++;
    }
    return 0;
}

/*
 * The rewrite of a window. Pieces go through walk_emit, which merges each
 * into the one before when they are alike and writes a piece out (or only
 * counts it, when out is NULL) once the next one cannot join it.
 */
struct walk {
    struct vma *out;
    unsigned n;                 /* pieces written or counted */
    struct vma pending;         /* the last piece, still growing */
    int has_pending;
};

static void walk_flush(struct walk *w)
{
    if (!w->has_pending)
        return;
    if (w->out)
        w->out[w->n] = w->pending;
    w->n++;
    w->has_pending = 0;
}

static void walk_emit(struct walk *w, const struct vma *p)
{
    if (w->has_pending && vma_mergeable(&w->pending, p)) {
        merge_onto(&w->pending, p);
        return;
    }
    walk_flush(w);
    w->pending = *p;
    w->has_pending = 1;
}

/* The window for [start, end): the areas it overlaps, and with touching
 * also the ones that end at start or begin at end (which may merge). */
static void window(const struct vma_set *s, uint32_t start, uint64_t end, int touching,
                   unsigned *i0, unsigned *i1)
{
    unsigned i = lower_bound(s, start);
    if (touching && i > 0 && s->v[i - 1].end == start)
        i--;
    unsigned j = i;
    while (j < s->count && (s->v[j].start < end || (touching && s->v[j].start == end)))
        j++;
    *i0 = i;
    *i1 = j;
}

/*
 * Rewrites the window [i0, i1) for [start, end): the parts of areas
 * inside the range are dropped (prot REMOVE) or take prot. Returns the
 * number of pieces; writes them to out[0 ..] unless out is NULL.
 *
 * out may be &s->v[i0]: each area is copied before its pieces are
 * written, and writing never reaches an area not yet read. Each area gives
 * one piece besides its cut-off parts, only the window's first can have a
 * front part and only its last a back part, and the newest piece is held
 * back until the next one is known; so before area k at most k - i0
 * pieces are written, and while reading k they reach slot k, or k + 1 for
 * the last area's back part, which is past the window: the caller moves
 * the areas after the window up first when the rewrite has more pieces.
 */
static unsigned rewrite(const struct vma_set *s, unsigned i0, unsigned i1, uint32_t start,
                        uint64_t end, int prot, struct vma *out)
{
    struct walk w = { .out = out };
    for (unsigned i = i0; i < i1; i++) {
        struct vma a = s->v[i], p;
        if (a.end <= start || a.start >= end) {
            walk_emit(&w, &a);
            continue;
        }
        uint32_t from = a.start > start ? a.start : start;
        uint32_t to = a.end < end ? a.end : (uint32_t)end;
        if (a.start < from) {
            p = slice(&a, a.start, from);
            walk_emit(&w, &p);
        }
        if (prot != REMOVE) {
            p = slice(&a, from, to);
            p.prot = (uint8_t)prot;
            walk_emit(&w, &p);
        }
        if (to < a.end) {
            p = slice(&a, to, a.end);
            walk_emit(&w, &p);
        }
    }
    walk_flush(&w);
    return w.n;
}

/* Replaces the window [i0, i1) by its rewrite, m pieces (which fit). */
static void apply(struct vma_set *s, unsigned i0, unsigned i1, unsigned m, uint32_t start,
                  uint64_t end, int prot)
{
    unsigned n = i1 - i0, tail = s->count - i1;
    if (m > n)
        memmove(&s->v[i0 + m], &s->v[i1], tail * sizeof *s->v);
    rewrite(s, i0, i1, start, end, prot, &s->v[i0]);
    if (m < n)
        memmove(&s->v[i0 + m], &s->v[i1], tail * sizeof *s->v);
    s->count = s->count - n + m;
}

int vma_remove(struct vma_set *s, uint32_t start, uint32_t len,
               void (*gone)(void *ctx, const struct vma *piece), void *ctx)
{
    uint64_t end;
    int err = range_arg(start, len, &end);
    if (err)
        return err;
    unsigned i0, i1;
    window(s, start, end, 0, &i0, &i1);
    if (i0 == i1)
        return 0;
    unsigned m = rewrite(s, i0, i1, start, end, REMOVE, NULL);
    if (s->count - (i1 - i0) + m > s->cap)
        return -VMA_EFULL;
    for (unsigned i = i0; gone && i < i1; i++) {
        const struct vma *a = &s->v[i];
        struct vma piece = slice(a, a->start > start ? a->start : start,
                                 a->end < end ? a->end : (uint32_t)end);
        gone(ctx, &piece);
    }
    apply(s, i0, i1, m, start, end, REMOVE);
    return 0;
}

int vma_protect(struct vma_set *s, uint32_t start, uint32_t len, uint8_t prot)
{
    uint64_t end;
    int err = range_arg(start, len, &end);
    if (err)
        return err;
    if (prot & ~VMA_PROT_ALL)
        return -VMA_EINVAL;

    /* Every page of the range in an area, and no guard to open. */
    uint64_t at = start;
    int guard = 0;
    for (unsigned i = lower_bound(s, start); i < s->count && at < end; i++) {
        if (s->v[i].start > at)
            break;
        guard |= s->v[i].kind == VMA_GUARD;
        at = s->v[i].end;
    }
    if (at < end)
        return -VMA_ENOMEM;
    if (guard && prot)
        return -VMA_EACCES;

    unsigned i0, i1;
    window(s, start, end, 1, &i0, &i1);
    unsigned m = rewrite(s, i0, i1, start, end, prot, NULL);
    if (s->count - (i1 - i0) + m > s->cap)
        return -VMA_EFULL;
    apply(s, i0, i1, m, start, end, prot);
    return 0;
}

int vma_find_gap(const struct vma_set *s, uint32_t len, uint32_t below, uint32_t *start)
{
    if (len == 0 || !start)
        return -VMA_EINVAL;
    uint64_t need = PAGE_ALIGN_UP((uint64_t)len);
    uint32_t top = min32((uint32_t)PAGE_ALIGN_DOWN(below), s->hi);

    /* Gap i is the free range below area i (i == count: below hi); the
     * areas past the first one ending above top only have gaps above it. */
    for (unsigned i = lower_bound(s, top); ; i--) {
        uint32_t gap_hi = i < s->count ? min32(s->v[i].start, top) : top;
        uint32_t gap_lo = i > 0 ? s->v[i - 1].end : s->lo;
        if (gap_lo < s->lo)
            gap_lo = s->lo;
        if (gap_hi > gap_lo && gap_hi - gap_lo >= need) {
            *start = (uint32_t)(gap_hi - need);
            return 0;
        }
        if (i == 0)
            return -VMA_ENOMEM;
    }
}

int vma_resize(struct vma_set *s, uint32_t start, uint32_t new_end)
{
    if (new_end % PAGE_SIZE || new_end < start)
        return -VMA_EINVAL;
    unsigned i = lower_bound(s, start);
    if (i >= s->count || s->v[i].start != start)
        return -VMA_EINVAL;
    struct vma *a = &s->v[i];
    if (new_end > s->hi)
        return -VMA_ERANGE;

    if (new_end == start) {
        memmove(a, a + 1, (s->count - i - 1) * sizeof *s->v);
        s->count--;
    } else if (new_end <= a->end) {
        a->end = new_end;
        a->file_size = min32(a->file_size, len_of(a));
    } else {
        if (i + 1 < s->count && s->v[i + 1].start < new_end)
            return -VMA_EOVERLAP;
        if (a->kind == VMA_FILE && (uint64_t)a->file_base + (new_end - start) > FOUR_GIB)
            return -VMA_EINVAL;
        a->end = new_end;
        if (i + 1 < s->count && vma_mergeable(a, &s->v[i + 1])) {
            merge_onto(a, &s->v[i + 1]);
            memmove(a + 1, a + 2, (s->count - i - 2) * sizeof *s->v);
            s->count--;
        }
    }
    return 0;
}

int vma_for_each(const struct vma_set *s, int (*fn)(void *ctx, const struct vma *a),
                 void *ctx)
{
    for (unsigned i = 0; i < s->count; i++) {
        int r = fn(ctx, &s->v[i]);
        if (r)
            return r;
    }
    return 0;
}

/* What is wrong with one area on its own, or NULL. */
static const char *check_area(const struct vma_set *s, const struct vma *a)
{
    if (a->start >= a->end)
        return "an area is empty or ends before it starts";
    if (a->start % PAGE_SIZE || a->end % PAGE_SIZE)
        return "an area is not page aligned";
    if (a->start < s->lo || a->end > s->hi)
        return "an area is outside the set's range";
    if (a->prot & ~VMA_PROT_ALL)
        return "an area has unknown permission bits";
    if (a->kind >= VMA_KIND_COUNT)
        return "an area has an unknown kind";
    if (a->kind == VMA_GUARD && a->prot)
        return "a guard area is accessible";
    size_t name_len = strnlen(a->name, VMA_NAME_LEN);
    if (name_len == VMA_NAME_LEN)
        return "an area's name has no NUL";
    for (size_t k = name_len; k < VMA_NAME_LEN; k++)
        if (a->name[k])
            return "an area's name has bytes after its NUL";
    if (a->kind != VMA_FILE && (a->file_base || a->file_size))
        return "an area that is not a file has file bytes";
    if (a->kind == VMA_FILE && a->file_size > len_of(a))
        return "a file area has more file bytes than its length";
    if (a->kind == VMA_FILE && (uint64_t)a->file_base + len_of(a) > FOUR_GIB)
        return "a file area's offsets pass 4 GiB";
    return NULL;
}

const char *vma_check(const struct vma_set *s)
{
    if (!s)
        return "no set";
    if (s->count > s->cap)
        return "more areas than slots";
    if (!s->v && s->cap)
        return "slots without storage";
    if (s->lo % PAGE_SIZE || s->hi % PAGE_SIZE || s->lo > s->hi)
        return "the set's range is not page aligned or ends before it starts";
    for (unsigned i = 0; i < s->count; i++) {
        const char *why = check_area(s, &s->v[i]);
        if (why)
            return why;
        if (i > 0 && s->v[i - 1].end > s->v[i].start)
            return "areas overlap or are out of order";
        if (i > 0 && vma_mergeable(&s->v[i - 1], &s->v[i]))
            return "two neighbouring areas should have been merged";
    }
    return NULL;
}

uint32_t vma_page_source(const struct vma *a, uint32_t page, uint32_t *offset)
{
    uint32_t skip = page - a->start;
    uint32_t off = a->kind == VMA_FILE ? a->file_base + skip : 0;
    if (offset)
        *offset = off;
    if (a->kind != VMA_FILE || a->file_size <= skip)
        return 0;
    return min32(a->file_size - skip, PAGE_SIZE);
}

const char *vma_strerror(int err)
{
    switch (err) {
    case 0:             return "ok";
    case -VMA_ENOMEM:   return "ENOMEM";
    case -VMA_EACCES:   return "EACCES";
    case -VMA_EINVAL:   return "EINVAL";
    case -VMA_EOVERLAP: return "EOVERLAP";
    case -VMA_ERANGE:   return "ERANGE";
    case -VMA_EFULL:    return "EFULL";
    default:            return "unknown";
    }
}
