/*
 * atlas.h - the kernel's map of every memory region it knows, built at boot
 * and printed for people (serial and VGA) and for programs (serial "@region").
 */
#ifndef ATLAS_H
#define ATLAS_H

#include <stdbool.h>

#include "boot/bootinfo.h"
#include "atlas/region.h"

extern struct region_table atlas;

void atlas_build(const struct boot_info *bi);
void atlas_print(void);                         /* diagrams and @region lines */
/* Each kernel section: the permission linker.ld promised, and the page
 * tables' view of every one of its pages. Returns the number that differ. */
unsigned atlas_check_permissions(bool print);
void atlas_draw_screen(const char *title, const char *status);
void atlas_set_status(const char *status);      /* the VGA screen's last row */

/* The innermost virtual region holding addr, by name; "(unmapped)" if none. */
const char *region_of(const void *addr);

#endif
