/*
 * test_clockmath.c - include/lib/clockmath.h: counts to nanoseconds equal
 * the exact 128-bit quotient, far past where count * 1e6 would overflow
 * 64 bits, and never decrease as the count grows.
 */
#include <stdint.h>

#include "check.h"
#include "lib/clockmath.h"
#include "rng.h"

static uint64_t rng64(void)
{
    uint64_t hi = rng();
    return hi << 32 | rng();
}

static uint64_t exact(uint64_t count, uint64_t per_ms)
{
    return (uint64_t)((unsigned __int128)count * NS_PER_MS / per_ms);
}

static void simple_values(void)
{
    CHECK_INT_EQ(clock_counts_to_ns(0, 1000), 0);
    CHECK_INT_EQ(clock_counts_to_ns(1000, 1000), 1000000);      /* 1 MHz: 1 us a count */
    CHECK_INT_EQ(clock_counts_to_ns(1, 1000), 1000);
    CHECK_INT_EQ(clock_counts_to_ns(3, 3000000), 1);            /* 3 GHz: a third of a ns */
    CHECK_INT_EQ(clock_counts_to_ns(2, 3000000), 0);            /* rounded down */
    CHECK_INT_EQ(clock_counts_to_ns(3000000, 3000000), NS_PER_MS);
    CHECK_INT_EQ(clock_counts_to_ns(7, 1), 7000000);            /* the slowest counter */
}

/* Ten days at 5 GHz: 4.32e15 counts, whose product with 1e6 is 4.32e21,
 * far past 2^64 = 1.8e19. */
static void days_of_uptime_do_not_overflow(void)
{
    const uint64_t per_ms = 5000000, days = 10;
    uint64_t count = per_ms * 1000 * 86400 * days;
    CHECK((unsigned __int128)count * NS_PER_MS > UINT64_MAX);
    CHECK_INT_EQ(clock_counts_to_ns(count, per_ms), days * 86400 * NS_PER_SEC);
    CHECK_INT_EQ(clock_counts_to_ns(count + 1, per_ms), days * 86400 * NS_PER_SEC);
    CHECK_INT_EQ(clock_counts_to_ns(count + 5, per_ms), days * 86400 * NS_PER_SEC + 1);
    /* A hundred years at an odd rate. */
    const uint64_t odd = 2893417;
    uint64_t century = odd * 1000 * 86400 * 36525;
    CHECK_INT_EQ(clock_counts_to_ns(century, odd), 36525ULL * 86400 * NS_PER_SEC);
    CHECK_INT_EQ(clock_counts_to_ns(century + 12345, odd), exact(century + 12345, odd));
}

static void matches_exact_quotient(void)
{
    rng_seed(7);
    unsigned bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t per_ms = rng64() % 20000000 + 1;          /* up to 20 GHz */
        uint64_t count = rng64() >> rng_below(64);
        uint64_t want = exact(count, per_ms);
        if ((unsigned __int128)count * NS_PER_MS / per_ms > UINT64_MAX)
            continue;                                           /* not representable */
        if (clock_counts_to_ns(count, per_ms) != want && bad++ < 5)
            CHECK_INT_EQ(clock_counts_to_ns(count, per_ms), want);
    }
    CHECK_INT_EQ(bad, 0);
}

static void never_decreases(void)
{
    rng_seed(11);
    const uint64_t per_ms = 2394561;
    uint64_t count = 0, last = 0;
    unsigned bad = 0;
    for (int i = 0; i < 100000; i++) {
        count += rng64() % 5000000;
        uint64_t ns = clock_counts_to_ns(count, per_ms);
        bad += ns < last;
        last = ns;
    }
    CHECK_INT_EQ(bad, 0);
}

static const struct check_test tests[] = {
    TEST(simple_values),
    TEST(days_of_uptime_do_not_overflow),
    TEST(matches_exact_quotient),
    TEST(never_decreases),
};

CHECK_MAIN(tests)
