/*
 * heapbench.c - replays allocation traces against mematlas's heap
 * (kernel/mm/heap*.c) and against the host C library's malloc, side by side.
 *
 *   build/host/heapbench [options] TRACE...
 *
 * For each trace and each allocator it prints one line
 *
 *   heapbench trace=NAME allocator=mematlas|malloc ops=N ops_per_s=N p50_ns=N
 *       p99_ns=N max_ns=N peak_live=BYTES peak_footprint=BYTES failed=N
 *
 * (on one line), then a line with the ratios, and at the end a scaling
 * section: per-operation latency while churning with 10 .. 100,000 live
 * blocks. The trace format is described in tools/gentraces.py and
 * docs/heap.md: lines "a ID SIZE", "f ID", "r ID SIZE"; '#' starts a comment.
 *
 * How it measures (docs/heap.md says more):
 *  - A trace is parsed and checked first (not timed): IDs become dense slot
 *    numbers; allocating a live ID or freeing/resizing one that is not live
 *    is an error reported with its line number.
 *  - Every replay runs in a child process forked from a parent that keeps
 *    its own data out of malloc (mmap), so each replay starts from the same
 *    state and malloc's footprint is the trace's alone.
 *  - Both allocators get the same work around each call: the first and last
 *    byte of every block are written after allocation and checked before
 *    free and realloc (a mismatch counts as corruption and fails the run).
 *  - ops_per_s: the whole replay timed as one, median of -r runs.
 *  - p50/p99/max: every call timed on its own (rdtsc on x86, else
 *    CLOCK_MONOTONIC), minus the timer's own cost; each operation's time is
 *    the smallest over -l replays, which removes interrupts and preemption
 *    but keeps the allocator's own worst cases (page faults included, since
 *    every replay starts fresh). The first replay's raw numbers are printed
 *    on an extra line.
 *  - peak_live: the largest sum of requested sizes live at once.
 *  - peak_footprint: mematlas: the heap's peak_backed (its grow callback
 *    mprotects pages of a 1 GiB MAP_NORESERVE reservation; its shrink
 *    callback gives them back with madvise and mprotect). malloc: the
 *    largest arena + hblkhd that mallinfo2() reported during a separate
 *    replay, sampled whenever the break moved or a big block was asked for,
 *    less what was in use before the replay began.
 *
 * This file has the options and main; heapbench.h lists the other parts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "heapbench.h"

struct options opt = { 11, 5, true, false, 100000, HEAP_CACHE_DEFAULT };
int problems;

const char *const alloc_name[A_COUNT] = { "mematlas", "malloc" };

/* ---- small helpers ------------------------------------------------------------- */

void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "heapbench: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(2);
}

void *map_mem(size_t bytes, bool shared)
{
    if (!bytes)
        bytes = 1;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        die("mmap of %zu bytes: %s", bytes, strerror(errno));
    return p;
}

void unmap_mem(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

/* ---- main ------------------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: heapbench [options] TRACE...\n"
            "  -r N          throughput replays per trace and allocator, median (default 11)\n"
            "  -l N          latency replays; each op's time is the minimum (default 5)\n"
            "  -s N          operations measured per scaling row (default 100000)\n"
            "  -c N          blocks per size in mematlas's small-block cache (default 4096, 0: off)\n"
            "  --no-scaling  skip the scaling section\n"
            "  --scaling     only the scaling section (no traces needed)\n"
            "  --prefault    map the mematlas reservation read-write up front, so its\n"
            "                grow/shrink callbacks make no system calls (diagnostic)\n"
            "trace lines: 'a ID SIZE', 'f ID', 'r ID SIZE'; '#' comments\n");
    exit(2);
}

static long num_arg(int argc, char **argv, int *i, long min, long max)
{
    if (*i + 1 >= argc)
        usage();
    char *end;
    long v = strtol(argv[++*i], &end, 10);
    if (*end || v < min || v > max)
        usage();
    return v;
}

/* Reads the options into opt; returns the index of the first trace (argc
 * for none) and sets *only_scaling for --scaling. */
static int parse_options(int argc, char **argv, bool *only_scaling)
{
    int first = argc;
    *only_scaling = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0)
            opt.reps = (int)num_arg(argc, argv, &i, 1, 63);
        else if (strcmp(argv[i], "-l") == 0)
            opt.lat_reps = (int)num_arg(argc, argv, &i, 1, 100);
        else if (strcmp(argv[i], "-s") == 0)
            opt.scale_ops = num_arg(argc, argv, &i, 2, 100000000);
        else if (strcmp(argv[i], "-c") == 0)
            opt.cache = (unsigned)num_arg(argc, argv, &i, 0, 1u << 20);
        else if (strcmp(argv[i], "--no-scaling") == 0)
            opt.scaling = false;
        else if (strcmp(argv[i], "--scaling") == 0)
            *only_scaling = true;
        else if (strcmp(argv[i], "--prefault") == 0)
            opt.prefault = true;
        else if (strcmp(argv[i], "--") == 0) {
            first = i + 1;
            break;
        } else if (argv[i][0] == '-' && argv[i][1])
            usage();
        else {
            first = i;
            break;
        }
    }
    if (first >= argc && !*only_scaling)
        usage();
    return *only_scaling ? argc : first;
}

/* One CPU, so that the replays do not migrate between caches. */
static void pin_to_one_cpu(void)
{
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) != 0)
        return;
    int last = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &cpus))
            last = c;
    if (last >= 0) {
        CPU_ZERO(&cpus);
        CPU_SET(last, &cpus);
        sched_setaffinity(0, sizeof cpus, &cpus);
    }
}

int main(int argc, char **argv)
{
    bool only_scaling;
    int first = parse_options(argc, argv, &only_scaling);
    pin_to_one_cpu();
    calibrate();
    /* Parse every trace before measuring anything: a bad one fails fast. */
    for (int i = first; i < argc; i++) {
        struct trace t;
        parse_trace(&t, argv[i]);
        unmap_trace(&t);
    }
    printf("# heapbench: timer %s, %.3f ns/tick, %.1f ns overhead subtracted; "
           "throughput: median of %d replays; latency: per-op minimum of %d replays%s\n",
           TIMER_NAME, ns_per_tick, tick_overhead * ns_per_tick, opt.reps, opt.lat_reps,
           opt.prefault ? "; --prefault" : "");
    struct result *res = map_mem(sizeof *res, true);
    for (int i = first; i < argc; i++)
        bench_trace(argv[i], res);
    if (opt.scaling || only_scaling)
        bench_scaling(res);
    if (problems)
        fprintf(stderr, "heapbench: %d problems (see above)\n", problems);
    return problems ? 1 : 0;
}
