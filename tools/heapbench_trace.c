/*
 * heapbench_trace.c - reading a trace for the heap benchmark, checked
 * before anything is timed: lines "a ID SIZE", "f ID", "r ID SIZE", '#'
 * comments (the format is described in tools/gentraces.py). IDs become
 * dense slot numbers; allocating a live ID, or freeing or resizing one that
 * is not live, is a trace error reported with its line number. Along the
 * way: the trace's name, its counts and the largest sum of requested sizes
 * live at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heapbench.h"

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

/* The file at path, mapped read-only; *len is its size. */
static const char *map_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("%s: %s", path, strerror(errno));
    *len = (size_t)st.st_size;
    const char *text = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : "";
    if (text == MAP_FAILED)
        die("%s: mmap: %s", path, strerror(errno));
    close(fd);
    return text;
}

/* What parsing knows of the IDs so far: each ID's slot, and per slot its
 * size while live (UINT64_MAX: not live), the line that allocated it and
 * its ID, for the messages. */
struct ids {
    struct idmap m;
    size_t cap, lines;
    uint64_t *live;
    size_t *born;
    uint32_t nslots;
    uint64_t live_bytes;
};

/* Room for a trace of `lines` lines. */
static void ids_open(struct ids *s, size_t lines)
{
    memset(s, 0, sizeof *s);
    s->lines = lines;
    s->cap = 16;
    while (s->cap < 2 * lines)
        s->cap *= 2;
    s->m.mask = s->cap - 1;
    s->m.keys = map_mem(s->cap * sizeof *s->m.keys, false);
    s->m.vals = map_mem(s->cap * sizeof *s->m.vals, false);
    s->live = map_mem(lines * sizeof *s->live, false);
    s->born = map_mem(lines * sizeof *s->born, false);
}

static void ids_close(struct ids *s)
{
    unmap_mem(s->live, s->lines * sizeof *s->live);
    unmap_mem(s->born, s->lines * sizeof *s->born);
    unmap_mem(s->m.keys, s->cap * sizeof *s->m.keys);
    unmap_mem(s->m.vals, s->cap * sizeof *s->m.vals);
}

/* The slot of operation `kind` on ID `id`, on line `line`, which must be
 * live unless it is allocated (and then must not be); the sizes live
 * follow the operation. */
static uint32_t ids_apply(struct ids *s, const char *path, size_t line, uint8_t kind,
                          uint64_t id, uint64_t size)
{
    uint32_t *v = idmap_find(&s->m, id);
    if (kind == K_ALLOC) {
        if (!*v)
            *v = ++s->nslots;
        else if (s->live[*v - 1] != UINT64_MAX)
            trace_error(path, line, "allocates ID %" PRIu64 ", which is live "
                        "(allocated on line %zu and not freed)", id, s->born[*v - 1]);
    } else if (!*v || s->live[*v - 1] == UINT64_MAX) {
        trace_error(path, line, "%s ID %" PRIu64 ", which is not live",
                    kind == K_FREE ? "frees" : "resizes", id);
    }
    uint32_t slot = *v - 1;
    if (kind == K_ALLOC) {
        s->live[slot] = size;
        s->born[slot] = line;
        s->live_bytes += size;
    } else if (kind == K_FREE) {
        s->live_bytes -= s->live[slot];
        s->live[slot] = UINT64_MAX;
    } else {
        s->live_bytes = s->live_bytes - s->live[slot] + size;
        s->live[slot] = size ? size : UINT64_MAX;     /* realloc to 0 frees */
    }
    return slot;
}

void parse_trace(struct trace *t, const char *path)
{
    memset(t, 0, sizeof *t);
    trace_name(t, path);
    size_t len;
    const char *text = map_file(path, &len);

    size_t lines = 1;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))); p++)
        lines++;
    t->ops_bytes = lines * sizeof *t->ops;
    t->ops = map_mem(t->ops_bytes, false);
    t->line = map_mem(lines * sizeof *t->line, false);
    struct ids s;
    ids_open(&s, lines);

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
        uint32_t slot = ids_apply(&s, path, line, kind, id, size);
        if (s.live_bytes > t->peak_live)
            t->peak_live = s.live_bytes;
        t->line[t->n] = (uint32_t)line;
        t->ops[t->n++] = (struct op){ slot, (uint32_t)size, kind };
        t->count[kind]++;
    }
    t->nslots = s.nslots;
    t->lat_from = 0;
    t->lat_to = t->n;
    ids_close(&s);
    if (len)
        munmap((void *)text, len);
}

/* Gives back what parse_trace (or the scaling section) mapped for t. */
void unmap_trace(struct trace *t)
{
    unmap_mem(t->ops, t->ops_bytes);
    unmap_mem(t->line, t->ops_bytes / sizeof *t->ops * sizeof *t->line);
}
