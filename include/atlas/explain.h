/*
 * explain.h - CPU exceptions explained: the fault mechanism's explain hook,
 * and the frame-pointer backtrace it prints.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stdint.h>

#include "arch/fault.h"

/* The name, the error code in words, the region and function of the address
 * and of the instruction, the registers, a backtrace: on both consoles and
 * as "@fault" and "@backtrace" lines. Works before the atlas is built. */
void explain_fault(const struct fault *f);
/* Frame-pointer backtrace: "@backtrace" lines and one line each for people. */
void backtrace_print(uint32_t eip, uint32_t ebp);

#endif
