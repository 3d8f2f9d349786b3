/*
 * heapbench_scaling.c - the heap benchmark's scaling section: per-operation
 * latency while churning (free a random block, allocate 16 B..1 KiB in its
 * place) at a fixed live count of 10 .. 100,000 blocks, one line per count
 * and allocator, then how much worse the largest count is than the smallest.
 * The churn is generated from a fixed seed per count, so every run replays
 * the same operations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "heapbench.h"

/* A splitmix64 generator, seeded per live count. */
static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t rng_below(uint32_t n)
{
    return (uint32_t)(((rng() >> 32) * n) >> 32);
}

static uint32_t scale_size(void)
{
    /* 16 B .. 1 KiB, about log-uniform: each power of two as likely */
    unsigned shift = 4 + rng_below(6);
    uint32_t lo = 1u << shift;
    return lo + rng_below(lo);
}

/*
 * N allocations, then churn: free a random live block, allocate a new one
 * in its place (so N-1 .. N are live). The first max(N, 20000) churn
 * operations warm up (fragmentation reaches its steady state); the next
 * opt.scale_ops are reported; then everything is freed.
 */
static void make_scaling_trace(struct trace *t, uint32_t live)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "scaling-%u", live);
    size_t warm = live > 20000 ? live : 20000;
    size_t churn = (size_t)opt.scale_ops;
    t->n = live + 2 * ((warm + churn + 1) / 2) + live;
    t->ops_bytes = t->n * sizeof *t->ops;
    t->ops = map_mem(t->ops_bytes, false);
    t->nslots = live;
    rng_state = 0x5CA1E000u + live;
    size_t n = 0;
    for (uint32_t s = 0; s < live; s++)
        t->ops[n++] = (struct op){ s, scale_size(), K_ALLOC };
    size_t churn_start = n;
    while (n < t->n - live) {
        if (n - churn_start == warm)
            t->lat_from = n;
        uint32_t s = rng_below(live);
        t->ops[n++] = (struct op){ s, 0, K_FREE };
        t->ops[n++] = (struct op){ s, scale_size(), K_ALLOC };
    }
    t->lat_to = n;
    for (uint32_t s = 0; s < live; s++)
        t->ops[n++] = (struct op){ s, 0, K_FREE };
    t->n = n;
}

void bench_scaling(struct result *res)
{
    static const uint32_t counts[] = { 10, 100, 1000, 10000, 100000 };
    enum { NC = sizeof counts / sizeof counts[0] };
    struct measured m[NC][A_COUNT];
    printf("# scaling: per-operation latency while churning (free a random block, "
           "allocate 16 B..1 KiB) at a fixed live count; %ld operations measured per row\n",
           opt.scale_ops);
    for (int c = 0; c < NC; c++) {
        struct trace t;
        make_scaling_trace(&t, counts[c]);
        measure(&t, m[c], res, false);
        for (int a = 0; a < A_COUNT; a++) {
            if (!m[c][a].ok)
                continue;
            printf("heapbench scaling live=%u allocator=%s ops=%zu p50_ns=%" PRIu64
                   " p99_ns=%" PRIu64 " p99.9_ns=%" PRIu64 " max_ns=%" PRIu64
                   " max_no_syscall_ns=%" PRIu64 " syscall_ops=%zu raw_p99_ns=%" PRIu64
                   " raw_max_ns=%" PRIu64 " slowest=%s\n",
                   counts[c], alloc_name[a], t.lat_to - t.lat_from, m[c][a].lat.p50,
                   m[c][a].lat.p99, m[c][a].lat.p999, m[c][a].lat.max,
                   m[c][a].lat.max_no_os, m[c][a].lat.os_ops, m[c][a].raw.p99,
                   m[c][a].raw.max, t.ops[m[c][a].lat.argmax].kind == K_FREE ? "free" : "alloc");
        }
        fflush(stdout);
        unmap_trace(&t);
    }
    for (int a = 0; a < A_COUNT; a++) {
        if (!m[0][a].ok || !m[NC - 1][a].ok)
            continue;
        uint64_t lo99 = m[0][a].lat.p99, hi99 = m[NC - 1][a].lat.p99;
        uint64_t lomax = m[0][a].lat.max, himax = m[NC - 1][a].lat.max;
        uint64_t loq = m[0][a].lat.max_no_os, hiq = m[NC - 1][a].lat.max_no_os;
        printf("heapbench scaling allocator=%s p99_100k_over_10=%.2f max_100k_over_10=%.2f "
               "max_no_syscall_100k_over_10=%.2f\n",
               alloc_name[a], lo99 ? (double)hi99 / (double)lo99 : 0,
               lomax ? (double)himax / (double)lomax : 0, loq ? (double)hiq / (double)loq : 0);
    }
}
