/*
 * region_fixture.h - the set-up shared by the host tests of the region table
 * (test_region.c) and of the diagram drawn from it (test_diagram.c): one
 * table, emptied for each test, and a short way to add a plain region.
 */
#ifndef REGION_FIXTURE_H
#define REGION_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "atlas/region.h"

/* Big: keep it off the stack. */
static struct region_table table;

/* The table, empty. It is dirtied first so that region_table_init has to
 * clear everything itself. */
static inline struct region_table *fresh(void)
{
    memset(&table, 0xA5, sizeof table);
    region_table_init(&table);
    return &table;
}

/* A readable region with no physical twin and no description. */
static inline struct region *add(struct region_table *t, enum region_space space,
                                 const char *name, uint64_t start, uint64_t end,
                                 enum region_kind kind)
{
    return region_add(t, space, name, start, end, REGION_NO_PHYS, PERM_R,
                      kind, NULL);
}

#endif
