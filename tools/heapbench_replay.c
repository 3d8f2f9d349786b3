/*
 * heapbench_replay.c - one replay of a trace against one allocator, in a
 * child process forked for it, so that each replay starts from the same
 * state and malloc's footprint is the trace's alone. Both allocators get
 * the same work around each call: the first and last byte of every block
 * are written after allocation and checked before free and realloc (a
 * mismatch counts as corruption and fails the run). A replay is timed as
 * a whole (throughput), call by call (latency), or samples the memory held
 * after every allocation (footprint); the child reports in a shared page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "heapbench.h"

#define NOINLINE __attribute__((noinline))

#define BIG_REQUEST     (64u * 1024u)       /* malloc may mmap from here up */

/* The calls into allocator a: mematlas's heap or the C library's malloc. */
static ALWAYS_INLINE void *do_alloc(int a, size_t n)
{
    return a == A_MEMATLAS ? heap_alloc(&g_heap, n, NULL) : malloc(n);
}

static ALWAYS_INLINE void do_free(int a, void *p)
{
    if (a == A_MEMATLAS)
        heap_free(&g_heap, p, NULL);
    else
        free(p);
}

static ALWAYS_INLINE void *do_realloc(int a, void *p, size_t n)
{
    return a == A_MEMATLAS ? heap_realloc(&g_heap, p, n, NULL) : realloc(p, n);
}

struct replay {
    const struct op *ops;
    size_t n;
    void **ptr;
    uint32_t *size;
    uint32_t *lat;
    uint8_t *os;                /* latency mode: op i made a system call */
    uint64_t failed, corrupt;
    uint64_t fp_max;
    void *last_brk;
    uint64_t live;              /* requested bytes live (footprint mode) */
    uint32_t peak_seen;
    struct heap_stats at_peak;
    uint64_t live_at_peak;
};

static ALWAYS_INLINE uint8_t pattern(uint32_t slot)
{
    return (uint8_t)(slot * 151u + 89u);
}

static ALWAYS_INLINE void mark(uint8_t *p, uint32_t size, uint8_t v)
{
    if (size) {
        p[0] = v;
        p[size - 1] = size > 1 ? (uint8_t)~v : v;
    }
}

static ALWAYS_INLINE bool marked(const uint8_t *p, uint32_t size, uint8_t v)
{
    return !size || (p[0] == v && p[size - 1] == (size > 1 ? (uint8_t)~v : v));
}

/* mematlas: what the heap held when the memory backing it was largest. */
static ALWAYS_INLINE void sample_mematlas(struct replay *r)
{
    if (g_heap.mapped - g_heap.released > r->peak_seen) {
        r->peak_seen = g_heap.mapped - g_heap.released;
        heap_get_stats(&g_heap, &r->at_peak);
        r->live_at_peak = r->live;
    }
}

static ALWAYS_INLINE void sample_footprint(struct replay *r, uint32_t size)
{
    void *brk_now = sbrk(0);
    if (brk_now != r->last_brk || size >= BIG_REQUEST) {
        r->last_brk = brk_now;
        uint64_t f = malloc_footprint();
        if (f > r->fp_max)
            r->fp_max = f;
    }
}

/* A count that moves when the allocator makes a system call. */
static ALWAYS_INLINE uintptr_t os_mark(int a)
{
    return a == A_MEMATLAS ? (uintptr_t)(g_arena.grows + g_arena.shrinks) : (uintptr_t)sbrk(0);
}

/* Footprint mode, after slot s got its size (n bytes asked for). */
static ALWAYS_INLINE void sample(int a, struct replay *r, uint32_t s, uint32_t n)
{
    r->live += r->size[s];
    if (a == A_MEMATLAS)
        sample_mematlas(r);
    else
        sample_footprint(r, n);
}

/* Operation i, an allocation. */
static ALWAYS_INLINE void replay_alloc(int a, int mode, struct replay *r, size_t i)
{
    uint32_t s = r->ops[i].slot, n = r->ops[i].size;
    uint64_t t0 = 0;
    if (mode == M_LATENCY)
        t0 = tick();
    uint8_t *p = do_alloc(a, n);
    if (mode == M_LATENCY)
        r->lat[i] = (uint32_t)(tick() - t0);
    if (!p && n) {
        r->failed++;
        r->size[s] = 0;
    } else {
        mark(p, n, pattern(s));
        r->size[s] = n;
    }
    r->ptr[s] = p;
    if (mode == M_FOOTPRINT)
        sample(a, r, s, n);
}

