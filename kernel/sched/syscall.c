/*
 * syscall.c - the system-call gate: one table of every call the groups
 * (sys_*.c) implement, the dispatch, and the report of the ones nobody does.
 */
#include "sched/syscall.h"

#include "arch/irq.h"
#include "console/protocol.h"
#include "lib/string.h"
#include "sched/futex.h"
#include "sched/pipe.h"

static sys_fn table[LINUX_SYSCALL_COUNT];
static bool table_ready;

static const struct sys_entry *const groups[] = {
    sys_proc_calls, sys_io_calls, sys_file_calls, sys_mem_calls, sys_thread_calls,
    sys_futex_calls, sys_time_calls, sys_signal_calls, sys_pipe_calls,
};

static void build_table(void)
{
    for (unsigned g = 0; g < sizeof groups / sizeof groups[0]; g++)
        for (const struct sys_entry *e = groups[g]; e->fn; e++)
            if (e->nr < LINUX_SYSCALL_COUNT)
                table[e->nr] = e->fn;
    table_ready = true;
}

/* -ENOSYS, and the first time in this process an @syscall record naming it. */
static int32_t unknown(struct proc *p, uint32_t nr)
{
    if (nr < PROC_SYSCALL_WORDS * 32) {
        uint32_t bit = 1u << (nr % 32);
        if (p->unknown_seen[nr / 32] & bit)
            return -LINUX_ENOSYS;
        p->unknown_seen[nr / 32] |= bit;
    }
    const char *name = nr < LINUX_SYSCALL_COUNT ? linux_syscall_name(nr) : 0;
    proto_syscall_unknown(p->pid, nr, name ? name : "?");
    return -LINUX_ENOSYS;
}

void syscall_entry(struct trap_frame *f)
{
    if (!table_ready)
        build_table();
    struct uthread *ut = uthread_current();
    if (!ut) {
        f->eax = (uint32_t)-LINUX_ENOSYS;       /* int $0x80 from the kernel: not a call */
        return;
    }
    irq_enable();                       /* the frame is saved: others may run */
    struct sysc c = {
        { f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp }, f, ut, ut->p,
    };
    uint32_t nr = f->eax;
    ut->p->syscalls++;
    ut->sig.sys_nr = nr < LINUX_SYSCALL_COUNT ? (int32_t)nr : -1;  /* for a restart (signal.c) */
    int32_t r = nr < LINUX_SYSCALL_COUNT && table[nr] ? table[nr](&c) : unknown(ut->p, nr);
    f->eax = (uint32_t)r;
    irq_disable();
}

void syscall_before_user(struct trap_frame *f)
{
    signal_deliver(f);
}

/* How pthread_join learns: the word goes to 0 and one waiter on it (as a
 * shared futex, like Linux) wakes. A bad address is ignored, as on Linux. */
void syscall_thread_gone(struct uthread *ut)
{
    if (ut->clear_child_tid) {
        static const uint32_t zero;
        if (uspace_copy_out(&ut->p->us, ut->clear_child_tid, &zero, sizeof zero))
            futex_wake(ut->p, ut->clear_child_tid, true, 1, FUTEX_BITSET_ANY);
    }
}

int32_t sys_copy_in(struct sysc *c, void *dst, uint32_t src, uint32_t n)
{
    return uspace_copy_in(&c->p->us, dst, src, n) ? 0 : -LINUX_EFAULT;
}

int32_t sys_copy_out(struct sysc *c, uint32_t dst, const void *src, uint32_t n)
{
    return uspace_copy_out(&c->p->us, dst, src, n) ? 0 : -LINUX_EFAULT;
}
