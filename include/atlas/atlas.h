/*
 * atlas.h - the kernel's map of every memory region it knows, built at boot
 * and printed for people (serial and VGA) and for programs (serial "@region").
 */
#ifndef ATLAS_H
#define ATLAS_H

#include <stdbool.h>

#include "boot/bootinfo.h"
#include "boot/cmdline.h"
#include "atlas/region.h"

extern struct region_table atlas;

/* The boot loader's and the command line's report: @boot ... @ksym. */
void atlas_print_boot(const struct boot_info *bi, const struct cmdline *c);
void atlas_build(const struct boot_info *bi);
void atlas_print(void);                         /* diagrams and @region lines */
/* Each kernel section: the permission linker.ld promised, and the page
 * tables' view of every one of its pages. Returns the number that differ. */
unsigned atlas_check_permissions(bool print);
void atlas_draw_screen(const char *title, const char *status);
/* The atlas page with a title naming the loader, the protocol and the RAM. */
void atlas_draw_page(const struct boot_info *bi);
void atlas_set_status(const char *status);      /* the VGA screen's last row */

/* The innermost virtual region holding addr, by name; "(unmapped)" if none.
 * Before atlas_build, the kernel's own sections and task stacks are known.
 * The name stays valid while its region exists (a task's, while it lives). */
const char *region_of(const void *addr);

#endif
