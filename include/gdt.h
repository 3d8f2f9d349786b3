/*
 * gdt.h - the kernel's own segment descriptors: flat, as x86 protected mode
 * requires, with room for user segments and a task state segment later.
 */
#ifndef GDT_H
#define GDT_H

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_USER_CODE   0x1B    /* selector 0x18, requested privilege 3 */
#define GDT_USER_DATA   0x23    /* selector 0x20, requested privilege 3 */

#ifndef __ASSEMBLER__
void gdt_init(void);
#endif

#endif
