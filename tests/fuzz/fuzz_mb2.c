/*
 * fuzz_mb2.c - a libFuzzer target for bootinfo_parse on Multiboot 2
 * information (kernel/boot/bootinfo.c).
 *
 * The input is the information block, placed at FAKE_PHYS_BASE in a fake
 * physical memory of 64 KiB (fakemem.h): its header (total size), then its
 * tags. Everything the parser reads is inside the block, so a real block
 * needs no moving: the seeds in corpus/mb2/ are GRUB's, as it passed them
 * (mkseeds.py). bootinfo_checks.c says what is checked after each parse.
 */
#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"
#include "bootinfo_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_bootinfo(MB2_LOADER_MAGIC, data, size);
    return 0;
}
