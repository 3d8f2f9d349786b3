/*
 * modfs.c - the names of the read-only file system (modfs.h): a list of
 * absolute paths, walked a component at a time. A directory is never
 * stored: it is a prefix of some entry's path ending at a '/', so a node
 * for it is that entry and the prefix's length.
 */
#include "sched/modfs.h"

#include "lib/string.h"

void modfs_init(struct modfs *fs)
{
    memset(fs, 0, sizeof *fs);
}

struct modfs_node modfs_root(void)
{
    return (struct modfs_node){ .type = MODFS_DIR, .entry = 0, .len = 1 };
}

/* The next component of *s (slashes skipped), its length in *n; NULL at the end. */
static const char *next_component(const char **s, unsigned *n)
{
    const char *p = *s;
    while (*p == '/')
        p++;
    if (!*p)
        return 0;
    unsigned k = 0;
    while (p[k] && p[k] != '/')
        k++;
    *s = p + k;
    *n = k;
    return p;
}

static bool is_dot(const char *c, unsigned n)
{
    return n == 1 && c[0] == '.';
}

static bool is_dotdot(const char *c, unsigned n)
{
    return n == 2 && c[0] == '.' && c[1] == '.';
}

int modfs_normalise(const char *path, char *out, unsigned out_size)
{
    if (out_size < 2)
        return -MODFS_ENAMETOOLONG;
    unsigned len = 1;
    out[0] = '/';
    const char *c;
    unsigned n;
    while ((c = next_component(&path, &n))) {
        if (n > MODFS_NAME_MAX)
            return -MODFS_ENAMETOOLONG;
        if (is_dot(c, n))
            continue;
        if (is_dotdot(c, n)) {
            while (len > 1 && out[len - 1] != '/')
                len--;
            if (len > 1)
                len--;                  /* the slash before the component */
            continue;
        }
        unsigned need = (len > 1 ? 1 : 0) + n;
        if (need >= out_size - len)
            return -MODFS_ENAMETOOLONG;
        if (len > 1)
            out[len++] = '/';
        memcpy(out + len, c, n);
        len += n;
    }
    out[len] = 0;
    return len == 1 ? -MODFS_EINVAL : (int)len;
}

int modfs_add(struct modfs *fs, const char *path, uint8_t type, uint32_t id)
{
    if (type != MODFS_FILE && type != MODFS_LINK)
        return -MODFS_EINVAL;
    if (fs->count >= MODFS_ENTRIES_MAX)
        return -MODFS_ENOSPC;
    struct modfs_entry *e = &fs->e[fs->count];
    int len = modfs_normalise(path, e->path, sizeof e->path);
    if (len < 0)
        return len;
    e->len = (uint16_t)len;
    e->type = type;
    e->id = id;
    fs->count++;
    return 0;
}

const char *modfs_basename(const char *path)
{
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' && p[1])
            base = p + 1;
    return base;
}

/*
 * Whether entry k lies under directory dir: then *pos is where its next
 * component starts.
 */
static bool under(const struct modfs *fs, const struct modfs_node *dir, unsigned k,
                  unsigned *pos)
{
    const struct modfs_entry *e = &fs->e[k];
    if (dir->len == 1) {
        *pos = 1;
        return e->len > 1;
    }
    const char *prefix = fs->e[dir->entry].path;
    if (e->len <= dir->len || e->path[dir->len] != '/' || memcmp(e->path, prefix, dir->len))
        return false;
    *pos = dir->len + 1u;
    return true;
}

/* The node for entry k's component that starts at pos and is n bytes long. */
static struct modfs_node node_at(const struct modfs *fs, unsigned k, unsigned pos, unsigned n)
{
    const struct modfs_entry *e = &fs->e[k];
    if (pos + n == e->len)
        return (struct modfs_node){ .type = e->type, .entry = (uint16_t)k, .len = e->len,
                                    .id = e->id };
    return (struct modfs_node){ .type = MODFS_DIR, .entry = (uint16_t)k,
                                .len = (uint16_t)(pos + n) };
}

