/*
 * bump.c - the early allocator (see bump.h).
 */
#include "mm/bump.h"

#include <stdbool.h>

#include "console/console.h"
#include "sections.h"

static size_t used;
static bool sealed;

void *bump_alloc(size_t size, size_t align)
{
    size_t arena = (size_t)(_bump_end - _bump_start);
    if (sealed) {
        kprintf("bump: sealed, the kernel heap serves from here on (%zu bytes asked)\n",
                size);
        return 0;
    }
    if (align == 0 || (align & (align - 1)))
        align = sizeof(void *);
    size_t start = (used + align - 1) & ~(align - 1);
    if (start > arena || size > arena - start) {
        kprintf("bump: %zu bytes do not fit: %zu of %zu used\n", size, used, arena);
        return 0;
    }
    used = start + size;
    return _bump_start + start;
}

void bump_seal(void)
{
    sealed = true;
}

size_t bump_used(void)
{
    return used;
}

uintptr_t bump_start(void)
{
    return (uintptr_t)_bump_start;
}
