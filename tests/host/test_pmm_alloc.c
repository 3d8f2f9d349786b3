/*
 * test_pmm.c - kernel/mm/frames.c, the physical frame allocator: building it from
 * memory maps (QEMU-like, above and across 4 GiB, unaligned, overlapping,
 * tiny), allocation order and exhaustion, every refusal of pmm_free_frame,
 * pmm_reserve, the four bitmap levels at their word and group boundaries, and
 * a long randomized run checked against a plain per-frame reference model.
 */
#include <stdint.h>

#include "boot/bootinfo.h"
#include "check.h"
#include "rng.h"
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

/* ~260 KiB: never on the stack. Each test starts from a dirty one so that
 * pmm_init has to clear everything itself. */
static struct pmm pm;

static struct pmm *fresh(const struct boot_mmap_entry *map, unsigned count)
{
    memset(&pm, 0xA5, sizeof pm);
    pmm_init(&pm, map, count);
    return &pm;
}


/* ---- a reference for pmm_init, written the slow, obvious way ------------- */

/* Frame f is managed when it lies wholly inside an available entry, is at or
 * above 1 MiB, and no other (non-empty) entry touches any byte of it. */
static bool ref_managed(const struct boot_mmap_entry *map, unsigned count,
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

static uint64_t ref_ram_below(const struct boot_mmap_entry *map, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t s = map[i].start, e = map[i].end < TOP ? map[i].end : TOP;
        if (map[i].type == MMAP_AVAILABLE && s < e)
            sum += e - s;
    }
    return sum;
}

static uint64_t ref_ram_above(const struct boot_mmap_entry *map, unsigned count)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t s = map[i].start > TOP ? map[i].start : TOP, e = map[i].end;
        if (map[i].type == MMAP_AVAILABLE && s < e)
            sum += e - s;
    }
    return sum;
}

/* Compares every frame of the 4 GiB with the reference just after pmm_init
 * (managed == free), the counters, and the summary levels. Returns the number
 * of managed frames. Prints at most a few differing frames. */
static uint32_t check_init(const struct pmm *p, const struct boot_mmap_entry *map,
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

/* The frames managed in [first, last] (frame numbers), counted via the API. */
static uint32_t managed_between(const struct pmm *p, uint32_t first, uint32_t last)
{
    uint32_t n = 0;
    for (uint64_t f = first; f <= last; f++)
        n += pmm_is_managed(p, ADDR(f));
    return n;
}

/* The summary bit for frame f at level 1 (its free0 word has a free frame),
 * 2 (its free1 word ...) and 3 (its free2 word ...). */
static bool summary(const struct pmm *p, int level, uint32_t f)
{
    uint32_t w0 = f / 32, w1 = w0 / 32, w2 = w1 / 32;
    switch (level) {
    case 1: return p->free1[w1] >> (w0 % 32) & 1;
    case 2: return p->free2[w2] >> (w1 % 32) & 1;
    case 3: return p->free3 >> w2 & 1;
    }
    return false;
}

/* ---- pmm_init -------------------------------------------------------------- */

static const struct boot_mmap_entry qemu_map[] = {
    AVAIL(0, 0x9fc00),
    RESV(0x9fc00, 0xa0000),
    RESV(0xf0000, 0x100000),
    AVAIL(0x100000, 0x7fe0000),         /* 1 MiB .. 127.875 MiB */
    RESV(0x7fe0000, 0x8000000),
    RESV(0xfffc0000, TOP),
};

static void init_qemu_map(void)
{
    struct pmm *p = fresh(qemu_map, COUNT(qemu_map));
    const uint32_t frames = (0x7fe0000 - 0x100000) / PAGE_SIZE;   /* 32480 */
    CHECK_INT_EQ(p->managed_frames, frames);
    CHECK_INT_EQ(p->free_frames, frames);
    CHECK_HEX_EQ(p->ram_bytes, 0x9fc00 + (0x7fe0000 - 0x100000));
    CHECK_HEX_EQ(p->ram_above_4g, 0);
    CHECK(pmm_check(p));

    /* Below 1 MiB nothing is managed, available or not. */
    CHECK_INT_EQ(managed_between(p, 0, FRAME(LOW_MIB_END) - 1), 0);
    CHECK(!pmm_is_managed(p, 0));
    CHECK(!pmm_is_free(p, 0));
    CHECK(!pmm_is_managed(p, 0x9e000));
    CHECK(!pmm_is_managed(p, 0xff000));
    /* Exactly 1 MiB .. 127.875 MiB, nothing above. */
    CHECK_INT_EQ(managed_between(p, 0x100, 0x7fdf), frames);
    CHECK(pmm_is_managed(p, 0x100000) && pmm_is_free(p, 0x100000));
    CHECK(pmm_is_managed(p, 0x7fdf000) && pmm_is_free(p, 0x7fdf000));
    CHECK(!pmm_is_managed(p, 0x7fe0000));
    CHECK_INT_EQ(managed_between(p, 0x7fe0, PMM_FRAMES - 1), 0);
    CHECK(!pmm_is_managed(p, 0xfffff000));

    check_init(p, qemu_map, COUNT(qemu_map));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x100000);
    CHECK(pmm_check(p));
}

/* pmm_init starts from nothing even on a used allocator. */
static void init_twice(void)
{
    struct pmm *p = fresh(qemu_map, COUNT(qemu_map));
    for (int i = 0; i < 100; i++)
        pmm_alloc_frame(p);
    static const struct boot_mmap_entry small[] = { AVAIL(2 * MiB, 3 * MiB) };
    pmm_init(p, small, COUNT(small));
    CHECK_INT_EQ(p->managed_frames, 256);
    CHECK_INT_EQ(p->free_frames, 256);
    CHECK_HEX_EQ(p->ram_bytes, MiB);
    CHECK(!pmm_is_managed(p, 0x100000));
    check_init(p, small, COUNT(small));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 2 * MiB);
}

static void init_above_4g(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(MiB, 16 * MiB),
        AVAIL(TOP, TOP + GiB),
    };
    struct pmm *p = fresh(map, COUNT(map));
    CHECK_HEX_EQ(p->ram_above_4g, GiB);
    CHECK_HEX_EQ(p->ram_bytes, 15 * MiB);
    CHECK_INT_EQ(p->managed_frames, 15 * 256);
    CHECK_INT_EQ(managed_between(p, 0, 0xff), 0);
    CHECK_INT_EQ(managed_between(p, 0x1000, PMM_FRAMES - 1), 0);
    check_init(p, map, COUNT(map));

    /* Every frame handed out is one of the 15 MiB; then nothing. */
    for (uint32_t i = 0; i < 15 * 256; i++) {
        uint32_t a = pmm_alloc_frame(p);
        if (a != MiB + ADDR(i)) {
            CHECK_HEX_EQ(a, MiB + ADDR(i));
            break;
        }
    }
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_INT_EQ(pmm_free_frame(p, TOP), PMM_ABOVE_4G);
    CHECK_INT_EQ(pmm_free_frame(p, TOP + 16 * MiB), PMM_ABOVE_4G);
    CHECK(pmm_check(p));
}

