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
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mm/heap.h"

/* Blocks per size in the heap's small-block cache (-c N; 0 turns it off). */
static unsigned g_cache = HEAP_CACHE_DEFAULT;

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define NOINLINE __attribute__((noinline))

#define MiB             (1024u * 1024u)
#define RESERVE         (1024u * MiB)       /* mematlas heap address space */
#define BIG_REQUEST     (64u * 1024u)       /* malloc may mmap from here up */

enum { K_ALLOC, K_FREE, K_REALLOC };
enum { A_MEMATLAS, A_MALLOC, A_COUNT };
enum { M_THROUGHPUT, M_LATENCY, M_FOOTPRINT };

static const char *const alloc_name[A_COUNT] = { "mematlas", "malloc" };

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

static struct {
    int reps, lat_reps;
    bool scaling, traces;
    bool prefault;
    long scale_ops;
} opt = { 11, 5, true, true, false, 100000 };

static int problems;            /* trace errors, crashes, corruption */

/* ---- small helpers ------------------------------------------------------------- */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
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

/* The bench's own memory comes from mmap, never from malloc. */
static void *map_mem(size_t bytes, bool shared)
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

static void unmap_mem(void *p, size_t bytes)
{
    if (p)
        munmap(p, bytes ? bytes : 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

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

static double ns_per_tick = 1.0;
static uint32_t tick_overhead;      /* ticks an empty measurement takes */

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

struct pct {
    uint64_t p50, p99, p999, max;   /* ns */
    size_t argmax;                  /* the op that took max */
    uint64_t max_no_os;             /* max over the ops that made no system call */
    size_t argmax_no_os;
    size_t os_ops;                  /* how many did */
};

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

static void calibrate(void)
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

/* ---- parsing a trace ------------------------------------------------------------- */

struct idmap {
    uint64_t *keys;
    uint32_t *vals;             /* slot + 1; 0: empty */
    size_t mask;
};

static uint32_t *idmap_find(struct idmap *m, uint64_t id)
{
    size_t i = (size_t)((id * 0x9E3779B97F4A7C15ull) >> 20) & m->mask;
    while (m->vals[i] && m->keys[i] != id)
        i = (i + 1) & m->mask;
    m->keys[i] = id;
    return &m->vals[i];
}

static bool parse_u64(const char **pp, const char *end, uint64_t *out)
{
    const char *p = *pp;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p < '0' || *p > '9')
        return false;
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned d = (unsigned)(*p++ - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *pp = p;
    *out = v;
    return true;
}

static void trace_error(const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
static void trace_error(const char *path, size_t line, const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fprintf(stderr, "heapbench: %s:%zu: trace error: ", path, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

static void trace_name(struct trace *t, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 6 && strcmp(base + len - 6, ".trace") == 0)
        len -= 6;
    if (len >= sizeof t->name)
        len = sizeof t->name - 1;
    for (size_t i = 0; i < len; i++)
        t->name[i] = (base[i] == ' ' || base[i] == '\t' || base[i] == '=') ? '_' : base[i];
    t->name[len] = 0;
}

/* One line of a trace, [q, eol): false for a blank line or a comment, else
 * the operation's kind, ID and SIZE (anything else is a trace error). */
static bool parse_line(const char *path, size_t line, const char *q, const char *eol,
                       uint8_t *kind, uint64_t *id, uint64_t *size)
{
    while (q < eol && (*q == ' ' || *q == '\t'))
        q++;
    if (q == eol || *q == '#' || (*q == '\r' && q + 1 == eol))
        return false;
    char c = *q++;
    *kind = c == 'a' ? K_ALLOC : c == 'f' ? K_FREE : c == 'r' ? K_REALLOC : 0xFF;
    if (*kind == 0xFF || q == eol || (*q != ' ' && *q != '\t'))
        trace_error(path, line, "expected 'a ID SIZE', 'f ID' or 'r ID SIZE'");
    *size = 0;
    if (!parse_u64(&q, eol, id))
        trace_error(path, line, "expected a decimal ID after '%c'", c);
    if (*kind != K_FREE) {
        if (!parse_u64(&q, eol, size))
            trace_error(path, line, "expected a decimal SIZE after the ID");
        if (*size > UINT32_MAX)
            trace_error(path, line, "SIZE %" PRIu64 " is over 4 GiB - 1", *size);
    }
    while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
        q++;
    if (q != eol)
        trace_error(path, line, "unexpected text after the operation");
    return true;
}

static void parse_trace(struct trace *t, const char *path)
{
    memset(t, 0, sizeof *t);
    trace_name(t, path);
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s: %s", path, strerror(errno));
    size_t len = (size_t)st.st_size;
    const char *text = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    if (text == MAP_FAILED)
        die("%s: mmap: %s", path, strerror(errno));
    close(fd);

    size_t lines = 1;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))); p++)
        lines++;
    t->ops_bytes = lines * sizeof *t->ops;
    t->ops = map_mem(t->ops_bytes, false);
    t->line = map_mem(lines * sizeof *t->line, false);

    struct idmap m;
    size_t cap = 16;
    while (cap < 2 * lines)
        cap *= 2;
    m.mask = cap - 1;
    m.keys = map_mem(cap * sizeof *m.keys, false);
    m.vals = map_mem(cap * sizeof *m.vals, false);
    /* Per slot: its size while live (UINT64_MAX: not live), the line that
     * allocated it, and its ID, for the messages. */
    uint64_t *live = map_mem(lines * sizeof *live, false);
    size_t *born = map_mem(lines * sizeof *born, false);
    uint32_t nslots = 0;
    uint64_t live_bytes = 0;

    const char *p = text, *end = text + len;
    for (size_t line = 1; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *q = p;
        p = eol + 1;
        uint8_t kind;
        uint64_t id, size;
        if (!parse_line(path, line, q, eol, &kind, &id, &size))
            continue;

        uint32_t *v = idmap_find(&m, id);
        if (kind == K_ALLOC) {
            if (!*v)
                *v = ++nslots;
            else if (live[*v - 1] != UINT64_MAX)
                trace_error(path, line, "allocates ID %" PRIu64 ", which is live "
                            "(allocated on line %zu and not freed)", id, born[*v - 1]);
        } else if (!*v || live[*v - 1] == UINT64_MAX) {
            trace_error(path, line, "%s ID %" PRIu64 ", which is not live",
                        kind == K_FREE ? "frees" : "resizes", id);
        }
        uint32_t slot = *v - 1;
        if (kind == K_ALLOC) {
            live[slot] = size;
            born[slot] = line;
            live_bytes += size;
        } else if (kind == K_FREE) {
            live_bytes -= live[slot];
            live[slot] = UINT64_MAX;
        } else {
            live_bytes = live_bytes - live[slot] + size;
            live[slot] = size ? size : UINT64_MAX;     /* realloc to 0 frees */
        }
        if (live_bytes > t->peak_live)
            t->peak_live = live_bytes;
        t->line[t->n] = (uint32_t)line;
        t->ops[t->n++] = (struct op){ slot, (uint32_t)size, kind };
        t->count[kind]++;
    }
    t->nslots = nslots;
    t->lat_from = 0;
    t->lat_to = t->n;
    unmap_mem(live, lines * sizeof *live);
    unmap_mem(born, lines * sizeof *born);
    unmap_mem(m.keys, cap * sizeof *m.keys);
    unmap_mem(m.vals, cap * sizeof *m.vals);
    if (len)
        munmap((void *)text, len);
}

