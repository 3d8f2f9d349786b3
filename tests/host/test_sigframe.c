/*
 * test_sigframe.c - the arithmetic of signal frames (sched/sigframe.h):
 * where a frame goes, that AT_MINSIGSTKSZ covers the worst case, the
 * legacy FPU header made from an fxsave image and back, and what
 * sigreturn accepts in eflags and segment selectors.
 */
#include "check.h"
#include "arch/gdt.h"
#include "sched/sigframe.h"

#define RT_SIZE     ((uint32_t)sizeof(struct linux_rt_sigframe))
#define OLD_SIZE    ((uint32_t)sizeof(struct linux_sigframe))
#define ENV_SIZE    ((uint32_t)sizeof(struct linux_fsave_env))

/* One worked example, by hand from Linux's get_sigframe and
 * fpu__alloc_mathframe: the image 64-byte aligned under sp, its header
 * 112 bytes below, the frame so that (esp + 4) % 16 == 0. */
static void placement_example(void)
{
    struct sigframe_layout l;
    sigframe_place(0xBFFFF123, RT_SIZE, true, &l);
    REQUIRE(l.fits);
    CHECK_HEX_EQ(l.fx, 0xBFFFEF00);
    CHECK_HEX_EQ(l.fpstate, 0xBFFFEE90);
    CHECK_HEX_EQ(l.frame, 0xBFFFED7C);
    sigframe_place(0xBFFFF123, RT_SIZE, false, &l);
    CHECK_HEX_EQ(l.fx, 0);
    CHECK_HEX_EQ(l.fpstate, 0xBFFFF080);
    CHECK_HEX_EQ(l.frame, 0xBFFFEF6C);
}

/* For every alignment of sp: the parts do not overlap, stay below sp, are
 * aligned as promised, waste less than the alignment, and all of it fits
 * in sigframe_max_size (what AT_MINSIGSTKSZ tells programs). */
static void placement_properties(void)
{
    for (int fx = 0; fx < 2; fx++)
        for (int rt = 0; rt < 2; rt++)
            for (uint32_t sp = 0x80000000; sp < 0x80000000 + 256; sp++) {
                uint32_t size = rt ? RT_SIZE : OLD_SIZE;
                struct sigframe_layout l;
                sigframe_place(sp, size, fx, &l);
                REQUIRE(l.fits);
                CHECK_INT_EQ((l.frame + 4) % 16, 0);
                CHECK(l.frame + size <= l.fpstate);
                CHECK(l.fpstate - (l.frame + size) < 16);
                if (fx) {
                    CHECK_INT_EQ(l.fx % 64, 0);
                    CHECK_HEX_EQ(l.fpstate + ENV_SIZE, l.fx);
                    CHECK(l.fx + SIGFRAME_FX_SIZE <= sp);
                    CHECK(sp - (l.fx + SIGFRAME_FX_SIZE) < 64);
                } else {
                    CHECK_INT_EQ(l.fpstate % 64, 0);
                    CHECK(l.fpstate + ENV_SIZE <= sp);
                }
                CHECK(sp - l.frame <= sigframe_max_size(fx));
            }
}

static void too_low_a_stack_does_not_fit(void)
{
    struct sigframe_layout l;
    sigframe_place(100, RT_SIZE, true, &l);
    CHECK(!l.fits);
    sigframe_place(0, OLD_SIZE, false, &l);
    CHECK(!l.fits);
    sigframe_place(sigframe_max_size(true) + 64, OLD_SIZE, true, &l);
    CHECK(l.fits);
}

/* Linux's get_sigframe_size: 732 + 15 + (112 + 512) + 63, rounded to 16. */
static void max_sizes_are_linuxs(void)
{
    CHECK_INT_EQ(sigframe_fpu_size(true), 624);
    CHECK_INT_EQ(sigframe_fpu_size(false), 112);
    CHECK_INT_EQ(sigframe_max_size(true), 1440);
    CHECK_INT_EQ(sigframe_max_size(false), 928);
}

static void put_reg(uint8_t fx[SIGFRAME_FX_SIZE], unsigned st, uint64_t significand,
                    uint16_t exponent)
{
    uint8_t *r = fx + SIGFRAME_FX_ST + 16 * st;
    for (int i = 0; i < 8; i++)
        r[i] = (uint8_t)(significand >> (8 * i));
    r[8] = (uint8_t)exponent;
    r[9] = (uint8_t)(exponent >> 8);
}

