/*
 * sigframe.c - the arithmetic of signal frames (sigframe.h): placement on
 * the stack, the legacy FPU header, and what sigreturn accepts back. Pure
 * C, also built for the host tests.
 */
#include "sched/sigframe.h"

#include "arch/gdt.h"

#define FX_FCW      0                   /* fxsave image offsets (Intel SDM vol. 1, 10.5.1) */
#define FX_FSW      2
#define FX_FTW      4                   /* the abridged tag: one bit per register */
#define FX_FOP      6
#define FX_FIP      8
#define FX_FCS      12
#define FX_FOO      16
#define FX_FOS      20
#define FX_REG_SIZE 16                  /* each ST register has a 16-byte slot */
#define ST_SIZE     10

#define XSTATE_ALIGN    64              /* Linux aligns the image for xsave's sake */
#define FRAME_ALIGN     16
#define TAG_VALID   0
#define TAG_ZERO    1
#define TAG_SPECIAL 2
#define TAG_EMPTY   3

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t sigframe_fpu_size(bool fxsr)
{
    return (uint32_t)sizeof(struct linux_fsave_env) + (fxsr ? SIGFRAME_FX_SIZE : 0);
}

void sigframe_place(uint32_t sp, uint32_t frame_size, bool fxsr, struct sigframe_layout *l)
{
    uint32_t need = sigframe_fpu_size(fxsr) + frame_size + XSTATE_ALIGN + FRAME_ALIGN;
    l->fits = sp >= need;
    if (!l->fits) {
        l->frame = l->fpstate = l->fx = 0;
        return;
    }
    if (fxsr) {
        l->fx = (sp - SIGFRAME_FX_SIZE) & ~(uint32_t)(XSTATE_ALIGN - 1);
        l->fpstate = l->fx - (uint32_t)sizeof(struct linux_fsave_env);
    } else {
        l->fx = 0;
        l->fpstate = (sp - (uint32_t)sizeof(struct linux_fsave_env)) &
                     ~(uint32_t)(XSTATE_ALIGN - 1);
    }
    /* The i386 ABI: at a function's first instruction (esp + 4) % 16 == 0. */
    l->frame = ((l->fpstate - frame_size + 4) & ~(uint32_t)(FRAME_ALIGN - 1)) - 4;
}

uint32_t sigframe_max_size(bool fxsr)
{
    /* The old frame is the larger of the two; then the worst padding for
     * the frame and for the image. */
    uint32_t size = (uint32_t)sizeof(struct linux_sigframe) + (FRAME_ALIGN - 1) +
                    sigframe_fpu_size(fxsr) + (XSTATE_ALIGN - 1);
    return (size + FRAME_ALIGN - 1) & ~(uint32_t)(FRAME_ALIGN - 1);
}

/* What an x87 register holds, from its exponent and significand. */
static unsigned tag_of(const uint8_t *reg)
{
    uint16_t exponent = get16(reg + 8) & 0x7FFF;
    uint16_t top = get16(reg + 6);
    bool zero = !get32(reg) && !get32(reg + 4);
    if (exponent == 0x7FFF)
        return TAG_SPECIAL;             /* infinity or NaN */
    if (exponent == 0)
        return zero ? TAG_ZERO : TAG_SPECIAL;   /* zero or denormal */
    return (top & 0x8000) ? TAG_VALID : TAG_SPECIAL;    /* the integer bit: normal or not */
}

uint32_t sigframe_tag_full(const uint8_t fx[SIGFRAME_FX_SIZE])
{
    unsigned top = (get16(fx + FX_FSW) >> 11) & 7;
    uint8_t abridged = fx[FX_FTW];
    uint32_t tag = 0xFFFF0000u;
    /* Tags go by physical register; the image holds the stack, ST(0) at TOP. */
    for (unsigned phys = 0; phys < 8; phys++) {
        unsigned t = TAG_EMPTY;
        if (abridged & (1u << phys))
            t = tag_of(fx + SIGFRAME_FX_ST + ((phys - top) & 7) * FX_REG_SIZE);
        tag |= t << (2 * phys);
    }
    return tag;
}

