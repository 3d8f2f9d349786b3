/*
 * sig_fpu.c - FPU and SSE state across a handler: the handler starts with
 * a fresh state (Linux's default control words), may clobber every XMM and
 * x87 register, and the interrupted code gets its own back. The frame's
 * FPU image holds what the code had (legacy header with the FXSR magic,
 * then fxsave's image), and what a handler writes there is what sigreturn
 * restores: the header's x87 registers win over the image's, as on Linux.
 */
#include "sig_common.h"

#include <stdint.h>
#include <ucontext.h>

/* struct _fpstate_32 (asm/sigcontext.h), the parts looked at here. */
struct fpstate32 {
    uint32_t cw, sw, tag, ipoff, cssel, dataoff, datasel;
    uint8_t st[8][10];
    uint16_t status, magic;
    uint32_t fxsr_env[6];
    uint32_t mxcsr, reserved;
    uint8_t fxsr_st[8][16];
    uint8_t xmm[8][16];
};

#define MAIN_FCW    0x067F              /* 53-bit precision, round down */
#define MAIN_MXCSR  0x7F80              /* round toward zero */

static uint8_t pattern[8][16], after[8][16], handler_xmm[8][16];
static volatile uint32_t entry_fcw, entry_mxcsr, saved_cw, saved_mxcsr, saved_tag;
static volatile int magic, xmm1_saved, st0_saved, status_ok, handler_ran;
static const long double main_value = 1.0L / 3.0L, planted = 2.5L;

__attribute__((target("sse2"))) static void clobber(void)
{
    uint32_t m = 0x3F80 | 0x8000;       /* flush to zero, another rounding */
    uint16_t cw = 0x0F7F;
    __asm__ volatile("movdqu 0(%0), %%xmm0\n movdqu 16(%0), %%xmm1\n movdqu 32(%0), %%xmm2\n"
                     "movdqu 48(%0), %%xmm3\n movdqu 64(%0), %%xmm4\n movdqu 80(%0), %%xmm5\n"
                     "movdqu 96(%0), %%xmm6\n movdqu 112(%0), %%xmm7\n ldmxcsr %1\n fldcw %2\n"
                     "fld1\n fldpi\n fldl2t\n fldl2e\n fldlg2\n fldln2\n fldz\n fld1\n"
                     "fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n"
                     "fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n"
                     : : "r"(handler_xmm), "m"(m), "m"(cw)
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
}

__attribute__((target("sse2"))) static void on_info(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)si;
    ucontext_t *uc = ctx;
    uint16_t cw;
    uint32_t mx;
    __asm__ volatile("fnstcw %0\n stmxcsr %1" : "=m"(cw), "=m"(mx));
    entry_fcw = cw;
    entry_mxcsr = mx;
    clobber();
    struct fpstate32 *fp = (struct fpstate32 *)uc->uc_mcontext.fpregs;
    magic = fp->magic;
    saved_cw = fp->cw & 0xFFFF;
    saved_mxcsr = fp->mxcsr;
    saved_tag = fp->tag;
    status_ok = fp->status == (fp->sw & 0xFFFF);
    xmm1_saved = memcmp(fp->xmm[1], pattern[1], 16) == 0;
    st0_saved = memcmp(fp->st[0], &main_value, 10) == 0;
    /* What sigreturn will restore: a new xmm2, and ST(0) through the header. */
    memset(fp->xmm[2], 0x5A, 16);
    memcpy(fp->st[0], &planted, 10);
    handler_ran++;
}

static void on_plain(int sig)
{
    (void)sig;
    clobber();
    handler_ran++;
}

/* Loads the patterns and a long double, makes the signal come with
 * int $0x80, and keeps what the registers hold afterwards. */
__attribute__((target("sse2"), noinline)) static long double across(int sig)
{
    long double x;
    uint16_t cw = MAIN_FCW;
    uint32_t mx = MAIN_MXCSR;
    __asm__ volatile("fldcw %[cw]\n ldmxcsr %[mx]\n fldt %[v]\n"
                     "movdqu 0(%[in]), %%xmm0\n movdqu 16(%[in]), %%xmm1\n"
                     "movdqu 32(%[in]), %%xmm2\n movdqu 48(%[in]), %%xmm3\n"
                     "movdqu 64(%[in]), %%xmm4\n movdqu 80(%[in]), %%xmm5\n"
                     "movdqu 96(%[in]), %%xmm6\n movdqu 112(%[in]), %%xmm7\n"
                     "int $0x80\n"
                     "movdqu %%xmm0, 0(%[out])\n movdqu %%xmm1, 16(%[out])\n"
                     "movdqu %%xmm2, 32(%[out])\n movdqu %%xmm3, 48(%[out])\n"
                     "movdqu %%xmm4, 64(%[out])\n movdqu %%xmm5, 80(%[out])\n"
                     "movdqu %%xmm6, 96(%[out])\n movdqu %%xmm7, 112(%[out])\n"
                     "fstpt %[x]\n"
                     : [x] "=m"(x), "+a"(*(long[]){ SYS_tgkill })
                     : [cw] "m"(cw), [mx] "m"(mx), [v] "m"(main_value), [in] "S"(pattern),
                       [out] "D"(after), "b"(getpid()), "c"(gettid_()), "d"(sig)
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
    return x;
}

static void report(const char *what, long double x, int xmm2_planted)
{
    uint16_t cw;
    uint32_t mx;
    __asm__ volatile("fnstcw %0\n stmxcsr %1" : "=m"(cw), "=m"(mx));
    int same = 1;
    for (int i = 0; i < 8; i++) {
        const uint8_t *want = pattern[i];
        uint8_t p[16];
        if (i == 2 && xmm2_planted) {
            memset(p, 0x5A, 16);
            want = p;
        }
        same &= memcmp(after[i], want, 16) == 0;
    }
    say("%s: ran=%d xmm_ok=%d x87=%s fcw=%#x mxcsr=%#x", what, handler_ran, same,
        x == main_value ? "same" : x == planted ? "planted" : "lost", cw, mx);
}

int main(void)
{
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < 16; b++) {
            pattern[i][b] = (uint8_t)(0x11 * (i + 1) + b);
            handler_xmm[i][b] = (uint8_t)(0xF0 - b - i);
        }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    long double x = across(SIGUSR1);
    uint16_t cw = 0x037F;
    uint32_t mx = 0x1F80;
    report("siginfo", x, 1);
    __asm__ volatile("fldcw %0\n ldmxcsr %1" : : "m"(cw), "m"(mx));
    say("handler entry: fcw=%#x mxcsr=%#x", entry_fcw, entry_mxcsr);
    say("frame: magic=%#x cw=%#x mxcsr=%#x tag=%#x status_ok=%d xmm1=%d st0=%d", magic,
        saved_cw, saved_mxcsr, saved_tag, status_ok, xmm1_saved, st0_saved);

    signal(SIGHUP, on_plain);
    x = across(SIGHUP);
    report("plain", x, 0);
    __asm__ volatile("fldcw %0\n ldmxcsr %1" : : "m"(cw), "m"(mx));
    say("done");
    return 0;
}
