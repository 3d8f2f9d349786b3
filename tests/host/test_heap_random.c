/*
 * test_heap_random.c - long randomized runs of the heap (kernel/mm/heap.c),
 * checked after every operation: a million operations of every kind and
 * size class, with and without the small-block cache, and large blocks
 * coming and going with the peak rule of giving pages back checked all
 * along. The fixture is in heap_fixture.h, the helpers for giving pages
 * back in heap_release.h.
 */
#define _GNU_SOURCE
#include <time.h>

#include "rng.h"
#include "heap_release.h"

/* ---- randomized runs ----------------------------------------------------------------- */

/*
 * Blocks come and go at random, each filled with a pattern of its own that
 * is checked before the block is freed or resized (and after a resize).
 * After every operation heap_check must pass, and then the run's own check.
 * A run is replayable: it starts from its spec's seed.
 */
#define RUN_LIVE_MAX    128

struct live {
    uint8_t *p;
    size_t usable;
    uint64_t seed;
};

/* What differs between the runs. */
struct run_spec {
    uint64_t seed;
    unsigned ops, live_max;
    unsigned add_low, add_high;     /* % chance to add a block, below / from half live_max */
    unsigned free_below;            /* a removal frees when its draw is below this, else resizes */
    size_t (*size)(void);           /* a new block's size */
    uint8_t *(*alloc)(size_t *size);    /* allocates it one way or another (may round *size) */
    size_t (*resize)(void);         /* the size a resize asks for; 0 frees the block */
    bool (*check)(void);            /* after each operation; false after failing */
};

/* The run going on: its blocks, its counts, and the operation it is at. */
static struct run {
    struct live live[RUN_LIVE_MAX];
    unsigned n;
    uint64_t next_seed, sum_usable;
    unsigned op;
    uint32_t peak_before, released_before;  /* the heap's, before this operation */
    bool plain;                     /* this operation was an alloc or a calloc */
    unsigned allocs, callocs, aligned, frees, resizes, moved;
} R;

/* A failure in a run, with the operation it happened at: the run stops. */
#define RUN_FAIL(fmt, ...) \
    (check_fail(__FILE__, __LINE__, "op %u: " fmt, R.op, __VA_ARGS__), false)

static bool run_add(const struct run_spec *spec)
{
    size_t size = spec->size();
    uint8_t *p = spec->alloc(&size);
    if (check_failures)
        return false;               /* the way it allocated found something wrong */
    if (!p)
        return RUN_FAIL("allocation of %zu failed", size);
    size_t u = heap_usable_size(&H, p);
    if (u < size || (uintptr_t)p % HEAP_ALIGN)
        return RUN_FAIL("%p usable %zu for %zu", (void *)p, u, size);
    R.live[R.n] = (struct live){ p, u, R.next_seed++ };
    fill(p, u, R.live[R.n].seed);
    R.sum_usable += u;
    R.n++;
    return true;
}

/* Block i is resized; false after a failure. */
static bool run_resize(const struct run_spec *spec, unsigned i)
{
    struct live *l = &R.live[i];
    size_t size = spec->resize();
    uint8_t *q = heap_realloc(&H, l->p, size, WHO3);
    R.resizes++;
    if (size == 0) {
        if (q)
            return RUN_FAIL("realloc to 0 gave %p", (void *)q);
        R.live[i] = R.live[--R.n];
        return true;
    }
    if (!q)
        return RUN_FAIL("realloc to %zu failed", size);
    size_t u = heap_usable_size(&H, q);
    long bad = differs(q, u < l->usable ? u : l->usable, l->seed);
    if (u < size || bad >= 0)
        return RUN_FAIL("realloc %p -> %p (%zu -> %zu bytes) usable %zu, differs at %ld",
                        (void *)l->p, (void *)q, l->usable, size, u, bad);
    if (q != l->p)
        R.moved++;
    *l = (struct live){ q, u, R.next_seed++ };
    fill(q, u, l->seed);
    R.sum_usable += u;
    return true;
}

/* A random live block is checked, then freed or resized as draw says. */
static bool run_remove(const struct run_spec *spec, uint32_t draw)
{
    unsigned i = rng_below(R.n);
    struct live *l = &R.live[i];
    long bad = differs(l->p, l->usable, l->seed);
    if (bad >= 0)
        return RUN_FAIL("block %p (%zu bytes) damaged at +%ld", (void *)l->p, l->usable, bad);
    R.sum_usable -= l->usable;
    if (draw >= spec->free_below)
        return run_resize(spec, i);
    heap_free(&H, l->p, WHO2);
    R.live[i] = R.live[--R.n];
    R.frees++;
    return true;
}

