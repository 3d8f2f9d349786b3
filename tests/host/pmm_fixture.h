/*
 * pmm_fixture.h - the set-up shared by the host tests of the physical frame
 * allocator, kernel/mm/frames.c (test_pmm_init.c, test_pmm_alloc.c,
 * test_pmm_levels.c, test_pmm_stress.c): sizes and map entries written
 * short, one allocator built from a memory map, a slow and obvious reference
 * for what pmm_init must manage, and the checks the tests share.
 */
#ifndef PMM_FIXTURE_H
#define PMM_FIXTURE_H

#include <stdint.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "check.h"
#include "mm/frames.h"

#define KiB     0x400ull
#define MiB     0x100000ull
#define GiB     0x40000000ull
#define TOP     0x100000000ull              /* 4 GiB: end of the frames */

#define FRAME(a)    ((uint32_t)((a) >> PAGE_SHIFT))
#define ADDR(f)     ((uint64_t)(f) << PAGE_SHIFT)
#define COUNT(a)    (sizeof (a) / sizeof (a)[0])

#define AVAIL(s, e)     { (s), (e), MMAP_AVAILABLE }
#define RESV(s, e)      { (s), (e), MMAP_RESERVED }

/* QEMU's map with 128 MiB: RAM from 1 MiB to 127.875 MiB, low RAM, holes. */
static const struct boot_mmap_entry qemu_map[] = {
    AVAIL(0, 0x9fc00),
    RESV(0x9fc00, 0xa0000),
    RESV(0xf0000, 0x100000),
    AVAIL(0x100000, 0x7fe0000),         /* 1 MiB .. 127.875 MiB */
    RESV(0x7fe0000, 0x8000000),
    RESV(0xfffc0000, TOP),
};

/* ~260 KiB: never on the stack. */
static struct pmm pm;

/* The allocator built from map. It is dirtied first so that pmm_init has to
 * clear everything itself. */
static inline struct pmm *fresh(const struct boot_mmap_entry *map, unsigned count)
{
    memset(&pm, 0xA5, sizeof pm);
    pmm_init(&pm, map, count);
    return &pm;
}

/* ---- a reference for pmm_init, written the slow, obvious way ------------- */

/* Frame f is managed when it lies wholly inside an available entry, is at or
 * above 1 MiB, and no other (non-empty) entry touches any byte of it. */
static inline bool ref_managed(const struct boot_mmap_entry *map, unsigned count,
                               uint32_t f)
{
    uint64_t a = ADDR(f), b = a + PAGE_SIZE;
    if (a < LOW_MIB_END)
        return false;
    bool inside = false;
    for (unsigned i = 0; i < count; i++) {
        const struct boot_mmap_entry *e = &map[i];
        if (e->type == MMAP_AVAILABLE) {
            if (e->start <= a && b <= e->end)
                inside = true;
        } else if (e->start < e->end && e->start < b && a < e->end) {
            return false;
        }
    }
    return inside;
}

/* The available bytes of the map below 4 GiB, and above it. */
static inline uint64_t ref_ram_below(const struct boot_mmap_entry *map, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t s = map[i].start, e = map[i].end < TOP ? map[i].end : TOP;
        if (map[i].type == MMAP_AVAILABLE && s < e)
            sum += e - s;
    }
    return sum;
}

static inline uint64_t ref_ram_above(const struct boot_mmap_entry *map, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t s = map[i].start > TOP ? map[i].start : TOP, e = map[i].end;
        if (map[i].type == MMAP_AVAILABLE && s < e)
            sum += e - s;
    }
    return sum;
}

/* ---- checks ----------------------------------------------------------------- */

/* Compares every frame of the 4 GiB with the reference just after pmm_init
 * (managed == free), the counters, and the summary levels. Returns the number
 * of managed frames. Prints at most a few differing frames. */
static inline uint32_t check_init(const struct pmm *p, const struct boot_mmap_entry *map,
                                  unsigned count)
{
    uint32_t managed = 0, wrong = 0;
    for (uint32_t f = 0; f < PMM_FRAMES; f++) {
        bool want = ref_managed(map, count, f);
        managed += want;
        if (pmm_is_managed(p, ADDR(f)) != want || pmm_is_free(p, ADDR(f)) != want) {
            if (wrong++ < 5)
                check_fail(__FILE__, __LINE__, "frame 0x%x: managed %d free %d, "
                           "want both %d", f, pmm_is_managed(p, ADDR(f)),
                           pmm_is_free(p, ADDR(f)), want);
        }
    }
    CHECK_INT_EQ(wrong, 0);
    CHECK_INT_EQ(p->managed_frames, managed);
    CHECK_INT_EQ(p->free_frames, managed);
    CHECK_HEX_EQ(p->ram_bytes, ref_ram_below(map, count));
    CHECK_HEX_EQ(p->ram_above_4g, ref_ram_above(map, count));
    CHECK(pmm_check(p));
    return managed;
}

/* The allocator's two counters are these, and pmm_check holds. */
#define CHECK_COUNTS(p, managed, free) \
    do { \
        CHECK_INT_EQ((p)->managed_frames, managed); \
        CHECK_INT_EQ((p)->free_frames, free); \
        CHECK(pmm_check(p)); \
    } while (0)

/* The frames managed in [first, last] (frame numbers), counted via the API. */
static inline uint32_t managed_between(const struct pmm *p, uint32_t first, uint32_t last)
{
    uint32_t n = 0;
    for (uint64_t f = first; f <= last; f++)
        n += pmm_is_managed(p, ADDR(f));
    return n;
}

/* Allocates until nothing is left, checking that each frame comes out above
 * the one before (the first above `after`). Returns how many came out, and
 * the last of them in *last unless last is NULL. */
static inline uint32_t take_all(struct pmm *p, uint32_t after, uint32_t *last)
{
    uint32_t n = 0, prev = after;
    for (uint32_t a; (a = pmm_alloc_frame(p)) != PMM_NO_FRAME; n++) {
        if (a <= prev) {
            check_fail(__FILE__, __LINE__, "frame 0x%x handed out after 0x%x "
                       "(allocation %u)", a, prev, n);
            break;
        }
        prev = a;
    }
    if (last)
        *last = prev;
    return n;
}

#endif
