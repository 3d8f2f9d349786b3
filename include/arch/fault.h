/*
 * fault.h - CPU exceptions explained: the name, the error code in words, the
 * region and function of the faulting address and instruction, a backtrace.
 * A page fault and a double fault each run as a task of their own, on a
 * stack of their own: a stack overflow is reported instead of ending in a
 * triple fault, and a task's stack can grow when it touches its next page.
 */
#ifndef FAULT_H
#define FAULT_H

#include <stdint.h>

#include "arch/kjmp.h"
#include "memlayout.h"
#include "arch/trap.h"

#define BACKTRACE_MAX 16

extern uint8_t double_fault_stack[FAULT_STACK_SIZE];
extern uint8_t page_fault_stack[FAULT_STACK_SIZE];

/* Installs the handlers and the double-fault task; needs gdt_init first. */
void fault_init(void);
/* While set, a fault is reported and then resumes at j (a demo being
 * abandoned) instead of stopping the kernel. NULL disarms it. */
void fault_set_recovery(struct kjmp *j);
/* The last fault's vector, or -1; and whether it was a stack overflow. */
int fault_last_vector(void);
int fault_last_was_stack_overflow(void);
/* Reports f; stops the kernel unless a recovery point is armed. */
void fault_report_and_stop(struct trap_frame *f);
/* Frame-pointer backtrace: prints "@backtrace" lines and one line each for people. */
void backtrace_print(uint32_t eip, uint32_t ebp);

#endif
