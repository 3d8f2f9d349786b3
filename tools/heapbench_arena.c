/*
 * heapbench_arena.c - the two allocators' memory as the heap benchmark sees
 * it. mematlas's heap runs over a 1 GiB MAP_NORESERVE reservation through
 * grow and shrink callbacks that count what they hold (its peak is the
 * heap's footprint); malloc's footprint is what mallinfo2() says it holds
 * from the system.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "heapbench.h"

#define MiB             (1024u * 1024u)
#define RESERVE         (1024u * MiB)       /* mematlas heap address space */

struct heap g_heap;
struct arena g_arena;

/*
 * The heap's callbacks on the host. The heap asks for exactly the pages it
 * will use; the arena makes the reservation read-write ahead of it in large
 * steps (an eighth of what it holds, at least 64 KiB), so that most calls
 * cost no system call: untouched read-write pages take no memory, and pages
 * backed again fault in as zeroes when touched, like fresh frames. Giving
 * pages back is madvise(MADV_DONTNEED), which frees them at once.
 */
static int arena_grow(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (addr < a->base || addr + bytes > a->base + RESERVE)
        return -1;
    if (addr + bytes > a->base + a->rw_end) {
        size_t want = addr + bytes - a->base, step = a->rw_end / 8 & ~(size_t)4095;
        if (step < 64 * 1024)
            step = 64 * 1024;
        if (want < a->rw_end + step)
            want = a->rw_end + step;
        if (want > RESERVE)
            want = RESERVE;
        if (!opt.prefault && mprotect((void *)(a->base + a->rw_end), want - a->rw_end,
                                      PROT_READ | PROT_WRITE) != 0)
            return -1;
        a->rw_end = want;
    }
    a->backed += bytes;
    if (a->backed > a->peak)
        a->peak = a->backed;
    a->grows++;
    return 0;
}

static void arena_shrink(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (addr < a->base || addr + bytes > a->base + RESERVE || bytes > a->backed)
        die("mematlas heap gave back [%#zx, +%zu), which it does not hold",
            (size_t)(addr - a->base), bytes);
    madvise((void *)addr, bytes, MADV_DONTNEED);
    a->backed -= bytes;
    a->shrinks++;
}

static void arena_report(void *ctx, enum heap_error e, const void *p, size_t size,
                         const void *caller)
{
    (void)ctx;
    (void)caller;
    if (e != HEAP_ERR_OUT_OF_MEMORY && e != HEAP_ERR_TOO_LARGE)
        fprintf(stderr, "heapbench: mematlas heap: %s (%p, %zu)\n", heap_error_text(e), p, size);
}

/* A fresh heap over a fresh reservation, for one replay. */
void mematlas_setup(void)
{
    void *base = mmap(NULL, RESERVE, opt.prefault ? PROT_READ | PROT_WRITE : PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        die("reserving %u MiB: %s", RESERVE / MiB, strerror(errno));
    memset(&g_arena, 0, sizeof g_arena);
    g_arena.base = (uintptr_t)base;
    if (heap_init(&g_heap, g_arena.base, RESERVE, arena_grow, arena_shrink, arena_report,
                  &g_arena) != 0)
        die("heap_init failed");
    heap_set_cache(&g_heap, opt.cache);
}

/* malloc's footprint now: what it holds from the system. */
uint64_t malloc_footprint(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.arena + mi.hblkhd;
#else
    return 0;
#endif
}

uint64_t malloc_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}
