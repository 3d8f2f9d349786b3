/*
 * test_chacha20.c - kernel/lib/chacha20.c against the published test
 * vectors of RFC 8439: the quarter round of section 2.1.1, the block of
 * section 2.3.2, and the five key-stream blocks of appendix A.1; then the
 * generator: the same stream however it is asked for, and the counter
 * carrying into the nonce.
 */
#include <stdint.h>

#include "check.h"
#include "lib/chacha20.h"

/* "76 b8 e0 ..." to bytes; returns how many. */
static size_t unhex(const char *s, uint8_t *out, size_t max)
{
    size_t n = 0;
    unsigned v;
    int used;
    while (n < max && sscanf(s, " %2x%n", &v, &used) == 1) {
        out[n++] = (uint8_t)v;
        s += used;
    }
    return n;
}

static void quarter_round_2_1_1(void)
{
    uint32_t a = 0x11111111, b = 0x01020304, c = 0x9b8d6f43, d = 0x01234567;
    chacha20_quarter_round(&a, &b, &c, &d);
    CHECK_HEX_EQ(a, 0xea2a92f4);
    CHECK_HEX_EQ(b, 0xcb1cf8ce);
    CHECK_HEX_EQ(c, 0x4581472e);
    CHECK_HEX_EQ(d, 0x5881c4bb);
}

static void block_2_3_2(void)
{
    static const uint32_t want[16] = {
        0xe4e7f110, 0x15593bd1, 0x1fdd0f50, 0xc47120a3, 0xc7f4d1c7, 0x0368c033,
        0x9aaa2204, 0x4e6cd4c3, 0x466482d2, 0x09aa9f07, 0x05d7c214, 0xa2028bd9,
        0xd19c12b5, 0xb94e16de, 0xe883d0cb, 0x4e3c50a2,
    };
    uint8_t key[32], nonce[12], out[64];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    REQUIRE_INT_EQ(unhex("00 00 00 09 00 00 00 4a 00 00 00 00", nonce, 12), 12);
    chacha20_block(key, 1, nonce, out);
    for (int i = 0; i < 16; i++) {
        uint32_t w = (uint32_t)out[4 * i] | (uint32_t)out[4 * i + 1] << 8 |
                     (uint32_t)out[4 * i + 2] << 16 | (uint32_t)out[4 * i + 3] << 24;
        CHECK_HEX_EQ(w, want[i]);
    }
    CHECK_HEX_EQ(out[0], 0x10);         /* serialized little-endian: "10 f1 e7 e4" */
    CHECK_HEX_EQ(out[3], 0xe4);
}

/* Appendix A.1: the key stream (a block of zeros encrypted). */
static const struct {
    const char *key, *nonce;
    uint32_t counter;
    const char *stream;
} a1[] = {
    { "", "", 0,
      "76 b8 e0 ad a0 f1 3d 90 40 5d 6a e5 53 86 bd 28 bd d2 19 b8 a0 8d ed 1a a8 36 ef cc "
      "8b 77 0d c7 da 41 59 7c 51 57 48 8d 77 24 e0 3f b8 d8 4a 37 6a 43 b8 f4 15 18 a1 1c "
      "c3 87 b6 69 b2 ee 65 86" },
    { "", "", 1,
      "9f 07 e7 be 55 51 38 7a 98 ba 97 7c 73 2d 08 0d cb 0f 29 a0 48 e3 65 69 12 c6 53 3e "
      "32 ee 7a ed 29 b7 21 76 9c e6 4e 43 d5 71 33 b0 74 d8 39 d5 31 ed 1f 28 51 0a fb 45 "
      "ac e1 0a 1f 4b 79 4d 6f" },
    { "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
      "00 00 00 01", "", 1,
      "3a eb 52 24 ec f8 49 92 9b 9d 82 8d b1 ce d4 dd 83 20 25 e8 01 8b 81 60 b8 22 84 f3 "
      "c9 49 aa 5a 8e ca 00 bb b4 a7 3b da d1 92 b5 c4 2f 73 f2 fd 4e 27 36 44 c8 b3 61 25 "
      "a6 4a dd eb 00 6c 13 a0" },
    { "00 ff", "", 2,
      "72 d5 4d fb f1 2e c4 4b 36 26 92 df 94 13 7f 32 8f ea 8d a7 39 90 26 5e c1 bb be a1 "
      "ae 9a f0 ca 13 b2 5a a2 6c b4 a6 48 cb 9b 9d 1b e6 5b 2c 09 24 a6 6c 54 d5 45 ec 1b "
      "73 74 f4 87 2e 99 f0 96" },
    { "", "00 00 00 00 00 00 00 00 00 00 00 02", 0,
      "c2 c6 4d 37 8c d5 36 37 4a e2 04 b9 ef 93 3f cd 1a 8b 22 88 b3 df a4 96 72 ab 76 5b "
      "54 ee 27 c7 8a 97 0e 0e 95 5c 14 f3 a8 8e 74 1b 97 c2 86 f7 5f 8f c2 99 e8 14 83 62 "
      "fa 19 8a 39 53 1b ed 6d" },
};

