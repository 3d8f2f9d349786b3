/*
 * kernel.h - the way into C: boot/entry.S calls kernel_main on the boot
 * stack, in the higher half, with the boot loader's magic and information.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>

__attribute__((noreturn)) void kernel_main(uint32_t magic, uint32_t info_phys);

#endif
