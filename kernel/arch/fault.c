/*
 * fault.c - the fault mechanism: gather what the CPU said, ask the hooks
 * kernel_main registered to fix, explain and resume, and otherwise land at
 * a demo's recovery point or stop. The words are the atlas's (explain.c).
 */
#include "arch/fault.h"

#include "arch/gdt.h"
#include "arch/stop.h"
#include "sections.h"

#define EFLAGS_RESERVED     0x2     /* bit 1 is always set; interrupts off */
#define RECOVERY_MARGIN     256     /* bytes left below a recovery point's esp */

static const char *const exception_names[TRAP_EXCEPTIONS] = {
    "divide-error", "debug", "nmi", "breakpoint", "overflow", "bound-range",
    "invalid-opcode", "device-not-available", "double-fault",
    "coprocessor-segment-overrun", "invalid-tss", "segment-not-present",
    "stack-segment-fault", "general-protection", "page-fault", "reserved-15",
    "x87-floating-point", "alignment-check", "machine-check",
    "simd-floating-point", "virtualization", "control-protection",
    "reserved-22", "reserved-23", "reserved-24", "reserved-25", "reserved-26",
    "reserved-27", "reserved-28", "hypervisor-injection", "vmm-communication",
    "security",
};

uint8_t double_fault_stack[FAULT_STACK_SIZE] __attribute__((aligned(16)));
uint8_t page_fault_stack[FAULT_STACK_SIZE] __attribute__((aligned(16)));

static struct fault_hooks hooks;
static struct kjmp *recovery;
static int last_vector = -1;

const char *fault_name(unsigned vector)
{
    return vector < TRAP_EXCEPTIONS ? exception_names[vector] : "interrupt";
}

void fault_set_recovery(struct kjmp *j)
{
    recovery = j;
}

int fault_last_vector(void)
{
    return last_vector;
}

static void explain(const struct fault *f)
{
    last_vector = (int)f->vector;
    if (hooks.explain)
        hooks.explain(f);
}

static void land_at_recovery(void)
{
    struct kjmp *j = recovery;
    recovery = 0;
    kjmp_jump(j, 1);
}

/* ---- exceptions through the trap stubs ----------------------------------------- */

/* True inside the page-fault or double-fault task: nothing there can be
 * abandoned, since the CPU would still be in that task. */
static bool in_fault_task(void)
{
    uint16_t tr;
    __asm__ volatile("str %0" : "=r"(tr));
    return tr != GDT_KERNEL_TSS;
}

/* Called by trap_dispatch for an exception nobody handles. */
void fault_from_trap(struct trap_frame *tf);
void fault_from_trap(struct trap_frame *tf)
{
    uint32_t esp = trap_interrupted_esp(tf);
    struct fault f = {
        .vector = tf->vector, .error = tf->error, .addr = tf->eip, .eip = tf->eip,
        .ebp = tf->ebp, .esp = esp, .nested = in_fault_task(), .user = (tf->cs & 3) != 0,
        .regs = { tf->eax, tf->ebx, tf->ecx, tf->edx, tf->esi, tf->edi, tf->ebp, esp },
    };
    explain(&f);
    if (f.nested)
        machine_stop(false);
    struct fault_resume r;
    if (hooks.resume && hooks.resume(&f, &r))
        r.fn();                         /* on this stack: it did not overflow */
    if (recovery)
        land_at_recovery();
    machine_stop(false);
}

/* ---- the page-fault and double-fault tasks ---------------------------------------
 *
 * The CPU switches to them through a task gate and saves the interrupted
 * state in kernel_tss. That makes a page fault on a full stack reportable
 * (nothing is pushed on the stack that faulted) and a missing stack page
 * fixable (map it, return, and the instruction runs again).
 */

/* The interrupted code resumes in fn, on the stack at esp, when the fault
 * task returns to it. */
