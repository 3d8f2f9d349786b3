/*
 * fault.c - turn every CPU exception into an explanation.
 */
#include "arch/fault.h"

#include "atlas/atlas.h"
#include "console/console.h"
#include "arch/gdt.h"
#include "kernel.h"
#include "lib/string.h"
#include "boot/ksym.h"
#include "memlayout.h"
#include "mm/paging.h"
#include "atlas/region.h"
#include "sections.h"
#include "console/serial.h"
#include "sched/task.h"

#define PF_PRESENT  0x1     /* page-fault error code bits */
#define PF_WRITE    0x2
#define PF_USER     0x4
#define PF_RESERVED 0x8
#define PF_FETCH    0x10
#define EFLAGS_RESERVED 0x2

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
static struct kjmp *recovery;
static int last_vector = -1;
static int last_overflow;

void fault_set_recovery(struct kjmp *j)
{
    recovery = j;
}

int fault_last_vector(void)
{
    return last_vector;
}

int fault_last_was_stack_overflow(void)
{
    return last_overflow;
}

static void describe_addr(char *buf, int size, uint32_t addr)
{
    uint32_t off;
    const char *fn = ksym_lookup(addr, &off);
    if (fn)
        format_buf(buf, (size_t)size, "%s+0x%x in %s", fn, off, region_of((void *)addr));
    else
        format_buf(buf, (size_t)size, "in %s", region_of((void *)addr));
}

/* True when addr lies in a stack region of the atlas (frame pointers must). */
static int on_a_stack(uint32_t addr)
{
    const struct region *r = region_find(&atlas, SPACE_VIRTUAL, addr);
    return r && r->kind == KIND_STACK;
}

void backtrace_print(uint32_t eip, uint32_t ebp)
{
    kprintf("  backtrace (newest first):\n");
    for (int i = 0; i < BACKTRACE_MAX; i++) {
        uint32_t off = 0;
        const char *fn = ksym_lookup(eip, &off);
        if (fn)
            kprintf("    #%-2d 0x%08x  %s+0x%x\n", i, eip, fn, off);
        else
            kprintf("    #%-2d 0x%08x  %s\n", i, eip, region_of((void *)eip));
        serial_printf("@backtrace index=%d addr=0x%08x symbol=%s offset=0x%x\n", i, eip,
                      fn ? fn : "?", off);
        /* Each frame: [ebp] = the caller's ebp, [ebp+4] = the return address. */
        if (!ebp || (ebp & 3) || !on_a_stack(ebp) || !on_a_stack(ebp + 4))
            break;
        const uint32_t *frame = (const uint32_t *)ebp;
        uint32_t next = frame[0];
        eip = frame[1];
        if (next && next <= ebp)
            break;                      /* frames go up the stack, never down */
        ebp = next;
        if (!eip)
            break;
    }
}

static int is_stack_overflow(uint32_t addr)
{
    const struct region *r = region_find(&atlas, SPACE_VIRTUAL, addr);
    return r && r->kind == KIND_GUARD;
}

static void page_fault_reason(char *buf, int size, uint32_t addr, uint32_t err)
{
    const char *access = err & PF_FETCH ? "instruction fetch" : err & PF_WRITE ? "write" : "read";
    const char *where = region_of((void *)addr);
    if (err & PF_RESERVED)
        format_buf(buf, (size_t)size, "reserved bit set in a page table entry for 0x%08x",
                   addr);
    else if (!(err & PF_PRESENT) && addr < PAGE_SIZE)
        format_buf(buf, (size_t)size, "null pointer: %s of address 0x%x, and page 0 is "
                   "never mapped", access, addr);
    else if (!(err & PF_PRESENT) && is_stack_overflow(addr))
        format_buf(buf, (size_t)size, "stack overflow: %s in the guard page %s", access,
                   where);
    else if (!(err & PF_PRESENT))
        format_buf(buf, (size_t)size, "%s of an address that is not mapped (%s)", access,
                   where);
    else if (err & PF_WRITE)
        format_buf(buf, (size_t)size, "write to a read-only page in %s%s", where,
                   strcmp(where, "kernel.text") == 0 ? " (code is read-only)" :
                   strcmp(where, "kernel.rodata") == 0 ? " (constants are read-only)" : "");
    else
        format_buf(buf, (size_t)size, "%s not allowed by the page's protection in %s",
                   access, where);
}

