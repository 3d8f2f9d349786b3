/*
 * task.c - kernel tasks, their growing stacks, and the round-robin scheduler.
 *
 * A stack grows in the page-fault task (arch/fault.c calls task_grow_stack), which runs with its own
 * stack while the faulting task is frozen - possibly in the middle of the
 * frame allocator or the heap. So growth takes frames only from a small pool
 * that the scheduler refills, and never needs a new page table: the one for
 * a slot is made when the task is spawned.
 */
#include "sched/task.h"

#include "arch/cpuid.h"
#include "arch/irq.h"
#include "arch/pit.h"
#include "arch/tsc.h"
#include "console/console.h"
#include "console/panic.h"
#include "console/protocol.h"
#include "lib/string.h"
#include "mm/kframes.h"
#include "mm/kheap.h"
#include "mm/paging.h"
#include "sched/procimage.h"
#include "sections.h"

#define POOL_SIZE       16      /* frames kept ready for stack growth */
#define EVENTS_MAX      64
#define INITIAL_FRAME   6       /* words on a new stack: see task_spawn */
#define DYING_ROOM      16      /* bytes left above a faulted task's last frame */
#define MINSIGSTKSZ     2048    /* i386 Linux's minimum signal stack (uapi asm/signal.h) */
#define ELF32_PHDR_SIZE 32      /* AT_PHENT: Linux gives it even with no headers */

static struct task main_task;
static struct task *current = &main_task;
static struct task *all_tasks = &main_task;
static struct wait_queue ready;
static struct task *sleepers;
static struct task *slot_owner[TASK_STACK_SLOTS];
static int next_id = 1;
static unsigned alive = 1;
static bool started, in_schedule;
static void (*switch_hook)(struct task *prev, struct task *next);

static uint32_t pool[POOL_SIZE];
static unsigned pool_count;

static struct { int task; uint32_t bytes; } events[EVENTS_MAX];
static unsigned event_count, events_lost;

void task_switch(uint32_t *save_esp, uint32_t new_esp);

/* ---- queues ---------------------------------------------------------------------- */

