/*
 * fuzz_modfs.c - the programs' file names (sched/modfs.h) on arbitrary
 * lines (docs/fuzzing.md).
 *
 * The input is lines. Up to the first empty line each one is an entry to
 * add (a file, or a link when it starts with '@'), as a module's first word
 * would be; every later line is a path to look up, from the root and from
 * every directory the lookups reach. After each step the checks below hold
 * or the target aborts: entries are normalised; each looks up to itself
 * unless an earlier one is a file where it needs a directory; a lookup
 * gives ENOENT, ENOTDIR, ENAMETOOLONG or a node that is what the list
 * says, and for an absolute path what its lexical normal form gives; a
 * directory's path looks up to it; a listing gives each name once, and
 * each looks up to what the listing said.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_fail.h"
#include "sched/modfs.h"

#define LINES_MAX   64
#define DIRS_MAX    16

static struct modfs fs;
static char text[8192];
static char buf[MODFS_PATH_MAX + 16], buf2[MODFS_PATH_MAX + 16];

/* A normalised path: starts with '/', no empty, "." or ".." component, no
 * trailing slash, not "/" alone. */
static void check_normal(const char *p, size_t len)
{
    if (len < 2 || p[0] != '/' || p[len - 1] == '/' || strlen(p) != len)
        fuzz_fail("not normalised: \"%s\" (%zu)", p, len);
    for (const char *c = p; *c; c++)
        if (c[0] == '/' && (c[1] == '/' || (c[1] == '.' && (c[2] == '/' || !c[2])) ||
                            (c[1] == '.' && c[2] == '.' && (c[3] == '/' || !c[3]))))
            fuzz_fail("not normalised: \"%s\"", p);
}

static void add_entries(char **lines, unsigned n)
{
    modfs_init(&fs);
    for (unsigned i = 0; i < n; i++) {
        bool link = lines[i][0] == '@';
        unsigned before = fs.count;
        int r = modfs_add(&fs, lines[i] + link, link ? MODFS_LINK : MODFS_FILE, i);
        if (r == 0) {
            const struct modfs_entry *e = &fs.e[before];
            if (fs.count != before + 1 || e->id != i)
                fuzz_fail("add \"%s\": count %u -> %u", lines[i], before, fs.count);
            check_normal(e->path, e->len);
            char again[MODFS_ENTRY_LEN];
            if (modfs_normalise(e->path, again, sizeof again) != e->len || strcmp(again, e->path))
                fuzz_fail("normalising \"%s\" again gives \"%s\"", e->path, again);
        } else if (fs.count != before ||
                   (r != -MODFS_EINVAL && r != -MODFS_ENAMETOOLONG && r != -MODFS_ENOSPC)) {
            fuzz_fail("add \"%s\": %d, count %u -> %u", lines[i], r, before, fs.count);
        }
    }
}

static bool same_node(const struct modfs_node *a, const struct modfs_node *b)
{
    if (a->type != b->type)
        return false;
    if (a->type != MODFS_DIR)
        return a->entry == b->entry && a->id == b->id;
    modfs_dir_path(&fs, a, buf2, sizeof buf2);
    char other[MODFS_ENTRY_LEN];
    modfs_dir_path(&fs, b, other, sizeof other);
    return strcmp(buf2, other) == 0;
}

/* What a successful lookup gives is what its lexical normal form gives. */
static void check_found(const char *path, const struct modfs_node *n)
{
    if (n->type == MODFS_FILE || n->type == MODFS_LINK) {
        const struct modfs_entry *e = &fs.e[n->entry];
        if (n->entry >= fs.count || e->type != n->type || e->id != n->id || n->len != e->len)
            fuzz_fail("\"%s\": node entry %u of %u", path, n->entry, fs.count);
    } else if (n->type == MODFS_DIR) {
        if (n->len > 1 && (n->entry >= fs.count || n->len >= fs.e[n->entry].len ||
                           fs.e[n->entry].path[n->len] != '/'))
            fuzz_fail("\"%s\": directory entry %u len %u", path, n->entry, n->len);
        modfs_dir_path(&fs, n, buf, sizeof buf);
        struct modfs_node root = modfs_root(), back;
        if (modfs_lookup(&fs, &root, buf, &back) != 0 || !same_node(n, &back))
            fuzz_fail("\"%s\": its directory \"%s\" does not look up to itself", path, buf);
    } else {
        fuzz_fail("\"%s\": type %u", path, n->type);
    }
}

