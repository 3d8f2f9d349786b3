/*
 * test_pmm_init.c - pmm_init, which builds the physical frame allocator
 * (kernel/mm/frames.c) from a boot memory map: QEMU's map, a second init of a
 * used allocator, RAM above and across 4 GiB, unaligned, overlapping and
 * tiny maps. Each result is also compared frame by frame with the slow
 * reference in pmm_fixture.h; the first allocations show the order.
 */
#include <stdint.h>

#include "check.h"
#include "pmm_fixture.h"

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
    uint32_t last;
    CHECK_INT_EQ(1 + take_all(p, 0xC0000000, &last), 0x40000);
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
    CHECK_INT_EQ(take_all(p, 0, NULL), frames);
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
static const struct check_test tests[] = {
    TEST(init_qemu_map),
    TEST(init_twice),
    TEST(init_above_4g),
    TEST(init_straddling_4g),
    TEST(init_above_4g_mixed),
    TEST(init_unaligned),
    TEST(init_overlapping),
    TEST(init_tiny_maps),
};

CHECK_MAIN(tests)
