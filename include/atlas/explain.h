/*
 * explain.h - CPU exceptions explained: the fault mechanism's explain hook,
 * and the frame-pointer backtrace it prints.
 */
#ifndef EXPLAIN_H
#define EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "arch/fault.h"

/* The name, the error code in words, the region and function of the address
 * and of the instruction, the registers, a backtrace: on both consoles and
 * as "@fault" and "@backtrace" lines. Works before the atlas is built. */
void explain_fault(const struct fault *f);
/* The one-line reason explain_fault gives for f ("stack overflow: ..."). */
void explain_reason(const struct fault *f, char *buf, size_t size);
/* Frame-pointer backtrace: "@backtrace" lines and one line each for people. */
void backtrace_print(uint32_t eip, uint32_t ebp);

#endif
