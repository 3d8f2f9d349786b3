/*
 * sys_pipe.c - pipes and epoll within one process (pipe.h).
 *
 * A pipe is a 4 KiB ring with a read end and a write end; epoll watches
 * descriptors and says which are ready. A thread that must wait (an empty
 * pipe, a full one, epoll with nothing ready) joins one list of waiters;
 * every change to any pipe wakes them all, and each checks again whether
 * it may go on. Simple rather than fast: there are few waiters here.
 */
#include "sched/pipe.h"

#include "arch/irq.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "sched/signal.h"
#include "sched/sysfile.h"
#include "sched/uclock.h"

#define PIPE_SIZE       4096
#define CHUNK           256     /* bytes copied at a time */
#define EPOLL_ITEMS     32
#define EPOLL_EVENTS    64      /* reported at once */
#define EPOLLIN         0x001
#define EPOLLOUT        0x004
#define EPOLLERR        0x008
#define EPOLLHUP        0x010
#define EPOLL_CTL_ADD   1
#define EPOLL_CTL_DEL   2
#define EPOLL_CTL_MOD   3
#define EPOLL_CLOEXEC   LINUX_O_CLOEXEC

struct upipe {
    uint8_t buf[PIPE_SIZE];
    uint32_t head, count;
    unsigned readers, writers;  /* open ends */
};

/* struct epoll_event on i386: 12 bytes, the data word unaligned. */
struct epoll_event {
    uint32_t events;
    uint32_t data[2];
} __attribute__((packed));

struct uepoll {
    unsigned n;
    struct { int32_t fd; struct epoll_event ev; } item[EPOLL_ITEMS];
};

struct io_waiter {
    struct task *t;
    volatile bool done;
    struct io_waiter *next;
};

static struct io_waiter *waiters;

/* Something changed: everyone waiting looks again. */
static void wake_all(void)
{
    uint32_t flags = irq_save();
    for (struct io_waiter *w = waiters; w; w = w->next) {
        w->done = true;
        task_interrupt(w->t);
    }
    waiters = 0;
    irq_restore(flags);
}

/* Interrupts off: waits for wake_all, the deadline or a signal. */
static int32_t wait_for_change(uint64_t deadline)
{
    struct io_waiter w = { task_current(), false, waiters };
    waiters = &w;
    int32_t r = uclock_wait(&w.done, LINUX_CLOCK_MONOTONIC, deadline);
    for (struct io_waiter **pp = &waiters; *pp; pp = &(*pp)->next)
        if (*pp == &w) {
            *pp = w.next;
            break;
        }
    return r;
}

/* ---- pipes ------------------------------------------------------------------------------ */

int32_t pipe_read(struct sysc *c, struct uopen *o, uint32_t buf, uint32_t n)
{
    struct upipe *pp = o->obj;
    if (o->end != 0)
        return -LINUX_EBADF;
    if (n == 0)
        return 0;
    uint8_t tmp[CHUNK];
    for (;;) {
        uint32_t flags = irq_save();
        if (pp->count) {
            uint32_t k = n < pp->count ? n : pp->count;
            if (k > sizeof tmp)
                k = sizeof tmp;
            for (uint32_t i = 0; i < k; i++)
                tmp[i] = pp->buf[(pp->head + i) % PIPE_SIZE];
            pp->head = (pp->head + k) % PIPE_SIZE;
            pp->count -= k;
            irq_restore(flags);
            wake_all();                 /* writers waiting for room */
            return sys_copy_out(c, buf, tmp, k) ? -LINUX_EFAULT : (int32_t)k;
        }
        int32_t r = !pp->writers ? 0 : (o->status_flags & LINUX_O_NONBLOCK) ? -LINUX_EAGAIN
                                                                            : 1;
        if (r == 1)
            r = wait_for_change(UCLOCK_FOREVER) == -LINUX_EINTR ? -LINUX_EINTR : 1;
        irq_restore(flags);
        if (r != 1)
            return r;                   /* end of file, EAGAIN or EINTR */
    }
}

int32_t pipe_write(struct sysc *c, struct uopen *o, uint32_t buf, uint32_t n)
{
    struct upipe *pp = o->obj;
    if (o->end != 1)
        return -LINUX_EBADF;
    uint8_t tmp[CHUNK];
    uint32_t done = 0;
    while (done < n) {
        uint32_t k = n - done < sizeof tmp ? n - done : (uint32_t)sizeof tmp;
        if (sys_copy_in(c, tmp, buf + done, k) != 0)
            return done ? (int32_t)done : -LINUX_EFAULT;
        uint32_t flags = irq_save();
        if (!pp->readers) {
            irq_restore(flags);
            signal_send(c->p, c->ut, LINUX_SIGPIPE, 0);   /* and EPIPE, as Linux */
            return done ? (int32_t)done : -LINUX_EPIPE;
        }
        uint32_t room = PIPE_SIZE - pp->count;
        if (room == 0) {
            int32_t r = done ? 0 : (o->status_flags & LINUX_O_NONBLOCK) ? -LINUX_EAGAIN : 1;
            if (r == 1)
                r = wait_for_change(UCLOCK_FOREVER) == -LINUX_EINTR ? -LINUX_EINTR : 1;
            irq_restore(flags);
            if (r != 1)
                return done ? (int32_t)done : r;
            continue;
        }
        if (k > room)
            k = room;
        for (uint32_t i = 0; i < k; i++)
            pp->buf[(pp->head + pp->count + i) % PIPE_SIZE] = tmp[i];
        pp->count += k;
        irq_restore(flags);
        wake_all();                     /* readers, and epoll waits */
        done += k;
    }
    return (int32_t)done;
}