/* Runs spec->ops operations on the fixture's heap; false after a failure. */
static bool run_random(const struct run_spec *spec)
{
    memset(&R, 0, sizeof R);
    R.next_seed = 1;
    rng_seed(spec->seed);
    for (; R.op < spec->ops; R.op++) {
        uint32_t draw = rng_below(100);
        R.peak_before = H.peak_backed;
        R.released_before = H.released;
        R.plain = false;
        /* Mostly adding below half the limit, mostly taking away above. */
        bool add = R.n == 0 || (R.n < spec->live_max &&
                                draw < (R.n < spec->live_max / 2 ? spec->add_low
                                                                 : spec->add_high));
        if (!(add ? run_add(spec) : run_remove(spec, draw)))
            return false;
        const char *why = NULL;
        if (!heap_check(&H, &why))
            return RUN_FAIL("heap_check: %s", why);
        if (!spec->check())
            return false;
    }
    return true;
}

/* Every block the run left goes, each checked first. */
static void run_free_all(void)
{
    for (unsigned i = 0; i < R.n; i++) {
        CHECK_INTACT(R.live[i].p, R.live[i].usable, R.live[i].seed);
        heap_free(&H, R.live[i].p, WHO2);
    }
}

/* -- the long run: every kind of allocation, every size class -- */

static size_t stress_size(void)
{
    uint32_t r = rng_below(1000);
    if (r < 700)
        return rng_below(129);                  /* small, 0 included */
    if (r < 960)
        return 129 + rng_below(4000);           /* medium */
    if (r < 997)
        return 4096 + rng_below(60000);         /* large */
    return HEAP_TRIM_AT + rng_below(200000);    /* huge: grows, then trims */
}

static uint8_t *stress_alloc(size_t *size)
{
    uint32_t kind = rng_below(10);
    if (kind < 6) {
        R.allocs++;
        return heap_alloc(&H, *size, WHO1);
    }
    if (kind < 7) {
        size_t m = 1 + rng_below(16);
        uint8_t *p = heap_calloc(&H, m, *size / m, WHO1);
        *size = m * (*size / m);
        R.callocs++;
        if (p && !all_zero(p, *size))
            (void)RUN_FAIL("calloc gave dirty memory at %p", (void *)p);
        return p;
    }
    if (kind < 9) {
        size_t align = (size_t)16 << rng_below(rng_below(8) == 0 ? 13 : 5);
        uint8_t *p = heap_alloc_aligned(&H, align, *size, WHO1);
        R.aligned++;
        if (p && (uintptr_t)p % align)
            (void)RUN_FAIL("%p not aligned to %zu", (void *)p, align);
        return p;
    }
    R.allocs++;
    return heap_realloc(&H, NULL, *size, WHO1);
}

static size_t stress_resize(void)
{
    return rng_below(20) == 0 ? 0 : stress_size();
}

static uint64_t stress_live_sum;
static unsigned stress_most;

/* The counters agree with the live blocks, nothing was reported, and the
 * callbacks hold what the heap says it holds. */
static bool stress_check(void)
{
    stress_live_sum += R.n;
    if (R.n > stress_most)
        stress_most = R.n;
    uint32_t cached_bytes = 0;
    for (unsigned c = 0; c < HEAP_CACHE_CLASSES; c++)
        cached_bytes += H.cache_count[c] * (HEAP_MIN_BLOCK + c * HEAP_ALIGN);
    uint32_t used_blocks = H.busy_blocks - H.cached_blocks;
    uint32_t used_bytes = H.busy_bytes - cached_bytes;
    if (used_blocks != R.n || used_bytes != R.sum_usable + (uint64_t)R.n * HEAP_HEADER ||
        A.nrep || H.mapped - H.released != A.backed)
        return RUN_FAIL("%u blocks (%u used), used %u, usable %llu, %u reports, mapped %u, "
                        "backed %zu", R.n, used_blocks, used_bytes,
                        (unsigned long long)R.sum_usable, A.nrep, H.mapped, A.backed);
    return true;
}

#define STRESS_OPS      1000000

static const struct run_spec stress_spec = {
    .seed = 0x4D454D41544C4153ull, .ops = STRESS_OPS, .live_max = 128,  /* hovers near 64 */
    .add_low = 60, .add_high = 38, .free_below = 80,
    .size = stress_size, .alloc = stress_alloc, .resize = stress_resize, .check = stress_check,
};

