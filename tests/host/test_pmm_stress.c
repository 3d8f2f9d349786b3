/*
 * test_pmm_stress.c - long randomized runs of the physical frame allocator
 * (kernel/mm/frames.c) against a plain per-frame model: allocations (the
 * lowest free frame, or none), frees good and bad (double, unmanaged,
 * misaligned, above 4 GiB) and small reservations, in phases that fill the
 * allocator up and drain it again, on maps with pieces at word and group
 * boundaries. After every operation pmm_check and the counters must agree with
 * the model; every frame is compared now and then. A failure names its seed
 * and operation, so it can be replayed.
 */
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "pmm_fixture.h"
#include "rng.h"

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
    TEST(stress_pieces),
    TEST(stress_pieces_reseeded),
    TEST(stress_small),
    TEST(stress_sparse),
    TEST(stress_boundaries),
};

CHECK_MAIN(tests)
