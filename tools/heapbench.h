/*
 * heapbench.h - what the parts of the heap benchmark share (heapbench.c has
 * the options and main, heapbench_trace.c parses traces, heapbench_arena.c
 * runs mematlas's heap on the host, heapbench_replay.c replays a trace in a
 * child process, heapbench_measure.c times replays and takes percentiles,
 * heapbench_report.c prints a trace's lines, heapbench_scaling.c the scaling
 * section): the operations and traces, what a replay reports back, the
 * options, and the timer every measurement reads.
 */
#ifndef HEAPBENCH_H
#define HEAPBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mm/heap.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

enum { K_ALLOC, K_FREE, K_REALLOC };
enum { A_MEMATLAS, A_MALLOC, A_COUNT };
enum { M_THROUGHPUT, M_LATENCY, M_FOOTPRINT };

extern const char *const alloc_name[A_COUNT];

struct op {
    uint32_t slot;
    uint32_t size;
    uint8_t kind;
};

struct trace {
    char name[128];
    struct op *ops;
    uint32_t *line;             /* each op's line in the file (0: generated) */
    size_t n, ops_bytes;
    uint32_t nslots;
    uint64_t peak_live;
    size_t count[3];
    size_t lat_from, lat_to;    /* the operations whose latency is reported */
};

/* What a child reports back, in a shared page. */
struct result {
    int done;
    double seconds;
    uint64_t failed, corrupt;
    uint64_t footprint;
    uint64_t heap_errors, grows, shrinks;
    struct heap_stats at_peak;  /* mematlas, when it was largest */
    uint64_t live_at_peak;      /* requested bytes live then */
    char check[160];            /* heap_check's complaint, if any */
};

struct pct {
    uint64_t p50, p99, p999, max;   /* ns */
    size_t argmax;                  /* the op that took max */
    uint64_t max_no_os;             /* max over the ops that made no system call */
    size_t argmax_no_os;
    size_t os_ops;                  /* how many did */
};

/* Everything measured about one trace and one allocator. */
struct measured {
    bool ok;
    double ops_per_s;
    struct pct lat, raw;
    uint64_t footprint, failed, heap_errors, grows, shrinks;
    struct heap_stats at_peak;
    uint64_t live_at_peak;
};

struct options {
    int reps, lat_reps;
    bool scaling;
    bool prefault;
    long scale_ops;
    unsigned cache;             /* blocks per size in the heap's small-block cache */
};

extern struct options opt;
extern int problems;            /* trace errors, crashes, corruption */

/* heapbench.c: leaving with a message; the bench's own memory, from mmap,
 * never from malloc. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *map_mem(size_t bytes, bool shared);
void unmap_mem(void *p, size_t bytes);

/* heapbench_trace.c */
void parse_trace(struct trace *t, const char *path);
void unmap_trace(struct trace *t);

/* heapbench_arena.c: mematlas's heap over a reservation, and malloc's
 * footprint. */
struct arena {
    uintptr_t base;
    size_t backed, peak;            /* bytes the callbacks hold backed, and their peak */
    size_t rw_end;                  /* below base + rw_end the reservation is read-write */
    uint64_t grows, shrinks;
};

extern struct heap g_heap;
extern struct arena g_arena;

void mematlas_setup(void);
uint64_t malloc_footprint(void);
uint64_t malloc_in_use(void);

/* heapbench_replay.c */
bool run_replay(const struct trace *t, int a, int mode, struct result *res,
                uint32_t *lat_min, uint32_t *lat_first, uint8_t *os);

/* heapbench_measure.c */
extern double ns_per_tick;
extern uint32_t tick_overhead;      /* ticks an empty measurement takes */

double now_s(void);
void calibrate(void);
void measure(const struct trace *t, struct measured m[A_COUNT], struct result *res,
             bool throughput);

/* heapbench_report.c, heapbench_scaling.c */
void bench_trace(const char *path, struct result *res);
void bench_scaling(struct result *res);

/* The timer: one tick. */
#if defined(__x86_64__) || defined(__i386__)
#define TIMER_NAME "rdtsc"
static ALWAYS_INLINE uint64_t tick(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}
#else
#define TIMER_NAME "CLOCK_MONOTONIC"
static ALWAYS_INLINE uint64_t tick(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#endif