static void resume_at(void (*fn)(void), uint32_t esp)
{
    struct tss *t = &kernel_tss;
    t->eip = (uint32_t)(uintptr_t)fn;
    t->esp = esp;
    /* The interrupted code may have been a user thread: resume in the kernel. */
    t->cs = GDT_KERNEL_CODE;
    t->ss = t->ds = t->es = t->fs = t->gs = GDT_KERNEL_DATA;
    t->ebp = 0;
    t->eflags = EFLAGS_RESERVED;        /* interrupts off: the code there decides */
}

static struct fault from_tss(unsigned vector, uint32_t err, uint32_t addr)
{
    const struct tss *s = &kernel_tss;
    return (struct fault){
        .vector = vector, .error = err, .addr = addr, .eip = s->eip, .ebp = s->ebp,
        .esp = s->esp, .own_task = true, .user = (s->cs & 3) != 0,
        .regs = { s->eax, s->ebx, s->ecx, s->edx, s->esi, s->edi, s->ebp, s->esp },
    };
}

/* After the explanation: end the faulting task, abandon the demo, or stop. */
static void resume_or_stop(const struct fault *f)
{
    struct fault_resume r;
    if (hooks.resume && hooks.resume(f, &r)) {
        resume_at(r.fn, r.esp);
        return;
    }
    if (recovery) {
        resume_at(land_at_recovery, recovery->esp - RECOVERY_MARGIN);
        return;
    }
    machine_stop(false);
}

/* The page-fault task's handler; err is the CPU's page-fault error code. */
void page_fault_handler(uint32_t err);
void page_fault_handler(uint32_t err)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    if (!(err & PF_PRESENT) && hooks.fix && hooks.fix(cr2, err))
        return;                         /* mapped: run the instruction again */
    struct fault f = from_tss(TRAP_PAGE_FAULT, err, cr2);
    explain(&f);
    resume_or_stop(&f);
}

/* The double-fault task's handler: a fault while the CPU was starting the
 * handler of another one, e.g. a missing gate or a broken segment. */
void double_fault_handler(uint32_t err);
void double_fault_handler(uint32_t err)
{
    if (double_fault_tss.link != GDT_KERNEL_TSS) {
        /* The page-fault task itself faulted: its state is not in kernel_tss,
         * and it cannot be resumed or used again. Nothing is safe but stopping. */
        const struct tss *p = &page_fault_tss;
        struct fault f = {
            .vector = TRAP_DOUBLE_FAULT, .error = err, .addr = p->eip, .eip = p->eip,
            .ebp = p->ebp, .esp = p->esp, .own_task = true, .nested = true,
            .regs = { p->eax, p->ebx, p->ecx, p->edx, p->esi, p->edi, p->ebp, p->esp },
        };
        explain(&f);
        machine_stop(false);
    }
    struct fault f = from_tss(TRAP_DOUBLE_FAULT, err, kernel_tss.eip);
    explain(&f);
    resume_or_stop(&f);
}

extern char double_fault_entry[], page_fault_entry[];

static void setup_fault_task(struct tss *d, void *entry, uint8_t *stack, uint32_t cr3)
{
    d->cr3 = cr3;
    d->eip = (uint32_t)(uintptr_t)entry;
    d->esp = (uint32_t)(uintptr_t)(stack + FAULT_STACK_SIZE);
    d->ss0 = GDT_KERNEL_DATA;
    d->esp0 = d->esp;
    d->eflags = EFLAGS_RESERVED;
    d->cs = GDT_KERNEL_CODE;
    d->ds = d->es = d->fs = d->gs = d->ss = GDT_KERNEL_DATA;
}

void fault_init(const struct fault_hooks *h)
{
    hooks = *h;
    idt_init();

    /* Where the CPU saves us on a task switch, and what it loads coming back.
     * CR3 is whatever is live now; paging_init updates both when it switches. */
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    kernel_tss.cr3 = cr3;
    kernel_tss.ss0 = GDT_KERNEL_DATA;
    kernel_tss.esp0 = (uint32_t)(uintptr_t)_boot_stack_top;

    setup_fault_task(&double_fault_tss, double_fault_entry, double_fault_stack, cr3);
    setup_fault_task(&page_fault_tss, page_fault_entry, page_fault_stack, cr3);
}
