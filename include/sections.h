/*
 * sections.h - the boundaries that linker.ld defines, declared once.
 *
 * Each is an array of unknown size so that C never reads "the byte at _end";
 * only its address means anything. Every end is exclusive.
 */
#ifndef SECTIONS_H
#define SECTIONS_H

extern char _kernel_start[], _kernel_end[];
extern char _multiboot_start[], _multiboot_end[];
extern char _text_start[], _text_end[];
extern char _rodata_start[], _rodata_end[];
extern char _data_start[], _data_end[];
extern char _bss_start[], _bss_end[];
extern char _boot_stack_guard_start[], _boot_stack_guard_end[];
extern char _boot_stack_bottom[], _boot_stack_top[];
extern char _bump_start[], _bump_end[];

#endif
