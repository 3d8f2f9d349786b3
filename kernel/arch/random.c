/*
 * random.c - random_bytes from RDRAND or from a clock-seeded ChaCha20
 * stream (see random.h, which says why the latter is not cryptographic).
 *
 * RDRAND can fail when the CPU's generator is drained for a moment; it
 * then clears the carry flag. Intel's guidance (the "Intel Digital Random
 * Number Generator Software Implementation Guide") is to retry up to ten
 * times: a generator that fails ten times in a row is taken to be broken,
 * and this kernel then uses the fallback from that word on, for good.
 */
#include "arch/random.h"

#include <stdint.h>

#include "arch/cpuid.h"
#include "arch/irq.h"
#include "arch/pit.h"
#include "arch/rtc.h"
#include "arch/tsc.h"
#include "lib/chacha20.h"

#define RDRAND_TRIES    10
#define CHUNK           256     /* bytes made with interrupts off at a time */

enum source { SOURCE_UNKNOWN, SOURCE_RDRAND, SOURCE_CHACHA };

static volatile enum source source = SOURCE_UNKNOWN;
static struct chacha20_rng stream;      /* interrupts off while in use */
static bool seeded;

static enum source current_source(void)
{
    if (source == SOURCE_UNKNOWN) {
        bool has = cpuid(0).eax >= CPUID_FEATURES &&
                   (cpuid(CPUID_FEATURES).ecx & CPUID_ECX_RDRAND);
        source = has ? SOURCE_RDRAND : SOURCE_CHACHA;
    }
    return source;
}

static bool rdrand32(uint32_t *value)
{
    for (int i = 0; i < RDRAND_TRIES; i++) {
        uint8_t ok;
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*value), "=qm"(ok) : : "cc");
        if (ok)
            return true;
    }
    return false;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The key: the counter before and after reading the real-time clock (the
 * read waits on the chip, so the two differ by a varying amount), the
 * clock's seconds, and the timer ticks since boot. */
static void seed_stream(void)
{
    uint8_t key[CHACHA20_KEY_BYTES] = { 0 }, nonce[CHACHA20_NONCE_BYTES] = { 0 };
    int64_t rtc = 0;
    uint64_t before = rdtsc();
    int err = rtc_read_unix(&rtc);
    uint64_t after = rdtsc();
    put64(key, before);
    put64(key + 8, after);
    put64(key + 16, (uint64_t)rtc ^ ((uint64_t)(uint32_t)err << 32));
    put64(key + 24, timer_ticks());
    put64(nonce, rdtsc());
    uint32_t flags = irq_save();
    if (!seeded) {
        chacha20_rng_init(&stream, key, nonce);
        seeded = true;
    }
    irq_restore(flags);
}

static void stream_bytes(uint8_t *p, size_t n)
{
    if (n > 0 && !seeded)
        seed_stream();
    while (n > 0) {
        size_t take = n < CHUNK ? n : CHUNK;
        uint32_t flags = irq_save();
        chacha20_rng_bytes(&stream, p, take);
        irq_restore(flags);
        p += take;
        n -= take;
    }
}

void random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0 && current_source() == SOURCE_RDRAND) {
        uint32_t w;
        if (!rdrand32(&w)) {
            source = SOURCE_CHACHA;     /* broken: never asked again */
            break;
        }
        size_t take = n < 4 ? n : 4;
        for (size_t i = 0; i < take; i++)
            p[i] = (uint8_t)(w >> (8 * i));
        p += take;
        n -= take;
    }
    stream_bytes(p, n);
}

bool random_is_hardware(void)
{
    return current_source() == SOURCE_RDRAND;
}
