/*
 * task.h - kernel tasks: mematlas's goroutines. Each has a stack of its own
 * in the task-stack zone (stackzone.h) that starts with one page and grows
 * on demand up to its limit; they share the kernel heap and address space.
 * Scheduling is round robin, preemptive through the timer as well as
 * cooperative. One CPU: a critical section is interrupts off.
 *
 * Built to carry more later: a task names its address space (cr3), so that
 * several tasks can be the threads of one process.
 */
#ifndef TASK_H
#define TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/fault.h"
#include "sched/procimage.h"
#include "sched/stackzone.h"

#define TASK_NAME_MAX   16
#define TASK_MAIN_ID    0       /* kernel_main, on the boot stack */
#define TASK_REGION_MAX 24      /* "task.N.stack" */

enum task_state { TASK_READY, TASK_RUNNING, TASK_SLEEPING, TASK_BLOCKED, TASK_DEAD };

struct task;
struct wait_queue {
    struct task *head, *tail;
};

struct task {
    int id;
    char name[TASK_NAME_MAX];
    char stack_name[TASK_REGION_MAX];   /* its regions' names, for as long as it lives */
    char guard_name[TASK_REGION_MAX];
    enum task_state state;
    uint32_t esp;               /* saved by task_switch */
    uint32_t cr3;               /* the address space it runs in */
    int slot;                   /* its stack slot; -1 for the boot stack */
    uint32_t stack_top, limit;  /* the stack may reach down to stack_top - limit */
    uint32_t mapped_low;        /* lowest mapped stack page */
    uint64_t wake_tick;         /* when sleeping */
    struct task *next;          /* in the ready queue, a wait queue or the sleepers */
    struct task *all_next;      /* in the list of every task */
    struct task *joiner;        /* waiting in task_join */
    int exit_code;
    bool overflowed;            /* ended by a stack overflow */
    bool detached;              /* nobody joins it: freed when it has ended */
    struct wait_queue *waiting_on;  /* while blocked in task_block_on */
    void *user;                 /* a user thread's own state (proc.h), or NULL */
    void (*fn)(void *);
    void *arg;
    /* A task started like an i386 Linux process (task_spawn_main): */
    int (*main)(int argc, char **argv, char **envp);
    uint32_t initial_sp;        /* points at argc */
    struct procimage image;     /* where its parts are, from argc to the top */
};


/* Makes kernel_main task 0 and turns interrupts on; the timer must be
 * running (timer_init with task_tick) for preemption and sleeping. */
void task_init(void);
bool task_started(void);
/* The kernel's `go fn(arg)`: a new task with a one-page stack that grows to
 * `limit` bytes (0: TASK_STACK_LIMIT). NULL when no slot or memory is left. */
struct task *task_spawn(void (*fn)(void *), void *arg, const char *name, uint32_t limit);
/* A task that starts the way a static program does on i386 Linux: at the
 * top of its stack the image procimage.h describes (the strings, the
 * auxiliary vector, envp[] and argv[] with their NULLs and argc), the stack
 * pointer on argc. main's return value is the task's exit code. */
struct task *task_spawn_main(int (*main)(int, char **, char **), const char *name,
                             int argc, const char *const *argv, int envc,
                             const char *const *envp);
/*
 * A task that will run in a process's address space (cr3) as one of its
 * threads: its kernel stack has USER_KSTACK_PAGES mapped up front (ring 3
 * enters it at the top, where no page may be missing), `reserve` bytes at
 * the top are left for fn to build a trap frame in, and it is detached:
 * freed once it has ended. user is its thread state. Starts at once.
 */
struct task *task_spawn_thread(void (*fn)(void *), void *arg, const char *name, uint32_t cr3,
                               void *user, uint32_t reserve);
/* Makes a blocked or sleeping task ready now (it sees why by itself). */
void task_interrupt(struct task *t);
/* A hook run on every switch, before the new task runs (the process layer
 * swaps address-space details and FPU state there). */
void task_set_switch_hook(void (*hook)(struct task *prev, struct task *next));
void task_yield(void);
void task_sleep(uint32_t ms);
__attribute__((noreturn)) void task_exit(int code);
/* Waits for t to end, frees it and returns its exit code. */
int task_join(struct task *t);
/* The same, also saying whether a stack overflow ended it. */
int task_join_overflowed(struct task *t, bool *overflowed);
struct task *task_current(void);
unsigned task_count(void);              /* tasks alive, task 0 included */

/* Wait queues, for channels and the like; call with interrupts off. */
void task_block_on(struct wait_queue *q);
void task_wake_one(struct wait_queue *q);

/* Calls fn with the live part of every task's stack, [esp, top): the saved
 * stack pointer for tasks that are not running, `here` for the running one. */
void task_for_each_stack(void (*fn)(const void *lo, const void *hi, void *ctx), void *ctx,
                         const void *here);

/* From the timer interrupt. */
void task_tick(void);

/* What a fault at addr means for the task whose stack slot holds it
 * (*owner, or NULL when no live task owns that slot). */
enum stack_fault task_stack_classify(uint32_t addr, const struct task **owner);
/* The fault mechanism's fix hook, in the page-fault task with interrupts
 * off: maps the pages from addr up to a task stack's mapped part when addr
 * is within the task's limit and the frame pool can pay for them. */
bool task_grow_stack(uint32_t addr, uint32_t error);
/* The fault mechanism's resume hook: a task other than kernel_main that
 * faulted is ended (exit code -1; overflowed when it passed its limit). */
bool task_end_after_fault(const struct fault *f, struct fault_resume *r);
/* "task.N.stack", "task.N.guard", or for a task_spawn_main task the name of
 * a part of its process image ("args", "env", "auxv": procimage_part_name)
 * for an address in a live task's slot, else NULL. The name lives as long as the task. */
const char *task_stack_region(uint32_t addr);
/* Prints the "@stack ... grew_to=" events recorded since the last call. */
void task_flush_events(void);
/* One "@region name=task.N.stack" and "@stack" line per spawned task
 * whose stack is still there. */
void task_print_stacks(void);
/* The same for task 0, kernel_main on the boot stack ("@region
 * name=boot.stack"): a fixed stack, mapped whole. */
void task_print_main_stack(void);
void task_list_print(void);

#endif
