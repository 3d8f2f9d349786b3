/*
 * proc.h - user processes: a program from a boot module running in ring 3
 * in an address space of its own (uspace.h), as one or more threads. Each
 * thread is a kernel task (task.h) whose kernel stack takes its system
 * calls and interrupts, with FPU state and TLS descriptors of its own.
 */
#ifndef PROC_H
#define PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/fault.h"
#include "arch/fpu.h"
#include "mm/uspace.h"
#include "sched/elf.h"
#include "sched/linux.h"
#include "sched/procimage.h"
#include "sched/signal.h"
#include "sched/task.h"
#include "boot/cmdline.h"

#define PROC_NAME_MAX       32
#define PROC_ARGS_MAX       4096        /* bytes of argument and environment strings */
#define PROC_FDS_MAX        32
#define PROC_SYSCALL_WORDS  16          /* bits: unknown system calls already reported */

struct proc;

/* A thread: what a kernel task needs beyond itself to run in ring 3. */
struct uthread {
    struct proc *p;
    struct task *task;
    int tid;
    uint64_t tls[3];                    /* its GDT TLS slots */
    uint32_t clear_child_tid;           /* set_tid_address / CLONE_CHILD_CLEARTID */
    uint32_t robust_list;
    uint32_t sigmask[2];                /* signals blocked */
    struct linux_stack_t altstack;      /* sigaltstack's */
    struct sig_thread sig;              /* pending signals and the rest (signal.h) */
    bool killed;                        /* its process is ending: leave at the next chance */
    int fault_signal;                   /* the signal a fault of its own sent */
    struct uthread *next;               /* the process's threads */
    struct fpu_state fpu;
};

/* An open file: a boot module, or the console. */
struct ufile {
    bool used;
    bool console;
    unsigned module;
    uint32_t pos;
    uint32_t fd_flags, status_flags;
};

struct proc {
    int pid;
    char name[PROC_NAME_MAX];           /* argv[0] */
    struct uspace us;
    struct elf_image elf;
    uint32_t load_base;                 /* a static-pie's base, else 0 */
    uint32_t image_offset, image_size;  /* the program in the module window */
    struct procimage img;               /* where exec put argv, envp, auxv */
    /* The arguments and environment, copied: argv then envp, NUL-separated. */
    char strings[PROC_ARGS_MAX];
    int argc, envc;
    const char *argv[CMDLINE_WORDS_MAX + 2];
    const char *envp[CMDLINE_WORDS_MAX + 1];

    struct uthread *threads;
    unsigned thread_count;              /* alive */
    unsigned threads_made;
    bool exiting;                       /* exit_group or a fatal signal */
    int exit_status, exit_signal;
    char fault_words[96];               /* what the fault that ended it was */
    bool finished;                      /* every thread gone, memory freed */
    unsigned frames_left;               /* frames not back after it ended: 0 */
    struct wait_queue done;

    struct linux_sigaction actions[LINUX_NSIG];    /* signal sig's is actions[sig - 1] */
    struct sig_pending sig_pending;     /* signals sent to the process (kill) */
    struct ufile files[PROC_FDS_MAX];
    uint32_t unknown_seen[PROC_SYSCALL_WORDS];
    uint32_t syscalls;                  /* how many it made */
};

/* What the layers above want to know: a process's address space is live
 * while these run (in the process's own thread). */
struct proc_hooks {
    void (*started)(struct proc *p);    /* its image built, before ring 3 */
    void (*ending)(struct proc *p);     /* its last thread, before the memory goes */
};
void proc_set_hooks(const struct proc_hooks *h);

/* Installs the system-call gate and the switch hook; after task_init. */
void proc_init(void);

/*
 * Starts the program in module `module` (already checked by elf_parse into
 * *elf) with these arguments and environment. NULL, with a reason in why,
 * when it cannot be started; else the process, running.
 */
struct proc *proc_spawn(unsigned module, const struct elf_image *elf, int argc,
                        const char *const *argv, int envc, const char *const *envp,
                        char *why, unsigned why_size);
/* Waits until p has ended and its memory is back; the caller frees p with
 * proc_free after reading what it wants. */
void proc_wait(struct proc *p);
void proc_free(struct proc *p);

/* exec.c's: the image is built, ring 3 is next. */
void proc_started(struct proc *p);
/* A thread's state for process p (not linked in yet), and linking it in
 * once its task exists (clone). */
struct uthread *uthread_new(struct proc *p);
void uthread_attach(struct uthread *ut, struct task *t);

struct uthread *uthread_current(void);
struct proc *proc_current(void);        /* NULL in a kernel task */

/* The calling thread ends; the last one out ends the process. */
__attribute__((noreturn)) void proc_thread_exit(void);
/* The whole process ends with this status (signal 0) or signal. */
__attribute__((noreturn)) void proc_exit_group(int status, int signal);
/* Marks every other thread to leave and wakes them. */
void proc_kill_others(struct proc *p);

/* Fault hooks (fault.h), wrapping the kernel tasks' ones. A fault in ring 3
 * that the process has a handler for is delivered as a signal (signal.h)
 * instead of ending it. */
bool proc_fix_fault(uint32_t addr, uint32_t error);
bool proc_end_after_fault(const struct fault *f, struct fault_resume *r);
/* True when f is such a fault: nobody needs its explanation. */
bool proc_fault_caught(const struct fault *f);

/* Linux's name for signal sig ("SIGSEGV"), or "SIG?". */
const char *proc_signal_name(int sig);

#endif
