/*
 * region.h - the atlas's table of memory regions and the lookups on it.
 *
 * A region is a named range [start, end) in the virtual or the physical
 * address space. Regions may nest (vga.text inside the first MiB, the kernel
 * inside a RAM range, like /proc/iomem) but must never overlap partly:
 * region_table_check finds the parent of each region and reports the pairs
 * that break that rule. Pure C: built for the host tests.
 */
#ifndef REGION_H
#define REGION_H

#include <stdbool.h>
#include <stdint.h>

#define REGION_MAX          128
#define REGION_NAME_MAX     24
#define REGION_NO_PHYS      UINT64_MAX  /* nothing backs it (unmapped) */
#define REGION_NO_PARENT    (-1)

#define PERM_R              4
#define PERM_W              2
#define PERM_X              1

enum region_space { SPACE_VIRTUAL, SPACE_PHYSICAL };

/* What a region holds; decides its colour on the screen and its nesting rank. */
enum region_kind {
    KIND_USER,          /* containers first: they rank as parents on a tie */
    KIND_WINDOW,
    KIND_RAM,
    KIND_RESERVED,
    KIND_IMAGE,
    KIND_BOOTINFO,
    KIND_HEADERS,       /* leaves from here on */
    KIND_CODE,
    KIND_RODATA,
    KIND_DATA,
    KIND_BSS,
    KIND_STACK,
    KIND_HEAP,
    KIND_GUARD,
    KIND_BOOTDATA,
    KIND_MODULE,
    KIND_FIRMWARE,
    KIND_DEVICE,
    KIND_COUNT
};

struct region {
    char name[REGION_NAME_MAX];
    uint64_t start, end;        /* end exclusive */
    uint64_t phys;              /* physical start, or REGION_NO_PHYS */
    enum region_space space;
    enum region_kind kind;
    uint8_t perm;               /* PERM_R | PERM_W | PERM_X */
    const char *what;           /* one short line for people */
    int parent;                 /* index after region_table_check */
    int depth;
};

struct region_table {
    unsigned count;
    unsigned dropped;           /* adds refused because the table was full */
    struct region r[REGION_MAX];
};

/* Reports one pair of regions that overlap without one containing the other. */
typedef void (*region_overlap_fn)(const struct region *a, const struct region *b);

void region_table_init(struct region_table *t);
/* Returns the new region, or NULL (table full, or end before start). */
struct region *region_add(struct region_table *t, enum region_space space,
                          const char *name, uint64_t start, uint64_t end,
                          uint64_t phys, uint8_t perm, enum region_kind kind,
                          const char *what);
/* Sorts by space and address, links parents; returns the partial overlaps. */
unsigned region_table_check(struct region_table *t, region_overlap_fn report);
/* The innermost region of `space` holding addr, or NULL. Needs a checked table. */
const struct region *region_find(const struct region_table *t,
                                 enum region_space space, uint64_t addr);
const struct region *region_by_name(const struct region_table *t,
                                    enum region_space space, const char *name);
/* "r-x" style; buf needs 4 bytes. */
const char *region_perm_str(uint8_t perm, char *buf);
const char *region_space_name(enum region_space s);

#endif