static void init_straddling_4g(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(0xC0000000, TOP + GiB),
    };
    struct pmm *p = fresh(map, COUNT(map));
    CHECK_HEX_EQ(p->ram_bytes, GiB);
    CHECK_HEX_EQ(p->ram_above_4g, GiB);
    CHECK_INT_EQ(p->managed_frames, 0x40000);
    /* Nothing below the entry's start: the part above 4 GiB did not wrap. */
    CHECK_INT_EQ(managed_between(p, 0, FRAME(0xC0000000) - 1), 0);
    CHECK_INT_EQ(managed_between(p, FRAME(0xC0000000), PMM_FRAMES - 1), 0x40000);
    CHECK(pmm_is_managed(p, 0xfffff000) && pmm_is_free(p, 0xfffff000));
    check_init(p, map, COUNT(map));

    CHECK_HEX_EQ(pmm_alloc_frame(p), 0xC0000000);
    /* Take all of it: the last frame is the very top one, then nothing. */
    uint32_t last = 0, n = 1;
    for (uint32_t a; (a = pmm_alloc_frame(p)) != PMM_NO_FRAME; n++) {
        if (a < 0xC0000000 || a <= last) {
            CHECK_HEX_EQ(a, last + PAGE_SIZE);
            break;
        }
        last = a;
    }
    CHECK_INT_EQ(n, 0x40000);
    CHECK_HEX_EQ(last, 0xfffff000);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK(pmm_check(p));
    CHECK_INT_EQ(pmm_free_frame(p, 0xfffff000), PMM_OK);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0xfffff000);
}

/* Straddling and wholly-above entries together, reserved ones across 4 GiB,
 * and an entry that runs to the end of the 64-bit space. */
static void init_above_4g_mixed(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(MiB, 64 * MiB),
        AVAIL(0xF0000000, TOP + 0x1000),        /* straddles by one page */
        AVAIL(TOP, TOP + GiB),
        AVAIL(8 * GiB, UINT64_MAX),
        RESV(0xFFFF0000, 8 * GiB),              /* the top 16 frames */
        RESV(TOP + 2 * GiB, TOP + 3 * GiB),
    };
    struct pmm *p = fresh(map, COUNT(map));
    CHECK_HEX_EQ(p->ram_bytes, 63 * MiB + 0x10000000);
    CHECK_HEX_EQ(p->ram_above_4g, 0x1000 + GiB + (UINT64_MAX - 8 * GiB));
    CHECK_INT_EQ(p->managed_frames, 63 * 256 + 0x10000 - 16);
    CHECK(!pmm_is_managed(p, 0xffff0000));
    CHECK(!pmm_is_managed(p, 0xfffff000));
    CHECK(pmm_is_managed(p, 0xfffef000));
    CHECK_INT_EQ(managed_between(p, FRAME(64 * MiB), FRAME(0xF0000000) - 1), 0);
    check_init(p, map, COUNT(map));
}

static void init_unaligned(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(0xff800, 0x101400),       /* across 1 MiB: only frame 0x100 */
        AVAIL(0x180800, 0x184800),      /* frames 0x181 .. 0x183 */
        AVAIL(0x200100, 0x200f00),      /* inside one frame: none */
        AVAIL(0x280fff, 0x282001),      /* frame 0x281 only */
        AVAIL(0x300001, 0x302000),      /* frame 0x301 only */
        AVAIL(0x400000, 0x401fff),      /* frame 0x400 only */
        AVAIL(0x500000, 0x500fff),      /* one byte short: none */
        AVAIL(0x600001, 0x601000),      /* one byte late: none */
    };
    struct pmm *p = fresh(map, COUNT(map));
    static const uint32_t want[] = { 0x100, 0x181, 0x182, 0x183, 0x281, 0x301, 0x400 };
    CHECK_INT_EQ(p->managed_frames, COUNT(want));
    CHECK_INT_EQ(p->free_frames, COUNT(want));
    uint64_t bytes = 0;
    for (unsigned i = 0; i < COUNT(map); i++)
        bytes += map[i].end - map[i].start;
    CHECK_HEX_EQ(p->ram_bytes, bytes);
    for (unsigned i = 0; i < COUNT(want); i++)
        CHECK(pmm_is_managed(p, ADDR(want[i])));
    CHECK(!pmm_is_managed(p, 0xff000));
    CHECK(!pmm_is_managed(p, 0x101000));
    CHECK(!pmm_is_managed(p, 0x180000));
    CHECK(!pmm_is_managed(p, 0x184000));
    CHECK(!pmm_is_managed(p, 0x200000));
    CHECK(!pmm_is_managed(p, 0x280000));
    CHECK(!pmm_is_managed(p, 0x282000));
    CHECK(!pmm_is_managed(p, 0x300000));
    CHECK(!pmm_is_managed(p, 0x401000));
    CHECK(!pmm_is_managed(p, 0x500000));
    CHECK(!pmm_is_managed(p, 0x600000));
    check_init(p, map, COUNT(map));

    /* Handed out in address order, each one whole and page-aligned. */
    for (unsigned i = 0; i < COUNT(want); i++)
        CHECK_HEX_EQ(pmm_alloc_frame(p), ADDR(want[i]));
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK(pmm_check(p));
}

static void init_overlapping(void)
{
    static const struct boot_mmap_entry map[] = {
        RESV(0x180000, 0x1c0000),       /* listed before the RAM: still wins */
        AVAIL(MiB, 3 * MiB),
        AVAIL(2 * MiB, 4 * MiB),
        AVAIL(0x280000, 0x2c0000),      /* inside both */
        AVAIL(MiB, 3 * MiB),            /* a duplicate */
        RESV(0x300800, 0x300900),       /* a sliver: its whole frame goes */
        { 0x3f0000, 0x3f4000, MMAP_ACPI },
        { 0x3f4000, 0x3f8000, MMAP_NVS },
        { 0x3f8000, 0x3f9001, MMAP_BAD },   /* one byte into frame 0x3f9 */
    };
    struct pmm *p = fresh(map, COUNT(map));
    /* 3 MiB of frames once each, less 64 + 1 + 4 + 4 + 2 reserved. */
    const uint32_t frames = 3 * 256 - 64 - 1 - 4 - 4 - 2;
    CHECK_INT_EQ(p->managed_frames, frames);
    CHECK_INT_EQ(p->free_frames, frames);
    CHECK_INT_EQ(managed_between(p, 0, PMM_FRAMES - 1), frames);
    CHECK_INT_EQ(managed_between(p, 0x180, 0x1bf), 0);
    CHECK(pmm_is_managed(p, 0x17f000));
    CHECK(pmm_is_managed(p, 0x1c0000));
    CHECK(!pmm_is_managed(p, 0x300000));
    CHECK(pmm_is_managed(p, 0x2ff000));
    CHECK(pmm_is_managed(p, 0x301000));
    CHECK_INT_EQ(managed_between(p, 0x3f0, 0x3f9), 0);
    CHECK(pmm_is_managed(p, 0x3fa000));
    check_init(p, map, COUNT(map));

    /* Each frame once: allocating all gives exactly `frames` distinct ones. */
    uint32_t n = 0, prev = 0;
    for (uint32_t a; (a = pmm_alloc_frame(p)) != PMM_NO_FRAME; n++) {
        if (a <= prev) {
            CHECK_HEX_EQ(a, prev + PAGE_SIZE);
            break;
        }
        prev = a;
    }
    CHECK_INT_EQ(n, frames);
    CHECK(pmm_check(p));
}

