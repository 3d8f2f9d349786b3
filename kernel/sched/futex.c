/*
 * futex.c - futex(2) and futex_time64(2) (futex.h): the waiters, kept in
 * buckets by the word's offset in its page (the same in every address
 * space that maps the word), each on its thread's kernel stack for as long
 * as it waits; and the operations glibc and Go use. The PI operations and
 * FUTEX_FD are not here (-ENOSYS).
 */
#include "sched/futex.h"

#include "arch/irq.h"
#include "lib/string.h"
#include "memlayout.h"
#include "mm/paging.h"
#include "sched/syscall.h"
#include "sched/uclock.h"

#define BUCKETS             64
#define FUTEX_OP_SET        0
#define FUTEX_OP_ADD        1
#define FUTEX_OP_OR         2
#define FUTEX_OP_ANDN       3
#define FUTEX_OP_XOR        4
#define FUTEX_OP_ARG_SHIFT  0x80000000u     /* the argument is a shift count */
#define FUTEX_OP_CMP_EQ     0
#define FUTEX_OP_CMP_NE     1
#define FUTEX_OP_CMP_LT     2
#define FUTEX_OP_CMP_LE     3
#define FUTEX_OP_CMP_GT     4
#define FUTEX_OP_CMP_GE     5

struct futex_key {
    struct proc *p;
    uint32_t addr;
    uint32_t phys;              /* the word's physical address: shared keys only */
    bool shared;
};

struct waiter {
    struct futex_key key;
    uint32_t bitset;
    struct task *task;
    volatile bool woken;        /* set by whoever takes it off its bucket */
    struct waiter *next;
};

static struct waiter *buckets[BUCKETS];

static struct waiter **bucket(uint32_t addr)
{
    return &buckets[(addr >> 2) % BUCKETS];   /* bits within the page */
}

/* Interrupts off: the key of the word at uaddr. A shared key needs the
 * word's frame, so its page is backed (and must be readable). */
static int32_t make_key(struct proc *p, uint32_t uaddr, bool shared, struct futex_key *k)
{
    if (uaddr & 3)
        return -LINUX_EINVAL;
    *k = (struct futex_key){ p, uaddr, 0, shared };
    if (uaddr >= USER_SPACE_END)
        return -LINUX_EFAULT;
    if (!shared)
        return 0;
    uint32_t word, pa;
    if (!uspace_copy_in(&p->us, &word, uaddr, sizeof word) || !paging_translate(uaddr, &pa, 0))
        return -LINUX_EFAULT;
    k->phys = pa;
    return 0;
}

/* Private keys name an address of one process, shared ones a physical
 * word; the two kinds never match. */
static bool same_word(const struct futex_key *a, const struct futex_key *b)
{
    if (a->shared != b->shared)
        return false;
    return a->shared ? a->phys == b->phys : a->p == b->p && a->addr == b->addr;
}

/* At the end of its key's bucket: the first to wait is the first woken. */
static void append(struct waiter *w)
{
    struct waiter **pp = bucket(w->key.addr);
    while (*pp)
        pp = &(*pp)->next;
    w->next = 0;
    *pp = w;
}

static void unlink_waiter(struct waiter *w)
{
    for (struct waiter **pp = bucket(w->key.addr); *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            w->next = 0;
            return;
        }
}

/* w is off its bucket already. */
static void release(struct waiter *w)
{
    w->next = 0;
    w->woken = true;
    task_interrupt(w->task);
}

