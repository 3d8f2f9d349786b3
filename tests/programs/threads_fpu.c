/*
 * threads_fpu.c - each thread's floating-point state is its own and
 * survives preemption. Three threads compute, over and over, results that
 * depend on every bit of their state: one with x87 long doubles rounding
 * toward zero, one with SSE doubles rounding up (and flushing denormals to
 * zero, an MXCSR bit), the main thread with x87 and SSE at the defaults.
 * Each compares every round with its first, and keeps going until it has
 * seen the others make progress in between many times: on one CPU that
 * means they were switched while it was in the middle of its loop.
 */
#include <fenv.h>
#include <pthread.h>
#include <string.h>
#include <xmmintrin.h>

#include "threads_common.h"

#define TERMS       300
#define ROUNDS_MIN  200
#define SEEN_MIN    50
#define WORKERS     3

static volatile unsigned progress[WORKERS];
static volatile int satisfied[WORKERS];

/* Sums that keep partial results in x87 registers across the loop. */
static long double x87_series(void)
{
    long double sum = 0, sign = 1;
    for (int k = 1; k <= TERMS; k++) {
        sum += sign / ((long double)k * k);
        sign = -sign;
    }
    return sum * 1.0000001L;
}

/* The same in SSE doubles (this file is built with -msse2 -mfpmath=sse),
 * with a denormal that flush-to-zero changes. */
static double sse_series(void)
{
    volatile double tiny = 1e-310;
    double sum = tiny * 0.5;
    for (int k = 1; k <= TERMS; k++)
        sum += 1.0 / ((double)k * 3.0 + 0.1);
    return sum;
}

static int others_moved(int me, unsigned *last)
{
    int moved = 0;
    for (int i = 0; i < WORKERS; i++)
        if (i != me && progress[i] != last[i]) {
            last[i] = progress[i];
            moved = 1;
        }
    return moved;
}

static int all_satisfied(void)
{
    for (int i = 0; i < WORKERS; i++)
        if (!satisfied[i])
            return 0;
    return 1;
}

/* Loops until it has seen the others move SEEN_MIN times and they have
 * too; returns how many rounds differed from the first. */
static int run(int me, int mode, int ftz)
{
    CHECK(fesetround(mode) == 0);
    if (ftz)
        _mm_setcsr(_mm_getcsr() | 0x8000);
    long double x0 = x87_series();
    double s0 = sse_series();
    unsigned last[WORKERS] = { 0 };
    int seen = 0, bad = 0;
    for (int round = 0; round < ROUNDS_MIN || !all_satisfied(); round++) {
        long double x = x87_series();
        double s = sse_series();
        if (memcmp(&x, &x0, 10) != 0 || memcmp(&s, &s0, sizeof s) != 0 || fegetround() != mode)
            bad++;
        if (ftz && !(_mm_getcsr() & 0x8000))
            bad++;
        progress[me]++;
        seen += others_moved(me, last);
        if (seen >= SEEN_MIN)
            satisfied[me] = 1;
    }
    return bad;
}

struct worker {
    int me, mode, ftz, bad;
    long double x;
    double s;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    w->bad = run(w->me, w->mode, w->ftz);
    w->x = x87_series();
    w->s = sse_series();
    return 0;
}

static void *report_mode(void *arg)
{
    int *mode = arg;
    *mode = fegetround();
    return 0;
}

/* A new thread starts with its creator's state as it was (Linux copies it). */
static void inherited(void)
{
    pthread_t t;
    int mode = -1;
    CHECK(fesetround(FE_DOWNWARD) == 0);
    CHECK(pthread_create(&t, 0, report_mode, &mode) == 0);
    CHECK(fesetround(FE_TONEAREST) == 0);
    CHECK(pthread_join(t, 0) == 0);
    printf("a new thread's rounding mode is its creator's (downward): %s\n",
           mode == FE_DOWNWARD ? "yes" : "no");
}

int main(void)
{
    inherited();
    struct worker w[WORKERS] = {
        { 0, FE_TONEAREST, 0, 0, 0, 0 },
        { 1, FE_TOWARDZERO, 0, 0, 0, 0 },
        { 2, FE_UPWARD, 1, 0, 0, 0 },
    };
    pthread_t t[WORKERS];
    for (int i = 1; i < WORKERS; i++)
        CHECK(pthread_create(&t[i], 0, work, &w[i]) == 0);
    work(&w[0]);
    for (int i = 1; i < WORKERS; i++)
        CHECK(pthread_join(t[i], 0) == 0);
    static const char *const names[] = { "nearest", "toward zero", "upward+ftz" };
    for (int i = 0; i < WORKERS; i++)
        printf("%s: rounds that differed from the first: %d\n", names[i], w[i].bad);
    /* The modes must matter, or the test could not see them mixed up. */
    printf("x87 results differ between nearest and toward zero: %s\n",
           memcmp(&w[0].x, &w[1].x, 10) ? "yes" : "no");
    printf("SSE results differ between nearest and upward+ftz: %s\n",
           memcmp(&w[0].s, &w[2].s, sizeof(double)) ? "yes" : "no");
    printf("~x87 %.21Lg %.21Lg  sse %.17g %.17g\n", w[0].x, w[1].x, w[0].s, w[2].s);
    return 0;
}