static void init_tiny_maps(void)
{
    /* No map at all. */
    struct pmm *p = fresh(NULL, 0);
    CHECK_INT_EQ(p->managed_frames, 0);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK_HEX_EQ(p->ram_bytes, 0);
    CHECK_HEX_EQ(p->ram_above_4g, 0);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_INT_EQ(pmm_free_frame(p, MiB), PMM_NOT_MANAGED);
    CHECK_INT_EQ(managed_between(p, 0, PMM_FRAMES - 1), 0);

    /* Only reserved memory. */
    static const struct boot_mmap_entry resv[] = {
        RESV(0, 0xa0000), RESV(MiB, GiB), { GiB, 2 * GiB, MMAP_ACPI },
    };
    p = fresh(resv, COUNT(resv));
    CHECK_INT_EQ(p->managed_frames, 0);
    CHECK_HEX_EQ(p->ram_bytes, 0);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    check_init(p, resv, COUNT(resv));

    /* One frame at 1 MiB. */
    static const struct boot_mmap_entry one[] = { AVAIL(MiB, MiB + PAGE_SIZE) };
    p = fresh(one, COUNT(one));
    CHECK_INT_EQ(p->managed_frames, 1);
    CHECK_HEX_EQ(p->ram_bytes, PAGE_SIZE);
    check_init(p, one, COUNT(one));
    CHECK_HEX_EQ(pmm_alloc_frame(p), MiB);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK(pmm_check(p));
    CHECK_INT_EQ(pmm_free_frame(p, MiB), PMM_OK);
    CHECK_INT_EQ(pmm_free_frame(p, MiB), PMM_DOUBLE_FREE);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), MiB);

    /* RAM only below 1 MiB, even right up to it. */
    static const struct boot_mmap_entry low[] = {
        AVAIL(0, 0x9fc00), AVAIL(0xa0000, MiB),
    };
    p = fresh(low, COUNT(low));
    CHECK_INT_EQ(p->managed_frames, 0);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK_HEX_EQ(p->ram_bytes, 0x9fc00 + (MiB - 0xa0000));
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_INT_EQ(pmm_free_frame(p, 0x1000), PMM_NOT_MANAGED);
    CHECK_INT_EQ(pmm_free_frame(p, 0xff000), PMM_NOT_MANAGED);
    check_init(p, low, COUNT(low));

    /* RAM entirely above 4 GiB. */
    static const struct boot_mmap_entry high[] = { AVAIL(TOP, 2 * TOP) };
    p = fresh(high, COUNT(high));
    CHECK_INT_EQ(p->managed_frames, 0);
    CHECK_HEX_EQ(p->ram_bytes, 0);
    CHECK_HEX_EQ(p->ram_above_4g, TOP);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    check_init(p, high, COUNT(high));
}

/* ---- pmm_alloc_frame -------------------------------------------------------- */

static void alloc_order_and_exhaustion(void)
{
    static const struct boot_mmap_entry map[] = { AVAIL(MiB, 5 * MiB) };
    struct pmm *p = fresh(map, COUNT(map));
    const uint32_t frames = 4 * 256;
    REQUIRE_INT_EQ(p->free_frames, frames);

    static uint32_t got[4 * 256];
    for (uint32_t i = 0; i < frames; i++) {
        got[i] = pmm_alloc_frame(p);
        if (got[i] != MiB + ADDR(i)) {      /* lowest first: in order */
            CHECK_HEX_EQ(got[i], MiB + ADDR(i));
            return;
        }
        if (!CHECK(pmm_is_managed(p, got[i]) && !pmm_is_free(p, got[i])))
            return;
        if (!CHECK_INT_EQ(p->free_frames, frames - 1 - i))
            return;
    }
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK_INT_EQ(p->managed_frames, frames);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK(pmm_check(p));

    /* One back, and that very one comes out again. */
    CHECK_INT_EQ(pmm_free_frame(p, 0x234000), PMM_OK);
    CHECK(pmm_is_free(p, 0x234000));
    CHECK_INT_EQ(p->free_frames, 1);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x234000);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);

    /* Several back in scrambled order: they come out lowest first. */
    static const uint32_t back[] = { 0x4ff000, 0x100000, 0x2a0000, 0x1ff000, 0x200000,
                                     0x3e1000, 0x11f000, 0x120000 };
    for (unsigned i = 0; i < COUNT(back); i++)
        CHECK_INT_EQ(pmm_free_frame(p, back[i]), PMM_OK);
    CHECK(pmm_check(p));
    static const uint32_t sorted[] = { 0x100000, 0x11f000, 0x120000, 0x1ff000, 0x200000,
                                       0x2a0000, 0x3e1000, 0x4ff000 };
    for (unsigned i = 0; i < COUNT(sorted); i++)
        CHECK_HEX_EQ(pmm_alloc_frame(p), sorted[i]);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);

    /* All back: the allocator is as new. */
    for (uint32_t i = 0; i < frames; i++)
        if (pmm_free_frame(p, got[i]) != PMM_OK) {
            check_fail(__FILE__, __LINE__, "freeing 0x%x refused", got[i]);
            break;
        }
    CHECK_INT_EQ(p->free_frames, frames);
    check_init(p, map, COUNT(map));
}

/* Holes between entries are skipped; frames are distinct and page-aligned. */
static void alloc_skips_holes(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(3 * MiB, 4 * MiB), AVAIL(MiB, 2 * MiB), AVAIL(100 * MiB, 100 * MiB + 0x3000),
    };
    struct pmm *p = fresh(map, COUNT(map));
    uint32_t n = 0, prev = 0;
    for (uint32_t a; (a = pmm_alloc_frame(p)) != PMM_NO_FRAME; n++) {
        bool in = (a >= MiB && a < 2 * MiB) || (a >= 3 * MiB && a < 4 * MiB) ||
                  (a >= 100 * MiB && a < 100 * MiB + 0x3000);
        if (!CHECK(in && (a & (PAGE_SIZE - 1)) == 0 && a > prev)) {
            check_fail(__FILE__, __LINE__, "got 0x%x after 0x%x", a, prev);
            return;
        }
        if (n == 255)
            CHECK_HEX_EQ(a, 2 * MiB - PAGE_SIZE);
        if (n == 256)
            CHECK_HEX_EQ(a, 3 * MiB);
        if (n == 512)
            CHECK_HEX_EQ(a, 100 * MiB);
        prev = a;
    }
    CHECK_INT_EQ(n, 512 + 3);
    CHECK(pmm_check(p));
}