/* Operation i, a free; *os is taken again just before the call. */
static ALWAYS_INLINE void replay_free(int a, int mode, struct replay *r, size_t i, uintptr_t *os)
{
    uint32_t s = r->ops[i].slot;
    uint8_t *p = r->ptr[s];
    uint64_t t0 = 0;
    if (!marked(p, r->size[s], pattern(s)))
        r->corrupt++;
    if (mode == M_LATENCY) {
        *os = os_mark(a);
        t0 = tick();
    }
    do_free(a, p);
    if (mode == M_LATENCY)
        r->lat[i] = (uint32_t)(tick() - t0);
    if (mode == M_FOOTPRINT)
        r->live -= r->size[s];
    r->ptr[s] = NULL;
    r->size[s] = 0;
}

/* Operation i, a realloc; *os is taken again just before the call. */
static ALWAYS_INLINE void replay_realloc(int a, int mode, struct replay *r, size_t i,
                                         uintptr_t *os)
{
    uint32_t s = r->ops[i].slot, n = r->ops[i].size;
    uint8_t *p = r->ptr[s];
    uint64_t t0 = 0;
    if (!marked(p, r->size[s], pattern(s)))
        r->corrupt++;
    if (mode == M_LATENCY) {
        *os = os_mark(a);
        t0 = tick();
    }
    uint8_t *q = do_realloc(a, p, n);
    if (mode == M_LATENCY)
        r->lat[i] = (uint32_t)(tick() - t0);
    if (mode == M_FOOTPRINT)
        r->live -= r->size[s];
    if (n == 0) {
        if (q)                      /* realloc(NULL, 0) allocates */
            do_free(a, q);
        r->ptr[s] = NULL;
        r->size[s] = 0;
    } else if (!q) {
        r->failed++;                /* the old block stays */
    } else {
        uint32_t keep = r->size[s] < n ? r->size[s] : n;
        if (keep && q[0] != pattern(s))
            r->corrupt++;
        mark(q, n, pattern(s));
        r->ptr[s] = q;
        r->size[s] = n;
    }
    if (mode == M_FOOTPRINT)
        sample(a, r, s, n);
}

/* The replay loop; a, mode are constants at each call, so each allocator
 * and mode gets its own copy with direct calls. */
static ALWAYS_INLINE void replay_ops(int a, int mode, struct replay *r)
{
    uintptr_t os = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (mode == M_LATENCY)
            os = os_mark(a);
        switch (r->ops[i].kind) {
        case K_ALLOC:
            replay_alloc(a, mode, r, i);
            break;
        case K_FREE:
            replay_free(a, mode, r, i, &os);
            break;
        default:
            replay_realloc(a, mode, r, i, &os);
            break;
        }
        if (mode == M_LATENCY)
            r->os[i] = os_mark(a) != os;
    }
}

static NOINLINE void replay_mematlas_throughput(struct replay *r) { replay_ops(A_MEMATLAS, M_THROUGHPUT, r); }
static NOINLINE void replay_mematlas_latency(struct replay *r) { replay_ops(A_MEMATLAS, M_LATENCY, r); }
static NOINLINE void replay_mematlas_footprint(struct replay *r) { replay_ops(A_MEMATLAS, M_FOOTPRINT, r); }
static NOINLINE void replay_malloc_throughput(struct replay *r) { replay_ops(A_MALLOC, M_THROUGHPUT, r); }
static NOINLINE void replay_malloc_latency(struct replay *r) { replay_ops(A_MALLOC, M_LATENCY, r); }
static NOINLINE void replay_malloc_footprint(struct replay *r) { replay_ops(A_MALLOC, M_FOOTPRINT, r); }

/* Runs the loop's copy for allocator a and mode. */
static void replay_dispatch(int a, int mode, struct replay *r)
{
    if (a == A_MEMATLAS && mode == M_LATENCY)
        replay_mematlas_latency(r);
    else if (a == A_MEMATLAS && mode == M_FOOTPRINT)
        replay_mematlas_footprint(r);
    else if (a == A_MEMATLAS)
        replay_mematlas_throughput(r);
    else if (mode == M_LATENCY)
        replay_malloc_latency(r);
    else if (mode == M_FOOTPRINT)
        replay_malloc_footprint(r);
    else
        replay_malloc_throughput(r);
}

/* The replay's own arrays for trace t, touched first so that their page
 * faults are not timed. */
