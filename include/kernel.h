/*
 * kernel.h - stopping the machine, on purpose or not.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>

#include <stdint.h>

#include "lib/format.h"

/* Called by boot/entry.S on the boot stack, in the higher half. */
__attribute__((noreturn)) void kernel_main(uint32_t magic, uint32_t info_phys);

/* Set once the command line says "exit": stops then power QEMU off. */
extern bool kernel_exit_on_stop;

/* Ends the run: QEMU exits 33 (success) or 35 (failure) through
 * isa-debug-exit when "exit" was asked for; otherwise the CPU halts. */
__attribute__((noreturn)) void kernel_stop(bool success);
/* Prints the reason on both consoles and as "@panic", then stops (failure). */
__attribute__((noreturn)) void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
