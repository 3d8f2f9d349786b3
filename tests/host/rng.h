/*
 * rng.h - a small deterministic generator (splitmix64) for the host tests,
 * so that a failing randomized test can be replayed from its seed.
 */
#ifndef TEST_RNG_H
#define TEST_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline void rng_seed(uint64_t seed)
{
    rng_state = seed;
}

/* The high half of the next splitmix64 output. */
static inline uint32_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(uint32_t n)
{
    return (uint32_t)(((uint64_t)rng() * n) >> 32);
}

#endif