static void replay_open(struct replay *r, const struct trace *t, int mode)
{
    memset(r, 0, sizeof *r);
    r->ops = t->ops;
    r->n = t->n;
    r->ptr = map_mem(t->nslots * sizeof *r->ptr + 1, false);
    r->size = map_mem(t->nslots * sizeof *r->size + 1, false);
    if (mode == M_LATENCY) {
        r->lat = map_mem(t->n * sizeof *r->lat, false);
        r->os = map_mem(t->n, false);
        memset(r->os, 0, t->n);
    }
    memset(r->ptr, 0, t->nslots * sizeof *r->ptr);
    memset(r->size, 0, t->nslots * sizeof *r->size);
    if (r->lat)
        memset(r->lat, 0, t->n * sizeof *r->lat);
}

/* mematlas once everything is freed: a heap that still checks out, holds
 * nothing, and agrees with its callbacks; then its numbers into res. */
static void mematlas_results(struct result *res, const struct replay *r)
{
    const char *why = NULL;
    if (!res->check[0] && !heap_check(&g_heap, &why))
        snprintf(res->check, sizeof res->check, "after freeing everything: %s", why);
    if (!res->check[0] && g_heap.busy_blocks != g_heap.cached_blocks)
        snprintf(res->check, sizeof res->check, "%u blocks still used after freeing "
                 "everything", g_heap.busy_blocks - g_heap.cached_blocks);
    if (!res->check[0] && g_heap.peak_backed != g_arena.peak)
        snprintf(res->check, sizeof res->check, "peak_backed %u, but the callbacks "
                 "held at most %zu", g_heap.peak_backed, g_arena.peak);
    res->footprint = g_heap.peak_backed;
    res->heap_errors = g_heap.errors;
    res->grows = g_arena.grows;
    res->shrinks = g_arena.shrinks;
    res->at_peak = r->at_peak;
    res->live_at_peak = r->live_at_peak;
}

/* One replay, in the child: fills res; lat (shared) gets per-op minimums. */
static void child_replay(const struct trace *t, int a, int mode, struct result *res,
                         uint32_t *lat_min, uint32_t *lat_first, uint8_t *os)
{
    struct replay r;
    replay_open(&r, t, mode);
    uint64_t base_use = 0;
    if (a == A_MEMATLAS) {
        mematlas_setup();
    } else {
        base_use = malloc_in_use();
        r.last_brk = sbrk(0);
        r.fp_max = malloc_footprint();
    }

    double t0 = now_s();
    replay_dispatch(a, mode, &r);
    res->seconds = now_s() - t0;

    if (a == A_MEMATLAS) {
        const char *why = NULL;
        if (!heap_check(&g_heap, &why))
            snprintf(res->check, sizeof res->check, "after the replay: %s", why);
    }
    /* Free what the trace left live, untimed. */
    for (uint32_t s = 0; s < t->nslots; s++) {
        if (r.ptr[s] && !marked(r.ptr[s], r.size[s], pattern(s)))
            r.corrupt++;
        do_free(a, r.ptr[s]);
    }
    if (a == A_MEMATLAS)
        mematlas_results(res, &r);
    else if (mode == M_FOOTPRINT)
        res->footprint = r.fp_max > base_use ? r.fp_max - base_use : 0;
    res->failed = r.failed;
    res->corrupt = r.corrupt;
    for (size_t i = 0; r.lat && i < t->n; i++) {
        if (r.lat[i] < lat_min[i])
            lat_min[i] = r.lat[i];
        if (lat_first)
            lat_first[i] = r.lat[i];
        os[i] |= r.os[i];
    }
    res->done = 1;
}

/* Runs one replay in a fresh child process; false when the child died. */
bool run_replay(const struct trace *t, int a, int mode, struct result *res,
                uint32_t *lat_min, uint32_t *lat_first, uint8_t *os)
{
    memset(res, 0, sizeof *res);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        die("fork: %s", strerror(errno));
    if (pid == 0) {
        child_replay(t, a, mode, res, lat_min, lat_first, os);
        _exit(0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid: %s", strerror(errno));
    if (!res->done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            fprintf(stderr, "heapbench: trace=%s allocator=%s: the replay died of "
                    "signal %d (%s)\n", t->name, alloc_name[a], WTERMSIG(status),
                    strsignal(WTERMSIG(status)));
        else
            fprintf(stderr, "heapbench: trace=%s allocator=%s: the replay exited %d\n",
                    t->name, alloc_name[a], WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        problems++;
        return false;
    }
    if (res->corrupt) {
        fprintf(stderr, "heapbench: trace=%s allocator=%s: %" PRIu64 " blocks lost their "
                "contents (overlap?)\n", t->name, alloc_name[a], res->corrupt);
        problems++;
    }
    if (res->check[0]) {
        fprintf(stderr, "heapbench: trace=%s allocator=%s: heap_check: %s\n", t->name,
                alloc_name[a], res->check);
        problems++;
    }
    return true;
}
