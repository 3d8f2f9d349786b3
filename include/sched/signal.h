/*
 * signal.h - signals for user processes, as Linux i386 has them.
 *
 * A signal is sent to one thread (tkill, tgkill, a fault of its own) or to
 * the process (kill), and waits there, pending, until a thread that does
 * not block it goes back to ring 3: thread-directed signals first, then
 * the process's. There it is delivered (signal_deliver): ignored, or the
 * process ends (@exit ... signal=NAME), or a handler runs on a frame built
 * on the user stack exactly as Linux builds it (sigframe.h), and returns
 * through sigreturn/rt_sigreturn (signal_return). A signal sent to a thread
 * that waits in a blocking call wakes it (task_interrupt): the call sees
 * signal_pending and returns -EINTR, or -ERESTARTSYS and friends, which
 * delivery turns into EINTR or a restart of the call as Linux does.
 *
 * Not here: stopping (SIGSTOP and the other stop signals are ignored),
 * queues of real-time signals (each is pending once, like the others),
 * signals between processes (only one runs at a time), core files.
 *
 * Locking: one CPU; the state changes with interrupts off.
 */
#ifndef SCHED_SIGNAL_H
#define SCHED_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/trap.h"
#include "sched/linux.h"
#include "sched/task.h"

struct proc;
struct uthread;

/* What is kept of one pending signal for its siginfo. */
struct sig_info {
    int32_t code;                       /* si_code: SI_USER, SI_TKILL, SEGV_MAPERR ... */
    int32_t pid;                        /* the sender (kill, tkill, tgkill) */
    uint32_t addr;                      /* a fault's si_addr */
    int32_t vector;                     /* the fault that sent it, or SIG_NO_FAULT */
    uint32_t fault_at;                  /* its address (page fault) or instruction */
};
#define SIG_NO_FAULT    (-1)

/* Signals waiting, one bit each (bit sig-1), and their siginfo. */
struct sig_pending {
    uint32_t set[2];
    struct sig_info info[LINUX_NSIG];
};

/* A thread's signal state (besides proc.h's sigmask and altstack). */
struct sig_thread {
    struct sig_pending pending;         /* sent to this thread */
    uint32_t saved_mask[2];             /* sigsuspend's: restored once a signal came */
    bool restore_mask;
    int32_t sys_nr;                     /* the call being made, -1 outside one */
    uint32_t trapno, err, cr2;          /* its last fault, as sigcontext reports it */
    struct wait_queue wait;             /* pause, sigsuspend, sigtimedwait sleep here */
};

enum sig_default { SIG_DEFAULT_TERM, SIG_DEFAULT_CORE, SIG_DEFAULT_IGNORE, SIG_DEFAULT_STOP };

/* Linux's default action for sig (1..64). */
enum sig_default signal_default(int sig);
/* True for 1..64. */
bool signal_valid(int sig);

/* A new thread's state; creator is the thread that made it (clone: the
 * mask is inherited, the altstack not), or NULL for a process's first. */
void signal_thread_init(struct uthread *ut, const struct uthread *creator);

/*
 * Sends sig to thread `to` of p, or to the process when to is NULL (0:
 * nothing is sent; a check that the target exists). A signal that would be
 * ignored is dropped, one already pending is not sent twice, and a thread
 * that waits and can take it is woken.
 */
void signal_send(struct proc *p, struct uthread *to, int sig, const struct sig_info *info);
/* A signal the thread cannot refuse (its own fault, a bad sigreturn frame):
 * when sig is blocked or ignored its action becomes the default first, as
 * Linux's force_sig does. */
void signal_force(struct uthread *ut, int sig, const struct sig_info *info);
/* True when a signal that ut does not block waits for ut (or its process):
 * a blocking call checks this, with interrupts off, before it sleeps. */
bool signal_pending(const struct uthread *ut);
/* Removes SIGKILL and SIGSTOP from a mask: they are never blocked. */
void signal_unblockable(uint32_t mask[2]);

/* sigaction's work for sig (valid; act NULL: only read the old one into
 * *old). Unknown flags are dropped; a signal made ignored stops pending. */
void signal_set_action(struct proc *p, int sig, const struct linux_sigaction *act,
                       struct linux_sigaction *old);
/* A new mask for ut (SIGKILL and SIGSTOP taken out); a process-directed
 * signal it now blocks wakes another thread that can take it. */
void signal_set_mask(struct uthread *ut, const uint32_t mask[2]);
/* The signals pending for ut (its own and its process's) that it blocks. */
void signal_pending_set(const struct uthread *ut, uint32_t out[2]);
/* Takes a pending signal in set off ut's queue or its process's, blocked
 * or not (sigtimedwait); 0 when none is pending. */
int signal_take(struct uthread *ut, const uint32_t set[2], struct sig_info *info);

/* On every way back to ring 3 with interrupts off: delivers what is
 * pending and deliverable; may end the thread. f is the trap frame. */
void signal_deliver(struct trap_frame *f);

/* sigreturn (rt: rt_sigreturn): restores the registers, FPU state, mask
 * (and altstack) the frame at f's esp saved; returns the eax to go back
 * with. A bad frame sends SIGSEGV instead. */
int32_t signal_return(struct trap_frame *f, bool rt);

/* sigaltstack's work: the old setting into *old (when old is not NULL),
 * then the new one from *ss (when not NULL); sp is the caller's stack
 * pointer. 0 or -errno. */
int32_t signal_altstack(struct uthread *ut, const struct linux_stack_t *ss,
                        struct linux_stack_t *old, uint32_t sp);

/* True when sp is on ut's alternate stack (never with SS_AUTODISARM);
 * the flags sigaltstack reports for it: SS_DISABLE, SS_ONSTACK or 0. */
bool signal_on_altstack(const struct uthread *ut, uint32_t sp);
int32_t signal_altstack_flags(const struct uthread *ut, uint32_t sp);

/* Faults from ring 3 (proc.c): the signal a fault sends and its siginfo,
 * and whether the thread has a handler that will take it. */
int signal_of_fault(unsigned vector, uint32_t addr, uint32_t error, bool mapped,
                    uint32_t eip, struct sig_info *info);
bool signal_fault_caught(const struct uthread *ut, int sig);
/* The fault is queued for the thread, about to go back to ring 3 through
 * f; trapno, err and cr2 are kept for sigcontext. */
void signal_fault_queue(struct uthread *ut, int sig, const struct sig_info *info,
                        unsigned vector, uint32_t error, uint32_t cr2);

/* AT_MINSIGSTKSZ: the largest frame this CPU's FPU state makes. */
uint32_t signal_min_stack_size(void);

#endif