/* ---- pmm_free_frame ----------------------------------------------------------- */

/* The status, and that a refusal left the allocator exactly as it was. */
static void expect_refused(struct pmm *p, uint64_t phys, enum pmm_status want,
                           int line)
{
    uint32_t free = p->free_frames, managed = p->managed_frames;
    uint32_t f3 = p->free3;
    enum pmm_status got = pmm_free_frame(p, phys);
    if (got != want)
        check_fail(__FILE__, line, "pmm_free_frame(0x%llx) = %d (%s), want %d (%s)",
                   (unsigned long long)phys, got, pmm_status_text(got), want,
                   pmm_status_text(want));
    if (p->free_frames != free || p->managed_frames != managed || p->free3 != f3)
        check_fail(__FILE__, line, "refused free of 0x%llx changed the counters",
                   (unsigned long long)phys);
    if (!pmm_check(p))
        check_fail(__FILE__, line, "pmm_check false after freeing 0x%llx",
                   (unsigned long long)phys);
}
#define REFUSED(p, phys, want) expect_refused(p, phys, want, __LINE__)

static void free_errors(void)
{
    struct pmm *p = fresh(qemu_map, COUNT(qemu_map));
    uint32_t a = pmm_alloc_frame(p), b = pmm_alloc_frame(p);
    REQUIRE(a == 0x100000 && b == 0x101000);

    CHECK_INT_EQ(pmm_free_frame(p, a), PMM_OK);
    REFUSED(p, a, PMM_DOUBLE_FREE);                 /* twice */
    REFUSED(p, a, PMM_DOUBLE_FREE);                 /* and again */
    REFUSED(p, 0x200000, PMM_DOUBLE_FREE);          /* free, never handed out */
    REFUSED(p, 0x7fdf000, PMM_DOUBLE_FREE);         /* the last frame of RAM */

    REFUSED(p, 0, PMM_NOT_MANAGED);
    REFUSED(p, 0x1000, PMM_NOT_MANAGED);            /* available, but low */
    REFUSED(p, 0x9f000, PMM_NOT_MANAGED);
    REFUSED(p, 0xa0000, PMM_NOT_MANAGED);           /* a hole */
    REFUSED(p, 0xf0000, PMM_NOT_MANAGED);           /* reserved */
    REFUSED(p, 0xff000, PMM_NOT_MANAGED);
    REFUSED(p, 0x7fe0000, PMM_NOT_MANAGED);         /* reserved, just past RAM */
    REFUSED(p, 0x10000000, PMM_NOT_MANAGED);        /* beyond RAM */
    REFUSED(p, 0xfffc0000, PMM_NOT_MANAGED);        /* reserved at the top */
    REFUSED(p, 0xfffff000, PMM_NOT_MANAGED);

    REFUSED(p, b + 1, PMM_MISALIGNED);
    REFUSED(p, b + 0x800, PMM_MISALIGNED);
    REFUSED(p, b + 0xfff, PMM_MISALIGNED);
    REFUSED(p, b - 1, PMM_MISALIGNED);
    REFUSED(p, 0x1001, PMM_MISALIGNED);             /* misaligned comes first */
    REFUSED(p, 0xffffffff, PMM_MISALIGNED);
    CHECK(!pmm_is_free(p, b));                      /* b is still allocated */

    REFUSED(p, TOP, PMM_ABOVE_4G);
    REFUSED(p, TOP + 0x800, PMM_ABOVE_4G);          /* above 4 GiB comes first */
    REFUSED(p, TOP + b, PMM_ABOVE_4G);              /* not a wrap onto b */
    REFUSED(p, 0x7fffffff000ull, PMM_ABOVE_4G);
    REFUSED(p, UINT64_MAX, PMM_ABOVE_4G);
    REFUSED(p, UINT64_MAX & ~0xfffull, PMM_ABOVE_4G);
    CHECK(!pmm_is_free(p, b));

    CHECK_INT_EQ(pmm_free_frame(p, b), PMM_OK);
    CHECK_INT_EQ(p->free_frames, p->managed_frames);
    check_init(p, qemu_map, COUNT(qemu_map));
}

static void status_texts(void)
{
    static const enum pmm_status all[] = {
        PMM_OK, PMM_DOUBLE_FREE, PMM_NOT_MANAGED, PMM_MISALIGNED, PMM_ABOVE_4G,
    };
    for (unsigned i = 0; i < COUNT(all); i++) {
        const char *t = pmm_status_text(all[i]);
        if (!CHECK(t != NULL && t[0] != '\0'))
            continue;
        for (unsigned j = 0; j < i; j++)
            CHECK(strcmp(t, pmm_status_text(all[j])) != 0);
    }
    CHECK_CONTAINS(pmm_status_text(PMM_DOUBLE_FREE), "double free");
    const char *odd = pmm_status_text((enum pmm_status)99);
    CHECK(odd != NULL && odd[0] != '\0');
}

/* ---- pmm_reserve -------------------------------------------------------------- */