/* TOP = 3: ST(i) is physical register (3 + i) % 8. */
static void tag_words(void)
{
    uint8_t fx[SIGFRAME_FX_SIZE] = { 0 };
    fx[2] = 0x00;
    fx[3] = 3 << 3;                     /* fsw: TOP in bits 11-13 */
    put_reg(fx, 0, 0x8000000000000000ull, 0x3FFF);  /* 1.0: valid, physical 3 */
    put_reg(fx, 1, 0, 0);                           /* +0: zero, physical 4 */
    put_reg(fx, 2, 0x8000000000000000ull, 0x7FFF);  /* infinity: special, physical 5 */
    put_reg(fx, 3, 1, 0);                           /* denormal: special, physical 6 */
    put_reg(fx, 4, 0x4000000000000000ull, 0x4000);  /* unnormal: special, physical 7 */
    fx[4] = 0xF8;                       /* physical 3..7 in use, 0..2 empty */
    /* physical: 0-2 empty (3), 3 valid (0), 4 zero (1), 5-7 special (2) */
    uint32_t want = 0xFFFF0000u | 0x3Fu | 0u << 6 | 1u << 8 | 2u << 10 | 2u << 12 | 2u << 14;
    CHECK_HEX_EQ(sigframe_tag_full(fx), want);
    CHECK_HEX_EQ(sigframe_tag_abridged((uint16_t)want), 0xF8);
    CHECK_HEX_EQ(sigframe_tag_abridged(0xFFFF), 0);
    CHECK_HEX_EQ(sigframe_tag_abridged(0x0000), 0xFF);
}

static void header_from_an_image_and_back(void)
{
    uint8_t fx[SIGFRAME_FX_SIZE];
    for (unsigned i = 0; i < sizeof fx; i++)
        fx[i] = (uint8_t)(i * 7 + 3);
    fx[4] = 0x81;                       /* abridged tag: physical 0 and 7 */
    fx[5] = 0;
    struct linux_fsave_env env;
    sigframe_env_from_fx(fx, &env);
    CHECK_HEX_EQ(env.cw, 0xFFFF0000u | (uint32_t)(fx[0] | fx[1] << 8));
    CHECK_HEX_EQ(env.sw, 0xFFFF0000u | (uint32_t)(fx[2] | fx[3] << 8));
    CHECK_HEX_EQ(env.status, (uint32_t)(fx[2] | fx[3] << 8));
    CHECK_HEX_EQ(env.magic, SIGFRAME_FX_MAGIC);
    CHECK_HEX_EQ(env.cssel, (uint32_t)(fx[12] | fx[13] << 8) | (uint32_t)(fx[6] | fx[7] << 8) << 16);
    CHECK_HEX_EQ(env.ipoff, (uint32_t)(fx[8] | fx[9] << 8 | fx[10] << 16 | (uint32_t)fx[11] << 24));
    CHECK(memcmp(env.st + 30, fx + SIGFRAME_FX_ST + 48, 10) == 0);     /* ST(3) */

    /* Back into an image whose x87 part is something else: the header wins,
     * MXCSR and the XMM registers stay. */
    uint8_t back[SIGFRAME_FX_SIZE];
    memset(back, 0xEE, sizeof back);
    sigframe_env_to_fx(&env, back);
    CHECK(memcmp(back, fx, 4) == 0);                    /* fcw, fsw */
    CHECK_HEX_EQ(back[4], 0x81);
    CHECK_HEX_EQ(back[5], 0);
    CHECK(memcmp(back + 6, fx + 6, 8) == 0);            /* fop, fip, fcs's low half */
    CHECK_HEX_EQ(back[14] | back[15] << 8, 0);          /* fcs's high half is zeroed */
    CHECK(memcmp(back + 16, fx + 16, 8) == 0);          /* foo, fos */
    for (int i = 0; i < 8; i++)
        CHECK(memcmp(back + SIGFRAME_FX_ST + 16 * i, fx + SIGFRAME_FX_ST + 16 * i, 10) == 0);
    CHECK_HEX_EQ(back[SIGFRAME_FX_MXCSR], 0xEE);
    CHECK_HEX_EQ(back[160], 0xEE);                      /* XMM0 */
}

