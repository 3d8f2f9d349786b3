/*
 * diagram.c - draw the region tree as nested boxes, highest address on top.
 *
 *   0xc0115000 +------------------------------------------+
 *              | boot.stack                 rw-    16 KiB |  phys ...
 *   0xc0111000 +------------------------------------------+
 *
 * Children sit in boxes inside their parent's box; stretches that no region
 * claims are shown as gaps, so nothing in the address space goes unsaid.
 */
#include "atlas/diagram.h"

#include "lib/string.h"

#define BOX_WIDTH   46      /* inner width of a top-level box */
#define ADDR_WIDTH  12

uint64_t diagram_space_top(const struct region_table *t, enum region_space space)
{
    if (space == SPACE_VIRTUAL)
        return 0x100000000ULL;
    uint64_t top = 0;
    for (unsigned i = 0; i < t->count; i++)
        if (t->r[i].space == space && t->r[i].end > top)
            top = t->r[i].end;
    return top;
}

static const char *gap_label(const struct region *parent, enum region_space space)
{
    if (!parent)
        return space == SPACE_VIRTUAL ? "(not mapped)" : "(nothing here)";
    if (parent->kind == KIND_RAM)
        return "(free)";
    if (parent->kind == KIND_IMAGE)
        return "(padding)";
    return "(unused)";
}

static void walk(const struct region_table *t, enum region_space space,
                 int parent, uint64_t lo, uint64_t hi, int depth,
                 diagram_fn fn, void *ctx)
{
    const struct region *p = parent >= 0 ? &t->r[parent] : 0;
    struct diagram_item item;
    uint64_t cursor = hi;
    bool any = false;
    for (int i = (int)t->count - 1; i >= 0; i--) {
        const struct region *r = &t->r[i];
        if (r->space != space || r->parent != parent)
            continue;
        any = true;
        if (r->end < cursor) {
            item = (struct diagram_item){ true, p, r->end, cursor, depth,
                                          gap_label(p, space) };
            fn(ctx, &item, false);
        }
        item = (struct diagram_item){ false, r, r->start, r->end, depth, 0 };
        fn(ctx, &item, false);
        walk(t, space, i, r->start, r->end, depth + 1, fn, ctx);
        fn(ctx, &item, true);
        if (r->start < cursor)
            cursor = r->start;
    }
    /* A region with no children is drawn whole: no gap inside it. */
    if (cursor > lo && (any || !p)) {
        item = (struct diagram_item){ true, p, lo, cursor, depth,
                                      gap_label(p, space) };
        fn(ctx, &item, false);
    }
}

void diagram_walk(const struct region_table *t, enum region_space space,
                  diagram_fn fn, void *ctx)
{
    walk(t, space, REGION_NO_PARENT, 0, diagram_space_top(t, space), 0, fn, ctx);
}

/* ---- text drawing --------------------------------------------------------- */

struct text {
    const struct region_table *t;
    enum region_space space;
    format_sink sink;
    void *ctx;
    bool have_border;       /* the last line was a border ... */
    uint64_t border_addr;   /* ... at this address ... */
    int border_depth;       /* ... at this depth */
    bool have_label;
    uint64_t label_addr;    /* the last address written in the margin */
};

static void put(struct text *x, char c)
{
    x->sink(x->ctx, c);
}

static void put_n(struct text *x, char c, int n)
{
    while (n-- > 0)
        put(x, c);
}

static void put_s(struct text *x, const char *s)
{
    while (*s)
        put(x, *s++);
}

static void put_addr(struct text *x, uint64_t addr, bool show)
{
    char buf[24];
    if (!show) {
        put_n(x, ' ', ADDR_WIDTH);
    } else {
        int n = format_buf(buf, sizeof buf, "0x%08llx", (unsigned long long)addr);
        put_n(x, ' ', ADDR_WIDTH - n);
        put_s(x, buf);
    }
    put(x, ' ');
}

static void border(struct text *x, uint64_t addr, int depth)
{
    if (x->have_border && x->border_depth == depth && x->border_addr == addr)
        return;     /* two boxes that touch share one border */
    bool same = x->have_label && x->label_addr == addr;
    put_addr(x, addr, !same);
    x->have_label = true;
    x->label_addr = addr;
    for (int i = 0; i < depth; i++)
        put_s(x, "| ");
    put(x, '+');
    put_n(x, '-', BOX_WIDTH - 4 * depth);
    put(x, '+');
    for (int i = 0; i < depth; i++)
        put_s(x, " |");
    put(x, '\n');
    x->have_border = true;
    x->border_addr = addr;
    x->border_depth = depth;
}

/* A row inside a box at `depth`: left text, right text, then notes outside. */
static void row(struct text *x, int depth, const char *left, const char *right,
                const char *notes)
{
    int inner = BOX_WIDTH - 4 * depth - 2;
    int ll = (int)strlen(left), rl = (int)strlen(right);
    put_addr(x, 0, false);
    for (int i = 0; i < depth; i++)
        put_s(x, "| ");
    put_s(x, "| ");
    put_s(x, left);
    put_n(x, ' ', inner - ll - rl > 1 ? inner - ll - rl : 1);
    put_s(x, right);
    put_s(x, " |");
    for (int i = 0; i < depth; i++)
        put_s(x, " |");
    if (notes && *notes) {
        put_s(x, "  ");
        put_s(x, notes);
    }
    put(x, '\n');
    x->have_border = false;
}

static void text_item(void *ctx, const struct diagram_item *it, bool leaving)
{
    struct text *x = ctx;
    char size[16], right[32], notes[160], perm[4];

    if (it->is_gap) {
        format_size(size, sizeof size, it->end - it->start);
        if (it->depth == 0) {       /* a top-level gap gets a box of its own */
            border(x, it->end, 0);
            row(x, 0, it->label, size, 0);
            border(x, it->start, 0);
        } else {                    /* inside a parent's box, no box of its own */
            row(x, it->depth - 1, it->label, size, 0);
        }
        return;
    }
    const struct region *r = it->region;
    if (leaving) {
        border(x, r->start, it->depth);
        return;
    }
    border(x, r->end, it->depth);
    format_size(size, sizeof size, r->end - r->start);
    format_buf(right, sizeof right, "%s %9s", region_perm_str(r->perm, perm), size);

    /* Outside the box: the other address of the region, then what it is. */
    const struct region *twin = region_by_name(
        x->t, r->space == SPACE_VIRTUAL ? SPACE_PHYSICAL : SPACE_VIRTUAL, r->name);
    if (r->space == SPACE_VIRTUAL && r->phys != REGION_NO_PHYS && r->phys != r->start)
        format_buf(notes, sizeof notes, "phys 0x%08llx  %s",
                   (unsigned long long)r->phys, r->what ? r->what : "");
    else if (r->space == SPACE_PHYSICAL && twin)
        format_buf(notes, sizeof notes, "virt 0x%08llx  %s",
                   (unsigned long long)twin->start, r->what ? r->what : "");
    else
        format_buf(notes, sizeof notes, "%s", r->what ? r->what : "");
    row(x, it->depth, r->name, right, notes);
}

void diagram_text(const struct region_table *t, enum region_space space,
                  format_sink sink, void *ctx)
{
    struct text x = { t, space, sink, ctx, false, 0, 0, false, 0 };
    diagram_walk(t, space, text_item, &x);
}
