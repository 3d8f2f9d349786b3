/*
 * panic.h - stopping the kernel because an invariant broke: the reason on
 * both consoles and as "@panic", then the run ends as a failure.
 */
#ifndef PANIC_H
#define PANIC_H

#include "lib/format.h"

__attribute__((noreturn)) void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
