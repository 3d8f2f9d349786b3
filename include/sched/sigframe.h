/*
 * sigframe.h - the frames Linux i386 pushes on a user stack to run a signal
 * handler, and the arithmetic around them that needs no kernel state: where
 * a frame and its FPU image go, the legacy FPU header written in front of
 * the fxsave image, which segment selectors and flags a program may hand
 * back through sigreturn, and how big a frame can get (AT_MINSIGSTKSZ).
 *
 * The layouts are Linux's (arch/x86/include/asm/sigframe.h and the uapi
 * sigcontext.h, ucontext.h, siginfo.h), checked against the i386 C
 * library's headers by tests/host/test_sigframe_abi.py; the arithmetic is
 * arch/x86/kernel/signal.c's and fpu/signal.c's, checked by
 * tests/host/test_sigframe.c. signal.c and sigctx.c use it.
 */
#ifndef SCHED_SIGFRAME_H
#define SCHED_SIGFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/linux.h"

/* struct sigcontext: the registers at the signal (88 bytes). Segment
 * selectors take a whole word each; the high halves are zero. */
struct linux_sigcontext {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t trapno, err;               /* the thread's last fault */
    uint32_t eip, cs, eflags;
    uint32_t esp_at_signal, ss;
    uint32_t fpstate;                   /* the FPU image on the stack, or 0 */
    uint32_t oldmask;                   /* the first word of the mask to restore */
    uint32_t cr2;                       /* the last page fault's address */
};

/* The kernel's struct ucontext (116 bytes; the C library's is larger, the
 * rest of its uc_sigmask is simply whatever lies beyond). */
struct linux_ucontext {
    uint32_t flags;
    uint32_t link;
    struct linux_stack_t stack;         /* the altstack at the signal */
    struct linux_sigcontext mcontext;
    uint32_t sigmask[2];                /* the mask rt_sigreturn restores */
};

/* What an SA_SIGINFO handler's esp points at (268 bytes). */
struct linux_rt_sigframe {
    uint32_t pretcode;                  /* the handler's return address */
    int32_t sig;
    uint32_t pinfo, puc;                /* &info, &uc: the handler's arguments */
    struct linux_siginfo info;
    struct linux_ucontext uc;
    uint8_t retcode[8];                 /* movl $173,%eax; int $0x80 (gdb looks for it) */
};

/* The legacy FPU header (struct _fpstate_32's first 112 bytes): fnsave's
 * image, then the status word and a magic saying whether an fxsave image
 * follows. */
struct linux_fsave_env {
    uint32_t cw, sw, tag, ipoff, cssel, dataoff, datasel;
    uint8_t st[80];                     /* eight 10-byte registers, ST(0) first */
    uint16_t status;
    uint16_t magic;
};

/* What a handler without SA_SIGINFO gets (732 bytes). */
struct linux_sigframe {
    uint32_t pretcode;
    int32_t sig;
    struct linux_sigcontext sc;
    uint8_t fpstate_unused[624];        /* kept so that extramask stays where it was */
    uint32_t extramask[1];              /* the second word of the mask */
    uint8_t retcode[8];                 /* popl %eax; movl $119,%eax; int $0x80 */
};

#define SIGFRAME_FX_SIZE        512     /* fxsave's image */
#define SIGFRAME_FSAVE_SIZE     108     /* fnsave's image */
#define SIGFRAME_FX_MAGIC       0x0000  /* X86_FXSR_MAGIC: an fxsave image follows */
#define SIGFRAME_FSAVE_MAGIC    0xFFFF  /* the header is all there is */
#define SIGFRAME_FX_SW_BYTES    464     /* fxsave bytes 464..511: software's, zero here */
#define SIGFRAME_FX_MXCSR       24      /* offsets in the fxsave image */
#define SIGFRAME_FX_MXCSR_MASK  28
#define SIGFRAME_FX_ST          32

#define SIGFRAME_UC_FLAGS       0       /* no UC_FP_XSTATE: there is no xsave here */
#define EFLAGS_CF 0x00000001u
#define EFLAGS_PF 0x00000004u
#define EFLAGS_AF 0x00000010u
#define EFLAGS_ZF 0x00000040u
#define EFLAGS_SF 0x00000080u
#define EFLAGS_TF 0x00000100u
#define EFLAGS_DF 0x00000400u
#define EFLAGS_OF 0x00000800u
#define EFLAGS_RF 0x00010000u
#define EFLAGS_AC 0x00040000u
/* The flags sigreturn takes from the frame (FIX_EFLAGS); IF, IOPL, NT, VM
 * and the rest stay the kernel's. */