void pipe_open_gone(struct uopen *o)
{
    if (o->kind == UOPEN_EPOLL) {
        kfree(o->obj);
        o->obj = 0;
        return;
    }
    struct upipe *pp = o->obj;
    uint32_t flags = irq_save();
    if (o->end == 0)
        pp->readers--;
    else
        pp->writers--;
    bool unused = !pp->readers && !pp->writers;
    irq_restore(flags);
    o->obj = 0;
    if (unused)
        kfree(pp);
    else
        wake_all();                     /* the other end sees end of file, or EPIPE */
}

static int32_t make_pipe(struct sysc *c, uint32_t fds_addr, uint32_t flags)
{
    if (flags & ~(uint32_t)(LINUX_O_NONBLOCK | LINUX_O_CLOEXEC))
        return -LINUX_EINVAL;
    struct upipe *pp = kcalloc(1, sizeof *pp);
    if (!pp)
        return -LINUX_ENOMEM;
    uint32_t fd_flags = (flags & LINUX_O_CLOEXEC) ? 1 : 0;
    struct uopen o = { .kind = UOPEN_PIPE, .obj = pp, .end = 0,
                       .status_flags = LINUX_O_RDONLY | (flags & LINUX_O_NONBLOCK) };
    int32_t fds[2];
    fds[0] = fd_install(c->p, &o, 0, fd_flags);
    o.end = 1;
    o.status_flags = LINUX_O_WRONLY | (flags & LINUX_O_NONBLOCK);
    fds[1] = fds[0] >= 0 ? fd_install(c->p, &o, 0, fd_flags) : -LINUX_EMFILE;
    pp->readers = fds[0] >= 0;
    pp->writers = fds[1] >= 0;
    if (fds[0] < 0 || fds[1] < 0 || sys_copy_out(c, fds_addr, fds, sizeof fds) != 0) {
        int32_t err = fds[0] < 0 || fds[1] < 0 ? -LINUX_EMFILE : -LINUX_EFAULT;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                sys_close_fd(c->p, (uint32_t)fds[i]);
        return err;
    }
    return 0;
}

static int32_t sys_pipe(struct sysc *c)
{
    return make_pipe(c, c->a[0], 0);
}

static int32_t sys_pipe2(struct sysc *c)
{
    return make_pipe(c, c->a[0], c->a[1]);
}

/* ---- epoll ------------------------------------------------------------------------------ */

static int32_t sys_epoll_create1(struct sysc *c)
{
    if (c->a[0] & ~(uint32_t)EPOLL_CLOEXEC)
        return -LINUX_EINVAL;
    struct uepoll *ep = kcalloc(1, sizeof *ep);
    if (!ep)
        return -LINUX_ENOMEM;
    struct uopen o = { .kind = UOPEN_EPOLL, .obj = ep, .status_flags = LINUX_O_RDWR };
    int32_t fd = fd_install(c->p, &o, 0, (c->a[0] & EPOLL_CLOEXEC) ? 1 : 0);
    if (fd < 0)
        kfree(ep);
    return fd;
}

static int32_t sys_epoll_create(struct sysc *c)
{
    if ((int32_t)c->a[0] <= 0)
        return -LINUX_EINVAL;
    c->a[0] = 0;
    return sys_epoll_create1(c);
}

static int find_item(const struct uepoll *ep, int32_t fd)
{
    for (unsigned i = 0; i < ep->n; i++)
        if (ep->item[i].fd == fd)
            return (int)i;
    return -1;
}

static int32_t epoll_change(struct uepoll *ep, uint32_t op, int32_t fd,
                            const struct epoll_event *ev)
{
    int at = find_item(ep, fd);
    uint32_t flags = irq_save();
    int32_t r = 0;
    if (op == EPOLL_CTL_ADD && at >= 0)
        r = -LINUX_EEXIST;
    else if (op == EPOLL_CTL_ADD && ep->n == EPOLL_ITEMS)
        r = -LINUX_ENOSPC;
    else if (op == EPOLL_CTL_ADD)
        ep->item[ep->n++] = (typeof(ep->item[0])){ fd, *ev };
    else if (at < 0)
        r = -LINUX_ENOENT;
    else if (op == EPOLL_CTL_MOD)
        ep->item[at].ev = *ev;
    else
        ep->item[at] = ep->item[--ep->n];
    irq_restore(flags);
    return r;
}