static void enqueue(struct wait_queue *q, struct task *t)
{
    t->next = 0;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static struct task *dequeue(struct wait_queue *q)
{
    struct task *t = q->head;
    if (t) {
        q->head = t->next;
        if (!q->head)
            q->tail = 0;
        t->next = 0;
    }
    return t;
}

static void make_ready(struct task *t)
{
    t->state = TASK_READY;
    enqueue(&ready, t);
}

/* ---- stacks ---------------------------------------------------------------------- */

static void refill_pool(void)
{
    while (pool_count < POOL_SIZE) {
        uint32_t f = frame_alloc();
        if (f == PMM_NO_FRAME)
            break;
        pool[pool_count++] = f;
    }
}

static void free_stack(struct task *t)
{
    if (t->slot < 0)
        return;
    for (uint32_t va = t->mapped_low; va < t->stack_top; va += PAGE_SIZE) {
        uint32_t f = paging_unmap(va);
        if (f)
            frame_free(f);
    }
    slot_owner[t->slot] = 0;
    t->slot = -1;
}

/* Stacks of dead tasks are freed by whoever runs next: not on themselves;
 * a detached task goes altogether. */
static void reap(void)
{
    struct task **pp = &all_tasks;
    while (*pp) {
        struct task *t = *pp;
        if (t->state == TASK_DEAD && t != current && t->slot >= 0)
            free_stack(t);
        if (t->state == TASK_DEAD && t != current && t->detached) {
            *pp = t->all_next;
            kfree(t);
            continue;
        }
        pp = &t->all_next;
    }
}

enum stack_fault task_stack_classify(uint32_t addr, const struct task **owner)
{
    *owner = 0;
    if (!stackzone_contains(addr))
        return STACK_NOT_A_STACK;
    const struct task *t = slot_owner[stackzone_slot_of(addr)];
    if (!t)
        return STACK_NOT_A_STACK;
    *owner = t;
    return stackzone_classify(addr, (unsigned)t->slot, t->limit, t->mapped_low);
}

bool task_grow_stack(uint32_t addr, uint32_t error)
{
    (void)error;
    const struct task *owner;
    if (task_stack_classify(addr, &owner) != STACK_GROW)
        return false;
    struct task *t = slot_owner[owner->slot];
    uint32_t page = addr & ~(uint32_t)(PAGE_SIZE - 1);
    if ((t->mapped_low - page) / PAGE_SIZE > pool_count)
        return false;                   /* no frames ready to grow with */
    while (t->mapped_low > page) {
        uint32_t va = t->mapped_low - PAGE_SIZE;
        paging_map(va, pool[--pool_count], PTE_WRITE);  /* the table exists */
        memset((void *)va, 0, PAGE_SIZE);
        t->mapped_low = va;
    }
    if (event_count < EVENTS_MAX) {
        events[event_count].task = t->id;
        events[event_count].bytes = t->stack_top - t->mapped_low;
        event_count++;
    } else {
        events_lost++;
    }
    return true;
}

void task_flush_events(void)
{
    uint32_t flags = irq_save();
    for (unsigned i = 0; i < event_count; i++)
        proto_stack_grew(events[i].task, events[i].bytes);
    if (events_lost)
        proto_warnf("task", "%u stack growth events not shown", events_lost);
    event_count = events_lost = 0;
    irq_restore(flags);
}

const char *task_stack_region(uint32_t addr)
{
    const struct task *t;
    switch (task_stack_classify(addr, &t)) {
    case STACK_NOT_A_STACK:
        return 0;
    case STACK_OVERFLOW:
        return t->guard_name;           /* below the limit */
    default:
        break;
    }
    enum procimage_part part = t->main ? procimage_part_at(&t->image, addr) : PROCIMAGE_PARTS;
    if (part != PROCIMAGE_PARTS)
        return procimage_part_name(part);
    return t->stack_name;
}

/* The deepest a stack has been, from lo (its lowest mapped byte) to top:
 * new stack pages are zeroed (the boot stack by the loader, with the rest
 * of the image's uninitialised data), so the lowest word that is not zero
 * marks it. */
static uint32_t high_water(uint32_t lo, uint32_t top)
{
    for (uint32_t a = lo; a < top; a += 4)
        if (*(const uint32_t *)a)
            return top - a;
    return 0;
}

static const char *const states[] = { "ready", "running", "sleeping", "blocked", "dead" };

/* One stack's region, its summary and its line: lo..top is reserved, from
 * mapped_low up is mapped. phys is the start's frame when the stack is one
 * physical run (the boot stack), else PROTO_NO_PHYS. */
static void print_stack(const struct task *t, const char *region, uint32_t lo, uint32_t top,
                        uint32_t mapped_low, uint64_t phys, const char *about)
{
    uint32_t deepest = high_water(mapped_low, top);
    proto_region(region, "virtual", lo, top, phys, "rw-", about);
    proto_stack(t->id, t->name, top - lo, top - mapped_low, deepest, states[t->state]);
    kprintf("  %-14s %08x-%08x  %-12s reserved %u KiB, mapped %u KiB, deepest %u bytes\n",
            region, lo, top, t->name, (top - lo) / 1024, (top - mapped_low) / 1024, deepest);
}

void task_print_main_stack(void)
{
    uint32_t lo = (uint32_t)(uintptr_t)_boot_stack_bottom;
    print_stack(&main_task, "boot.stack", lo, (uint32_t)(uintptr_t)_boot_stack_top, lo,
                lo - KERNEL_VIRT_BASE, "the boot CPU's stack, grows down");
}

void task_print_stacks(void)
{
    uint32_t flags = irq_save();
    for (struct task *t = all_tasks; t; t = t->all_next)
        if (t->slot >= 0)
            print_stack(t, t->stack_name, t->stack_top - t->limit, t->stack_top, t->mapped_low,
                        PROTO_NO_PHYS, "a task's stack, grown a page at a time up to its limit");
    irq_restore(flags);
}

/* ---- scheduling -------------------------------------------------------------------- */

static void schedule(void)
{
    struct task *prev = current;
    in_schedule = true;
    refill_pool();
    task_flush_events();
    struct task *next = dequeue(&ready);
    while (!next) {
        if (prev->state == TASK_RUNNING) {
            in_schedule = false;
            return;                         /* nobody else wants the CPU */
        }
        /* Idle until an interrupt makes someone ready. */
        __asm__ volatile("sti; hlt; cli" : : : "memory");
        next = dequeue(&ready);
    }
    if (prev->state == TASK_RUNNING)
        make_ready(prev);
    next->state = TASK_RUNNING;
    current = next;
    if (next->cr3 != prev->cr3)
        paging_load(next->cr3);
    if (switch_hook && next != prev)
        switch_hook(prev, next);
    if (next != prev)
        task_switch(&prev->esp, next->esp);
    /* Running again as prev. */
    in_schedule = false;
    reap();
}

void task_tick(void)
{
    if (!started)
        return;
    uint64_t now = timer_ticks();
    struct task **pp = &sleepers;
    while (*pp) {
        struct task *t = *pp;
        if (t->wake_tick <= now) {
            *pp = t->next;
            make_ready(t);
        } else {
            pp = &t->next;
        }
    }
    /* Preemption: a time slice is a tick. Not while the scheduler itself
     * runs (it may be idling here, waiting for exactly these wake-ups). */
    if (ready.head && !in_schedule)
        schedule();
}

void task_yield(void)
{
    uint32_t flags = irq_save();
    schedule();
    irq_restore(flags);
}

void task_sleep(uint32_t ms)
{
    uint32_t flags = irq_save();
    uint64_t ticks = ((uint64_t)ms * TIMER_HZ + 999) / 1000;
    current->wake_tick = timer_ticks() + (ticks ? ticks : 1);
    current->state = TASK_SLEEPING;
    current->next = sleepers;
    sleepers = current;
    schedule();
    irq_restore(flags);
}

void task_block_on(struct wait_queue *q)
{
    current->state = TASK_BLOCKED;
    current->waiting_on = q;
    enqueue(q, current);
    schedule();
    current->waiting_on = 0;
}

static void unlink_from(struct task **head, struct task **tail, struct task *t)
{
    struct task *before = 0;
    for (struct task *x = *head; x; before = x, x = x->next) {
        if (x != t)
            continue;
        if (before)
            before->next = t->next;
        else
            *head = t->next;
        if (tail && *tail == t)
            *tail = before;
        t->next = 0;
        return;
    }
}

void task_interrupt(struct task *t)
{
    uint32_t flags = irq_save();
    if (t->state == TASK_BLOCKED && t->waiting_on) {
        unlink_from(&t->waiting_on->head, &t->waiting_on->tail, t);
        t->waiting_on = 0;
        make_ready(t);
    } else if (t->state == TASK_SLEEPING) {
        unlink_from(&sleepers, 0, t);
        make_ready(t);
    }
    irq_restore(flags);
}

void task_set_switch_hook(void (*hook)(struct task *prev, struct task *next))
{
    switch_hook = hook;
}

void task_wake_one(struct wait_queue *q)
{
    struct task *t = dequeue(q);
    if (t)
        make_ready(t);
}

/* ---- life and death ------------------------------------------------------------------- */

static void task_start(void)
{
    /* A new task arrives here from task_switch, in the middle of schedule():
     * finish what schedule() does after a switch. */
    in_schedule = false;
    reap();
    irq_enable();
    if (current->main) {
        /* Read argc, argv and envp where a process finds them: above esp. */
        uint32_t *sp = (uint32_t *)(uintptr_t)current->initial_sp;
        int argc = (int)sp[0];
        char **argv = (char **)(sp + 1);
        char **envp = argv + argc + 1;
        task_exit(current->main(argc, argv, envp));
    }
    current->fn(current->arg);
    task_exit(0);
}

static struct task *spawn(void (*fn)(void *), void *arg, const char *name, uint32_t limit,
                          uint32_t block_bytes);

struct task *task_spawn_thread(void (*fn)(void *), void *arg, const char *name, uint32_t cr3,
                               void *user, uint32_t reserve)
{
    uint32_t bytes = USER_KSTACK_PAGES * PAGE_SIZE;
    struct task *t = spawn(fn, arg, name, bytes, bytes - PAGE_SIZE);
    if (!t)
        return 0;
    uint32_t flags = irq_save();
    t->cr3 = cr3;
    t->user = user;
    t->detached = true;
    /* Move the first frame down below the reserved room. */
    uint32_t *from = (uint32_t *)(uintptr_t)t->esp;
    uint32_t *to = (uint32_t *)(uintptr_t)(t->esp - ((reserve + 15) & ~15u));
    memmove(to, from, INITIAL_FRAME * sizeof *to);
    t->esp = (uint32_t)(uintptr_t)to;
    make_ready(t);
    irq_restore(flags);
    return t;
}

struct task *task_spawn(void (*fn)(void *), void *arg, const char *name, uint32_t limit)
{
    return spawn(fn, arg, name, limit, 0);
}

/* AT_RANDOM's bytes: not for secrets (mematlas has no entropy source), only
 * different from one task to the next; splitmix32 steps over the TSC. */
static void fill_random(uint8_t out[PROCIMAGE_RANDOM_BYTES])
{
    uint32_t x = (uint32_t)rdtsc() ^ ((uint32_t)next_id << 16);
    for (unsigned i = 0; i < PROCIMAGE_RANDOM_BYTES; i += 4) {
        uint32_t z = (x += 0x9E3779B9);
        z = (z ^ (z >> 16)) * 0x85EBCA6B;
        z = (z ^ (z >> 13)) * 0xC2B2AE35;
        z ^= z >> 16;
        memcpy(out + i, &z, 4);
    }
}

/* What Linux's exec would hand a static program with these arguments;
 * main stands in for the entry point, there being no ELF file. */
static void image_args(struct procimage_args *a, int (*main)(int, char **, char **),
                       const char *name, int argc, const char *const *argv, int envc,
                       const char *const *envp)
{
    memset(a, 0, sizeof *a);
    a->argc = argc;
    a->argv = argv;
    a->envc = envc;
    a->envp = envp;
    a->execfn = argc > 0 && argv[0] ? argv[0] : name;   /* the name it was run by */
    a->platform = PROCIMAGE_I686;
    fill_random(a->random);
    a->hwcap = cpuid_features_edx();
    a->minsigstksz = MINSIGSTKSZ;
    a->phent = ELF32_PHDR_SIZE;
    a->entry = (uint32_t)(uintptr_t)main;
    a->end_marker = PROCIMAGE_END_MARKER;
}

struct task *task_spawn_main(int (*main)(int, char **, char **), const char *name,
                             int argc, const char *const *argv, int envc,
                             const char *const *envp)
{
    if (argc < 0 || argc > CMDLINE_WORDS_MAX + 1 || envc < 0 || envc > CMDLINE_WORDS_MAX)
        return 0;                           /* more words than a boot can have */
    struct procimage_args a;
    image_args(&a, main, name ? name : "task", argc, argv, envc, envp);
    /* Every slot's top is page aligned, so the image has the same size in
     * each: measured at slot 0's top before there is a slot. */
    uint32_t block = procimage_size(&a, stackzone_top(0));
    if (!block || block > TASK_STACK_LIMIT / 2)
        return 0;                           /* leave the stack room of its own */
    struct task *t = spawn(0, 0, name, 0, block);
    if (!t)
        return 0;
    uint32_t flags = irq_save();
    if (procimage_build((uint8_t *)(uintptr_t)(t->stack_top - block), t->stack_top, block,
                        &a, &t->image) != 0)
        panic("task_spawn_main: %s", t->image.error);   /* it fitted a moment ago */
    t->initial_sp = t->image.sp;
    t->main = main;
    /* The first frame goes below argc. */
    uint32_t *frame = (uint32_t *)(uintptr_t)t->image.sp - INITIAL_FRAME;
    frame[0] = frame[1] = frame[2] = frame[3] = 0;
    frame[4] = (uint32_t)(uintptr_t)task_start;
    frame[5] = 0;
    t->esp = (uint32_t)(uintptr_t)frame;
    make_ready(t);
    irq_restore(flags);
    return t;
}

static struct task *spawn(void (*fn)(void *), void *arg, const char *name, uint32_t limit,
                          uint32_t block_bytes)
{
    struct task *t = kcalloc(1, sizeof *t);
    if (!t)
        return 0;
    uint32_t flags = irq_save();
    int slot = -1;
    for (int i = 0; i < TASK_STACK_SLOTS && slot < 0; i++)
        if (!slot_owner[i])
            slot = i;
    uint32_t top = slot >= 0 ? stackzone_top((unsigned)slot) : 0;
    /* One page, or enough for a process block and a page of stack under it. */
    uint32_t pages = 1 + (block_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    if (!block_bytes)
        pages = 1;
    uint32_t mapped = 0;
    while (slot >= 0 && mapped < pages) {
        uint32_t frame = frame_alloc();
        uint32_t va = top - (mapped + 1) * PAGE_SIZE;
        if (frame == PMM_NO_FRAME || paging_map(va, frame, PTE_WRITE) != 0) {
            if (frame != PMM_NO_FRAME)
                frame_free(frame);
            break;
        }
        memset((void *)va, 0, PAGE_SIZE);
        mapped++;
    }
    if (slot < 0 || mapped < pages) {
        for (uint32_t i = 0; i < mapped; i++) {
            uint32_t f = paging_unmap(top - (i + 1) * PAGE_SIZE);
            if (f)
                frame_free(f);
        }
        irq_restore(flags);
        kfree(t);
        return 0;
    }
    t->id = next_id++;
    str_copy(t->name, name ? name : "task", sizeof t->name);
    format_buf(t->stack_name, sizeof t->stack_name, "task.%d.stack", t->id);
    format_buf(t->guard_name, sizeof t->guard_name, "task.%d.guard", t->id);
    t->slot = slot;
    t->stack_top = top;
    t->limit = stackzone_limit(limit);
    t->mapped_low = top - pages * PAGE_SIZE;
    t->cr3 = current->cr3;
    t->fn = fn;
    t->arg = arg;
    /* What task_switch pops: edi, esi, ebx, ebp, then the return address
     * (task_start), above it a zero return address to end backtraces. */
    uint32_t *sp = (uint32_t *)top - INITIAL_FRAME;
    sp[0] = sp[1] = sp[2] = sp[3] = 0;
    sp[4] = (uint32_t)(uintptr_t)task_start;
    sp[5] = 0;
    t->esp = (uint32_t)(uintptr_t)sp;
    slot_owner[slot] = t;
    t->all_next = all_tasks;
    all_tasks = t;
    alive++;
    if (!block_bytes)
        make_ready(t);                      /* a process block is built first */
    irq_restore(flags);
    return t;
}

void task_exit(int code)
{
    irq_disable();
    current->exit_code = code;
    current->state = TASK_DEAD;
    alive--;
    if (current->joiner)
        make_ready(current->joiner);
    schedule();
    for (;;)
        ;                                   /* a dead task is never scheduled */
}

int task_join(struct task *t)
{
    return task_join_overflowed(t, 0);
}

int task_join_overflowed(struct task *t, bool *overflowed)
{
    uint32_t flags = irq_save();
    while (t->state != TASK_DEAD) {
        t->joiner = current;
        current->state = TASK_BLOCKED;
        schedule();
    }
    if (t->slot >= 0)
        free_stack(t);
    for (struct task **pp = &all_tasks; *pp; pp = &(*pp)->all_next)
        if (*pp == t) {
            *pp = t->all_next;
            break;
        }
    int code = t->exit_code;
    if (overflowed)
        *overflowed = t->overflowed;
    irq_restore(flags);
    kfree(t);
    return code;
}

/* Where a task that faulted resumes, at the top of its own stack. */
static void die_after_fault(void)
{
    irq_disable();
    task_exit(-1);
}

bool task_end_after_fault(const struct fault *f, struct fault_resume *r)
{
    struct task *t = current;
    if (!started || t->id == TASK_MAIN_ID)
        return false;
    const struct task *owner;
    t->overflowed = f->vector == TRAP_PAGE_FAULT && !(f->error & PF_PRESENT) &&
                    task_stack_classify(f->addr, &owner) == STACK_OVERFLOW && owner == t;
    kprintf("  task %d (%s) is ended; the others carry on.\n", t->id, t->name);
    r->fn = die_after_fault;
    r->esp = t->stack_top - DYING_ROOM; /* its stack may be full: start from the top */
    return true;
}

struct task *task_current(void)
{
    return current;
}

unsigned task_count(void)
{
    return alive;
}

bool task_started(void)
{
    return started;
}

void task_init(void)
{
    main_task.id = TASK_MAIN_ID;
    str_copy(main_task.name, "main", sizeof main_task.name);
    main_task.state = TASK_RUNNING;
    main_task.slot = -1;
    main_task.cr3 = paging_directory_phys();
    refill_pool();
    started = true;
    irq_enable();
}

void task_for_each_stack(void (*fn)(const void *lo, const void *hi, void *ctx), void *ctx,
                         const void *here)
{
    for (struct task *t = all_tasks; t; t = t->all_next) {
        if (t->state == TASK_DEAD)
            continue;
        const void *top = t->slot >= 0 ? (const void *)(uintptr_t)t->stack_top
                                       : (const void *)_boot_stack_top;
        const void *lo = t == current ? here : (const void *)(uintptr_t)t->esp;
        fn(lo, top, ctx);
    }
}

void task_list_print(void)
{
    uint32_t flags = irq_save();
    for (struct task *t = all_tasks; t; t = t->all_next)
        kprintf("  task %d %-12s %s\n", t->id, t->name, states[t->state]);
    irq_restore(flags);
}
