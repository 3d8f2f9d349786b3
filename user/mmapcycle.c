/*
 * mmapcycle.c - map, touch and unmap memory over and over: what a kernel
 * leaks or gets wrong here shows up as a failure, a wrong value or memory
 * running out.
 *
 *   mmapcycle [N]      N (0..1000000, default 1000)
 *
 * In order:
 *   1. N cycles: mmap 1 MiB anonymous, check every page reads zero, write
 *      every page, read the writes back, munmap.
 *   2. N/10 cycles: move the break up 1 MiB (sbrk), the same checks on the
 *      new pages, move it back down, check the break is where it was.
 *   3. mprotect: a page written, made read-only (still readable, same
 *      contents), made writable again and written; mprotect of a range with
 *      nothing mapped fails with ENOMEM.
 *   4. MAP_FIXED inside a reservation: 4 MiB reserved PROT_NONE, 64 KiB in
 *      its middle replaced by a read-write mapping at exactly that address,
 *      checked like the others, then the whole 4 MiB unmapped.
 * Each step prints "mmapcycle: STEP ok"; at the end "mmapcycle: done N",
 * exit 0. The first failure prints "mmapcycle: FAILED ..." and exits 1.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user.h"

#define PAGE        4096u
#define MIB         (1024u * 1024u)

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
    va_list ap;
    int e = errno;
    printf("mmapcycle: FAILED ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" (errno %s)\n", errno_name(e));
    exit(1);
}

/* Checks the whole pages of [p, p + len) read zero (fresh anonymous memory
 * must), writes a word that depends on the page and the cycle into each,
 * and reads them back. Returns the first bad page's offset, or -1. */
static long touch(unsigned char *p, size_t len, unsigned cycle, int check_zero)
{
    for (size_t off = 0; off < len; off += PAGE) {
        volatile uint32_t *w = (volatile uint32_t *)(p + off);
        if (check_zero && (w[0] != 0 || w[PAGE / 4 - 1] != 0))
            return (long)off;
        w[0] = (uint32_t)off ^ cycle;
        w[PAGE / 4 - 1] = ~((uint32_t)off ^ cycle);
    }
    for (size_t off = 0; off < len; off += PAGE) {
        volatile uint32_t *w = (volatile uint32_t *)(p + off);
        if (w[0] != ((uint32_t)off ^ cycle) || w[PAGE / 4 - 1] != ~((uint32_t)off ^ cycle))
            return (long)off;
    }
    return -1;
}

static void mmap_cycles(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned char *p = mmap(NULL, MIB, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            fail("mmap of 1 MiB in cycle %u", i);
        long bad = touch(p, MIB, i, 1);
        if (bad >= 0)
            fail("mmap cycle %u: page at +0x%lx not zero or lost a write", i, bad);
        if (munmap(p, MIB) != 0)
            fail("munmap in cycle %u", i);
    }
    printf("mmapcycle: mmap ok\n");
}

/* Nothing may call malloc between moving the break up and back down (malloc
 * takes memory from the same break), so no printing in there: stdout's
 * buffer already exists, as main printed before. */
static void brk_cycles(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uintptr_t before = (uintptr_t)sbrk(0);
        if (sbrk(MIB) == (void *)-1)
            fail("sbrk up 1 MiB in cycle %u", i);
        /* The page holding the old break may keep old bytes past it (Linux
         * does not clear them when the break comes down), so only whole
         * pages above it are new and zero. */
        uintptr_t first = (before + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
        long bad = touch((unsigned char *)first, before + MIB - first, i, 1);
        if (sbrk(-(intptr_t)MIB) == (void *)-1)
            fail("sbrk down 1 MiB in cycle %u", i);
        if (bad >= 0)
            fail("brk cycle %u: page at 0x%lx not zero or lost a write", i,
                 (unsigned long)(first + (unsigned long)bad));
        if ((uintptr_t)sbrk(0) != before)
            fail("brk cycle %u: the break is at %p, not back at 0x%lx", i, sbrk(0),
                 (unsigned long)before);
    }
    printf("mmapcycle: brk ok\n");
}

static void mprotect_check(void)
{
    volatile uint32_t *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        fail("mmap for mprotect");
    p[0] = 0x1234;
    if (mprotect((void *)p, PAGE, PROT_READ) != 0)
        fail("mprotect to read-only");
    if (p[0] != 0x1234)
        fail("a read-only page lost its contents");
    if (mprotect((void *)p, PAGE, PROT_READ | PROT_WRITE) != 0)
        fail("mprotect back to read-write");
    p[0] = 0x5678;
    if (p[0] != 0x5678)
        fail("a page made writable again lost a write");
    if (munmap((void *)p, 2 * PAGE) != 0)
        fail("munmap after mprotect");
    /* Now nothing is mapped there (nothing else maps in between). */
    errno = 0;
    if (mprotect((void *)p, PAGE, PROT_READ) != -1 || errno != ENOMEM)
        fail("mprotect of an unmapped page did not fail with ENOMEM");
    printf("mmapcycle: mprotect ok\n");
}

static void fixed_check(void)
{
    unsigned char *res = mmap(NULL, 4 * MIB, PROT_NONE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (res == MAP_FAILED)
        fail("mmap of a 4 MiB PROT_NONE reservation");
    unsigned char *want = res + 2 * MIB - 32 * 1024;
    unsigned char *got = mmap(want, 64 * 1024, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (got == MAP_FAILED)
        fail("MAP_FIXED of 64 KiB inside the reservation");
    if (got != want)
        fail("MAP_FIXED put the mapping at %p, not %p", (void *)got, (void *)want);
    long bad = touch(got, 64 * 1024, 7, 1);
    if (bad >= 0)
        fail("MAP_FIXED mapping: page at +0x%lx not zero or lost a write", bad);
    if (munmap(res, 4 * MIB) != 0)
        fail("munmap of the whole reservation");
    printf("mmapcycle: fixed ok\n");
}

int main(int argc, char **argv)
{
    if (argc > 2)
        usage_error("mmapcycle", "usage: mmapcycle [N]");
    unsigned n = argc == 2 ? (unsigned)parse_number("mmapcycle", "cycle count", argv[1], 0, 1000000)
                           : 1000;
    printf("mmapcycle: start %u\n", n);
    fflush(stdout);
    mmap_cycles(n);
    brk_cycles(n / 10);
    mprotect_check();
    fixed_check();
    printf("mmapcycle: done %u\n", n);
    return 0;
}