static void keystream_a_1(void)
{
    for (size_t t = 0; t < sizeof a1 / sizeof a1[0]; t++) {
        uint8_t key[32] = { 0 }, nonce[12] = { 0 }, want[64], out[64];
        unhex(a1[t].key, key, 32);      /* short: the rest stays zero */
        unhex(a1[t].nonce, nonce, 12);
        REQUIRE_INT_EQ(unhex(a1[t].stream, want, 64), 64);
        chacha20_block(key, a1[t].counter, nonce, out);
        if (!CHECK(memcmp(out, want, 64) == 0))
            printf("  A.1 test vector #%zu differs\n", t + 1);
    }
}

/* The generator's stream of the zero key and nonce is A.1's #1 then #2. */
static void generator_is_the_key_stream(void)
{
    uint8_t zero[32] = { 0 }, want[128], got[128];
    unhex(a1[0].stream, want, 64);
    unhex(a1[1].stream, want + 64, 64);
    struct chacha20_rng r;
    chacha20_rng_init(&r, zero, zero);
    chacha20_rng_bytes(&r, got, sizeof got);
    CHECK(memcmp(got, want, sizeof want) == 0);

    /* Asked for in odd pieces: the same bytes, none skipped. */
    static const size_t pieces[] = { 0, 1, 62, 1, 3, 60, 1 };
    memset(got, 0xAA, sizeof got);
    chacha20_rng_init(&r, zero, zero);
    size_t at = 0;
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        chacha20_rng_bytes(&r, got + at, pieces[i]);
        at += pieces[i];
    }
    REQUIRE_INT_EQ(at, 128);
    CHECK(memcmp(got, want, sizeof want) == 0);
}

static void counter_carries_into_the_nonce(void)
{
    uint8_t key[32], nonce[12] = { 0 }, want[64], got[64];
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(i * 7);
    struct chacha20_rng r;
    chacha20_rng_init(&r, key, nonce);
    r.counter = 0xFFFFFFFFu;                /* the last block of this nonce */
    chacha20_rng_bytes(&r, got, 64);
    chacha20_block(key, 0xFFFFFFFFu, nonce, want);
    CHECK(memcmp(got, want, 64) == 0);
    chacha20_rng_bytes(&r, got, 64);        /* block 0 of nonce 1 */
    nonce[0] = 1;
    chacha20_block(key, 0, nonce, want);
    CHECK(memcmp(got, want, 64) == 0);
    CHECK_INT_EQ(r.counter, 1);
}

static void different_keys_different_streams(void)
{
    uint8_t k1[32] = { 0 }, k2[32] = { 0 }, nonce[12] = { 0 }, a[64], b[64];
    k2[31] = 0x80;                          /* one bit */
    struct chacha20_rng r1, r2;
    chacha20_rng_init(&r1, k1, nonce);
    chacha20_rng_init(&r2, k2, nonce);
    chacha20_rng_bytes(&r1, a, 64);
    chacha20_rng_bytes(&r2, b, 64);
    unsigned same = 0;
    for (int i = 0; i < 64; i++)
        same += a[i] == b[i];
    CHECK(same < 8);                        /* about 64/256 expected */
}

static const struct check_test tests[] = {
    TEST(quarter_round_2_1_1),
    TEST(block_2_3_2),
    TEST(keystream_a_1),
    TEST(generator_is_the_key_stream),
    TEST(counter_carries_into_the_nonce),
    TEST(different_keys_different_streams),
};

CHECK_MAIN(tests)
