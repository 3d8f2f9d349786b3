/*
 * sys_signal.c - the system calls about signals: actions, masks, the
 * alternate stack, sending (to the caller's own process and threads: only
 * one process runs at a time), returning from a handler, and waiting for
 * one. The work is signal.c's; this is the ABI around it.
 */
#include "arch/irq.h"
#include "lib/string.h"
#include "sched/sigctx.h"
#include "sched/syscall.h"

#define SIGSET_SIZE     8               /* the kernel's sigset_t: 64 bits */
#define NSEC_PER_SEC    1000000000
#define NSEC_PER_MS     1000000
#define WAIT_MS_MAX     0x7FFFFFFFu

/* ---- actions ----------------------------------------------------------------------------- */

static int32_t sys_rt_sigaction(struct sysc *c)
{
    int sig = (int)c->a[0];
    uint32_t uact = c->a[1], uold = c->a[2];
    struct linux_sigaction act, old;
    if (c->a[3] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (uact && sys_copy_in(c, &act, uact, sizeof act))
        return -LINUX_EFAULT;
    if (!signal_valid(sig) || (uact && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)))
        return -LINUX_EINVAL;
    signal_set_action(c->p, sig, uact ? &act : 0, &old);
    return uold ? sys_copy_out(c, uold, &old, sizeof old) : 0;
}

/* The old call, with a one-word mask in struct old_sigaction. */
static int32_t sys_sigaction(struct sysc *c)
{
    int sig = (int)c->a[0];
    uint32_t uact = c->a[1], uold = c->a[2];
    struct linux_old_sigaction o;
    struct linux_sigaction act, old;
    if (uact) {
        if (sys_copy_in(c, &o, uact, sizeof o))
            return -LINUX_EFAULT;
        act = (struct linux_sigaction){ o.handler, o.flags, o.restorer, { o.mask, 0 } };
    }
    if (!signal_valid(sig) || (uact && (sig == LINUX_SIGKILL || sig == LINUX_SIGSTOP)))
        return -LINUX_EINVAL;
    signal_set_action(c->p, sig, uact ? &act : 0, &old);
    if (!uold)
        return 0;
    o = (struct linux_old_sigaction){ old.handler, old.mask[0], old.flags, old.restorer };
    return sys_copy_out(c, uold, &o, sizeof o);
}

/* ---- masks ------------------------------------------------------------------------------- */

/* SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK of set on ut's mask; 0 or -EINVAL. */
static int32_t change_mask(struct uthread *ut, uint32_t how, const uint32_t set[2])
{
    uint32_t m[2] = { ut->sigmask[0], ut->sigmask[1] };
    for (int w = 0; w < 2; w++) {
        if (how == LINUX_SIG_BLOCK)
            m[w] |= set[w];
        else if (how == LINUX_SIG_UNBLOCK)
            m[w] &= ~set[w];
        else if (how == LINUX_SIG_SETMASK)
            m[w] = set[w];
        else
            return -LINUX_EINVAL;
    }
    signal_set_mask(ut, m);
    return 0;
}