static void stress_run(unsigned cache)
{
    heap_set_cache(&H, cache);
    stress_live_sum = 0;
    stress_most = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool ok = run_random(&stress_spec);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("  stress: %u operations in %.2f s: %u alloc, %u calloc, %u aligned, %u free, "
           "%u realloc (%u moved); %.1f live on average, %u at most; %u grows, "
           "%u shrinks, peak %u KiB\n", STRESS_OPS, secs, R.allocs, R.callocs, R.aligned,
           R.frees, R.resizes, R.moved, (double)stress_live_sum / STRESS_OPS, stress_most,
           A.ngrow, A.nshrink, H.peak_backed / 1024);
    if (!ok) {
        A.heap_broken = true;
        return;
    }
    CHECK(A.nshrink > 0);
    run_free_all();
    heap_flush_cache(&H);
    CHECK_INT_EQ(H.cached_blocks, 0);
    CHECK_ALL_FREE();
    CHECK(H.mapped <= HEAP_TRIM_AT + 2 * HEAP_PAGE);
    CHECK_WALK();
}

HEAP_TEST(stress)
{
    stress_run(0);
}

HEAP_TEST(stress_with_cache)
{
    stress_run(8);
}

/* -- large blocks coming and going at random -- */

static size_t release_stress_size(void)
{
    uint32_t r = rng_below(100);
    if (r < 40)
        return rng_below(2000);
    if (r < 95)
        return 8 * KiB + rng_below(72 * KiB);
    return 100 * KiB + rng_below(200 * KiB);
}

static uint8_t *release_stress_alloc(size_t *size)
{
    uint32_t kind = rng_below(10);
    if (kind < 7) {
        R.plain = true;
        return heap_alloc(&H, *size, WHO1);
    }
    if (kind < 8) {
        R.plain = true;
        uint8_t *p = heap_calloc(&H, 1, *size, WHO1);
        if (p && !all_zero(p, *size))
            (void)RUN_FAIL("calloc gave dirty memory at %p", (void *)p);
        return p;
    }
    return heap_alloc_aligned(&H, (size_t)16 << rng_below(10), *size, WHO1);
}

static size_t release_stress_resize(void)
{
    return 1 + release_stress_size();
}

static unsigned rel_rises, rel_rises_released, rel_gave_back;
static uint32_t rel_most_released;

/* After an allocation that raised the peak, the peak is what the heap would
 * hold had every large free block given all its pages back; the grow
 * callback saw no grow past the peak while pages were pending. */
static bool release_stress_check(void)
{
    if (H.released > R.released_before)
        rel_gave_back++;
    if (H.released > rel_most_released)
        rel_most_released = H.released;
    if (H.peak_backed > R.peak_before) {
        rel_rises++;
        if (R.released_before)
            rel_rises_released++;
        if (R.plain && H.peak_backed != ideal_backed())
            return RUN_FAIL("the peak rose to %u, but %u would do", H.peak_backed,
                            ideal_backed());
    }
    if (A.peak_breaks || A.nrep || H.mapped - H.released != A.backed)
        return RUN_FAIL("%u grows past the peak with pages pending, %u reports, mapped %u, "
                        "released %u, backed %zu", A.peak_breaks, A.nrep, H.mapped,
                        H.released, A.backed);
    return true;
}

#define RELEASE_STRESS_OPS  200000

static const struct run_spec release_stress_spec = {
    .seed = 0x52454C4541534521ull, .ops = RELEASE_STRESS_OPS, .live_max = 40,
    .add_low = 60, .add_high = 40, .free_below = 75,
    .size = release_stress_size, .alloc = release_stress_alloc,
    .resize = release_stress_resize, .check = release_stress_check,
};

/* Large blocks coming and going at random, the peak rule checked all along. */
HEAP_TEST(release_peak_stress)
{
    A.watch_peak = true;
    rel_rises = rel_rises_released = rel_gave_back = 0;
    rel_most_released = 0;
    bool ok = run_random(&release_stress_spec);
    printf("  release stress: %u operations; %u gave pages back, %u raised the peak "
           "(%u with pages given back), at most %u KiB given back; peak %u KiB\n",
           RELEASE_STRESS_OPS, rel_gave_back, rel_rises, rel_rises_released,
           rel_most_released / 1024, H.peak_backed / 1024);
    if (!ok) {
        A.heap_broken = true;
        return;
    }
    CHECK(rel_gave_back > 100);
    run_free_all();
    CHECK_ALL_FREE();
    CHECK_INT_EQ(H.released, 0);
    CHECK_INT_EQ(A.peak_breaks, 0);
}

static const struct check_test tests[] = {
    TEST(stress_with_cache),
    TEST(release_peak_stress),
    TEST(stress),
};

CHECK_MAIN(tests)
