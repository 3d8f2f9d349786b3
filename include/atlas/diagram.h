/*
 * diagram.h - the atlas drawn for people: walk the region tree from the
 * highest address down, the way the guide draws a program's memory.
 * Pure C: built for the host tests.
 */
#ifndef DIAGRAM_H
#define DIAGRAM_H

#include "lib/format.h"
#include "atlas/region.h"

/* One step of the walk: a region, or a gap between regions. */
struct diagram_item {
    bool is_gap;
    const struct region *region;    /* the region, or for a gap its parent (may be NULL) */
    uint64_t start, end;            /* the gap's range, or the region's */
    int depth;
    const char *label;              /* a gap's text, e.g. "(free)" */
};

typedef void (*diagram_fn)(void *ctx, const struct diagram_item *item, bool leaving);

/* Top of the space in the drawing: 4 GiB for virtual, the highest end for physical. */
uint64_t diagram_space_top(const struct region_table *t, enum region_space space);
/* Calls fn for each item, highest first; parents before their children, and
 * once more (leaving = true) after the last child of a region. */
void diagram_walk(const struct region_table *t, enum region_space space,
                  diagram_fn fn, void *ctx);
/* The box drawing, one line per border and per row, written to sink. */
void diagram_text(const struct region_table *t, enum region_space space,
                  format_sink sink, void *ctx);

#endif