uint8_t sigframe_tag_abridged(uint16_t full)
{
    uint8_t out = 0;
    for (unsigned phys = 0; phys < 8; phys++)
        if (((full >> (2 * phys)) & 3) != TAG_EMPTY)
            out |= (uint8_t)(1u << phys);
    return out;
}

void sigframe_env_from_fx(const uint8_t fx[SIGFRAME_FX_SIZE], struct linux_fsave_env *env)
{
    env->cw = get16(fx + FX_FCW) | 0xFFFF0000u;
    env->sw = get16(fx + FX_FSW) | 0xFFFF0000u;
    env->tag = sigframe_tag_full(fx);
    env->ipoff = get32(fx + FX_FIP);
    env->cssel = get16(fx + FX_FCS) | (uint32_t)get16(fx + FX_FOP) << 16;
    env->dataoff = get32(fx + FX_FOO);
    env->datasel = get32(fx + FX_FOS);
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < ST_SIZE; b++)
            env->st[i * ST_SIZE + b] = fx[SIGFRAME_FX_ST + i * FX_REG_SIZE + b];
    env->status = get16(fx + FX_FSW);
    env->magic = SIGFRAME_FX_MAGIC;
}

void sigframe_env_to_fx(const struct linux_fsave_env *env, uint8_t fx[SIGFRAME_FX_SIZE])
{
    put16(fx + FX_FCW, (uint16_t)env->cw);
    put16(fx + FX_FSW, (uint16_t)env->sw);
    fx[FX_FTW] = sigframe_tag_abridged((uint16_t)env->tag);
    fx[FX_FTW + 1] = 0;
    put16(fx + FX_FOP, (uint16_t)(env->cssel >> 16));
    put32(fx + FX_FIP, env->ipoff);
    put32(fx + FX_FCS, env->cssel & 0xFFFF);
    put32(fx + FX_FOO, env->dataoff);
    put32(fx + FX_FOS, env->datasel);
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < ST_SIZE; b++)
            fx[SIGFRAME_FX_ST + i * FX_REG_SIZE + b] = env->st[i * ST_SIZE + b];
}

uint32_t sigframe_eflags(uint32_t now, uint32_t saved)
{
    return (now & ~SIGFRAME_EFLAGS_USER) | (saved & SIGFRAME_EFLAGS_USER);
}

/* A TLS descriptor the kernel can load into a data segment register for ring 3. */
static bool usable_tls(uint64_t d)
{
    uint8_t access = (uint8_t)(d >> 40);
    bool present = access & 0x80, ring3 = ((access >> 5) & 3) == 3, code_or_data = access & 0x10;
    bool code = access & 0x08, readable = access & 0x02;
    return present && ring3 && code_or_data && (!code || readable);
}

uint32_t sigframe_data_selector(uint32_t sel, const uint64_t tls[3])
{
    sel &= 0xFFFF;
    unsigned index = sel >> 3;
    if (index == 0 || (sel & 4))
        return 0;                       /* null, or the LDT, which no process has */
    if (index == (GDT_USER_DATA >> 3))
        return GDT_USER_DATA;
    if (index >= GDT_TLS_FIRST_INDEX && index < GDT_TLS_FIRST_INDEX + GDT_TLS_ENTRIES &&
        usable_tls(tls[index - GDT_TLS_FIRST_INDEX]))
        return sel | 3;
    return 0;
}

int32_t sigframe_fpe_code(uint16_t fcw, uint16_t fsw, uint32_t mxcsr, bool simd)
{
    /* Exceptions raised and not masked: the control word's low bits (or
     * MXCSR's bits 7-12) mask the status bits in the same order. */
    uint32_t err = simd ? (~(mxcsr >> 7) & mxcsr) : (uint32_t)(fsw & ~fcw);
    if (err & 0x01)
        return LINUX_FPE_FLTINV;
    if (err & 0x04)
        return LINUX_FPE_FLTDIV;
    if (err & 0x08)
        return LINUX_FPE_FLTOVF;
    if (err & 0x12)
        return LINUX_FPE_FLTUND;        /* denormal operand or underflow */
    if (err & 0x20)
        return LINUX_FPE_FLTRES;
    return 0;
}
