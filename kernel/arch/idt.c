/*
 * idt.c - the interrupt descriptor table: an interrupt gate per vector into
 * isr.S, except the page fault and the double fault: each gets a task gate,
 * so that its handler runs on a stack of its own (see fault.c).
 */
#include "arch/trap.h"

#include "arch/fault.h"
#include "arch/gdt.h"

#define GATE_PRESENT    0x80
#define GATE_INTERRUPT  (GATE_PRESENT | 0x0E)   /* ring 0, 32-bit interrupt gate */
#define GATE_TASK       (GATE_PRESENT | 0x05)   /* ring 0, task gate */
#define GATE_USER       0x60                    /* ring 3 may use it with int */
#define IDT_ENTRIES     256                     /* every vector the CPU has */

struct idt_entry {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t zero;
    uint8_t type;
    uint16_t offset_high;
} __attribute__((packed));

struct idt_ptr {
    uint16_t limit;
    uint32_t base;
} __attribute__((packed));

extern const uint32_t isr_stubs[TRAP_VECTORS];
static struct idt_entry idt[IDT_ENTRIES];
static trap_handler handlers[TRAP_VECTORS];
static trap_handler syscall_handler;
static trap_handler before_user;
extern char isr128[];

static void set_gate(unsigned v, uint32_t offset, uint16_t selector, uint8_t type)
{
    idt[v] = (struct idt_entry){ offset & 0xFFFF, selector, 0, type, offset >> 16 };
}

void idt_init(void)
{
    for (unsigned v = 0; v < TRAP_VECTORS; v++)
        set_gate(v, isr_stubs[v], GDT_KERNEL_CODE, GATE_INTERRUPT);
    set_gate(TRAP_DOUBLE_FAULT, 0, GDT_DOUBLE_FAULT_TSS, GATE_TASK);
    set_gate(TRAP_PAGE_FAULT, 0, GDT_PAGE_FAULT_TSS, GATE_TASK);
    /* Interrupts stay off on entry: the handler turns them on once the
     * frame is safe; the gate is the only one ring 3 may call. */
    set_gate(TRAP_SYSCALL, (uint32_t)(uintptr_t)isr128, GDT_KERNEL_CODE,
             GATE_INTERRUPT | GATE_USER);
    struct idt_ptr p = { sizeof idt - 1, (uint32_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(p));
}

/* Marks a vector's gate present or not: the double-fault demo needs a gate
 * that is missing, for a moment. */
void idt_set_present(unsigned vector, int present)
{
    if (present)
        idt[vector].type |= GATE_PRESENT;
    else
        idt[vector].type &= (uint8_t)~GATE_PRESENT;
}

void trap_set_handler(unsigned vector, trap_handler h)
{
    if (vector < TRAP_VECTORS)
        handlers[vector] = h;
}

void fault_from_trap(struct trap_frame *f);

void trap_set_syscall(trap_handler h, trap_handler on_return_to_user)
{
    syscall_handler = h;
    before_user = on_return_to_user;
}

void trap_dispatch(struct trap_frame *f)
{
    if (f->vector == TRAP_SYSCALL && syscall_handler)
        syscall_handler(f);
    else if (f->vector < TRAP_VECTORS && handlers[f->vector])
        handlers[f->vector](f);
    else
        fault_from_trap(f);
    if ((f->cs & 3) && before_user)
        before_user(f);                 /* e.g. a signal to deliver first */
}