static void eflags_a_program_may_set(void)
{
    uint32_t now = 0x00000202;          /* IF, the reserved bit */
    uint32_t all = sigframe_eflags(now, 0xFFFFFFFF);
    CHECK_HEX_EQ(all, now | SIGFRAME_EFLAGS_USER);
    CHECK(!(all & 0x3000));             /* IOPL stays 0 */
    CHECK(!(all & 0x20000));            /* no virtual-8086 mode */
    CHECK(!(all & 0x4000));             /* no nested task */
    CHECK_HEX_EQ(sigframe_eflags(now, 0), 0x00000202);  /* IF cannot be cleared */
    CHECK_HEX_EQ(sigframe_eflags(now | EFLAGS_CF, 0), 0x00000202);
}

static uint64_t descriptor(uint8_t access)
{
    return (uint64_t)access << 40 | (uint64_t)0xCF << 48 | 0xFFFF;
}

static void selectors_sigreturn_accepts(void)
{
    uint64_t tls[3] = { descriptor(0xF2), 0, descriptor(0xFA) };    /* data, empty, code */
    CHECK_HEX_EQ(sigframe_data_selector(0, tls), 0);
    CHECK_HEX_EQ(sigframe_data_selector(3, tls), 0);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_USER_DATA, tls), GDT_USER_DATA);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_USER_DATA & ~3u, tls), GDT_USER_DATA);
    CHECK_HEX_EQ(sigframe_data_selector(0xFFFF0000u | GDT_USER_DATA, tls), GDT_USER_DATA);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_USER_CODE, tls), 0);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_KERNEL_DATA, tls), 0);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_KERNEL_TSS, tls), 0);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 3, tls), GDT_TLS_FIRST | 3);
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST, tls), GDT_TLS_FIRST | 3);
    CHECK_HEX_EQ(sigframe_data_selector((GDT_TLS_FIRST + 8) | 3, tls), 0);     /* empty */
    CHECK_HEX_EQ(sigframe_data_selector((GDT_TLS_FIRST + 16) | 3, tls), (GDT_TLS_FIRST + 16) | 3);
    CHECK_HEX_EQ(sigframe_data_selector((GDT_TLS_FIRST + 24) | 3, tls), 0);    /* past TLS */
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 7, tls), 0);           /* the LDT */
    tls[0] = descriptor(0x92);          /* ring 0 */
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 3, tls), 0);
    tls[0] = descriptor(0x72);          /* not present */
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 3, tls), 0);
    tls[0] = descriptor(0xF8);          /* code, not readable */
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 3, tls), 0);
    tls[0] = descriptor(0xE2);          /* a system descriptor */
    CHECK_HEX_EQ(sigframe_data_selector(GDT_TLS_FIRST | 3, tls), 0);
}

static void floating_point_exception_codes(void)
{
    CHECK_INT_EQ(sigframe_fpe_code(0x037E, 0x0001, 0, false), LINUX_FPE_FLTINV);
    CHECK_INT_EQ(sigframe_fpe_code(0x037B, 0x0004, 0, false), LINUX_FPE_FLTDIV);
    CHECK_INT_EQ(sigframe_fpe_code(0x0377, 0x0008, 0, false), LINUX_FPE_FLTOVF);
    CHECK_INT_EQ(sigframe_fpe_code(0x036F, 0x0010, 0, false), LINUX_FPE_FLTUND);
    CHECK_INT_EQ(sigframe_fpe_code(0x035F, 0x0020, 0, false), LINUX_FPE_FLTRES);
    CHECK_INT_EQ(sigframe_fpe_code(0x037F, 0x003F, 0, false), 0);      /* all masked */
    CHECK_INT_EQ(sigframe_fpe_code(0x037A, 0x0005, 0, false), LINUX_FPE_FLTINV);
    CHECK_INT_EQ(sigframe_fpe_code(0x037F, 0, (0x1F80 & ~0x0200u) | 0x0004, true), LINUX_FPE_FLTDIV);
    CHECK_INT_EQ(sigframe_fpe_code(0x037F, 0, 0x1F80 | 0x0004, true), 0);
    CHECK_INT_EQ(sigframe_fpe_code(0, 0x3F, 0x1F80, true), 0);   /* SIMD ignores the x87 words */
}

static const struct check_test tests[] = {
    TEST(placement_example),
    TEST(placement_properties),
    TEST(too_low_a_stack_does_not_fit),
    TEST(max_sizes_are_linuxs),
    TEST(tag_words),
    TEST(header_from_an_image_and_back),
    TEST(eflags_a_program_may_set),
    TEST(selectors_sigreturn_accepts),
    TEST(floating_point_exception_codes),
};

CHECK_MAIN(tests)
