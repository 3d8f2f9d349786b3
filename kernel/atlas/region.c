/*
 * region.c - the region table: add, sort, nest, look up.
 */
#include "atlas/region.h"

#include "lib/string.h"

void region_table_init(struct region_table *t)
{
    t->count = 0;
    t->dropped = 0;
}

struct region *region_add(struct region_table *t, enum region_space space,
                          const char *name, uint64_t start, uint64_t end,
                          uint64_t phys, uint8_t perm, enum region_kind kind,
                          const char *what)
{
    if (end < start)
        return 0;
    if (t->count >= REGION_MAX) {
        t->dropped++;
        return 0;
    }
    struct region *r = &t->r[t->count++];
    str_copy(r->name, name, sizeof r->name);
    r->start = start;
    r->end = end;
    r->phys = phys;
    r->space = space;
    r->kind = kind;
    r->perm = perm;
    r->what = what;
    r->parent = REGION_NO_PARENT;
    r->depth = 0;
    return r;
}

/* Outer before inner: by space, then start up, then end down, then rank. */
static bool before(const struct region *a, const struct region *b)
{
    if (a->space != b->space)
        return a->space < b->space;
    if (a->start != b->start)
        return a->start < b->start;
    if (a->end != b->end)
        return a->end > b->end;
    return a->kind < b->kind;
}

unsigned region_table_check(struct region_table *t, region_overlap_fn report)
{
    /* Insertion sort: the table is small and mostly in order already. */
    for (unsigned i = 1; i < t->count; i++) {
        struct region key = t->r[i];
        unsigned j = i;
        while (j > 0 && before(&key, &t->r[j - 1])) {
            t->r[j] = t->r[j - 1];
            j--;
        }
        t->r[j] = key;
    }

    /* Walk in order keeping the chain of open ancestors. */
    int open[REGION_MAX];
    int depth = 0;
    unsigned overlaps = 0;
    for (unsigned i = 0; i < t->count; i++) {
        struct region *r = &t->r[i];
        if (i > 0 && r->space != t->r[i - 1].space)
            depth = 0;
        while (depth > 0 && t->r[open[depth - 1]].end <= r->start)
            depth--;
        /* An open region that ends inside r overlaps it partly: not a parent. */
        while (depth > 0 && t->r[open[depth - 1]].end < r->end)
            depth--;
        r->parent = depth > 0 ? open[depth - 1] : REGION_NO_PARENT;
        r->depth = depth;
        open[depth++] = (int)i;

        /* Report every earlier region that r overlaps partly, closed or not:
         * one that was already dropped from the chain can still meet r. */
        for (unsigned j = 0; j < i; j++) {
            const struct region *a = &t->r[j];
            if (a->space == r->space && a->start < r->start &&
                r->start < a->end && a->end < r->end) {
                overlaps++;
                if (report)
                    report(a, r);
            }
        }
    }
    return overlaps;
}

const struct region *region_find(const struct region_table *t,
                                 enum region_space space, uint64_t addr)
{
    const struct region *best = 0;
    for (unsigned i = 0; i < t->count; i++) {
        const struct region *r = &t->r[i];
        if (r->space == space && r->start <= addr && addr < r->end &&
            (!best || r->depth > best->depth))
            best = r;
    }
    return best;
}

const struct region *region_by_name(const struct region_table *t,
                                    enum region_space space, const char *name)
{
    for (unsigned i = 0; i < t->count; i++)
        if (t->r[i].space == space && strcmp(t->r[i].name, name) == 0)
            return &t->r[i];
    return 0;
}

const char *region_perm_str(uint8_t perm, char *buf)
{
    buf[0] = perm & PERM_R ? 'r' : '-';
    buf[1] = perm & PERM_W ? 'w' : '-';
    buf[2] = perm & PERM_X ? 'x' : '-';
    buf[3] = '\0';
    return buf;
}

const char *region_space_name(enum region_space s)
{
    return s == SPACE_VIRTUAL ? "virtual" : "physical";
}