static void report(unsigned vector, uint32_t err, uint32_t addr, uint32_t eip,
                   const char *reason, const uint32_t regs[8], const struct task *t,
                   uint32_t depth)
{
    char at[96], fault_at[96];
    const char *name = vector < TRAP_EXCEPTIONS ? exception_names[vector] : "interrupt";
    console_use_vga(true);
    kprintf("\n==== CPU exception %u: %s ====\n  %s\n", vector, name, reason);
    describe_addr(fault_at, sizeof fault_at, addr);
    describe_addr(at, sizeof at, eip);
    kprintf("  address     0x%08x  %s\n", addr, fault_at);
    kprintf("  instruction 0x%08x  %s\n", eip, at);
    if (vector == TRAP_PAGE_FAULT)
        kprintf("  error code 0x%x: %s, %s, %s mode%s\n", err,
                err & PF_PRESENT ? "page present (protection)" : "page not present",
                err & PF_FETCH ? "fetch" : err & PF_WRITE ? "write" : "read",
                err & PF_USER ? "user" : "kernel", err & PF_RESERVED ? ", reserved bit" : "");
    else
        kprintf("  error code 0x%x\n", err);
    kprintf("  eax=%08x ebx=%08x ecx=%08x edx=%08x\n  esi=%08x edi=%08x ebp=%08x esp=%08x\n",
            regs[0], regs[1], regs[2], regs[3], regs[4], regs[5], regs[6], regs[7]);
    serial_printf("@fault vector=%u name=%s addr=0x%08x eip=0x%08x region=%s reason=",
                  vector, name, addr, eip, region_of((void *)addr));
    serial_put_quoted(reason);
    if (t)
        serial_printf(" task=%d depth=%u", t->id, depth);
    serial_putc('\n');
    last_vector = (int)vector;
}

void fault_report_and_stop(struct trap_frame *f)
{
    uint32_t addr = f->eip;
    char reason[160];
    if (f->vector == TRAP_PAGE_FAULT) {
        __asm__ volatile("mov %%cr2, %0" : "=r"(addr));
        page_fault_reason(reason, sizeof reason, addr, f->error);
        last_overflow = is_stack_overflow(addr);
    } else {
        format_buf(reason, sizeof reason, "%s at %s",
                   f->vector < TRAP_EXCEPTIONS ? exception_names[f->vector] : "interrupt",
                   region_of((void *)f->eip));
        last_overflow = 0;
    }
    uint32_t regs[8] = { f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp,
                         trap_interrupted_esp(f) };
    struct task *cur = task_started() ? task_current() : 0;
    bool in_task = cur && cur->id != TASK_MAIN_ID;
    report(f->vector, f->error, addr, f->eip, reason, regs, in_task ? cur : 0,
           in_task ? cur->stack_top - trap_interrupted_esp(f) : 0);
    backtrace_print(f->eip, f->ebp);
    if (in_task) {
        kprintf("  task %d (%s) is ended; the others carry on.\n", cur->id, cur->name);
        task_exit(-1);
    }
    if (recovery) {
        struct kjmp *j = recovery;
        recovery = 0;
        kprintf("  the demo is abandoned; the kernel carries on.\n");
        kjmp_jump(j, 1);
    }
    kernel_stop(false);
}

/* ---- the page-fault and double-fault tasks --------------------------------------
 *
 * Both run as tasks of their own, on stacks of their own: the CPU switches to
 * them through a task gate and saves the interrupted state in kernel_tss.
 * That is what makes a page fault on a full stack reportable (there is no
 * need to push anything on the stack that faulted) and a missing stack page
 * fixable (map it, return, and the instruction runs again).
 */

uint8_t page_fault_stack[FAULT_STACK_SIZE] __attribute__((aligned(16)));

static void abandon_demo(void);

/* Makes the interrupted code resume in fn, on the stack at esp, when the
 * fault task returns. */
static void resume_at(void (*fn)(void), uint32_t esp)
{
    struct tss *t = &kernel_tss;
    t->eip = (uint32_t)(uintptr_t)fn;
    t->esp = esp;
    t->ebp = 0;
    t->eflags = EFLAGS_RESERVED;        /* interrupts off: the code there decides */
}

/* After a report from a fault task: end the faulting task, abandon the demo,
 * or stop the kernel - in that order of preference. */
static void recover_or_stop(void)
{
    struct task *cur = task_started() ? task_current() : 0;
    if (cur && cur->id != TASK_MAIN_ID) {
        /* The task's stack may be full: it ends itself from the top of it. */
        kprintf("  task %d (%s) is ended; the others carry on.\n", cur->id, cur->name);
        resume_at(task_die_after_fault, cur->stack_top - 16);
        return;
    }
    if (recovery) {
        resume_at(abandon_demo, recovery->esp - 256);
        return;
    }
    kernel_stop(false);
}

static void abandon_demo(void)
{
    struct kjmp *j = recovery;
    recovery = 0;
    kprintf("  the demo is abandoned; the kernel carries on.\n");
    kjmp_jump(j, 1);
}

static void fault_task_report(unsigned vector, uint32_t err, uint32_t addr,
                              const char *reason, const struct task *t, uint32_t depth)
{
    const struct tss *s = &kernel_tss;
    uint32_t regs[8] = { s->eax, s->ebx, s->ecx, s->edx, s->esi, s->edi, s->ebp, s->esp };
    report(vector, err, addr, s->eip, reason, regs, t, depth);
    backtrace_print(s->eip, s->ebp);
}