/* ---- the two allocators ---------------------------------------------------------- */

static struct heap g_heap;
static struct arena {
    uintptr_t base;
    size_t backed, peak;            /* bytes the callbacks hold backed, and their peak */
    size_t rw_end;                  /* below base + rw_end the reservation is read-write */
    uint64_t grows, shrinks;
} g_arena;

/*
 * The heap's callbacks on the host. The heap asks for exactly the pages it
 * will use; the arena makes the reservation read-write ahead of it in large
 * steps (an eighth of what it holds, at least 64 KiB), so that most calls
 * cost no system call: untouched read-write pages take no memory, and pages
 * backed again fault in as zeroes when touched, like fresh frames. Giving
 * pages back is madvise(MADV_DONTNEED), which frees them at once.
 */
static int arena_grow(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (addr < a->base || addr + bytes > a->base + RESERVE)
        return -1;
    if (addr + bytes > a->base + a->rw_end) {
        size_t want = addr + bytes - a->base, step = a->rw_end / 8 & ~(size_t)4095;
        if (step < 64 * 1024)
            step = 64 * 1024;
        if (want < a->rw_end + step)
            want = a->rw_end + step;
        if (want > RESERVE)
            want = RESERVE;
        if (!opt.prefault && mprotect((void *)(a->base + a->rw_end), want - a->rw_end,
                                      PROT_READ | PROT_WRITE) != 0)
            return -1;
        a->rw_end = want;
    }
    a->backed += bytes;
    if (a->backed > a->peak)
        a->peak = a->backed;
    a->grows++;
    return 0;
}

