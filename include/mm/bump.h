/*
 * bump.h - the early allocator: a pointer that only moves up through a
 * fixed arena in the kernel image, for what boot needs before frames and
 * paging exist. Nothing is ever freed. Once the kernel heap is up the arena
 * is sealed and what it used stays, shown in the atlas as heap.bump.
 */
#ifndef BUMP_H
#define BUMP_H

#include <stddef.h>
#include <stdint.h>

/* NULL when the arena is full or sealed (with a message saying which). */
void *bump_alloc(size_t size, size_t align);
void bump_seal(void);
size_t bump_used(void);
uintptr_t bump_start(void);

#endif
