/*
 * fuzz_mb1.c - a libFuzzer target for bootinfo_parse on Multiboot 1
 * information (kernel/boot/bootinfo.c).
 *
 * The input is physical memory from FAKE_PHYS_BASE on (fakemem.h): the
 * information structure at its start, and whatever its pointers (command
 * line, boot loader name, module list, memory map) point to, which a good
 * input keeps inside the same 64 KiB. The seeds in corpus/mb1/ are real
 * boots' blocks moved there (mkseeds.py). bootinfo_checks.c says what is
 * checked after each parse.
 */
#include <stddef.h>
#include <stdint.h>

#include "boot/multiboot.h"
#include "bootinfo_checks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_bootinfo(MB1_LOADER_MAGIC, data, size);
    return 0;
}