/* The component starting at pos in entry k: its length. */
static unsigned component_len(const struct modfs_entry *e, unsigned pos)
{
    unsigned n = 0;
    while (pos + n < e->len && e->path[pos + n] != '/')
        n++;
    return n;
}

/* The child called c (n bytes) of directory dir, the first entry giving it. */
static bool child(const struct modfs *fs, const struct modfs_node *dir, const char *c,
                  unsigned n, struct modfs_node *out)
{
    for (unsigned k = 0; k < fs->count; k++) {
        unsigned pos;
        if (!under(fs, dir, k, &pos) || component_len(&fs->e[k], pos) != n ||
            memcmp(fs->e[k].path + pos, c, n))
            continue;
        *out = node_at(fs, k, pos, n);
        return true;
    }
    return false;
}

static struct modfs_node parent(const struct modfs *fs, const struct modfs_node *dir)
{
    struct modfs_node up = *dir;
    const char *p = fs->e[dir->entry].path;
    if (dir->len <= 1)
        return modfs_root();
    while (up.len > 0 && p[up.len - 1] != '/')
        up.len--;
    if (up.len <= 1)
        return modfs_root();
    up.len--;                           /* the slash */
    up.type = MODFS_DIR;
    up.id = 0;
    return up;
}

int modfs_lookup(const struct modfs *fs, const struct modfs_node *base, const char *path,
                 struct modfs_node *out)
{
    if (!path[0])
        return -MODFS_ENOENT;
    struct modfs_node cur = path[0] == '/' ? modfs_root() : *base;
    const char *s = path, *c;
    unsigned n;
    while ((c = next_component(&s, &n))) {
        if (n > MODFS_NAME_MAX)
            return -MODFS_ENAMETOOLONG;
        if (cur.type != MODFS_DIR)
            return -MODFS_ENOTDIR;
        if (is_dot(c, n))
            continue;
        if (is_dotdot(c, n))
            cur = parent(fs, &cur);
        else if (!child(fs, &cur, c, n, &cur))
            return -MODFS_ENOENT;
    }
    if (path[strlen(path) - 1] == '/' && cur.type != MODFS_DIR)
        return -MODFS_ENOTDIR;          /* "file/" asks for a directory */
    *out = cur;
    return 0;
}

unsigned modfs_dir_path(const struct modfs *fs, const struct modfs_node *dir, char *out,
                        unsigned out_size)
{
    unsigned len = dir->len <= 1 ? 1 : dir->len;
    if (len >= out_size)
        len = out_size - 1;
    memcpy(out, dir->len <= 1 ? "/" : fs->e[dir->entry].path, len);
    out[len] = 0;
    return len;
}

bool modfs_list(const struct modfs *fs, const struct modfs_node *dir, uint32_t *cookie,
                char *name, struct modfs_node *node)
{
    for (uint32_t k = *cookie; k < fs->count; k++) {
        unsigned pos, n;
        if (!under(fs, dir, k, &pos))
            continue;
        n = component_len(&fs->e[k], pos);
        struct modfs_node first;
        if (!child(fs, dir, fs->e[k].path + pos, n, &first) || first.entry != k)
            continue;                   /* an earlier entry gave this name */
        memcpy(name, fs->e[k].path + pos, n);
        name[n] = 0;
        *node = first;
        *cookie = k + 1;
        return true;
    }
    *cookie = fs->count;
    return false;
}

uint32_t modfs_dir_ino(const struct modfs *fs, const struct modfs_node *dir)
{
    const char *p = dir->len <= 1 ? "/" : fs->e[dir->entry].path;
    unsigned len = dir->len <= 1 ? 1 : dir->len;
    uint32_t h = 2166136261u;           /* FNV-1a */
    for (unsigned i = 0; i < len; i++)
        h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h | 0x80000000u;
}
