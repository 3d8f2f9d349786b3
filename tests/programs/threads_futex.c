/*
 * threads_futex.c - the futex operations one by one, with their errors and
 * timeouts, and the sleeps: every result is printed by name. Times are
 * only checked from below (at least the timeout passed), never from above.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>

#include "threads_common.h"

#define MS          1000000ull
#define TIMEOUT_MS  50

static volatile uint32_t word, other;
static volatile int woken_count;
static const uint32_t read_only_word = 1;

struct ts64 {
    int64_t sec, nsec;
};

static void report(const char *what, long r)
{
    printf("%s: %s\n", what, errname(r));
}

static void timeouts(void)
{
    struct timespec rel = { 0, TIMEOUT_MS * MS };
    uint64_t t0 = now_ns();
    long r = futex_raw(&word, FUTEX_WAIT_PRIVATE, 0, &rel, 0, 0);
    uint64_t waited = now_ns() - t0;
    report("wait 50 ms", r);
    printf("wait 50 ms: at least 50 ms passed: %s\n", waited >= TIMEOUT_MS * MS ? "yes" : "no");
    printf("~wait 50 ms took %llu us\n", (unsigned long long)(waited / 1000));

    t0 = now_ns();
    struct ts64 rel64 = { 0, TIMEOUT_MS * MS };
    r = syscall(SYS_futex_time64, &word, FUTEX_WAIT, 0, &rel64, 0, 0);
    waited = now_ns() - t0;
    report("futex_time64 wait 50 ms", r == -1 ? -errno : r);
    printf("futex_time64 wait 50 ms: at least 50 ms passed: %s\n",
           waited >= TIMEOUT_MS * MS ? "yes" : "no");

    /* WAIT_BITSET's timeout is absolute, on the monotonic clock. */
    t0 = now_ns();
    uint64_t until = t0 + TIMEOUT_MS * MS;
    struct timespec abs = { (time_t)(until / 1000000000u), (long)(until % 1000000000u) };
    r = futex_raw(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, 0, FUTEX_BITSET_MATCH_ANY);
    uint64_t after = now_ns();
    report("wait_bitset until now+50 ms", r);
    printf("wait_bitset until now+50 ms: the clock reached it: %s\n", after >= until ? "yes" : "no");
    struct timespec past = { 0, 1 };
    report("wait_bitset until a past time", futex_raw(&word, FUTEX_WAIT_BITSET, 0, &past, 0, ~0u));
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    rt.tv_nsec += 20 * MS;
    if (rt.tv_nsec >= 1000000000) {
        rt.tv_nsec -= 1000000000;
        rt.tv_sec++;
    }
    report("wait_bitset on the real-time clock",
           futex_raw(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &rt, 0, ~0u));
}

static void errors(void)
{
    struct timespec bad_ns = { 0, 1000000000 }, negative = { -1, 0 };
    report("wait, word differs", futex_raw(&word, FUTEX_WAIT, 1, 0, 0, 0));
    report("wait, unaligned", futex_raw((uint32_t *)((char *)&word + 1), FUTEX_WAIT, 0, 0, 0, 0));
    report("wait, null", futex_raw(0, FUTEX_WAIT, 0, 0, 0, 0));
    report("wait, kernel address", futex_raw((uint32_t *)0xC0001000, FUTEX_WAIT, 0, 0, 0, 0));
    report("wait, nsec too big", futex_raw(&word, FUTEX_WAIT, 0, &bad_ns, 0, 0));
    report("wait, negative timeout", futex_raw(&word, FUTEX_WAIT, 0, &negative, 0, 0));
    report("wait, bad timeout pointer", futex_raw(&word, FUTEX_WAIT, 0, (void *)16, 0, 0));
    report("wait_bitset, bitset 0", futex_raw(&word, FUTEX_WAIT_BITSET, 0, 0, 0, 0));
    report("wake_bitset, bitset 0", futex_raw(&word, FUTEX_WAKE_BITSET, 1, 0, 0, 0));
    report("wait with FUTEX_CLOCK_REALTIME", futex_raw(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME,
                                                       1, 0, 0, 0));
    report("wake with FUTEX_CLOCK_REALTIME", futex_raw(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME,
                                                       1, 0, 0, 0));
    report("wake, nobody waits", futex_raw(&word, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0));
    report("wake, unaligned", futex_raw((uint32_t *)((char *)&word + 2), FUTEX_WAKE, 1, 0, 0, 0));
    report("shared wake, null", futex_raw(0, FUTEX_WAKE, 1, 0, 0, 0));
    report("cmp_requeue, word differs",
           futex_raw(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &other, 5));
    report("requeue, negative count",
           futex_raw(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)-1, &other, 0));
    report("unknown operation", futex_raw(&word, 99, 0, 0, 0, 0));
    report("futex_fd (gone from Linux)", futex_raw(&word, 2, 0, 0, 0, 0));
    report("wake_op on read-only memory",
           futex_raw(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, (uint32_t *)&read_only_word, 0));
}