/* The page-fault task's handler; err is the CPU's page-fault error code. */
void page_fault_handler(uint32_t err);
void page_fault_handler(uint32_t err)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    struct task *owner = 0;
    enum stack_fault k = !(err & PF_PRESENT) ? task_stack_fault(cr2, &owner)
                                             : STACK_NOT_A_STACK;
    if (k == STACK_GROW)
        return;                                 /* mapped: run the instruction again */

    char reason[200];
    const struct task *t = 0;
    uint32_t depth = 0;
    last_overflow = 0;
    if (k == STACK_NO_MEMORY && owner) {
        t = owner;
        depth = owner->stack_top - kernel_tss.esp;
        format_buf(reason, sizeof reason, "out of memory: no frame left to grow the stack "
                   "of task %d (%s) at 0x%08x", owner->id, owner->name, cr2);
    } else if (k == STACK_OVERFLOW && owner) {
        t = owner;
        depth = owner->stack_top - kernel_tss.esp;
        last_overflow = 1;
        format_buf(reason, sizeof reason, "stack overflow: task %d (%s) needs more than "
                   "its %u-byte stack limit (%s at 0x%08x)", owner->id, owner->name,
                   owner->limit, err & PF_WRITE ? "write" : "read", cr2);
    } else if (!(err & PF_PRESENT) && is_stack_overflow(cr2)) {
        const struct region *s = region_find(&atlas, SPACE_VIRTUAL, cr2 + PAGE_SIZE);
        last_overflow = 1;
        depth = s ? (uint32_t)s->end - kernel_tss.esp : 0;
        format_buf(reason, sizeof reason, "stack overflow: %s (%u bytes) is used up; esp "
                   "0x%08x reached its guard page",
                   s ? s->name : "the stack", s ? (unsigned)(s->end - s->start) : 0,
                   kernel_tss.esp);
    } else {
        page_fault_reason(reason, sizeof reason, cr2, err);
    }
    struct task *cur = task_started() ? task_current() : 0;
    if (!t && cur && cur->id != TASK_MAIN_ID) {
        t = cur;
        depth = cur->stack_top - kernel_tss.esp;
    }
    fault_task_report(TRAP_PAGE_FAULT, err, cr2, reason, t, depth);
    kprintf("  handled by the page-fault task on its own stack\n");
    recover_or_stop();
}

/* The double-fault task's handler: a fault while the CPU was starting the
 * handler of another one, e.g. a missing gate or a broken segment. */
void double_fault_handler(uint32_t err);
void double_fault_handler(uint32_t err)
{
    if (double_fault_tss.link != GDT_KERNEL_TSS) {
        /* The page-fault task itself faulted: its state is not in kernel_tss,
         * and it cannot be resumed or used again. Nothing is safe but stopping. */
        console_use_vga(true);
        kprintf("\n==== CPU exception 8: double-fault ====\n  the page-fault handler "
                "itself faulted (interrupted task selector 0x%x, eip 0x%08x)\n",
                double_fault_tss.link, page_fault_tss.eip);
        serial_printf("@fault vector=8 name=double-fault addr=0x%08x eip=0x%08x region=%s "
                      "reason=\"the page-fault handler itself faulted\"\n",
                      page_fault_tss.eip, page_fault_tss.eip,
                      region_of((void *)page_fault_tss.eip));
        backtrace_print(page_fault_tss.eip, page_fault_tss.ebp);
        kernel_stop(false);
    }
    char reason[160];
    const struct region *stack = region_find(&atlas, SPACE_VIRTUAL, kernel_tss.esp);
    format_buf(reason, sizeof reason, "a fault while the CPU was starting the handler of "
               "another fault (esp 0x%08x in %s)", kernel_tss.esp,
               stack ? stack->name : "(unmapped)");
    last_overflow = 0;
    struct task *cur = task_started() ? task_current() : 0;
    fault_task_report(TRAP_DOUBLE_FAULT, err, kernel_tss.eip, reason,
                      cur && cur->id != TASK_MAIN_ID ? cur : 0, 0);
    kprintf("  handled by the double-fault task on its own stack (%u bytes at %p)\n",
            FAULT_STACK_SIZE, (void *)double_fault_stack);
    recover_or_stop();
}

extern char double_fault_entry[], page_fault_entry[];

static void setup_fault_task(struct tss *d, void *entry, uint8_t *stack, uint32_t cr3)
{
    d->cr3 = cr3;
    d->eip = (uint32_t)(uintptr_t)entry;
    d->esp = (uint32_t)(uintptr_t)(stack + FAULT_STACK_SIZE);
    d->ss0 = GDT_KERNEL_DATA;
    d->esp0 = d->esp;
    d->eflags = EFLAGS_RESERVED;                /* interrupts off */
    d->cs = GDT_KERNEL_CODE;
    d->ds = d->es = d->fs = d->gs = d->ss = GDT_KERNEL_DATA;
}

void fault_init(void)
{
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