static void arena_shrink(void *ctx, uintptr_t addr, size_t bytes)
{
    struct arena *a = ctx;
    if (addr < a->base || addr + bytes > a->base + RESERVE || bytes > a->backed)
        die("mematlas heap gave back [%#zx, +%zu), which it does not hold",
            (size_t)(addr - a->base), bytes);
    madvise((void *)addr, bytes, MADV_DONTNEED);
    a->backed -= bytes;
    a->shrinks++;
}

static void arena_report(void *ctx, enum heap_error e, const void *p, size_t size,
                         const void *caller)
{
    (void)ctx;
    (void)caller;
    if (e != HEAP_ERR_OUT_OF_MEMORY && e != HEAP_ERR_TOO_LARGE)
        fprintf(stderr, "heapbench: mematlas heap: %s (%p, %zu)\n", heap_error_text(e), p, size);
}

static void mematlas_setup(void)
{
    void *base = mmap(NULL, RESERVE, opt.prefault ? PROT_READ | PROT_WRITE : PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED)
        die("reserving %u MiB: %s", RESERVE / MiB, strerror(errno));
    memset(&g_arena, 0, sizeof g_arena);
    g_arena.base = (uintptr_t)base;
    if (heap_init(&g_heap, g_arena.base, RESERVE, arena_grow, arena_shrink, arena_report,
                  &g_arena) != 0)
        die("heap_init failed");
    heap_set_cache(&g_heap, g_cache);
}

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

/* malloc's footprint now: what it holds from the system. */
static uint64_t malloc_footprint(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.arena + mi.hblkhd;
#else
    return 0;
#endif
}

static uint64_t malloc_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
    struct mallinfo2 mi = mallinfo2();
    return (uint64_t)mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/* ---- replaying ------------------------------------------------------------------- */

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

/* The replay loop; a, mode are constants at each call, so each allocator
 * and mode gets its own copy with direct calls. */
