/*
 * heapbench_report.c - the heap benchmark's lines for one trace: a comment
 * with what the trace holds, then for each allocator the measured line
 *
 *   heapbench trace=NAME allocator=mematlas|malloc ops=N ops_per_s=N p50_ns=N
 *       p99_ns=N max_ns=N peak_live=BYTES peak_footprint=BYTES failed=N
 *
 * (on one line) and comment lines with the details (the tail latencies, the
 * first replay's raw numbers, the slowest operations; for mematlas its
 * calls and what it held at its peak), then a line with the ratios.
 */
#include <inttypes.h>
#include <stdio.h>

#include "heapbench.h"

/* Allocator a's lines for trace t. */
static void print_allocator(const struct trace *t, const struct measured *m, int a)
{
    printf("heapbench trace=%s allocator=%s ops=%zu ops_per_s=%.0f p50_ns=%" PRIu64
           " p99_ns=%" PRIu64 " max_ns=%" PRIu64 " peak_live=%" PRIu64
           " peak_footprint=%" PRIu64 " failed=%" PRIu64 "\n",
           t->name, alloc_name[a], t->n, m->ops_per_s, m->lat.p50, m->lat.p99,
           m->lat.max, t->peak_live, m->footprint, m->failed);
    const struct op *q = &t->ops[m->lat.argmax_no_os];
    printf("#   %s: p99.9_ns=%" PRIu64 " max_no_syscall_ns=%" PRIu64 " (line %u: %c, "
           "%u bytes; %zu ops made system calls); first replay raw: p50_ns=%" PRIu64
           " p99_ns=%" PRIu64 " p99.9_ns=%" PRIu64 " max_ns=%" PRIu64,
           alloc_name[a], m->lat.p999, m->lat.max_no_os,
           t->line[m->lat.argmax_no_os], "afr"[q->kind], q->size, m->lat.os_ops,
           m->raw.p50, m->raw.p99, m->raw.p999, m->raw.max);
    const struct op *o = &t->ops[m->lat.argmax];
    printf("; slowest: line %u (%c, %u bytes)", t->line[m->lat.argmax],
           "afr"[o->kind], o->size);
    if (a == A_MEMATLAS)
        printf("; grows=%" PRIu64 " shrinks=%" PRIu64 " errors=%" PRIu64, m->grows,
               m->shrinks, m->heap_errors);
    printf("\n");
    if (a == A_MEMATLAS)
        printf("#   mematlas at its peak of %u bytes backed (of %u mapped): %" PRIu64
               " bytes asked for live, %u in %u used blocks (headers and rounding), %u "
               "free in %u blocks (largest %u)\n", m->at_peak.backed,
               m->at_peak.mapped, m->live_at_peak,
               m->at_peak.used, m->at_peak.used_blocks, m->at_peak.free,
               m->at_peak.free_blocks, m->at_peak.largest_free);
}

/* The ratios of mematlas to malloc, and whether they meet the targets. */
static void print_ratios(const struct trace *t, const struct measured m[A_COUNT])
{
    double ratio = m[A_MALLOC].ops_per_s > 0
                       ? m[A_MEMATLAS].ops_per_s / m[A_MALLOC].ops_per_s : 0;
    double fm = t->peak_live ? (double)m[A_MEMATLAS].footprint / (double)t->peak_live : 0;
    double fc = t->peak_live ? (double)m[A_MALLOC].footprint / (double)t->peak_live : 0;
    printf("heapbench trace=%s ratio_ops_per_s=%.2f footprint_ratio_mematlas=%.3f "
           "footprint_ratio_malloc=%.3f throughput_target=%s footprint_target=%s\n",
           t->name, ratio, fm, fc, ratio >= 1.0 ? "met" : "MISSED",
           fm <= 1.15 ? "met" : "MISSED");
}

void bench_trace(const char *path, struct result *res)
{
    struct trace t;
    parse_trace(&t, path);
    printf("# trace %s: %zu ops (%zu a, %zu f, %zu r), %u IDs, peak live %" PRIu64 " bytes\n",
           t.name, t.n, t.count[K_ALLOC], t.count[K_FREE], t.count[K_REALLOC], t.nslots,
           t.peak_live);
    fflush(stdout);
    struct measured m[A_COUNT];
    measure(&t, m, res, true);
    for (int a = 0; a < A_COUNT; a++) {
        if (!m[a].ok)
            printf("heapbench trace=%s allocator=%s failed to run (see stderr)\n", t.name,
                   alloc_name[a]);
        else
            print_allocator(&t, &m[a], a);
    }
    if (m[A_MEMATLAS].ok && m[A_MALLOC].ok)
        print_ratios(&t, m);
    fflush(stdout);
    unmap_trace(&t);
}