/* Every name a directory lists looks up, once, to the node listed. */
static void check_listing(const struct modfs_node *dir)
{
    uint32_t cookie = 0, last = 0;
    char name[MODFS_NAME_MAX + 1];
    char seen[MODFS_ENTRIES_MAX][MODFS_NAME_MAX + 1];
    unsigned count = 0;
    struct modfs_node n, back;
    while (modfs_list(&fs, dir, &cookie, name, &n)) {
        if (cookie <= last || count >= MODFS_ENTRIES_MAX || !name[0] || strchr(name, '/'))
            fuzz_fail("listing: cookie %u after %u, name \"%s\"", cookie, last, name);
        for (unsigned i = 0; i < count; i++)
            if (!strcmp(seen[i], name))
                fuzz_fail("listing gives \"%s\" twice", name);
        strcpy(seen[count++], name);
        last = cookie;
        if (modfs_lookup(&fs, dir, name, &back) != 0 || !same_node(&n, &back))
            fuzz_fail("listed \"%s\" does not look up to what the listing said", name);
    }
}

/* Whether an earlier entry is a file where entry i needs a directory. */
static bool shadowed(unsigned i)
{
    for (unsigned j = 0; j < i; j++)
        if (fs.e[j].len < fs.e[i].len && fs.e[i].path[fs.e[j].len] == '/' &&
            !memcmp(fs.e[i].path, fs.e[j].path, fs.e[j].len))
            return true;
    return false;
}

static void look_up(const char *path, const struct modfs_node *base, struct modfs_node *dirs,
                    unsigned *ndirs)
{
    if (strlen(path) >= MODFS_PATH_MAX)
        return;                         /* the kernel refuses it before the walk */
    struct modfs_node n;
    int r = modfs_lookup(&fs, base, path, &n);
    if (r == 0) {
        check_found(path, &n);
        char norm[MODFS_PATH_MAX];
        if (path[0] == '/') {
            int len = modfs_normalise(path, norm, sizeof norm);
            struct modfs_node root = modfs_root(), lex;
            if (len == -MODFS_EINVAL)
                strcpy(norm, "/");
            if ((len < 0 && len != -MODFS_EINVAL) || modfs_lookup(&fs, &root, norm, &lex) != 0 ||
                !same_node(&n, &lex))
                fuzz_fail("\"%s\" and its normal form \"%s\" differ", path, norm);
        }
        if (n.type == MODFS_DIR && *ndirs < DIRS_MAX)
            dirs[(*ndirs)++] = n;
    } else if (r != -MODFS_ENOENT && r != -MODFS_ENOTDIR && r != -MODFS_ENAMETOOLONG) {
        fuzz_fail("\"%s\": %d", path, r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= sizeof text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    char *lines[LINES_MAX];
    unsigned n = 0, entries = LINES_MAX;
    for (char *p = text; p && n < LINES_MAX;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        if (!*p && entries == LINES_MAX)
            entries = n;
        else
            lines[n++] = p;
        p = nl ? nl + 1 : NULL;
    }
    if (entries > n)
        entries = n;
    add_entries(lines, entries);
    struct modfs_node dirs[DIRS_MAX];
    unsigned ndirs = 0;
    dirs[ndirs++] = modfs_root();
    for (unsigned i = 0; i < fs.count; i++) {
        struct modfs_node root = modfs_root(), e;
        int r = modfs_lookup(&fs, &root, fs.e[i].path, &e);
        if (r == 0)
            check_found(fs.e[i].path, &e);
        else if (r != -MODFS_ENOTDIR || !shadowed(i))
            fuzz_fail("entry \"%s\" does not look up: %d", fs.e[i].path, r);
    }
    for (unsigned i = entries; i < n; i++)
        for (unsigned d = 0; d < ndirs && d < DIRS_MAX; d++)
            look_up(lines[i], &dirs[d], dirs, &ndirs);
    for (unsigned d = 0; d < ndirs; d++)
        check_listing(&dirs[d]);
    return 0;
}