static ALWAYS_INLINE void replay_ops(int a, int mode, struct replay *r)
{
    const struct op *ops = r->ops;
    void **ptr = r->ptr;
    uint32_t *sz = r->size;
    uint64_t t0 = 0;
    uintptr_t os = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t s = ops[i].slot, n = ops[i].size;
        uint8_t *p = ptr[s], *q;
        if (mode == M_LATENCY)
            os = os_mark(a);
        switch (ops[i].kind) {
        case K_ALLOC:
            if (mode == M_LATENCY)
                t0 = tick();
            p = do_alloc(a, n);
            if (mode == M_LATENCY)
                r->lat[i] = (uint32_t)(tick() - t0);
            if (!p && n) {
                r->failed++;
                sz[s] = 0;
            } else {
                mark(p, n, pattern(s));
                sz[s] = n;
            }
            ptr[s] = p;
            if (mode == M_FOOTPRINT) {
                r->live += sz[s];
                if (a == A_MEMATLAS)
                    sample_mematlas(r);
                else
                    sample_footprint(r, n);
            }
            break;
        case K_FREE:
            if (!marked(p, sz[s], pattern(s)))
                r->corrupt++;
            if (mode == M_LATENCY)
                os = os_mark(a);
            if (mode == M_LATENCY)
                t0 = tick();
            do_free(a, p);
            if (mode == M_LATENCY)
                r->lat[i] = (uint32_t)(tick() - t0);
            if (mode == M_FOOTPRINT)
                r->live -= sz[s];
            ptr[s] = NULL;
            sz[s] = 0;
            break;
        default:
            if (!marked(p, sz[s], pattern(s)))
                r->corrupt++;
            if (mode == M_LATENCY)
                os = os_mark(a);
            if (mode == M_LATENCY)
                t0 = tick();
            q = do_realloc(a, p, n);
            if (mode == M_LATENCY)
                r->lat[i] = (uint32_t)(tick() - t0);
            if (mode == M_FOOTPRINT)
                r->live -= sz[s];
            if (n == 0) {
                if (q)                      /* realloc(NULL, 0) allocates */
                    do_free(a, q);
                ptr[s] = NULL;
                sz[s] = 0;
            } else if (!q) {
                r->failed++;                /* the old block stays */
            } else {
                uint32_t keep = sz[s] < n ? sz[s] : n;
                if (keep && q[0] != pattern(s))
                    r->corrupt++;
                mark(q, n, pattern(s));
                ptr[s] = q;
                sz[s] = n;
            }
            if (mode == M_FOOTPRINT) {
                r->live += sz[s];
                if (a == A_MEMATLAS)
                    sample_mematlas(r);
                else
                    sample_footprint(r, n);
            }
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

/* One replay, in the child: fills res; lat (shared) gets per-op minimums. */
static void child_replay(const struct trace *t, int a, int mode, struct result *res,
                         uint32_t *lat_min, uint32_t *lat_first, uint8_t *os)
{
    struct replay r;
    memset(&r, 0, sizeof r);
    r.ops = t->ops;
    r.n = t->n;
    r.ptr = map_mem(t->nslots * sizeof *r.ptr + 1, false);
    r.size = map_mem(t->nslots * sizeof *r.size + 1, false);
    if (mode == M_LATENCY) {
        r.lat = map_mem(t->n * sizeof *r.lat, false);
        r.os = map_mem(t->n, false);
        memset(r.os, 0, t->n);
    }
    /* Touch the bench's own arrays first, so their page faults are not timed. */
    memset(r.ptr, 0, t->nslots * sizeof *r.ptr);
    memset(r.size, 0, t->nslots * sizeof *r.size);
    if (r.lat)
        memset(r.lat, 0, t->n * sizeof *r.lat);

    uint64_t base_use = 0;
    if (a == A_MEMATLAS) {
        mematlas_setup();
    } else {
        base_use = malloc_in_use();
        r.last_brk = sbrk(0);
        r.fp_max = malloc_footprint();
    }

    double t0 = now_s();
    if (a == A_MEMATLAS && mode == M_LATENCY)
        replay_mematlas_latency(&r);
    else if (a == A_MEMATLAS && mode == M_FOOTPRINT)
        replay_mematlas_footprint(&r);
    else if (a == A_MEMATLAS)
        replay_mematlas_throughput(&r);
    else if (mode == M_LATENCY)
        replay_malloc_latency(&r);
    else if (mode == M_FOOTPRINT)
        replay_malloc_footprint(&r);
    else
        replay_malloc_throughput(&r);
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
    if (a == A_MEMATLAS) {
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
        res->at_peak = r.at_peak;
        res->live_at_peak = r.live_at_peak;
    } else if (mode == M_FOOTPRINT) {
        res->footprint = r.fp_max > base_use ? r.fp_max - base_use : 0;
    }
    res->failed = r.failed;
    res->corrupt = r.corrupt;
    if (r.lat) {
        for (size_t i = 0; i < t->n; i++) {
            if (r.lat[i] < lat_min[i])
                lat_min[i] = r.lat[i];
            if (lat_first)
                lat_first[i] = r.lat[i];
            os[i] |= r.os[i];
        }
    }
    res->done = 1;
}

/* Runs one replay in a fresh child process; false when the child died. */
static bool run_replay(const struct trace *t, int a, int mode, struct result *res,
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

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

struct measured {
    bool ok;
    double ops_per_s;
    struct pct lat, raw;
    uint64_t footprint, failed, heap_errors, grows, shrinks;
    struct heap_stats at_peak;
    uint64_t live_at_peak;
};

/* Everything about one trace and both allocators. */
static void measure(const struct trace *t, struct measured m[A_COUNT], struct result *res,
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

static void bench_trace(const char *path, struct result *res)
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
        if (!m[a].ok) {
            printf("heapbench trace=%s allocator=%s failed to run (see stderr)\n", t.name,
                   alloc_name[a]);
            continue;
        }
        printf("heapbench trace=%s allocator=%s ops=%zu ops_per_s=%.0f p50_ns=%" PRIu64
               " p99_ns=%" PRIu64 " max_ns=%" PRIu64 " peak_live=%" PRIu64
               " peak_footprint=%" PRIu64 " failed=%" PRIu64 "\n",
               t.name, alloc_name[a], t.n, m[a].ops_per_s, m[a].lat.p50, m[a].lat.p99,
               m[a].lat.max, t.peak_live, m[a].footprint, m[a].failed);
        const struct op *q = &t.ops[m[a].lat.argmax_no_os];
        printf("#   %s: p99.9_ns=%" PRIu64 " max_no_syscall_ns=%" PRIu64 " (line %u: %c, "
               "%u bytes; %zu ops made system calls); first replay raw: p50_ns=%" PRIu64
               " p99_ns=%" PRIu64 " p99.9_ns=%" PRIu64 " max_ns=%" PRIu64,
               alloc_name[a], m[a].lat.p999, m[a].lat.max_no_os,
               t.line[m[a].lat.argmax_no_os], "afr"[q->kind], q->size, m[a].lat.os_ops,
               m[a].raw.p50, m[a].raw.p99, m[a].raw.p999, m[a].raw.max);
        const struct op *o = &t.ops[m[a].lat.argmax];
        printf("; slowest: line %u (%c, %u bytes)", t.line[m[a].lat.argmax],
               "afr"[o->kind], o->size);
        if (a == A_MEMATLAS)
            printf("; grows=%" PRIu64 " shrinks=%" PRIu64 " errors=%" PRIu64, m[a].grows,
                   m[a].shrinks, m[a].heap_errors);
        printf("\n");
        if (a == A_MEMATLAS)
            printf("#   mematlas at its peak of %u bytes backed (of %u mapped): %" PRIu64
                   " bytes asked for live, %u in %u used blocks (headers and rounding), %u "
                   "free in %u blocks (largest %u)\n", m[a].at_peak.backed,
                   m[a].at_peak.mapped, m[a].live_at_peak,
                   m[a].at_peak.used, m[a].at_peak.used_blocks, m[a].at_peak.free,
                   m[a].at_peak.free_blocks, m[a].at_peak.largest_free);
    }
    if (m[A_MEMATLAS].ok && m[A_MALLOC].ok) {
        double ratio = m[A_MALLOC].ops_per_s > 0
                           ? m[A_MEMATLAS].ops_per_s / m[A_MALLOC].ops_per_s : 0;
        double fm = t.peak_live ? (double)m[A_MEMATLAS].footprint / (double)t.peak_live : 0;
        double fc = t.peak_live ? (double)m[A_MALLOC].footprint / (double)t.peak_live : 0;
        printf("heapbench trace=%s ratio_ops_per_s=%.2f footprint_ratio_mematlas=%.3f "
               "footprint_ratio_malloc=%.3f throughput_target=%s footprint_target=%s\n",
               t.name, ratio, fm, fc, ratio >= 1.0 ? "met" : "MISSED",
               fm <= 1.15 ? "met" : "MISSED");
    }
    fflush(stdout);
    unmap_mem(t.ops, t.ops_bytes);
    unmap_mem(t.line, t.ops_bytes / sizeof *t.ops * sizeof *t.line);
}

/* ---- scaling: latency while churning at a fixed live count ---------------------- */

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

static void bench_scaling(struct result *res)
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
        unmap_mem(t.ops, t.ops_bytes);
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

int main(int argc, char **argv)
{
    int first = argc;
    bool only_scaling = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-r") == 0)
            opt.reps = (int)num_arg(argc, argv, &i, 1, 63);
        else if (strcmp(argv[i], "-l") == 0)
            opt.lat_reps = (int)num_arg(argc, argv, &i, 1, 100);
        else if (strcmp(argv[i], "-s") == 0)
            opt.scale_ops = num_arg(argc, argv, &i, 2, 100000000);
        else if (strcmp(argv[i], "-c") == 0)
            g_cache = (unsigned)num_arg(argc, argv, &i, 0, 1u << 20);
        else if (strcmp(argv[i], "--no-scaling") == 0)
            opt.scaling = false;
        else if (strcmp(argv[i], "--scaling") == 0)
            only_scaling = true;
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
    if (first >= argc && !only_scaling)
        usage();
    if (only_scaling)
        first = argc;

    /* One CPU, so that the replays do not migrate between caches. */
    cpu_set_t cpus;
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) {
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
    calibrate();
    /* Parse every trace before measuring anything: a bad one fails fast. */
    for (int i = first; i < argc; i++) {
        struct trace t;
        parse_trace(&t, argv[i]);
        unmap_mem(t.ops, t.ops_bytes);
        unmap_mem(t.line, t.ops_bytes / sizeof *t.ops * sizeof *t.line);
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
