/*
 * bootinfo_checks.h - what the Multiboot fuzz targets (fuzz_mb1.c,
 * fuzz_mb2.c) share: the input as the fake physical memory (fakemem.h),
 * bootinfo_parse over it, and the invariants its result must hold.
 */
#ifndef BOOTINFO_CHECKS_H
#define BOOTINFO_CHECKS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Puts the input in the fake memory and parses the information block at its
 * start (FAKE_PHYS_BASE) for a loader that passed `magic`, twice: into a
 * zeroed struct and into one full of junk, which must come out the same.
 * Then checks the result; a broken invariant aborts with a message.
 */
void fuzz_bootinfo(uint32_t magic, const uint8_t *data, size_t size);

#endif