static void reserve(void)
{
    static const struct boot_mmap_entry map[] = { AVAIL(MiB, 5 * MiB) };
    struct pmm *p = fresh(map, COUNT(map));
    for (int i = 0; i < 4; i++)
        pmm_alloc_frame(p);                         /* 0x100 .. 0x103 */
    REQUIRE_INT_EQ(p->free_frames, 1020);

    /* Frames 0x102 .. 0x105: two allocated, two free; the free ones count. */
    CHECK_INT_EQ(pmm_reserve(p, 0x102000, 0x106000), 2);
    CHECK_INT_EQ(p->managed_frames, 1020);
    CHECK_INT_EQ(p->free_frames, 1018);
    CHECK(pmm_check(p));
    for (uint32_t f = 0x102; f <= 0x105; f++)
        CHECK(!pmm_is_managed(p, ADDR(f)) && !pmm_is_free(p, ADDR(f)));
    CHECK(pmm_is_managed(p, 0x101000));
    CHECK(pmm_is_managed(p, 0x106000));
    /* An allocated frame that was reserved can no longer be freed. */
    REFUSED(p, 0x102000, PMM_NOT_MANAGED);
    REFUSED(p, 0x104000, PMM_NOT_MANAGED);
    CHECK_INT_EQ(pmm_free_frame(p, 0x101000), PMM_OK);

    /* Again: harmless. */
    CHECK_INT_EQ(pmm_reserve(p, 0x102000, 0x106000), 0);
    CHECK_INT_EQ(pmm_reserve(p, 0x100000, 0x106000), 1);   /* 0x101 was free; 0x100 allocated */
    CHECK_INT_EQ(p->managed_frames, 1018);
    CHECK_INT_EQ(p->free_frames, 1018);
    CHECK(pmm_check(p));
    REFUSED(p, 0x100000, PMM_NOT_MANAGED);

    /* An unaligned range takes every frame it touches. */
    CHECK_INT_EQ(pmm_reserve(p, 0x200800, 0x200801), 1);
    CHECK(!pmm_is_managed(p, 0x200000));
    CHECK_INT_EQ(pmm_reserve(p, 0x2fffff, 0x300001), 2);
    CHECK(!pmm_is_managed(p, 0x2ff000) && !pmm_is_managed(p, 0x300000));
    CHECK(pmm_is_managed(p, 0x2fe000) && pmm_is_managed(p, 0x301000));
    CHECK_INT_EQ(p->managed_frames, 1015);
    CHECK_INT_EQ(p->free_frames, 1015);
    CHECK(pmm_check(p));

    /* Empty and backwards ranges take nothing. */
    CHECK_INT_EQ(pmm_reserve(p, 0x380800, 0x380800), 0);
    CHECK_INT_EQ(pmm_reserve(p, 0x380000, 0x380000), 0);
    CHECK_INT_EQ(pmm_reserve(p, 0x380900, 0x380800), 0);
    CHECK_INT_EQ(pmm_reserve(p, 0x390000, 0x380000), 0);
    CHECK(pmm_is_managed(p, 0x380000) && pmm_is_managed(p, 0x38f000));
    CHECK_INT_EQ(p->managed_frames, 1015);

    /* Ranges with no RAM, low, high, across and above 4 GiB. */
    CHECK_INT_EQ(pmm_reserve(p, 0, MiB), 0);
    CHECK_INT_EQ(pmm_reserve(p, 5 * MiB, GiB), 0);
    CHECK_INT_EQ(pmm_reserve(p, 0xF0000000, 2 * TOP), 0);
    CHECK_INT_EQ(pmm_reserve(p, TOP, UINT64_MAX), 0);
    CHECK_INT_EQ(pmm_reserve(p, UINT64_MAX - 0x10, UINT64_MAX), 0);
    CHECK_INT_EQ(p->managed_frames, 1015);
    CHECK_INT_EQ(p->free_frames, 1015);
    CHECK(pmm_check(p));

    /* What is left is handed out; nothing reserved ever is. */
    uint32_t n = 0;
    for (uint32_t a; (a = pmm_alloc_frame(p)) != PMM_NO_FRAME; n++)
        if (!CHECK(a >= 0x106000 && a != 0x200000 && a != 0x2ff000 && a != 0x300000)) {
            check_fail(__FILE__, __LINE__, "handed out 0x%x", a);
            break;
        }
    CHECK_INT_EQ(n, 1015);
    CHECK(pmm_check(p));
    /* Reserving allocated frames takes no free ones but shrinks the pool. */
    CHECK_INT_EQ(pmm_reserve(p, 0x400000, 0x500000), 0);
    CHECK_INT_EQ(p->managed_frames, 1015 - 256);
    CHECK(pmm_check(p));
    REFUSED(p, 0x4ff000, PMM_NOT_MANAGED);
    CHECK_INT_EQ(pmm_free_frame(p, 0x3ff000), PMM_OK);
}

/* A reservation reaching past 4 GiB takes the top frames and stops there. */
static void reserve_at_top(void)
{
    static const struct boot_mmap_entry map[] = { AVAIL(0xFFF00000, TOP + MiB) };
    struct pmm *p = fresh(map, COUNT(map));
    REQUIRE_INT_EQ(p->managed_frames, 256);
    CHECK_INT_EQ(pmm_reserve(p, 0xFFFFE800, UINT64_MAX), 2);
    CHECK(!pmm_is_managed(p, 0xffffe000) && !pmm_is_managed(p, 0xfffff000));
    CHECK(pmm_is_managed(p, 0xffffd000));
    CHECK_INT_EQ(p->managed_frames, 254);
    CHECK_INT_EQ(p->free_frames, 254);
    CHECK(pmm_check(p));
    /* The top word, 1024- and 32768-group now end at 0xffffd: taking
     * everything empties the top summary. */
    uint32_t n = 0;
    while (pmm_alloc_frame(p) != PMM_NO_FRAME)
        n++;
    CHECK_INT_EQ(n, 254);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK(pmm_check(p));
}

/* ---- the four levels ------------------------------------------------------------ */

/* For a unit of `size` frames (32, 1024 or 32768) at frame `base` (aligned),
 * with more RAM above it: taking its last free frame must clear the unit's
 * summary bit, and giving it back must set it again, whichever frame was last. */
static void check_unit(uint32_t base, uint32_t size, int level)
{
    const uint64_t hi = ADDR(base) + ADDR(size) + 64 * MiB;  /* well above */
    const struct boot_mmap_entry map[] = {
        AVAIL(ADDR(base), ADDR(base + size)),
        AVAIL(hi, hi + 4 * PAGE_SIZE),
    };
    struct pmm *p = fresh(map, COUNT(map));
    if (!CHECK_INT_EQ(p->managed_frames, size + 4))
        return;
    CHECK(summary(p, level, base));

    for (uint32_t i = 0; i < size; i++) {
        uint32_t a = pmm_alloc_frame(p);
        if (a != ADDR(base + i)) {
            CHECK_HEX_EQ(a, ADDR(base + i));
            return;
        }
        /* Until the last one, the unit still says it has a free frame. */
        if (i + 1 < size && !summary(p, level, base)) {
            CHECK_INT_EQ(i, size - 1);
            return;
        }
    }
    /* The last went: every level at and below the unit's summary bit says so. */
    CHECK(!summary(p, level, base));
    for (int l = 1; l <= level; l++)
        CHECK(!summary(p, l, base));
    CHECK(summary(p, 3, FRAME(hi)));
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), hi);       /* skips the empty unit */
    CHECK_INT_EQ(pmm_free_frame(p, hi), PMM_OK);
    CHECK(pmm_check(p));

    /* The highest frame back, and out again. */
    uint32_t last = base + size - 1;
    CHECK_INT_EQ(pmm_free_frame(p, ADDR(last)), PMM_OK);
    for (int l = 1; l <= 3; l++)
        CHECK(summary(p, l, last));
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), ADDR(last));
    CHECK(!summary(p, level, base));
    CHECK(pmm_check(p));

    /* Now with a frame in the middle, then the first, as the last free one. */
    const uint32_t which[] = { base + size / 2 + 1, base, base + 31 };
    for (unsigned k = 0; k < COUNT(which); k++) {
        CHECK_INT_EQ(pmm_free_frame(p, ADDR(which[k])), PMM_OK);
        CHECK(summary(p, level, base));
        CHECK(pmm_check(p));
        CHECK_HEX_EQ(pmm_alloc_frame(p), ADDR(which[k]));
        CHECK(!summary(p, level, base));
        CHECK(pmm_check(p));
    }

    /* The last free frame taken by pmm_reserve instead of an allocation. */
    CHECK_INT_EQ(pmm_free_frame(p, ADDR(base + 7)), PMM_OK);
    CHECK(summary(p, level, base));
    CHECK_INT_EQ(pmm_reserve(p, ADDR(base + 7), ADDR(base + 8)), 1);
    CHECK(!summary(p, level, base));
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), hi);
}

