/*
 * fault.h - what happens when the CPU raises an exception: the mechanism.
 *
 * A page fault and a double fault each run as a task of their own, on a
 * stack of their own (task gates): a stack overflow can be reported instead
 * of ending in a triple fault, and a task's stack can grow when it touches
 * its next page. Every other exception arrives through the common trap stubs.
 *
 * The mechanism knows nothing of stacks, tasks or regions. It calls hooks
 * that kernel_main registers: one that may fix a page fault (a stack
 * growing), one that explains a fault to people and programs, and one that
 * says where the interrupted code may be abandoned to (a task ending). With
 * no hook to resume, it jumps to the recovery point of a demo if one is
 * armed, and otherwise stops the kernel.
 */
#ifndef FAULT_H
#define FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/kjmp.h"
#include "arch/trap.h"
#include "memlayout.h"

/* Page-fault error code bits (Intel SDM vol. 3, 4.7). */
#define PF_PRESENT          0x1     /* a protection violation, not a missing page */
#define PF_WRITE            0x2
#define PF_USER             0x4
#define PF_RESERVED         0x8
#define PF_FETCH            0x10

/* What the CPU told us about one fault, in one place. */
struct fault {
    unsigned vector;
    uint32_t error;             /* the CPU's error code; 0 when it pushes none */
    uint32_t addr;              /* CR2 for a page fault, else the instruction */
    uint32_t eip, ebp, esp;     /* of the interrupted code */
    uint32_t regs[8];           /* eax ebx ecx edx esi edi ebp esp */
    bool own_task;              /* handled by a fault task on its own stack */
    bool user;                  /* the CPU was running ring 3 code */
    bool nested;                /* a fault task itself faulted: only stopping is safe */
};

/* Where abandoned code goes on: a function that never returns, and the
 * stack to run it on (used when the fault was handled by a fault task). */
struct fault_resume {
    void (*fn)(void);
    uint32_t esp;
};

struct fault_hooks {
    /* A not-present page fault: true when the hook mapped the page (a stack
     * grew) and the instruction may run again. Runs in the page-fault task,
     * interrupts off: it must not allocate or block. */
    bool (*fix)(uint32_t addr, uint32_t error);
    /* Tells people and programs what happened. */
    void (*explain)(const struct fault *f);
    /* True, with *r filled in, when the interrupted code can be abandoned
     * (its task ended) while the kernel carries on. */
    bool (*resume)(const struct fault *f, struct fault_resume *r);
};

extern uint8_t double_fault_stack[FAULT_STACK_SIZE];
extern uint8_t page_fault_stack[FAULT_STACK_SIZE];

/* Installs the IDT and the two fault tasks; needs gdt_init first. The hooks
 * are copied; any of them may be NULL. */
void fault_init(const struct fault_hooks *hooks);
/* While set, a fault that no hook resumes lands at j (a demo being
 * abandoned) instead of stopping the kernel. NULL disarms it. */
void fault_set_recovery(struct kjmp *j);
/* The last fault's vector, or -1. */
int fault_last_vector(void);
/* "page-fault", "general-protection", ...; "interrupt" past the exceptions. */
const char *fault_name(unsigned vector);

#endif