/* Linux's count: the check comes after a wake, so n <= 0 wakes one. */
static int32_t wake_key(const struct futex_key *k, int32_t n, uint32_t bitset)
{
    int32_t woken = 0;
    struct waiter **pp = bucket(k->addr);
    while (*pp) {
        struct waiter *w = *pp;
        if (!same_word(&w->key, k) || !(w->bitset & bitset)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        release(w);
        if (++woken >= n)
            break;
    }
    return woken;
}

int32_t futex_wait(struct uthread *ut, uint32_t uaddr, bool shared, uint32_t val,
                   uint32_t bitset, uint32_t clock, uint64_t deadline)
{
    if (!bitset)
        return -LINUX_EINVAL;
    struct waiter w;
    memset(&w, 0, sizeof w);
    w.bitset = bitset;
    w.task = ut->task;
    uint32_t flags = irq_save();
    uint32_t word;
    int32_t r = make_key(ut->p, uaddr, shared, &w.key);
    if (r == 0 && !uspace_copy_in(&ut->p->us, &word, uaddr, sizeof word))
        r = -LINUX_EFAULT;
    else if (r == 0 && word != val)
        r = -LINUX_EAGAIN;
    if (r == 0) {
        append(&w);
        r = uclock_wait(&w.woken, clock, deadline);
        if (w.woken)
            r = 0;                      /* a wake beats a timeout at the same moment */
        else
            unlink_waiter(&w);
    }
    irq_restore(flags);
    return r;
}

int32_t futex_wake(struct proc *p, uint32_t uaddr, bool shared, int32_t n, uint32_t bitset)
{
    if (!bitset)
        return -LINUX_EINVAL;
    uint32_t flags = irq_save();
    struct futex_key k;
    int32_t r = make_key(p, uaddr, shared, &k);
    if (r == 0)
        r = wake_key(&k, n, bitset);
    irq_restore(flags);
    return r;
}

/* Wakes nwake waiters of k1 and moves up to nmove more to k2, in order;
 * Linux stops as soon as enough have been moved. */
static int32_t move_waiters(const struct futex_key *k1, const struct futex_key *k2,
                            int32_t nwake, int32_t nmove)
{
    int32_t count = 0;
    struct waiter *moved = 0, **tail = &moved;
    struct waiter **pp = bucket(k1->addr);
    while (*pp && count - nwake < nmove) {
        struct waiter *w = *pp;
        if (!same_word(&w->key, k1)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        if (++count <= nwake) {
            release(w);
            continue;
        }
        w->key = *k2;
        w->next = 0;
        *tail = w;
        tail = &w->next;
    }
    struct waiter **end = bucket(k2->addr);
    while (*end)
        end = &(*end)->next;
    *end = moved;
    return count;
}

int32_t futex_requeue(struct proc *p, uint32_t uaddr, uint32_t uaddr2, bool shared,
                      int32_t nwake, int32_t nmove, bool cmp, uint32_t val3)
{
    if (nwake < 0 || nmove < 0)
        return -LINUX_EINVAL;
    uint32_t flags = irq_save();
    struct futex_key k1, k2;
    uint32_t word;
    int32_t r = make_key(p, uaddr, shared, &k1);
    if (r == 0)
        r = make_key(p, uaddr2, shared, &k2);
    if (r == 0 && cmp && !uspace_copy_in(&p->us, &word, uaddr, sizeof word))
        r = -LINUX_EFAULT;
    else if (r == 0 && cmp && word != val3)
        r = -LINUX_EAGAIN;
    if (r == 0)
        r = move_waiters(&k1, &k2, nwake, nmove);
    irq_restore(flags);
    return r;
}

static int32_t sign_extend12(uint32_t v)
{
    return (int32_t)(v << 20) >> 20;
}

/* FUTEX_WAKE_OP's change of *uaddr (interrupts off), then its comparison
 * of the old value: 1 or 0, or -errno. As on Linux, an unknown comparison
 * is found only after the change is made. */
static int32_t apply_op(struct proc *p, uint32_t uaddr, uint32_t encoded)
{
    uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    uint32_t arg = (uint32_t)sign_extend12((encoded >> 12) & 0xFFF);
    int32_t cmparg = sign_extend12(encoded & 0xFFF);
    if (encoded & FUTEX_OP_ARG_SHIFT)
        arg = 1u << (arg & 31);         /* Linux keeps a bad shift to 0..31 too */
    uint32_t old, now;
    if (!uspace_copy_in(&p->us, &old, uaddr, sizeof old))
        return -LINUX_EFAULT;
    switch (op) {
    case FUTEX_OP_SET:  now = arg; break;
    case FUTEX_OP_ADD:  now = old + arg; break;
    case FUTEX_OP_OR:   now = old | arg; break;
    case FUTEX_OP_ANDN: now = old & ~arg; break;
    case FUTEX_OP_XOR:  now = old ^ arg; break;
    default:            return -LINUX_ENOSYS;
    }
    if (!uspace_copy_out(&p->us, uaddr, &now, sizeof now))
        return -LINUX_EFAULT;
    int32_t o = (int32_t)old;
    switch (cmp) {
    case FUTEX_OP_CMP_EQ:   return o == cmparg;
    case FUTEX_OP_CMP_NE:   return o != cmparg;
    case FUTEX_OP_CMP_LT:   return o < cmparg;
    case FUTEX_OP_CMP_LE:   return o <= cmparg;
    case FUTEX_OP_CMP_GT:   return o > cmparg;
    case FUTEX_OP_CMP_GE:   return o >= cmparg;
    default:                return -LINUX_ENOSYS;
    }
}

int32_t futex_wake_op(struct proc *p, uint32_t uaddr, uint32_t uaddr2, bool shared,
                      int32_t nwake, int32_t nwake2, uint32_t op)
{
    uint32_t flags = irq_save();
    struct futex_key k1, k2;
    int32_t r = make_key(p, uaddr, shared, &k1);
    if (r == 0)
        r = make_key(p, uaddr2, shared, &k2);
    if (r == 0)
        r = apply_op(p, uaddr2, op);
    if (r >= 0) {
        bool second = r > 0;
        r = wake_key(&k1, nwake, FUTEX_BITSET_ANY);
        if (second)
            r += wake_key(&k2, nwake2, FUTEX_BITSET_ANY);
    }
    irq_restore(flags);
    return r;
}

/* ---- the system calls ------------------------------------------------------------------- */

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3). A WAIT's timeout is
 * relative, on the monotonic clock; a WAIT_BITSET's an absolute time on the
 * monotonic clock, or the real-time one with FUTEX_CLOCK_REALTIME. */
static int32_t do_futex(struct sysc *c, bool time64)
{
    uint32_t uaddr = c->a[0], op = c->a[1], val = c->a[2], utime = c->a[3];
    uint32_t uaddr2 = c->a[4], val3 = c->a[5];
    uint32_t cmd = op & LINUX_FUTEX_CMD_MASK;
    bool shared = !(op & LINUX_FUTEX_PRIVATE_FLAG);
    uint32_t clock = (op & LINUX_FUTEX_CLOCK_REALTIME) ? LINUX_CLOCK_REALTIME
                                                        : LINUX_CLOCK_MONOTONIC;
    uint64_t deadline = UCLOCK_FOREVER;
    if ((cmd == LINUX_FUTEX_WAIT || cmd == LINUX_FUTEX_WAIT_BITSET) && utime) {
        uint64_t t;
        int32_t r = uclock_read_timespec(c, utime, time64, &t);
        if (r != 0)
            return r;
        deadline = cmd == LINUX_FUTEX_WAIT ? uclock_deadline_after(LINUX_CLOCK_MONOTONIC, t) : t;
    }
    if ((op & LINUX_FUTEX_CLOCK_REALTIME) && cmd != LINUX_FUTEX_WAIT_BITSET)
        return -LINUX_ENOSYS;           /* Linux allows it for no other operation we have */
    switch (cmd) {
    case LINUX_FUTEX_WAIT:
        return futex_wait(c->ut, uaddr, shared, val, FUTEX_BITSET_ANY, LINUX_CLOCK_MONOTONIC,
                          deadline);
    case LINUX_FUTEX_WAIT_BITSET:
        return futex_wait(c->ut, uaddr, shared, val, val3, clock, deadline);
    case LINUX_FUTEX_WAKE:
        return futex_wake(c->p, uaddr, shared, (int32_t)val, FUTEX_BITSET_ANY);
    case LINUX_FUTEX_WAKE_BITSET:
        return futex_wake(c->p, uaddr, shared, (int32_t)val, val3);
    case LINUX_FUTEX_REQUEUE:
    case LINUX_FUTEX_CMP_REQUEUE:
        return futex_requeue(c->p, uaddr, uaddr2, shared, (int32_t)val, (int32_t)utime,
                             cmd == LINUX_FUTEX_CMP_REQUEUE, val3);
    case LINUX_FUTEX_WAKE_OP:
        return futex_wake_op(c->p, uaddr, uaddr2, shared, (int32_t)val, (int32_t)utime, val3);
    default:
        return -LINUX_ENOSYS;
    }
}

static int32_t sys_futex(struct sysc *c)
{
    return do_futex(c, false);
}

static int32_t sys_futex_time64(struct sysc *c)
{
    return do_futex(c, true);
}

const struct sys_entry sys_futex_calls[] = {
    { NR_futex, sys_futex },
    { NR_futex_time64, sys_futex_time64 },
    SYS_END,
};