/* Threads that wait on a word until woken, counting themselves out. */
struct sleeper {
    volatile uint32_t *on;
    uint32_t val;                       /* what it expects the word to hold */
    int op;
    uint32_t bitset;
    long result;
};

static void *sleep_on(void *arg)
{
    struct sleeper *s = arg;
    s->result = futex_raw(s->on, s->op, s->val, 0, 0, s->bitset);
    __atomic_add_fetch(&woken_count, 1, __ATOMIC_SEQ_CST);
    return 0;
}

/* Wakes (n at a time) until `want` threads were woken: a waiter may not
 * sleep yet when the first wake comes, so it is retried after a yield. */
static int wake_until(volatile uint32_t *w, int op, int n, uint32_t bitset, int want)
{
    int got = 0;
    for (int tries = 0; got < want && tries < 100000; tries++) {
        long r = futex_raw(w, op, n, 0, 0, bitset);
        CHECK(r >= 0);
        got += (int)r;
        if (got < want)
            sched_yield();
    }
    return got;
}

static void start(pthread_t *t, struct sleeper *s, volatile uint32_t *on, int op, uint32_t bitset)
{
    memset(s, 0, sizeof *s);
    s->on = on;
    s->val = *on;
    s->op = op;
    s->bitset = bitset;
    s->result = 1;
    CHECK(pthread_create(t, 0, sleep_on, s) == 0);
}

static void wakes(void)
{
    pthread_t t[3];
    struct sleeper s[3];
    word = other = 0;
    start(&t[0], &s[0], &word, FUTEX_WAIT_PRIVATE, 0);
    printf("wake one waiter: woke %d\n", wake_until(&word, FUTEX_WAKE_PRIVATE, 1, 0, 1));
    pthread_join(t[0], 0);
    report("its wait returned", s[0].result);

    /* Private and shared futexes never meet, even on one word (Linux). */
    start(&t[0], &s[0], &word, FUTEX_WAIT_PRIVATE, 0);
    struct timespec ms100 = { 0, 100 * MS };
    nanosleep(&ms100, 0);
    report("shared wake of a private waiter", futex_raw(&word, FUTEX_WAKE, 1, 0, 0, 0));
    printf("then a private wake: woke %d\n", wake_until(&word, FUTEX_WAKE_PRIVATE, 1, 0, 1));
    pthread_join(t[0], 0);

    /* Bitsets: a wake with bit 1 passes over a waiter on bit 0. */
    start(&t[0], &s[0], &word, FUTEX_WAIT_BITSET_PRIVATE, 1);
    start(&t[1], &s[1], &word, FUTEX_WAIT_BITSET_PRIVATE, 2);
    printf("wake_bitset 2: woke %d\n", wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 5, 2, 1));
    pthread_join(t[1], 0);
    printf("wake_bitset 2: the bitset-1 waiter still sleeps: %s\n", s[0].result == 1 ? "yes" : "no");
    printf("wake_bitset 1: woke %d\n", wake_until(&word, FUTEX_WAKE_BITSET_PRIVATE, 5, 1, 1));
    pthread_join(t[0], 0);

    /* CMP_REQUEUE: three wait on word; one is woken, one moved to other. */
    int before = woken_count;
    for (int i = 0; i < 3; i++)
        start(&t[i], &s[i], &word, FUTEX_WAIT_PRIVATE, 0);
    /* Nothing tells how many sleep: give them time (the count checks it). */
    nanosleep(&ms100, 0);
    long r = futex_raw(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &other, 0);
    printf("cmp_requeue wake 1 move 1: %ld\n", r);
    printf("then wake on other: woke %d\n", wake_until(&other, FUTEX_WAKE_PRIVATE, 5, 0, 1));
    printf("then wake on word: woke %d\n", wake_until(&word, FUTEX_WAKE_PRIVATE, 5, 0, 1));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], 0);
    printf("requeue: all three back: %s\n", woken_count == before + 3 ? "yes" : "no");
}

