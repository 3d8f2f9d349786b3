/*
 * frames.h - the kernel's one physical frame allocator (pmm.h does the work),
 * set up from the boot information with everything already in use reserved.
 */
#ifndef FRAMES_H
#define FRAMES_H

#include <stdint.h>

#include "boot/bootinfo.h"
#include "mm/frames.h"

extern struct pmm kernel_frames;

/* Reserves the kernel image, the loader's data, modules and symbol tables. */
void frames_init(const struct boot_info *bi);
uint32_t frame_alloc(void);                 /* PMM_NO_FRAME when RAM is gone */
/* Frees a frame; misuse is reported with the caller's address and ignored. */
enum pmm_status frame_free(uint32_t phys);
/* "@frames total=... free=... used=..." and a line for people. */
void frames_report(void);

#endif