#define SIGFRAME_EFLAGS_USER (EFLAGS_AC | EFLAGS_OF | EFLAGS_DF | EFLAGS_TF | EFLAGS_SF | \
                              EFLAGS_ZF | EFLAGS_AF | EFLAGS_PF | EFLAGS_CF | EFLAGS_RF)

/* Where one frame's parts go below a stack top. */
struct sigframe_layout {
    uint32_t frame;                     /* the frame; the handler starts with esp here */
    uint32_t fpstate;                   /* sigcontext.fpstate: the legacy header */
    uint32_t fx;                        /* the fxsave image (64-byte aligned), 0 without FXSR */
    bool fits;                          /* false when the stack top is too low for it all */
};

/* Bytes of FPU state a frame carries: header and fxsave image (624), or
 * just the header (112) on a CPU without FXSR. */
uint32_t sigframe_fpu_size(bool fxsr);
/* Linux's layout under stack top sp: the FPU image 64-byte aligned at the
 * top, its legacy header below, the frame below that with (esp + 4) a
 * multiple of 16 at the handler's first instruction. */
void sigframe_place(uint32_t sp, uint32_t frame_size, bool fxsr, struct sigframe_layout *l);
/* The largest frame with its FPU state and alignment, rounded to 16 bytes:
 * what Linux reports as AT_MINSIGSTKSZ (get_sigframe_size). */
uint32_t sigframe_max_size(bool fxsr);

/* The legacy header for an fxsave image (convert_from_fxsr): the full tag
 * word rebuilt from the abridged one, the ten-byte registers, the status
 * word again and the FXSR magic. */
void sigframe_env_from_fx(const uint8_t fx[SIGFRAME_FX_SIZE], struct linux_fsave_env *env);
/* The other way (convert_to_fxsr): the header's x87 state replaces the
 * image's, as Linux's sigreturn does; MXCSR and the XMM registers stay. */
void sigframe_env_to_fx(const struct linux_fsave_env *env, uint8_t fx[SIGFRAME_FX_SIZE]);
/* The two tag word forms: two bits per physical register, or one. */
uint32_t sigframe_tag_full(const uint8_t fx[SIGFRAME_FX_SIZE]);
uint8_t sigframe_tag_abridged(uint16_t full);

/* The eflags a thread returns with: `now`'s (the kernel's view: IF on, no
 * IOPL) with the flags a program may set taken from `saved`. */
uint32_t sigframe_eflags(uint32_t now, uint32_t saved);
/*
 * A data selector from a frame, as the kernel may load it: 0 (null), the
 * user data segment, or one of the thread's TLS slots (tls[], raw GDT
 * descriptors) that holds a present ring-3 data or readable code segment.
 * Anything else would fault in the kernel's own iret path and becomes 0,
 * as Linux's fixup does.
 */
uint32_t sigframe_data_selector(uint32_t sel, const uint64_t tls[3]);
/* si_code for an x87 (#MF) or SIMD (#XM) exception from the control and
 * status words (fpu__exception_code); 0 when no unmasked exception is set. */
int32_t sigframe_fpe_code(uint16_t fcw, uint16_t fsw, uint32_t mxcsr, bool simd);

_Static_assert(sizeof(struct linux_sigcontext) == 88, "struct sigcontext is 88 bytes");
_Static_assert(sizeof(struct linux_ucontext) == 116, "struct ucontext is 116 bytes");
_Static_assert(sizeof(struct linux_rt_sigframe) == 268, "struct rt_sigframe is 268 bytes");
_Static_assert(offsetof(struct linux_rt_sigframe, info) == 16, "rt_sigframe.info");
_Static_assert(offsetof(struct linux_rt_sigframe, uc) == 144, "rt_sigframe.uc");
_Static_assert(offsetof(struct linux_rt_sigframe, retcode) == 260, "rt_sigframe.retcode");
_Static_assert(sizeof(struct linux_fsave_env) == 112, "the legacy FPU header is 112 bytes");
_Static_assert(sizeof(struct linux_sigframe) == 732, "struct sigframe is 732 bytes");
_Static_assert(offsetof(struct linux_sigframe, extramask) == 720, "sigframe.extramask");

#endif