static void wake_op(void)
{
    pthread_t t[2];
    struct sleeper s[2];
    word = 0;
    other = 5;
    start(&t[0], &s[0], &word, FUTEX_WAIT_PRIVATE, 0);
    start(&t[1], &s[1], &other, FUTEX_WAIT_PRIVATE, 0);
    struct timespec ms100 = { 0, 100 * MS };
    nanosleep(&ms100, 0);
    /* other += 1; wake one on word; and one on other when old other == 5. */
    long r = futex_raw(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &other,
                       FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 5));
    printf("wake_op add 1, cmp eq 5: %ld, other=%u\n", r, other);
    if (r < 2)                          /* a waiter was late: wake the rest */
        wake_until(&other, FUTEX_WAKE_PRIVATE, 1, 0, 1);
    if (r < 1)
        wake_until(&word, FUTEX_WAKE_PRIVATE, 1, 0, 1);
    pthread_join(t[0], 0);
    pthread_join(t[1], 0);
    r = futex_raw(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &other,
                  FUTEX_OP((FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_GT, 100));
    printf("wake_op or 1<<4, cmp gt 100: %ld, other=%u\n", r, other);
    r = futex_raw(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &other, 7u << 28);
    printf("wake_op with an unknown op: %s, other=%u\n", errname(r), other);
}

static void sleeps(void)
{
    struct timespec rel = { 0, TIMEOUT_MS * MS }, rem = { 9, 9 };
    uint64_t t0 = now_ns();
    report("nanosleep 50 ms", nanosleep(&rel, &rem) == 0 ? 0 : -errno);
    printf("nanosleep 50 ms: at least 50 ms passed: %s\n",
           now_ns() - t0 >= TIMEOUT_MS * MS ? "yes" : "no");
    t0 = now_ns();
    uint64_t until = t0 + TIMEOUT_MS * MS;
    struct timespec abs = { (time_t)(until / 1000000000u), (long)(until % 1000000000u) };
    printf("clock_nanosleep absolute: %s\n",
           errname(-clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, 0)));
    printf("clock_nanosleep absolute: the clock reached it: %s\n", now_ns() >= until ? "yes" : "no");
    t0 = now_ns();
    struct ts64 rel64 = { 0, TIMEOUT_MS * MS };
    long r = syscall(SYS_clock_nanosleep_time64, CLOCK_MONOTONIC, 0, &rel64, 0);
    printf("clock_nanosleep_time64 50 ms: %s, at least 50 ms passed: %s\n",
           errname(r == -1 ? -errno : r), now_ns() - t0 >= TIMEOUT_MS * MS ? "yes" : "no");
    struct timespec zero = { 0, 0 }, bad = { 0, -1 };
    report("nanosleep 0", nanosleep(&zero, 0) == 0 ? 0 : -errno);
    report("nanosleep, bad nsec", nanosleep(&bad, 0) == 0 ? 0 : -errno);
    report("nanosleep, bad pointer", syscall(SYS_nanosleep, (void *)16, 0) == 0 ? 0 : -errno);
    report("clock_nanosleep, thread cpu clock",
           -clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, 0));
    report("clock_nanosleep, clock 99", -clock_nanosleep(99, 0, &rel, 0));
    report("clock_nanosleep, coarse clock", -clock_nanosleep(CLOCK_MONOTONIC_COARSE, 0, &rel, 0));
}

int main(void)
{
    setvbuf(stdout, 0, _IOLBF, 0);
    timeouts();
    errors();
    wakes();
    wake_op();
    sleeps();
    return 0;
}
