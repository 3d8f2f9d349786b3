/*
 * fpu.h - the floating-point and SSE state of user threads.
 *
 * The kernel never touches the FPU (it is built -mgeneral-regs-only), so
 * only user threads have FPU state, and it is saved and restored eagerly
 * whenever the CPU passes from one user thread to another. With FXSR the
 * state is fxsave's 512 bytes (x87, MMX and SSE); on CPUs without it
 * (a Pentium) fnsave's 108.
 */
#ifndef FPU_H
#define FPU_H

#include <stdbool.h>
#include <stdint.h>

#define FPU_STATE_SIZE      512     /* room for either format */
#define FPU_STATE_ALIGN     16
#define FPU_DEFAULT_FCW     0x037F  /* what Linux starts a thread with: all exceptions masked */
#define FPU_DEFAULT_MXCSR   0x1F80
#define FPU_DEFAULT_MXCSR_MASK 0xFFBF   /* when fxsave reports a mask of 0 */
#define FPU_FX_MXCSR        24      /* offsets in fxsave's image */
#define FPU_FX_MXCSR_MASK   28

struct fpu_state {
    uint8_t bytes[FPU_STATE_SIZE];
} __attribute__((aligned(FPU_STATE_ALIGN)));

/* Turns the FPU on (CR0.MP|NE, no EM) and SSE where the CPU has FXSR. */
void fpu_init(void);
bool fpu_has_fxsr(void);
bool fpu_has_sse(void);
/* A fresh thread's state: the defaults Linux sets (fninit, MXCSR 0x1F80). */
void fpu_state_init(struct fpu_state *s);
void fpu_save(struct fpu_state *s);
void fpu_restore(const struct fpu_state *s);
/* The live state copied into s, and still live (fnsave alone would reset it). */
void fpu_snapshot(struct fpu_state *s);
/* The MXCSR bits this CPU allows (0 without FXSR): fxrstor of any other
 * bit raises #GP, so state from user memory is masked with it first. */
uint32_t fpu_mxcsr_mask(void);

#endif
