/*
 * heapbench_measure.c - timing the heap benchmark's replays. ops_per_s: a
 * whole replay timed as one, the median of -r runs, the allocators taking
 * turns so that drifts in the machine hit both. p50/p99/max: every call
 * timed on its own (rdtsc on x86, else CLOCK_MONOTONIC), less the timer's
 * own cost; each operation's time is the smallest over -l replays, which
 * removes interrupts and preemption but keeps the allocator's own worst
 * cases. Then one more replay samples the footprint.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "heapbench.h"

double ns_per_tick = 1.0;
uint32_t tick_overhead;

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Sorts n 32-bit values (least significant byte first); tmp holds n too. */
static void radix_sort(uint32_t *v, uint32_t *tmp, size_t n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = { 0 };
        for (size_t i = 0; i < n; i++)
            count[((v[i] >> shift) & 0xFF) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(v[i] >> shift) & 0xFF]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

static uint64_t to_ns(uint32_t ticks)
{
    uint32_t t = ticks > tick_overhead ? ticks - tick_overhead : 0;
    return (uint64_t)(t * ns_per_tick + 0.5);
}

/* Nearest-rank percentiles of lat[from, to), in ns; os[i]: op i made a
 * system call (the heap grew or shrank, malloc moved the break). */
static struct pct percentiles(const uint32_t *lat, const uint8_t *os, size_t from, size_t to)
{
    struct pct p = { 0, 0, 0, 0, 0, 0, 0, 0 };
    size_t n = to - from;
    if (!n)
        return p;
    p.argmax = from;
    uint32_t quiet_max = 0;
    p.argmax_no_os = from;
    for (size_t i = from; i < to; i++) {
        if (lat[i] > lat[p.argmax])
            p.argmax = i;
        if (os && os[i])
            p.os_ops++;
        else if (lat[i] > quiet_max) {
            quiet_max = lat[i];
            p.argmax_no_os = i;
        }
    }
    p.max_no_os = to_ns(quiet_max);
    uint32_t *v = map_mem(2 * n * sizeof *v, false);
    memcpy(v, lat + from, n * sizeof *v);
    radix_sort(v, v + n, n);
    p.p50 = to_ns(v[(n * 50 + 99) / 100 - 1]);
    p.p99 = to_ns(v[(n * 99 + 99) / 100 - 1]);
    p.p999 = to_ns(v[(n * 999 + 999) / 1000 - 1]);
    p.max = to_ns(v[n - 1]);
    unmap_mem(v, 2 * n * sizeof *v);
    return p;
}

/* How long a tick is, and how many an empty measurement takes. */
void calibrate(void)
{
#if defined(__x86_64__) || defined(__i386__)
    double t0 = now_s();
    uint64_t c0 = tick();
    while (now_s() - t0 < 0.2)
        ;
    uint64_t c1 = tick();
    double t1 = now_s();
    ns_per_tick = (t1 - t0) * 1e9 / (double)(c1 - c0);
#endif
    /* The cost of the measurement itself: the median of many empty ones. */
    enum { N = 20001 };
    uint32_t *v = map_mem(2 * N * sizeof *v, false);
    for (int i = 0; i < N; i++) {
        uint64_t a = tick();
        uint64_t b = tick();
        v[i] = (uint32_t)(b - a);
    }
    radix_sort(v, v + N, N);
    tick_overhead = v[N / 2];
    unmap_mem(v, 2 * N * sizeof *v);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Everything about one trace and both allocators. */
void measure(const struct trace *t, struct measured m[A_COUNT], struct result *res,
             bool throughput)
{
    double rate[A_COUNT][64];
    memset(m, 0, A_COUNT * sizeof *m);
    for (int a = 0; a < A_COUNT; a++)
        m[a].ok = true;
    /* Throughput: alternate the allocators, so drifts in the machine hit both. */
    for (int rep = 0; throughput && rep < opt.reps; rep++)
        for (int a = 0; a < A_COUNT; a++) {
            if (!m[a].ok)
                continue;
            m[a].ok = run_replay(t, a, M_THROUGHPUT, res, NULL, NULL, NULL);
            rate[a][rep] = res->seconds > 0 ? (double)t->n / res->seconds : 0;
            m[a].failed = res->failed;
        }
    size_t lat_bytes = t->n * sizeof(uint32_t);
    uint32_t *lat_min = map_mem(lat_bytes, true), *lat_first = map_mem(lat_bytes, true);
    uint8_t *os = map_mem(t->n, true);
    for (int a = 0; a < A_COUNT; a++) {
        if (!m[a].ok)
            continue;
        if (throughput) {
            qsort(rate[a], (size_t)opt.reps, sizeof rate[a][0], cmp_double);
            m[a].ops_per_s = rate[a][opt.reps / 2];
        }
        memset(lat_min, 0xFF, lat_bytes);
        memset(os, 0, t->n);
        for (int rep = 0; m[a].ok && rep < opt.lat_reps; rep++) {
            m[a].ok = run_replay(t, a, M_LATENCY, res, lat_min, rep == 0 ? lat_first : NULL,
                                 os);
            if (a == A_MEMATLAS) {
                m[a].footprint = res->footprint;
                m[a].heap_errors = res->heap_errors;
                m[a].grows = res->grows;
                m[a].shrinks = res->shrinks;
            }
            m[a].failed = res->failed;
        }
        if (!m[a].ok)
            continue;
        m[a].lat = percentiles(lat_min, os, t->lat_from, t->lat_to);
        m[a].raw = percentiles(lat_first, os, t->lat_from, t->lat_to);
        if (throughput) {
            m[a].ok = run_replay(t, a, M_FOOTPRINT, res, NULL, NULL, NULL);
            m[a].footprint = res->footprint;
            m[a].at_peak = res->at_peak;
            m[a].live_at_peak = res->live_at_peak;
        }
    }
    unmap_mem(lat_min, lat_bytes);
    unmap_mem(lat_first, lat_bytes);
    unmap_mem(os, t->n);
}
