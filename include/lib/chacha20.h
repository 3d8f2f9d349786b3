/*
 * chacha20.h - the ChaCha20 block function (D. J. Bernstein's ChaCha with
 * 20 rounds, in the form of RFC 8439: a 256-bit key, a 32-bit block
 * counter, a 96-bit nonce) and a generator that hands out its key stream.
 * Pure C: the kernel's fallback for random_bytes (arch/random.h), tested
 * on the host against the RFC's test vectors.
 *
 * The generator is exactly as good as its key. The cipher is sound; it is
 * the kernel's seed, read from clocks, that is guessable (see random.h).
 */
#ifndef CHACHA20_H
#define CHACHA20_H

#include <stddef.h>
#include <stdint.h>

#define CHACHA20_KEY_BYTES      32
#define CHACHA20_NONCE_BYTES    12
#define CHACHA20_BLOCK_BYTES    64

/* One quarter round on four words of the state, in place. */
void chacha20_quarter_round(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d);
/* The 64 bytes of key stream of block `counter`. */
void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_BYTES],
                    uint8_t out[CHACHA20_BLOCK_BYTES]);

/* The key stream of one key and nonce from block 0 on, a byte at a time
 * or many. After 2^32 blocks (256 GiB) the counter wraps and the first
 * nonce word goes up by one, so the stream never repeats itself. */
struct chacha20_rng {
    uint8_t key[CHACHA20_KEY_BYTES];
    uint8_t nonce[CHACHA20_NONCE_BYTES];
    uint32_t counter;                       /* the next block */
    uint8_t block[CHACHA20_BLOCK_BYTES];
    unsigned used;                          /* bytes of block handed out */
};

void chacha20_rng_init(struct chacha20_rng *r, const uint8_t key[CHACHA20_KEY_BYTES],
                       const uint8_t nonce[CHACHA20_NONCE_BYTES]);
void chacha20_rng_bytes(struct chacha20_rng *r, void *out, size_t n);

#endif
