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

#include "sched/stackzone.h"

#define TASK_NAME_MAX   16
#define TASK_MAIN_ID    0       /* kernel_main, on the boot stack */

enum task_state { TASK_READY, TASK_RUNNING, TASK_SLEEPING, TASK_BLOCKED, TASK_DEAD };

struct task {
    int id;
    char name[TASK_NAME_MAX];
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
    void (*fn)(void *);
    void *arg;
    /* A task started like a System V process (task_spawn_main): */
    int (*main)(int argc, char **argv, char **envp);
    uint32_t initial_sp;        /* points at argc */
    uint32_t args_lo, args_hi;  /* the argument strings */
    uint32_t env_lo, env_hi;    /* the environment strings */
    uint32_t vec_lo, vec_hi;    /* argc, argv[], envp[], auxv[] */
};

/* Auxiliary vector entries (System V i386 ABI). */
#define AT_NULL     0
#define AT_PAGESZ   6

struct wait_queue {
    struct task *head, *tail;
};

/* Makes kernel_main task 0, starts the timer and turns interrupts on. */
void task_init(void);
bool task_started(void);
/* The kernel's `go fn(arg)`: a new task with a one-page stack that grows to
 * `limit` bytes (0: TASK_STACK_LIMIT). NULL when no slot or memory is left. */
struct task *task_spawn(void (*fn)(void *), void *arg, const char *name, uint32_t limit);
/* A task that starts the way a process does on System V i386: at the top of
 * its stack the argument strings, the environment strings, the auxiliary
 * vector, envp[] and argv[] with their NULLs and argc, the stack pointer on
 * argc. main's return value is the task's exit code. */
struct task *task_spawn_main(int (*main)(int, char **, char **), const char *name,
                             int argc, const char *const *argv, int envc,
                             const char *const *envp);
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

/* From the page-fault task (interrupts off): a fault at addr in a task
 * stack. Grows the stack (returns STACK_GROW) or says why not. *who is the
 * task whose slot holds addr. */
enum stack_fault task_stack_fault(uint32_t addr, struct task **who);
/* "task.N.stack" for an address in a live task's slot, else NULL. */
const char *task_stack_region(uint32_t addr, char *buf, size_t size);
/* Prints the "@stack ... grew_to=" events recorded since the last call. */
void task_flush_events(void);
/* One "@stack" and "@region name=task.N.stack" line per live task. */
void task_print_stacks(void);
void task_list_print(void);
/* Where a task killed by a fault resumes, to end itself. */
__attribute__((noreturn)) void task_die_after_fault(void);

#endif
