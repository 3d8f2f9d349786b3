/*
 * fakemem.h - a fake physical memory for the boot information fuzz targets.
 *
 * FAKE_PHYS_SIZE bytes at physical FAKE_PHYS_BASE hold the fuzzer's input
 * (cut to that size, the rest zeroes); fakemem_window is the phys_window
 * bootinfo_parse reads through, and refuses anything outside. Under ASan
 * every byte is poisoned until a window call hands it out, so the parser
 * reading past what it asked for (or outside the memory altogether) is a
 * crash, not a silent read. tests/fuzz/mkseeds.py reads these two numbers.
 */
#ifndef FAKEMEM_H
#define FAKEMEM_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_PHYS_BASE  0x10000u        /* not 0: addresses below it exist */
#define FAKE_PHYS_SIZE  0x10000u        /* 64 KiB: a real block is 1-3 KiB */

/* Fills the memory from the input and hides all of it. */
void fakemem_load(const uint8_t *data, size_t size);

/* Hides all of it again, as before a parse. */
void fakemem_hide(void);

/* The phys_window: [phys, phys + len) inside the memory, now readable. */
const void *fakemem_window(uint64_t phys, uint32_t len);

/* For the checks after a parse: [phys, phys + len) readable, or NULL when
 * it is not all inside the memory. */
const uint8_t *fakemem_peek(uint64_t phys, uint64_t len);

#endif