static void hierarchy_last_in_word(void)
{
    check_unit(0x200, 32, 1);                   /* an inner word */
    check_unit(0x3e0, 32, 1);                   /* the last word of a 1024-group */
    check_unit(0x8000, 32, 1);                  /* the first word of a 32768-group */
}

static void hierarchy_last_in_1024(void)
{
    check_unit(0x400, 1024, 2);
    check_unit(0x7c00, 1024, 2);                /* the last of a 32768-group */
    check_unit(0x10000, 1024, 2);
}

static void hierarchy_last_in_32768(void)
{
    check_unit(0x8000, 32768, 3);
    check_unit(0x40000, 32768, 3);
    check_unit(0xE8000, 32768, 3);              /* 3.625 GiB .. 3.75 GiB */
}

/* Two frames sharing a word (and group): taking one must not clear the
 * summary; taking both must. Checked with both orders of freeing. */
static void hierarchy_shared_word(void)
{
    static const struct boot_mmap_entry map[] = { AVAIL(0x7FFE000, 0x8002000) };
    /* frames 0x7ffe, 0x7fff (end of word 0x3ff, L1 word 0x1f, group 0) and
     * 0x8000, 0x8001 (start of group 1) */
    struct pmm *p = fresh(map, COUNT(map));
    REQUIRE_INT_EQ(p->managed_frames, 4);
    CHECK_HEX_EQ(p->free3, 0x3);
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x7ffe000);
    CHECK_HEX_EQ(p->free3, 0x3);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x7fff000);
    CHECK_HEX_EQ(p->free3, 0x2);
    CHECK_HEX_EQ(p->free2[0], 0);
    CHECK_HEX_EQ(p->free1[0x1f], 0);
    CHECK_HEX_EQ(p->free0[0x3ff], 0);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x8000000);
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x8001000);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK(pmm_check(p));
    CHECK_INT_EQ(pmm_free_frame(p, 0x8001000), PMM_OK);
    CHECK_INT_EQ(pmm_free_frame(p, 0x7fff000), PMM_OK);
    CHECK_HEX_EQ(p->free3, 0x3);
    CHECK(pmm_check(p));
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x7fff000);
    CHECK_HEX_EQ(p->free3, 0x2);
    CHECK_HEX_EQ(pmm_alloc_frame(p), 0x8001000);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK(pmm_check(p));
}

/* All of 1 MiB .. 3 GiB: 24 groups of 32768 frames, all four levels. */
static void full_3g(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(0, 0x9fc00), RESV(0x9fc00, 0xa0000), RESV(0xf0000, MiB),
        AVAIL(MiB, 3 * GiB),
    };
    struct pmm *p = fresh(map, COUNT(map));
    const uint32_t first = 0x100, end = FRAME(3 * GiB);     /* 0xC0000 */
    const uint32_t frames = end - first;
    REQUIRE_INT_EQ(p->managed_frames, frames);
    CHECK_HEX_EQ(p->ram_bytes, 0x9fc00 + 3 * GiB - MiB);
    CHECK_HEX_EQ(p->free3, 0x00ffffff);
    CHECK(pmm_check(p));

    /* Everything, in order; at each word, 1024- and 32768-group end the
     * summary bits drop exactly when their last frame goes. */
    uint32_t checks = 0;
    for (uint32_t f = first; f < end; f++) {
        bool end32 = f % 32 == 31, end1k = f % 1024 == 1023, end32k = f % 32768 == 32767;
        if (end32 && !(summary(p, 1, f) && summary(p, 2, f) && summary(p, 3, f))) {
            check_fail(__FILE__, __LINE__, "frame 0x%x: a summary bit is clear "
                       "while it is free", f);
            return;
        }
        uint32_t a = pmm_alloc_frame(p);
        if (a != ADDR(f)) {
            CHECK_HEX_EQ(a, ADDR(f));
            return;
        }
        if ((end32 && summary(p, 1, f)) || (end1k && summary(p, 2, f)) ||
            (end32k && summary(p, 3, f)) || (!end1k && !summary(p, 2, f)) ||
            (!end32k && !summary(p, 3, f))) {
            check_fail(__FILE__, __LINE__, "frame 0x%x: wrong summary bits "
                       "after its allocation", f);
            return;
        }
        if (end1k || (f < 0x2000 && (f % 32 == 0 || end32))) {
            if (!CHECK(pmm_check(p)))
                return;
            checks++;
        }
    }
    CHECK(checks > 768);
    CHECK_INT_EQ(p->free_frames, 0);
    CHECK_HEX_EQ(p->free3, 0);
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);
    CHECK(pmm_check(p));

    /* One frame back in each group, from the top down: out lowest first. */
    for (int g = 23; g >= 0; g--)
        CHECK_INT_EQ(pmm_free_frame(p, ADDR(g * 32768u + 12345u)), PMM_OK);
    CHECK_HEX_EQ(p->free3, 0x00ffffff);
    CHECK(pmm_check(p));
    for (uint32_t g = 0; g < 24; g++)
        CHECK_HEX_EQ(pmm_alloc_frame(p), ADDR(g * 32768u + 12345u));
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);

    /* Frames either side of each boundary kind, freed high to low. */
    static const uint32_t edges[] = {
        0x11f, 0x120, 0x3ff, 0x400, 0x7fff, 0x8000, 0x1ffff, 0x20000,
        0xbffdf, 0xbffe0, 0xbffff,
    };
    for (int i = (int)COUNT(edges) - 1; i >= 0; i--)
        CHECK_INT_EQ(pmm_free_frame(p, ADDR(edges[i])), PMM_OK);
    CHECK(pmm_check(p));
    for (unsigned i = 0; i < COUNT(edges); i++) {
        CHECK_HEX_EQ(pmm_alloc_frame(p), ADDR(edges[i]));
        CHECK(pmm_check(p));
    }
    CHECK_HEX_EQ(pmm_alloc_frame(p), PMM_NO_FRAME);

    /* All back, in reverse: as freshly built. */
    for (uint32_t f = end; f-- > first;)
        if (pmm_free_frame(p, ADDR(f)) != PMM_OK) {
            check_fail(__FILE__, __LINE__, "freeing frame 0x%x refused", f);
            return;
        }
    check_init(p, map, COUNT(map));
    CHECK_HEX_EQ(pmm_alloc_frame(p), MiB);
}