static int32_t sys_epoll_ctl(struct sysc *c)
{
    uint32_t op = c->a[1];
    int32_t fd = (int32_t)c->a[2];
    struct epoll_event ev = { 0, { 0, 0 } };
    if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_DEL && op != EPOLL_CTL_MOD)
        return -LINUX_EINVAL;
    if (op != EPOLL_CTL_DEL && sys_copy_in(c, &ev, c->a[3], sizeof ev) != 0)
        return -LINUX_EFAULT;
    struct uopen *e = fd_hold(c->p, c->a[0]);
    struct uopen *t = fd_hold(c->p, (uint32_t)fd);
    int32_t r = !e || !t ? -LINUX_EBADF
                : e->kind != UOPEN_EPOLL || t == e ? -LINUX_EINVAL
                : t->kind == UOPEN_MODULE || t->kind == UOPEN_DIR ? -LINUX_EPERM
                : epoll_change(e->obj, op, fd, &ev);
    if (t)
        fd_release(c->p, t);
    if (e)
        fd_release(c->p, e);
    return r;
}

/* Interrupts off: what descriptor fd is ready for now (EPOLL* bits). */
static uint32_t ready(struct proc *p, int32_t fd)
{
    if (fd < 0 || fd >= PROC_FDS_MAX || !p->files[fd].used)
        return 0;                       /* closed since: Linux forgets it too */
    const struct uopen *o = &p->opens[p->files[fd].open];
    if (o->kind == UOPEN_CONSOLE)
        return EPOLLOUT;
    if (o->kind != UOPEN_PIPE)
        return EPOLLIN | EPOLLOUT;
    const struct upipe *pp = o->obj;
    if (o->end == 0)
        return (pp->count ? EPOLLIN : 0) | (pp->writers ? 0 : EPOLLHUP);
    return (pp->count < PIPE_SIZE ? EPOLLOUT : 0) | (pp->readers ? 0 : EPOLLERR);
}

/* Interrupts off: the ready items, as the program will see them. */
static unsigned collect(struct proc *p, const struct uepoll *ep, struct epoll_event *out,
                        unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ep->n && n < max; i++) {
        uint32_t want = ep->item[i].ev.events | EPOLLERR | EPOLLHUP;
        uint32_t got = ready(p, ep->item[i].fd) & want;
        if (got) {
            out[n] = ep->item[i].ev;
            out[n++].events = got;
        }
    }
    return n;
}

static int32_t epoll_wait_ms(struct sysc *c, uint32_t epfd, uint32_t events, int32_t max,
                             int32_t timeout_ms)
{
    if (max <= 0)
        return -LINUX_EINVAL;
    struct uopen *e = fd_hold(c->p, epfd);
    if (!e || e->kind != UOPEN_EPOLL) {
        if (e)
            fd_release(c->p, e);
        return e ? -LINUX_EINVAL : -LINUX_EBADF;
    }
    uint64_t deadline = timeout_ms < 0 ? UCLOCK_FOREVER
                        : uclock_deadline_after(LINUX_CLOCK_MONOTONIC,
                                                (uint64_t)timeout_ms * 1000000ull);
    struct epoll_event mine[EPOLL_EVENTS];
    int32_t r;
    for (;;) {
        uint32_t flags = irq_save();
        unsigned n = collect(c->p, e->obj, mine, max < EPOLL_EVENTS ? (unsigned)max : EPOLL_EVENTS);
        if (n || timeout_ms == 0) {
            irq_restore(flags);
            r = sys_copy_out(c, events, mine, n * sizeof mine[0]) ? -LINUX_EFAULT : (int32_t)n;
            break;
        }
        r = wait_for_change(deadline);
        irq_restore(flags);
        if (r == -LINUX_ETIMEDOUT) {
            r = 0;
            break;
        }
        if (r == -LINUX_EINTR)
            break;
    }
    fd_release(c->p, e);
    return r;
}

static int32_t sys_epoll_wait(struct sysc *c)
{
    return epoll_wait_ms(c, c->a[0], c->a[1], (int32_t)c->a[2], (int32_t)c->a[3]);
}

/* epoll_pwait: the signal mask for the wait is not applied (a simplification). */
static int32_t sys_epoll_pwait(struct sysc *c)
{
    return epoll_wait_ms(c, c->a[0], c->a[1], (int32_t)c->a[2], (int32_t)c->a[3]);
}

const struct sys_entry sys_pipe_calls[] = {
    { NR_pipe, sys_pipe },
    { NR_pipe2, sys_pipe2 },
    { NR_epoll_create, sys_epoll_create },
    { NR_epoll_create1, sys_epoll_create1 },
    { NR_epoll_ctl, sys_epoll_ctl },
    { NR_epoll_wait, sys_epoll_wait },
    { NR_epoll_pwait, sys_epoll_pwait },
    SYS_END,
};
