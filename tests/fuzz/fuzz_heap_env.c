/*
 * fuzz_heap_env.c - the heap's environment in the fuzz target: the
 * reservation's pages as the grow and shrink callbacks back and give them
 * back, the error reports, and what the running operation allows them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz_heap.h"

struct fuzz_env env;
struct heap heap;
struct slot slot[SLOTS];
const char who[1];

void fail(const char *what, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz_heap: ");
    va_start(ap, what);
    vfprintf(stderr, what, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    abort();
}

/* [addr, addr + bytes): whole pages of the reservation, all backed or all not. */
static void pages_are(const char *what, uintptr_t addr, size_t bytes, bool backed)
{
    uintptr_t lo = (uintptr_t)env.base;
    if (bytes == 0 || bytes % HEAP_PAGE || addr % HEAP_PAGE || addr < lo ||
        addr - lo > RESERVE || bytes > RESERVE - (addr - lo))
        fail("%s during %s: [+%#zx, %zu bytes) is not whole pages of the reservation", what,
             env.op, (size_t)(addr - lo), bytes);
    for (size_t k = 0; k < bytes; k += HEAP_PAGE)
        if (env.page[(addr - lo + k) / HEAP_PAGE] != backed)
            fail("%s during %s: [+%#zx, %zu bytes): page +%#zx is %s backed", what, env.op,
                 (size_t)(addr - lo), bytes, (size_t)(addr - lo + k),
                 backed ? "not" : "already");
}

static void mark(uintptr_t addr, size_t bytes, bool backed)
{
    memset(env.page + (addr - (uintptr_t)env.base) / HEAP_PAGE, backed, bytes / HEAP_PAGE);
}

int grow_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    env.grows++;
    if (!env.may_grow)
        fail("grow [+%#zx, %zu bytes) during %s", off((void *)addr), bytes, env.op);
    pages_are("grow", addr, bytes, false);
    size_t at = off((void *)addr);
    /* More than the operation can need at the end: a step, which the heap
     * must follow with a smaller grow when refused. */
    bool step_only = at == heap.mapped && bytes > page_up(env.need);
    if (at == heap.mapped) {
        /* The end: what the operation needs, or one step. */
        size_t step = page_up(heap.mapped / HEAP_GROW_FRACTION);
        if (step > HEAP_GROW_MAX_STEP)
            step = HEAP_GROW_MAX_STEP;
        if (bytes > step && bytes > page_up(env.need))
            fail("grow by %zu bytes at the end (+%#x) during %s, which needs at most %zu "
                 "(a step is %zu)", bytes, heap.mapped, env.op, env.need, step);
    } else if (at + bytes > heap.mapped) {
        fail("grow [+%#zx, %zu bytes) straddles the heap's end +%#x", at, bytes, heap.mapped);
    }
    /* Holding more than ever before is for when no page can be given back. */
    if (env.backed + bytes > heap.peak_backed && heap.pending != HEAP_NONE)
        fail("grow by %zu bytes to %zu held, above the peak of %u, while large free blocks "
             "still hold pages", bytes, env.backed + bytes, heap.peak_backed);
    if (env.refuse || (env.refuse_above && bytes > env.refuse_above)) {
        if (env.refuse && env.refuse != ~0u)
            env.refuse--;
        env.refused++;
        env.last_refused = !step_only;
        return -1;
    }
    env.last_refused = false;
    if (mprotect((void *)addr, bytes, PROT_READ | PROT_WRITE) != 0)
        fail("mprotect failed");
    memset((void *)addr, JUNK, bytes);
    mark(addr, bytes, true);
    env.backed += bytes;
    if (env.backed > env.peak)
        env.peak = env.backed;
    return 0;
}

void shrink_cb(void *ctx, uintptr_t addr, size_t bytes)
{
    (void)ctx;
    env.shrinks++;
    if (!env.may_shrink)
        fail("shrink [+%#zx, %zu bytes) during %s", off((void *)addr), bytes, env.op);
    pages_are("shrink", addr, bytes, true);
    if (addr < (uintptr_t)env.base + HEAP_PAGE || off((void *)addr) + bytes > heap.mapped)
        fail("shrink [+%#zx, %zu bytes): outside the first page to the end (+%#x)",
             off((void *)addr), bytes, heap.mapped);
    /* Contents go, as with a frame given back; the pages read as zeroes
     * (the kernel maps its zero frame there) and writes crash. */
    if (mmap((void *)addr, bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
             MAP_NORESERVE, -1, 0) == MAP_FAILED)
        fail("mmap failed");
    mark(addr, bytes, false);
    env.backed -= bytes;
}

void report_cb(void *ctx, enum heap_error e, const void *p, size_t size,
                      const void *caller)
{
    (void)ctx;
    if ((unsigned)e >= 32 || !(env.expect & BIT(e)))
        fail("unexpected report during %s: %s (%p, %zu)", env.op, heap_error_text(e), p, size);
    if (caller != who)
        fail("report %s names caller %p, not %p", heap_error_text(e), caller, (void *)who);
    env.reports++;
    env.last = e;
    env.last_ptr = p;
    env.last_size = size;
}

/* What the next call may do: report these errors, grow for a block of up
 * to `need` bytes (0: not at all), give pages back. */
void expect(const char *op, uint32_t errors, size_t need, bool shrink)
{
    env.op = op;
    env.expect = errors;
    env.may_grow = need != 0;
    env.need = need;
    env.may_shrink = shrink;
}