/* ---- randomized, against a reference model -------------------------------------- */

enum { M_NONE, M_FREE, M_USED };    /* the model's idea of one frame */

#define POOL_MAX        8192

static uint8_t model[PMM_FRAMES];
static uint32_t pool[POOL_MAX];     /* every frame managed after init, ascending */
static uint32_t pool_count;
static uint32_t used[POOL_MAX];     /* frames the model says are allocated */
static uint32_t used_pos[PMM_FRAMES];
static uint32_t used_count;
static uint32_t model_free, model_managed;
static uint32_t lowest_hint;        /* no free frame in pool[0 .. hint) */

static void model_use(uint32_t f)
{
    model[f] = M_USED;
    used_pos[f] = used_count;
    used[used_count++] = f;
    model_free--;
}

static void model_unuse(uint32_t f)
{
    uint32_t i = used_pos[f], last = used[--used_count];
    used[i] = last;
    used_pos[last] = i;
}

static void model_free_frame(uint32_t f)
{
    model_unuse(f);
    model[f] = M_FREE;
    model_free++;
    /* the pool is sorted: find f's index for the hint */
    uint32_t lo = 0, hi = pool_count;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (pool[mid] < f)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < lowest_hint)
        lowest_hint = lo;
}

/* The frame pmm_alloc_frame must return, per the model: the lowest free. */
static uint32_t model_lowest(void)
{
    if (!model_free)
        return PMM_NO_FRAME;
    while (lowest_hint < pool_count && model[pool[lowest_hint]] != M_FREE)
        lowest_hint++;
    return lowest_hint < pool_count ? (uint32_t)ADDR(pool[lowest_hint]) : PMM_NO_FRAME;
}

static enum pmm_status model_expect(uint64_t phys)
{
    if (phys >= TOP)
        return PMM_ABOVE_4G;
    if (phys & (PAGE_SIZE - 1))
        return PMM_MISALIGNED;
    switch (model[FRAME(phys)]) {
    case M_FREE: return PMM_DOUBLE_FREE;
    case M_USED: return PMM_OK;
    }
    return PMM_NOT_MANAGED;
}

/* Every frame of the 4 GiB, both bitmaps, against the model. */
static bool model_agrees(const struct pmm *p)
{
    uint32_t wrong = 0;
    for (uint32_t f = 0; f < PMM_FRAMES; f++) {
        bool managed = model[f] != M_NONE, free = model[f] == M_FREE;
        if (pmm_is_managed(p, ADDR(f)) != managed || pmm_is_free(p, ADDR(f)) != free) {
            if (wrong++ < 5)
                printf("  frame 0x%x: managed %d free %d, model %d\n", f,
                       pmm_is_managed(p, ADDR(f)), pmm_is_free(p, ADDR(f)), model[f]);
        }
    }
    return wrong == 0;
}

/* A physical address to free, of one of several kinds. */
static uint64_t random_address(void)
{
    uint32_t f = pool[rng_below(pool_count)];
    switch (rng_below(8)) {
    case 0:  return (uint64_t)rng() & ~0xfffull;                /* anywhere */
    case 1:  return rng();                                      /* any alignment */
    case 2:  return ADDR(f) + 1 + rng_below(PAGE_SIZE - 1);     /* misaligned */
    case 3:  return TOP + (rng_below(2) ? ADDR(f) : rng());     /* above 4 GiB */
    case 4:  return rng_below(64) ? ADDR(rng_below(FRAME(LOW_MIB_END))) : UINT64_MAX;
    default: return ADDR((f + rng_below(81) - 40) & (PMM_FRAMES - 1));  /* near RAM */
    }
}

/* Runs `ops` random operations on an allocator built from map, checking
 * pmm_check and the counters after every one and all frames now and then. */
static void stress_run(const struct boot_mmap_entry *map, unsigned count,
                       uint64_t seed, uint32_t ops)
{
    struct pmm *p = fresh(map, count);

    memset(model, 0, sizeof model);
    pool_count = used_count = 0;
    for (uint32_t f = 0; f < PMM_FRAMES; f++)
        if (ref_managed(map, count, f)) {
            REQUIRE(pool_count < POOL_MAX);
            model[f] = M_FREE;
            pool[pool_count++] = f;
        }
    REQUIRE(pool_count > 0);
    model_free = model_managed = pool_count;
    lowest_hint = 0;
    REQUIRE(model_agrees(p));
    REQUIRE_INT_EQ(p->managed_frames, model_managed);
    REQUIRE_INT_EQ(p->free_frames, model_free);
    REQUIRE(pmm_check(p));

    rng_seed(seed);
    uint32_t exhausted = 0, all_free = 0, doubles = 0, refusals = 0, reserves = 0;
    bool filling = false;
    uint32_t phase_left = 0;
    uint32_t last_freed = 0;
    for (uint32_t op = 0; op < ops; op++) {
        /* Alternate between filling up and draining, so that the run sees
         * both an exhausted allocator and an untouched one. */
        if (!phase_left) {
            filling = !filling;
            phase_left = pool_count * 2 + rng_below(pool_count * 3);
        }
        phase_left--;
        uint32_t r = rng_below(1000);
        uint32_t alloc_share = filling ? 700 : 150;
        const char *what;
        if (r < alloc_share) {
            what = "alloc";
            uint32_t want = model_lowest(), got = pmm_alloc_frame(p);
            if (got != want) {
                CHECK_HEX_EQ(got, want);
                printf("  at operation %u\n", op);
                return;
            }
            if (got == PMM_NO_FRAME)
                exhausted++;
            else
                model_use(FRAME(got));
        } else if (r < 850) {
            what = "free";
            if (!used_count)
                continue;
            uint32_t f = used[rng_below(used_count)];
            enum pmm_status s = pmm_free_frame(p, ADDR(f));
            if (s != PMM_OK) {
                CHECK_INT_EQ(s, PMM_OK);
                printf("  freeing 0x%llx at operation %u\n",
                       (unsigned long long)ADDR(f), op);
                return;
            }
            model_free_frame(f);
            last_freed = f;
        } else if (r < 998) {
            uint64_t a;
            if (r < 880) {
                what = "double free";
                a = ADDR(last_freed);
            } else if (r < 910) {
                what = "free of a pool frame";
                a = ADDR(pool[rng_below(pool_count)]);
            } else {
                what = "free of a random address";
                a = random_address();
            }
            enum pmm_status want = model_expect(a), got = pmm_free_frame(p, a);
            if (got != want) {
                CHECK_INT_EQ(got, want);
                printf("  %s of 0x%llx at operation %u\n", what,
                       (unsigned long long)a, op);
                return;
            }
            if (got == PMM_OK)
                model_free_frame(FRAME(a));
            else if (got == PMM_DOUBLE_FREE)
                doubles++;
            else
                refusals++;
        } else {
            /* Now and then a small reservation: sometimes empty or backwards,
             * which must take nothing. */
            what = "reserve";
            uint64_t s = ADDR(pool[rng_below(pool_count)]) + rng_below(PAGE_SIZE);
            uint64_t e;
            switch (rng_below(4)) {
            case 0:  e = s; break;
            case 1:  e = s - rng_below(PAGE_SIZE); break;
            default: e = s + rng_below(3 * PAGE_SIZE); break;
            }
            uint32_t want = 0;
            if (s < e)
                for (uint64_t a = PAGE_ALIGN_DOWN(s); a < e; a += PAGE_SIZE) {
                    uint32_t f = FRAME(a);
                    if (model[f] == M_FREE) {
                        want++;
                        model_free--;
                    } else if (model[f] == M_USED) {
                        model_unuse(f);
                    } else {
                        continue;
                    }
                    model[f] = M_NONE;
                    model_managed--;
                }
            uint32_t got = pmm_reserve(p, s, e);
            if (got != want) {
                CHECK_INT_EQ(got, want);
                printf("  reserve(0x%llx, 0x%llx) at operation %u\n",
                       (unsigned long long)s, (unsigned long long)e, op);
                return;
            }
            reserves++;
        }
        if (!pmm_check(p) || p->free_frames != model_free ||
            p->managed_frames != model_managed) {
            CHECK(pmm_check(p));
            CHECK_INT_EQ(p->free_frames, model_free);
            CHECK_INT_EQ(p->managed_frames, model_managed);
            printf("  after %s at operation %u\n", what, op);
            return;
        }
        if (model_free == model_managed)
            all_free++;
        if (op % 4096 == 0 && !model_agrees(p)) {
            CHECK(model_agrees(p));
            printf("  at operation %u\n", op);
            return;
        }
    }
    CHECK(model_agrees(p));
    /* The run went where it should: full, empty, and through every refusal. */
    CHECK(exhausted > 0);
    CHECK(all_free > 0);
    CHECK(doubles > ops / 100);
    CHECK(refusals > ops / 100);
    CHECK(reserves > ops / 2000);
    CHECK(model_managed > pool_count / 2);
    printf("  %u ops: %u of %u frames still managed, %u exhausted allocs, %u "
           "times all free, %u double frees, %u other refusals, %u reserves\n",
           ops, model_managed, pool_count, exhausted, all_free, doubles, refusals,
           reserves);
}

