/*
 * chacha20.c - the ChaCha20 block function and its key stream (see
 * chacha20.h), written from RFC 8439 sections 2.1 to 2.3.
 *
 * The state is 16 words: four constants, the key (eight words), the block
 * counter, the nonce (three words), all little-endian. Twenty rounds
 * alternate between the four columns and the four diagonals of the state
 * seen as a 4x4 matrix; the input state is then added to the result.
 */
#include "lib/chacha20.h"

static uint32_t load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotl(uint32_t v, unsigned n)
{
    return v << n | v >> (32 - n);
}

void chacha20_quarter_round(uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    *a += *b; *d ^= *a; *d = rotl(*d, 16);
    *c += *d; *b ^= *c; *b = rotl(*b, 12);
    *a += *b; *d ^= *a; *d = rotl(*d, 8);
    *c += *d; *b ^= *c; *b = rotl(*b, 7);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
                    const uint8_t nonce[CHACHA20_NONCE_BYTES],
                    uint8_t out[CHACHA20_BLOCK_BYTES])
{
    /* "expand 32-byte k", the constant words. */
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; i++)
        in[4 + i] = load32(key + 4 * i);
    in[12] = counter;
    for (int i = 0; i < 3; i++)
        in[13 + i] = load32(nonce + 4 * i);

    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = in[i];
    for (int round = 0; round < 20; round += 2) {
        chacha20_quarter_round(&x[0], &x[4], &x[8], &x[12]);    /* columns */
        chacha20_quarter_round(&x[1], &x[5], &x[9], &x[13]);
        chacha20_quarter_round(&x[2], &x[6], &x[10], &x[14]);
        chacha20_quarter_round(&x[3], &x[7], &x[11], &x[15]);
        chacha20_quarter_round(&x[0], &x[5], &x[10], &x[15]);   /* diagonals */
        chacha20_quarter_round(&x[1], &x[6], &x[11], &x[12]);
        chacha20_quarter_round(&x[2], &x[7], &x[8], &x[13]);
        chacha20_quarter_round(&x[3], &x[4], &x[9], &x[14]);
    }
    for (int i = 0; i < 16; i++)
        store32(out + 4 * i, x[i] + in[i]);
}

void chacha20_rng_init(struct chacha20_rng *r, const uint8_t key[CHACHA20_KEY_BYTES],
                       const uint8_t nonce[CHACHA20_NONCE_BYTES])
{
    for (int i = 0; i < CHACHA20_KEY_BYTES; i++)
        r->key[i] = key[i];
    for (int i = 0; i < CHACHA20_NONCE_BYTES; i++)
        r->nonce[i] = nonce[i];
    r->counter = 0;
    r->used = CHACHA20_BLOCK_BYTES;         /* nothing made yet */
}

static void next_block(struct chacha20_rng *r)
{
    chacha20_block(r->key, r->counter, r->nonce, r->block);
    r->used = 0;
    if (++r->counter == 0)
        store32(r->nonce, load32(r->nonce) + 1);
}

void chacha20_rng_bytes(struct chacha20_rng *r, void *out, size_t n)
{
    uint8_t *p = out;
    while (n > 0) {
        if (r->used == CHACHA20_BLOCK_BYTES)
            next_block(r);
        size_t take = CHACHA20_BLOCK_BYTES - r->used;
        if (take > n)
            take = n;
        for (size_t i = 0; i < take; i++)
            p[i] = r->block[r->used + i];
        r->used += (unsigned)take;
        p += take;
        n -= take;
    }
}
