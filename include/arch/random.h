/*
 * random.h - random bytes for the kernel and for getrandom.
 *
 * From the CPU's RDRAND instruction where CPUID says it exists (QEMU's
 * "-cpu max" has it, its default qemu32 does not). Else, or once RDRAND
 * keeps failing, from a ChaCha20 key stream (lib/chacha20.h) whose key is
 * read from the time-stamp counter, the real-time clock and the time since
 * boot. That fallback is NOT cryptographic: its seed is a few clock
 * readings an observer can guess closely, so its bytes are unpredictable
 * only to a program that does not try. Good for hash seeds and address
 * randomization in a teaching kernel, not for keys.
 */
#ifndef RANDOM_H
#define RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n random bytes; never fails. */
void random_bytes(void *buf, size_t n);
/* True while the bytes come from RDRAND. */
bool random_is_hardware(void);

#endif
