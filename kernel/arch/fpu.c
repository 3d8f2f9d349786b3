/*
 * fpu.c - turn on the x87 and SSE units and move a thread's state in and
 * out of them (fpu.h says when).
 */
#include "arch/fpu.h"

#include "arch/cpuid.h"
#include "arch/mmu.h"
#include "arch/trap.h"
#include "lib/string.h"

static bool fxsr, sse;
static struct fpu_state initial;        /* the defaults, captured once */
static uint32_t mxcsr_mask;             /* the MXCSR bits this CPU lets software set */

bool fpu_has_fxsr(void)
{
    return fxsr;
}

bool fpu_has_sse(void)
{
    return sse;
}

/* Every hardware task switch (the page-fault task's) sets CR0.TS, and the
 * next FPU instruction then raises #NM. The state is always the running
 * thread's (switches are eager), so the answer is only to clear TS. */
static void clear_ts(void)
{
    __asm__ volatile("clts");
}

static void device_not_available(struct trap_frame *f)
{
    (void)f;
    clear_ts();
}

void fpu_save(struct fpu_state *s)
{
    clear_ts();
    if (fxsr)
        __asm__ volatile("fxsave %0" : "=m"(*s));
    else
        __asm__ volatile("fnsave %0; fwait" : "=m"(*s));   /* fnsave also reinits */
}

void fpu_restore(const struct fpu_state *s)
{
    clear_ts();
    if (fxsr)
        __asm__ volatile("fxrstor %0" : : "m"(*s));
    else
        __asm__ volatile("frstor %0" : : "m"(*s));
}

void fpu_snapshot(struct fpu_state *s)
{
    fpu_save(s);
    if (!fxsr)
        fpu_restore(s);                 /* fnsave reset the unit: put the state back */
}

uint32_t fpu_mxcsr_mask(void)
{
    return mxcsr_mask;
}

void fpu_state_init(struct fpu_state *s)
{
    memcpy(s, &initial, sizeof *s);
}

void fpu_init(void)
{
    uint32_t edx = cpuid_features_edx();
    fxsr = edx & CPUID_EDX_FXSR;
    sse = fxsr && (edx & CPUID_EDX_SSE);
    uint32_t cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = (cr0 & ~(uint32_t)(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE;
    __asm__ volatile("mov %0, %%cr0" : : "r"(cr0));
    if (fxsr) {
        __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
        cr4 |= CR4_OSFXSR | (sse ? CR4_OSXMMEXCPT : 0);
        __asm__ volatile("mov %0, %%cr4" : : "r"(cr4));
    }
    uint16_t fcw = FPU_DEFAULT_FCW;
    __asm__ volatile("fninit; fldcw %0" : : "m"(fcw));
    if (sse) {
        uint32_t mxcsr = FPU_DEFAULT_MXCSR;
        __asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
    }
    trap_set_handler(TRAP_DEVICE_NOT_AVAILABLE, device_not_available);
    memset(&initial, 0, sizeof initial);
    fpu_save(&initial);
    if (!fxsr)
        fpu_restore(&initial);          /* fnsave left the unit reinitialised: same state */
    /* fxsave reports the writable MXCSR bits; 0 there means the original
     * SSE set, 0xFFBF (Intel SDM vol. 1, 11.6.6). */
    if (fxsr) {
        const uint8_t *m = initial.bytes + FPU_FX_MXCSR_MASK;
        mxcsr_mask = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
                     (uint32_t)m[3] << 24;
        if (!mxcsr_mask)
            mxcsr_mask = FPU_DEFAULT_MXCSR_MASK;
    }
}
