/*
 * trap.h - what the CPU and kernel/arch/isr.S leave on the stack when an exception
 * or interrupt arrives, and the table that sends each vector to its handler.
 */
#ifndef TRAP_H
#define TRAP_H

#define TRAP_EXCEPTIONS     32      /* vectors 0..31: CPU exceptions */
#define TRAP_IRQ_BASE       32      /* vectors 32..47: the two PICs, once remapped */
#define TRAP_VECTORS        48
#define TRAP_DEVICE_NOT_AVAILABLE 7
#define TRAP_DOUBLE_FAULT   8
#define TRAP_PAGE_FAULT     14
#define TRAP_SYSCALL        0x80    /* int $0x80, Linux's i386 system-call gate */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* In push order reversed: the lowest address first. */
struct trap_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;     /* only when the CPU came from ring 3 */
};

typedef void (*trap_handler)(struct trap_frame *f);

void idt_init(void);
void trap_set_handler(unsigned vector, trap_handler h);
void idt_set_present(unsigned vector, int present);
/* The system-call gate's handler, and a hook run on every way back to
 * ring 3 (after a system call, an interrupt or an exception from user mode). */
void trap_set_syscall(trap_handler h, trap_handler on_return_to_user);
/* Leaves the kernel through f as trap_common would: never returns. */
__attribute__((noreturn)) void trap_resume(struct trap_frame *f);
/* Called by isr.S for every vector. */
void trap_dispatch(struct trap_frame *f);
/* The stack pointer the interrupted code had (same privilege: just above eflags). */
static inline uint32_t trap_interrupted_esp(const struct trap_frame *f)
{
    return (f->cs & 3) ? f->user_esp : (uint32_t)(uintptr_t)&f->user_esp;
}
#endif

#endif