static int32_t sys_rt_sigprocmask(struct sysc *c)
{
    uint32_t set[2], old[2] = { c->ut->sigmask[0], c->ut->sigmask[1] };
    if (c->a[3] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (c->a[1]) {
        if (sys_copy_in(c, set, c->a[1], sizeof set))
            return -LINUX_EFAULT;
        signal_unblockable(set);
        int32_t r = change_mask(c->ut, c->a[0], set);
        if (r)
            return r;
    }
    return c->a[2] ? sys_copy_out(c, c->a[2], old, sizeof old) : 0;
}

/* The old call: only the first 32 signals. */
static int32_t sys_sigprocmask(struct sysc *c)
{
    uint32_t word, old = c->ut->sigmask[0];
    if (c->a[1]) {
        if (sys_copy_in(c, &word, c->a[1], sizeof word))
            return -LINUX_EFAULT;
        uint32_t set[2] = { word, c->a[0] == LINUX_SIG_SETMASK ? c->ut->sigmask[1] : 0 };
        int32_t r = change_mask(c->ut, c->a[0], set);
        if (r)
            return r;
    }
    return c->a[2] ? sys_copy_out(c, c->a[2], &old, sizeof old) : 0;
}

static int32_t sys_rt_sigpending(struct sysc *c)
{
    uint32_t set[2];
    if (c->a[1] > SIGSET_SIZE)
        return -LINUX_EINVAL;
    signal_pending_set(c->ut, set);
    return sys_copy_out(c, c->a[0], set, c->a[1]);
}

static int32_t sys_sigpending(struct sysc *c)
{
    uint32_t set[2];
    signal_pending_set(c->ut, set);
    return sys_copy_out(c, c->a[0], set, sizeof set[0]);
}

/* ---- the alternate stack ------------------------------------------------------------------- */

static int32_t sys_sigaltstack(struct sysc *c)
{
    struct linux_stack_t ss, old;
    if (c->a[0] && sys_copy_in(c, &ss, c->a[0], sizeof ss))
        return -LINUX_EFAULT;
    int32_t r = signal_altstack(c->ut, c->a[0] ? &ss : 0, c->a[1] ? &old : 0, c->f->user_esp);
    if (r == 0 && c->a[1])
        r = sys_copy_out(c, c->a[1], &old, sizeof old);
    return r;
}

/* ---- sending ------------------------------------------------------------------------------- */

/* Call with interrupts off: the thread may end as soon as they are on. */
static struct uthread *thread_of(struct proc *p, int32_t tid)
{
    for (struct uthread *ut = p->threads; ut; ut = ut->next)
        if (ut->tid == tid)
            return ut;
    return 0;
}

/* 0 is the existence check: valid, nothing sent. */
static bool sendable(int32_t sig)
{
    return sig == 0 || signal_valid(sig);
}

static int32_t sys_kill(struct sysc *c)
{
    int32_t pid = (int32_t)c->a[0], sig = (int32_t)c->a[1];
    /* Its own pid, its process group (pid 0, or -pid: it leads its own), or
     * nobody: no other process runs beside it. */
    if (!(pid == c->p->pid || pid == 0 || pid == -c->p->pid))
        return -LINUX_ESRCH;
    if (!sendable(sig))
        return -LINUX_EINVAL;
    struct sig_info info = { .code = LINUX_SI_USER, .pid = c->p->pid, .vector = SIG_NO_FAULT };
    signal_send(c->p, 0, sig, &info);
    return 0;
}

static int32_t send_to_thread(struct sysc *c, int32_t tid, int32_t sig)
{
    struct sig_info info = { .code = LINUX_SI_TKILL, .pid = c->p->pid, .vector = SIG_NO_FAULT };
    uint32_t flags = irq_save();
    struct uthread *to = thread_of(c->p, tid);
    int32_t r = !to ? -LINUX_ESRCH : !sendable(sig) ? -LINUX_EINVAL : 0;
    if (r == 0)
        signal_send(c->p, to, sig, &info);
    irq_restore(flags);
    return r;
}

static int32_t sys_tkill(struct sysc *c)
{
    int32_t tid = (int32_t)c->a[0];
    if (tid <= 0)
        return -LINUX_EINVAL;
    return send_to_thread(c, tid, (int32_t)c->a[1]);
}

static int32_t sys_tgkill(struct sysc *c)
{
    int32_t tgid = (int32_t)c->a[0], tid = (int32_t)c->a[1];
    if (tgid <= 0 || tid <= 0)
        return -LINUX_EINVAL;
    if (tgid != c->p->pid)
        return -LINUX_ESRCH;
    return send_to_thread(c, tid, (int32_t)c->a[2]);
}

/* ---- returning from a handler ---------------------------------------------------------------- */

static int32_t sys_rt_sigreturn(struct sysc *c)
{
    return signal_return(c->f, true);
}

static int32_t sys_sigreturn(struct sysc *c)
{
    return signal_return(c->f, false);
}

/* ---- waiting ------------------------------------------------------------------------------- */

/* Sleeps until a signal ut takes is pending (or the process ends). */
static void wait_for_signal(struct uthread *ut)
{
    uint32_t flags = irq_save();
    while (!signal_pending(ut))
        task_block_on(&ut->sig.wait);
    irq_restore(flags);
}

static int32_t sys_pause(struct sysc *c)
{
    wait_for_signal(c->ut);
    return -LINUX_ERESTARTNOHAND;       /* EINTR once a handler ran */
}

/* sigsuspend's work: mask replaced until a signal comes; delivery puts the
 * old one back (into the handler's frame, or at once without a handler). */
static int32_t suspend(struct uthread *ut, const uint32_t mask[2])
{
    uint32_t flags = irq_save();
    ut->sig.saved_mask[0] = ut->sigmask[0];
    ut->sig.saved_mask[1] = ut->sigmask[1];
    ut->sig.restore_mask = true;
    signal_set_mask(ut, mask);
    irq_restore(flags);
    wait_for_signal(ut);
    return -LINUX_ERESTARTNOHAND;
}

static int32_t sys_rt_sigsuspend(struct sysc *c)
{
    uint32_t mask[2];
    if (c->a[1] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (sys_copy_in(c, mask, c->a[0], sizeof mask))
        return -LINUX_EFAULT;
    return suspend(c->ut, mask);
}

/* The old call: (history0, history1, mask) on i386, the first 32 signals. */
static int32_t sys_sigsuspend(struct sysc *c)
{
    uint32_t mask[2] = { c->a[2], 0 };
    return suspend(c->ut, mask);
}

/* A relative timeout in ms (rounded up); -EINVAL for a bad one. */
static int32_t timeout_ms(int64_t sec, int64_t nsec, uint32_t *ms)
{
    if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
        return -LINUX_EINVAL;
    uint64_t total = (uint64_t)sec * 1000 + ((uint64_t)nsec + NSEC_PER_MS - 1) / NSEC_PER_MS;
    *ms = total > WAIT_MS_MAX ? WAIT_MS_MAX : (uint32_t)total;
    return 0;
}

/*
 * rt_sigtimedwait's work: takes a pending signal in set, else unblocks set
 * and sleeps until one of them comes (or another signal: -EINTR) or the
 * timeout passes (-EAGAIN; forever when has_timeout is false).
 */
static int32_t timed_wait(struct sysc *c, uint32_t set[2], bool has_timeout, uint32_t ms)
{
    struct uthread *ut = c->ut;
    struct sig_info info;
    signal_unblockable(set);
    int sig = signal_take(ut, set, &info);
    if (!sig && (!has_timeout || ms)) {
        uint32_t real[2] = { ut->sigmask[0], ut->sigmask[1] };
        uint32_t open[2] = { real[0] & ~set[0], real[1] & ~set[1] };
        uint32_t flags = irq_save();
        signal_set_mask(ut, open);
        if (!signal_pending(ut)) {
            if (has_timeout)
                task_sleep(ms);         /* a signal cuts it short */
            else
                task_block_on(&ut->sig.wait);
        }
        signal_set_mask(ut, real);
        irq_restore(flags);
        sig = signal_take(ut, set, &info);
        if (!sig)
            return signal_pending(ut) ? -LINUX_EINTR : -LINUX_EAGAIN;
    }
    if (!sig)
        return -LINUX_EAGAIN;
    if (c->a[1]) {
        struct linux_siginfo si;
        sigctx_siginfo(&si, sig, &info);
        if (sys_copy_out(c, c->a[1], &si, sizeof si))
            return -LINUX_EFAULT;
    }
    return sig;
}

static int32_t sigtimedwait(struct sysc *c, bool time64)
{
    uint32_t set[2], ms = 0;
    if (c->a[3] != SIGSET_SIZE)
        return -LINUX_EINVAL;
    if (sys_copy_in(c, set, c->a[0], sizeof set))
        return -LINUX_EFAULT;
    if (c->a[2]) {
        int64_t sec, nsec;
        if (time64) {
            struct linux_timespec64 t;
            if (sys_copy_in(c, &t, c->a[2], sizeof t))
                return -LINUX_EFAULT;
            sec = t.sec;
            nsec = (int32_t)t.nsec;     /* only the low half counts on i386 */
        } else {
            struct linux_timespec32 t;
            if (sys_copy_in(c, &t, c->a[2], sizeof t))
                return -LINUX_EFAULT;
            sec = t.sec;
            nsec = t.nsec;
        }
        int32_t r = timeout_ms(sec, nsec, &ms);
        if (r)
            return r;
    }
    return timed_wait(c, set, c->a[2] != 0, ms);
}

static int32_t sys_rt_sigtimedwait(struct sysc *c)
{
    return sigtimedwait(c, false);
}

static int32_t sys_rt_sigtimedwait_time64(struct sysc *c)
{
    return sigtimedwait(c, true);
}

const struct sys_entry sys_signal_calls[] = {
    { NR_rt_sigaction, sys_rt_sigaction },
    { NR_sigaction, sys_sigaction },
    { NR_rt_sigprocmask, sys_rt_sigprocmask },
    { NR_sigprocmask, sys_sigprocmask },
    { NR_rt_sigpending, sys_rt_sigpending },
    { NR_sigpending, sys_sigpending },
    { NR_sigaltstack, sys_sigaltstack },
    { NR_kill, sys_kill },
    { NR_tkill, sys_tkill },
    { NR_tgkill, sys_tgkill },
    { NR_rt_sigreturn, sys_rt_sigreturn },
    { NR_sigreturn, sys_sigreturn },
    { NR_pause, sys_pause },
    { NR_rt_sigsuspend, sys_rt_sigsuspend },
    { NR_sigsuspend, sys_sigsuspend },
    { NR_rt_sigtimedwait, sys_rt_sigtimedwait },
    { NR_rt_sigtimedwait_time64, sys_rt_sigtimedwait_time64 },
    SYS_END,
};
