/*
 * test_pmm_levels.c - the four bitmap levels of the physical frame allocator
 * (kernel/mm/frames.c): a frame's free bit, and the summary bits of its
 * 32-frame word, 1024-frame group and 32768-frame group. Taking the last free
 * frame of a unit must clear the unit's summary bit, and giving any one back
 * must set it again - at word and group boundaries, with frames sharing a
 * word, and over all of 1 MiB .. 3 GiB.
 */
#include <stdint.h>

#include "check.h"
#include "pmm_fixture.h"

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

/* Allocates frames first .. end - 1, which must come out in order; at the end
 * of each word, 1024- and 32768-group the summary bits must drop exactly when
 * its last frame goes. pmm_check runs at the end of every 1024-group and, in
 * the first 0x2000 frames, at the first and last frame of every word. Returns
 * how often it ran, or 0 after a failure. */
static uint32_t take_in_order(struct pmm *p, uint32_t first, uint32_t end)
{
    uint32_t checks = 0;
    for (uint32_t f = first; f < end; f++) {
        bool end32 = f % 32 == 31, end1k = f % 1024 == 1023, end32k = f % 32768 == 32767;
        if (end32 && !(summary(p, 1, f) && summary(p, 2, f) && summary(p, 3, f))) {
            check_fail(__FILE__, __LINE__, "frame 0x%x: a summary bit is clear "
                       "while it is free", f);
            return 0;
        }
        uint32_t a = pmm_alloc_frame(p);
        if (a != ADDR(f)) {
            CHECK_HEX_EQ(a, ADDR(f));
            return 0;
        }
        if ((end32 && summary(p, 1, f)) || (end1k && summary(p, 2, f)) ||
            (end32k && summary(p, 3, f)) || (!end1k && !summary(p, 2, f)) ||
            (!end32k && !summary(p, 3, f))) {
            check_fail(__FILE__, __LINE__, "frame 0x%x: wrong summary bits "
                       "after its allocation", f);
            return 0;
        }
        if (end1k || (f < 0x2000 && (f % 32 == 0 || end32))) {
            if (!CHECK(pmm_check(p)))
                return 0;
            checks++;
        }
    }
    return checks;
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

    /* Everything, in order, the summary bits watched. */
    uint32_t checks = take_in_order(p, first, end);
    REQUIRE(checks > 0);
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

static const struct check_test tests[] = {
    TEST(hierarchy_last_in_word),
    TEST(hierarchy_last_in_1024),
    TEST(hierarchy_last_in_32768),
    TEST(hierarchy_shared_word),
    TEST(full_3g),
};

CHECK_MAIN(tests)