/* pmm_check walks all 4 GiB (~0.4 ms under the sanitizers), so the 200,000
 * checked operations are split over five tests to stay well inside the
 * harness's time limit per test. */
#define STRESS_OPS  40000

/* Pieces of RAM around word, 1024- and 32768-group boundaries, with overlaps,
 * unaligned ends and reserved holes; about 2.4k frames. */
static const struct boot_mmap_entry stress_pieces_map[] = {
    AVAIL(0, 0x9fc00),
    RESV(0xf0000, MiB),
    AVAIL(MiB, 9 * MiB),
    AVAIL(8 * MiB, 10 * MiB + 0x800),       /* overlaps, unaligned end */
    RESV(4 * MiB, 4 * MiB + 0x10000),
    RESV(6 * MiB + 0x10, 6 * MiB + 0x20),
    AVAIL(0x7FF0800, 0x8010000),            /* across 128 MiB */
    AVAIL(0x1FFFF000, 0x20001000),          /* two frames around 512 MiB */
    AVAIL(0xBFFF0000, 0xC0010000),          /* across 3 GiB */
    { 0xBFFF8000, 0xBFFF9000, MMAP_ACPI },
    AVAIL(0xFFFF8000, TOP + 0x8000),        /* the top eight frames, and beyond */
};

static void stress_pieces(void)
{
    stress_run(stress_pieces_map, COUNT(stress_pieces_map), 0x6d656d61746c6173ull,
               STRESS_OPS);
}

static void stress_pieces_reseeded(void)
{
    stress_run(stress_pieces_map, COUNT(stress_pieces_map), 20240601, STRESS_OPS);
}

/* The QEMU map cut to 1 MiB .. 5 MiB: one small, dense pool. */
static void stress_small(void)
{
    static const struct boot_mmap_entry map[] = {
        AVAIL(0, 0x9fc00), RESV(0x9fc00, 0xa0000), RESV(0xf0000, MiB),
        AVAIL(MiB, 5 * MiB), RESV(5 * MiB, 6 * MiB), RESV(0xfffc0000, TOP),
    };
    stress_run(map, COUNT(map), 7, STRESS_OPS);
}

/* One unaligned piece of 37-odd frames in each of the 32 groups, at a
 * different offset in each: the top level is busy. */
static void stress_sparse(void)
{
    static struct boot_mmap_entry map[32];
    for (unsigned g = 0; g < 32; g++) {
        uint64_t base = ADDR(g * 32768u) + (g ? ADDR(g * 997u) : 2 * MiB) + g * 0x111;
        map[g] = (struct boot_mmap_entry)AVAIL(base, base + 37 * PAGE_SIZE + g * 3);
    }
    stress_run(map, COUNT(map), 0xfeedface, STRESS_OPS);
}

/* Pieces straddling every 1024-frame boundary of one group. */
static void stress_boundaries(void)
{
    static struct boot_mmap_entry map[32];
    for (unsigned i = 0; i < 32; i++) {
        uint64_t at = ADDR(0x40000 + i * 1024u);    /* 1 GiB + i * 4 MiB */
        map[i] = (struct boot_mmap_entry)AVAIL(at - ADDR(20 + i), at + ADDR(20 + 2 * i));
    }
    stress_run(map, COUNT(map), 12345, STRESS_OPS);
}

static const struct check_test tests[] = {
    TEST(init_qemu_map),
    TEST(init_twice),
    TEST(init_above_4g),
    TEST(init_straddling_4g),
    TEST(init_above_4g_mixed),
    TEST(init_unaligned),
    TEST(init_overlapping),
    TEST(init_tiny_maps),
    TEST(alloc_order_and_exhaustion),
    TEST(alloc_skips_holes),
    TEST(free_errors),
    TEST(status_texts),
    TEST(reserve),
    TEST(reserve_at_top),
    TEST(hierarchy_last_in_word),
    TEST(hierarchy_last_in_1024),
    TEST(hierarchy_last_in_32768),
    TEST(hierarchy_shared_word),
    TEST(full_3g),
    TEST(stress_pieces),
    TEST(stress_pieces_reseeded),
    TEST(stress_small),
    TEST(stress_sparse),
    TEST(stress_boundaries),
};

CHECK_MAIN(tests)
