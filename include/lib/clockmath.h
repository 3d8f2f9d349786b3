/*
 * clockmath.h - counter ticks to nanoseconds without overflow. Pure C: the
 * kernel's clocks use it, the host tests check it against 128-bit sums.
 */
#ifndef CLOCKMATH_H
#define CLOCKMATH_H

#include <stdint.h>

#define NS_PER_MS   1000000ULL
#define NS_PER_SEC  1000000000ULL

/*
 * count * 1e6 / per_ms, rounded down, for a counter running at per_ms
 * counts a millisecond (per_ms > 0). The product itself would overflow 64
 * bits after 1.8e13 counts, under two hours at 3 GHz; splitting count
 * into whole milliseconds and a remainder keeps every step in range: the
 * whole part overflows only after 584 years, the remainder's product is
 * under per_ms * 1e6. The result is exact (the same as the 128-bit
 * quotient) while it fits in 64 bits.
 */
static inline uint64_t clock_counts_to_ns(uint64_t count, uint64_t per_ms)
{
    uint64_t ms = count / per_ms, rest = count % per_ms;
    return ms * NS_PER_MS + rest * NS_PER_MS / per_ms;
}

#endif
