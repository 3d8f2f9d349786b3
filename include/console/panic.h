/*
 * panic.h - stopping the kernel because an invariant broke: the reason on
 * both consoles and as "@panic", then the run ends as a failure.
 */
#ifndef PANIC_H
#define PANIC_H

#include <stdbool.h>

#include "lib/format.h"

__attribute__((noreturn)) void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Ends the run and says how, truthfully: QEMU asked to exit with 33 or 35
 * when "exit" was given, and if no exit device answered, that the CPU is
 * halted instead. `what` starts the line ("done", "stopped"). */
__attribute__((noreturn)) void kernel_stop(const char *what, bool success);

#endif
