/*
 * fakemem.c - the fake physical memory of the boot information fuzz
 * targets (fakemem.h).
 */
#include "fakemem.h"

#include <sanitizer/asan_interface.h>
#include <string.h>

#include "fuzz_fail.h"

/* From malloc, of exactly FAKE_PHYS_SIZE bytes: ASan's red zones lie on
 * both sides of it. */
static uint8_t *mem;

void fakemem_load(const uint8_t *data, size_t size)
{
    if (!mem && !(mem = malloc(FAKE_PHYS_SIZE)))
        fuzz_fail("no memory for the fake physical memory");
    ASAN_UNPOISON_MEMORY_REGION(mem, FAKE_PHYS_SIZE);
    size_t n = size < FAKE_PHYS_SIZE ? size : FAKE_PHYS_SIZE;
    memcpy(mem, data, n);
    memset(mem + n, 0, FAKE_PHYS_SIZE - n);
    fakemem_hide();
}

void fakemem_hide(void)
{
    ASAN_POISON_MEMORY_REGION(mem, FAKE_PHYS_SIZE);
}

/* Where [phys, phys + len) is in mem, or NULL when not all of it is there. */
static uint8_t *inside(uint64_t phys, uint64_t len)
{
    if (phys < FAKE_PHYS_BASE || phys - FAKE_PHYS_BASE > FAKE_PHYS_SIZE ||
        len > FAKE_PHYS_SIZE - (phys - FAKE_PHYS_BASE))
        return NULL;
    return mem + (phys - FAKE_PHYS_BASE);
}

const uint8_t *fakemem_peek(uint64_t phys, uint64_t len)
{
    uint8_t *p = inside(phys, len);
    if (p)
        ASAN_UNPOISON_MEMORY_REGION(p, len);
    return p;
}

const void *fakemem_window(uint64_t phys, uint32_t len)
{
    return fakemem_peek(phys, len);
}
