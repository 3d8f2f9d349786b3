/*
 * modwin.h - the module window: every boot module mapped read-only, kernel
 * only, one after another at MODULES_VIRT, so that programs can be read
 * from them and their pages shared with the processes that run them.
 */
#ifndef MODWIN_H
#define MODWIN_H

#include <stdint.h>

#include "boot/bootinfo.h"

/* Maps the modules; those that do not fit in the window are left out with
 * a warning. */
void modwin_init(const struct boot_info *bi);
/* Module i's bytes in the window, and their offset from MODULES_VIRT; 0 when
 * module i is not mapped. */
const uint8_t *modwin_module(unsigned i, uint32_t *size, uint32_t *offset);
/* The string the loader gave with module i (GRUB: the words after the
 * file on the module line; QEMU -initrd: everything), or 0 when module i
 * is not mapped. */
const char *modwin_string(unsigned i);
/* The physical frame behind a page-aligned window offset, or 0. */
uint32_t modwin_frame(uint32_t offset);

#endif
