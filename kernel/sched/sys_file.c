/*
 * sys_file.c - the system calls that name files: open and openat, the
 * stat family, access, readlink, getcwd and getdents64, over the read-only
 * file system programs see (docs/processes.md, "Files").
 *
 * Its files are the boot modules. A module is named by the first word of
 * the string its loader gave (GRUB's `module2 /boot/user/data.txt data.txt`
 * gives "data.txt"; QEMU's -initrd "build/x/data.txt" gives that path; a
 * string that is empty, or whose word names no file, gives "moduleN"), and
 * it can be opened three ways: by that word as a path ("/build/x/data.txt",
 * or "build/x/data.txt" from "/"), by the word's last component
 * ("/data.txt"), and as "/modules/data.txt". The first module to give a
 * name keeps it. Beside them: /proc/self/exe, a link
 * to the program's own module, and /proc/self/statm, its memory in pages.
 * The current directory is always "/".
 *
 * Nothing can be written, so the answers are those of Linux on a read-only
 * mount: EROFS to open a file for writing, to truncate it or to create one
 * in a directory that exists (ENOENT when the directory does not, EEXIST
 * for O_CREAT|O_EXCL on a name that exists); EISDIR to open a directory
 * for writing; ENOTDIR for O_DIRECTORY on a file; ENOENT for any other
 * name. Modules are owned by root, mode 0444, or 0555 when they are ELF
 * programs; each is inode (its index + 1) on device 0:1.
 */
#include "console/protocol.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "mm/modwin.h"
#include "sched/sysfile.h"

#define FS_DEV_MINOR    1               /* device 0:1 */
#define INO_EXE         0x7FFFFF01u
#define INO_STATM       0x7FFFFF02u
#define STATX_RESERVED  0x80000000u
#define BLOCK           512             /* st_blocks' unit */

static struct modfs fs;

const struct modfs *sysfile_fs(void)
{
    return &fs;
}

/* The first word of s into out, or "moduleN" when there is none. */
static void first_word(const char *s, unsigned i, char *out, unsigned size)
{
    while (*s == ' ')
        s++;
    unsigned n = 0;
    while (s[n] && s[n] != ' ' && n + 1 < size) {
        out[n] = s[n];
        n++;
    }
    out[n] = 0;
    if (!n)
        format_buf(out, size, "module%u", i);
}

void sys_files_init(void)
{
    modfs_init(&fs);
    for (unsigned i = 0; i < BOOT_MODULES_MAX; i++) {
        const char *s = modwin_string(i);
        if (!s)
            continue;
        char word[BOOT_MODCMD_MAX], path[MODFS_ENTRY_LEN], alias[MODFS_ENTRY_LEN];
        first_word(s, i, word, sizeof word);
        if (modfs_normalise(word, path, sizeof path) < 0) {
            proto_warnf("files", "module %u's name \"%s\" names no file; programs see it "
                        "as module%u", i, word, i);
            format_buf(path, sizeof path, "/module%u", i);
        }
        modfs_add(&fs, path, MODFS_FILE, i);
        format_buf(alias, sizeof alias, "/%s", modfs_basename(path));
        if (strcmp(alias, path) != 0)
            modfs_add(&fs, alias, MODFS_FILE, i);
        format_buf(alias, sizeof alias, "/modules/%s", modfs_basename(path));
        modfs_add(&fs, alias, MODFS_FILE, i);
    }
    modfs_add(&fs, "/proc/self/exe", MODFS_LINK, SYSFILE_ID_EXE);
    modfs_add(&fs, "/proc/self/statm", MODFS_FILE, SYSFILE_ID_STATM);
}

/* ---- names ---------------------------------------------------------------------------- */

/* The program's own module's path (its first name), or NULL. */
static const char *exe_path(struct proc *p)
{
    for (unsigned k = 0; k < fs.count; k++) {
        uint32_t size, offset;
        const struct modfs_entry *e = &fs.e[k];
        if (e->type == MODFS_FILE && e->id < BOOT_MODULES_MAX &&
            modwin_module(e->id, &size, &offset) && offset == p->image_offset &&
            size == p->image_size)
            return e->path;
    }
    return 0;
}

/* What a name or a descriptor stands for: the console, or a node of fs. */
struct target {
    bool console;
    struct modfs_node node;
};

/* The program's path, copied into a buffer of MODFS_PATH_MAX bytes that
 * the caller frees; NULL with *err set when it cannot be. */
static char *get_path(struct sysc *c, uint32_t upath, int32_t *err)
{
    char *path = kmalloc(MODFS_PATH_MAX);
    if (!path) {
        *err = -LINUX_ENOMEM;
        return 0;
    }
    int n = uspace_copy_string(&c->p->us, path, upath, MODFS_PATH_MAX);
    if (n >= 0)
        return path;
    kfree(path);
    *err = n == -1 ? -LINUX_EFAULT : -LINUX_ENAMETOOLONG;
    return 0;
}

/* What descriptor fd (or AT_FDCWD, "/") is. */
static int32_t target_of_fd(struct sysc *c, int32_t fd, struct target *t)
{
    memset(t, 0, sizeof *t);
    if (fd == LINUX_AT_FDCWD) {
        t->node = modfs_root();
        return 0;
    }
    struct uopen *o = fd_hold(c->p, (uint32_t)fd);
    if (!o)
        return -LINUX_EBADF;
    switch (o->kind) {
    case UOPEN_CONSOLE:
    case UOPEN_PIPE:            /* no file behind it: stat says a character device */
    case UOPEN_EPOLL:
        t->console = true;
        break;
    case UOPEN_DIR:
        t->node = (struct modfs_node){ .type = MODFS_DIR, .entry = o->entry, .len = o->len };
        break;
    case UOPEN_STATM:
        t->node = (struct modfs_node){ .type = MODFS_FILE, .id = SYSFILE_ID_STATM };
        break;
    default:
        t->node = (struct modfs_node){ .type = MODFS_FILE, .id = o->module };
    }
    fd_release(c->p, o);
    return 0;
}

/* A link's target: /proc/self/exe is the program's module. */
static int32_t follow(struct sysc *c, struct modfs_node *n)
{
    const char *to = exe_path(c->p);
    struct modfs_node root = modfs_root();
    return to ? modfs_lookup(&fs, &root, to, n) : -LINUX_ENOENT;
}

/* What path names from dirfd, a link at its end followed when asked. */
static int32_t lookup_at(struct sysc *c, int32_t dirfd, const char *path, bool follow_link,
                         struct target *t)
{
    memset(t, 0, sizeof *t);
    if (!path[0])
        return -LINUX_ENOENT;           /* whatever dirfd is */
    struct target base = { .node = modfs_root() };
    if (path[0] != '/') {
        int32_t r = target_of_fd(c, dirfd, &base);
        if (r)
            return r;
        if (base.console || base.node.type != MODFS_DIR)
            return -LINUX_ENOTDIR;
    }
    int32_t r = modfs_lookup(&fs, &base.node, path, &t->node);
    if (r == 0 && follow_link && t->node.type == MODFS_LINK)
        r = follow(c, &t->node);
    return r;
}

/* The *at calls' common part: the program's path from dirfd, or with
 * AT_EMPTY_PATH and an empty path, dirfd itself. */
static int32_t name_at(struct sysc *c, int32_t dirfd, uint32_t upath, uint32_t at_flags,
                       struct target *t)
{
    int32_t r;
    char *path = get_path(c, upath, &r);
    if (!path)
        return r;
    if (!path[0] && (at_flags & LINUX_AT_EMPTY_PATH))
        r = target_of_fd(c, dirfd, t);
    else
        r = lookup_at(c, dirfd, path, !(at_flags & LINUX_AT_SYMLINK_NOFOLLOW), t);
    kfree(path);
    return r;
}

/* ---- open ----------------------------------------------------------------------------- */

/* Why O_CREAT cannot make path: EROFS when its directory exists, else that
 * directory's own error. */
static int32_t create_error(struct sysc *c, int32_t dirfd, char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = 0;
    char *slash = 0;
    for (char *p = path; *p; p++)
        if (*p == '/')
            slash = p;
    struct target dir;
    int32_t r;
    if (!slash) {
        r = lookup_at(c, dirfd, ".", true, &dir);
    } else {
        slash[slash == path ? 1 : 0] = 0;
        r = lookup_at(c, dirfd, path, true, &dir);
    }
    if (r == 0 && dir.node.type != MODFS_DIR)
        r = -LINUX_ENOTDIR;
    return r ? r : -LINUX_EROFS;
}

/* Checks flags against what t is; 0 when it may be opened so. */
static int32_t open_check(const struct target *t, uint32_t flags)
{
    bool writes = (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY || (flags & LINUX_O_TRUNC);
    if ((flags & LINUX_O_CREAT) && (flags & LINUX_O_EXCL))
        return -LINUX_EEXIST;
    /* O_TMPFILE holds O_DIRECTORY's bit too: it is O_TMPFILE only when
     * both are set. */
    bool tmpfile = (flags & LINUX_O_TMPFILE) == LINUX_O_TMPFILE;
    if (tmpfile && (flags & LINUX_O_ACCMODE) == LINUX_O_RDONLY)
        return -LINUX_EINVAL;
    if (t->node.type == MODFS_DIR) {
        if (tmpfile)
            return -LINUX_EROFS;        /* a file to make in that directory */
        return writes || (flags & LINUX_O_CREAT) ? -LINUX_EISDIR : 0;
    }
    if (flags & LINUX_O_DIRECTORY)
        return -LINUX_ENOTDIR;
    return writes ? -LINUX_EROFS : 0;
}

static int32_t do_open(struct sysc *c, int32_t dirfd, uint32_t upath, uint32_t flags)
{
    int32_t r;
    char *path = get_path(c, upath, &r);
    if (!path)
        return r;
    struct target t;
    r = lookup_at(c, dirfd, path, false, &t);
    if (r == -LINUX_ENOENT && (flags & LINUX_O_CREAT) && path[0])
        r = create_error(c, dirfd, path);
    kfree(path);
    if (r == 0 && t.node.type == MODFS_LINK)
        r = (flags & LINUX_O_NOFOLLOW) ? -LINUX_ELOOP : follow(c, &t.node);
    if (r == 0)
        r = open_check(&t, flags);
    if (r)
        return r;
    struct uopen o = {
        .status_flags = flags & ~(uint32_t)(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY |
                                            LINUX_O_TRUNC | LINUX_O_CLOEXEC),
    };
    if (t.node.type == MODFS_DIR) {
        o.kind = UOPEN_DIR;
        o.entry = t.node.entry;
        o.len = t.node.len;
    } else if (t.node.id == SYSFILE_ID_STATM) {
        o.kind = UOPEN_STATM;
    } else {
        o.kind = UOPEN_MODULE;
        o.module = (uint16_t)t.node.id;
    }
    return fd_install(c->p, &o, 0, (flags & LINUX_O_CLOEXEC) ? LINUX_FD_CLOEXEC : 0);
}

static int32_t sys_open(struct sysc *c)
{
    return do_open(c, LINUX_AT_FDCWD, c->a[0], c->a[1]);
}

static int32_t sys_openat(struct sysc *c)
{
    return do_open(c, (int32_t)c->a[0], c->a[1], c->a[2]);
}

static int32_t sys_creat(struct sysc *c)
{
    return do_open(c, LINUX_AT_FDCWD, c->a[0], LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC);
}

/* ---- information ---------------------------------------------------------------------- */

/* What stat64 and statx both say. */
struct info {
    uint32_t mode, nlink, blksize;
    uint64_t ino, size, blocks;
    uint32_t dev_major, dev_minor, rdev_major, rdev_minor;
};

static bool is_elf(const uint8_t *d, uint32_t size)
{
    return size >= 4 && d[0] == 0x7F && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}

static void info_of(struct sysc *c, const struct target *t, struct info *in)
{
    memset(in, 0, sizeof *in);
    in->nlink = 1;
    in->blksize = PAGE_SIZE;
    in->dev_minor = FS_DEV_MINOR;
    if (t->console) {
        in->mode = LINUX_S_IFCHR | 0620;
        in->rdev_major = 136;           /* a pseudo-terminal's numbers, as under a terminal */
        in->blksize = 1024;
        in->dev_minor = 0;
        return;
    }
    const struct modfs_node *n = &t->node;
    uint32_t size, offset;
    const uint8_t *data;
    if (n->type == MODFS_DIR) {
        in->mode = LINUX_S_IFDIR | 0555;
        in->nlink = 2;
        in->ino = modfs_dir_ino(&fs, n);
    } else if (n->type == MODFS_LINK) {
        const char *to = exe_path(c->p);
        in->mode = LINUX_S_IFLNK | 0777;
        in->ino = INO_EXE;
        in->size = to ? strlen(to) : 0;
    } else if (n->id == SYSFILE_ID_STATM) {
        in->mode = LINUX_S_IFREG | 0444;
        in->ino = INO_STATM;            /* size 0, as Linux's /proc files */
    } else if ((data = modwin_module(n->id, &size, &offset))) {
        in->mode = LINUX_S_IFREG | (is_elf(data, size) ? 0555 : 0444);
        in->ino = n->id + 1;
        in->size = size;
        in->blocks = (uint64_t)((size + PAGE_SIZE - 1) / PAGE_SIZE) * (PAGE_SIZE / BLOCK);
    }
}

static int32_t put_stat64(struct sysc *c, const struct target *t, uint32_t ubuf)
{
    struct info in;
    info_of(c, t, &in);
    struct linux_stat64 s;
    memset(&s, 0, sizeof s);
    s.dev = in.dev_minor | (in.dev_major << 8);     /* Linux's encoding, for minors < 256 */
    s.ino32 = (uint32_t)in.ino;
    s.ino = in.ino;
    s.mode = in.mode;
    s.nlink = in.nlink;
    s.rdev = in.rdev_minor | (in.rdev_major << 8);
    s.size = (int64_t)in.size;
    s.blksize = in.blksize;
    s.blocks = in.blocks;
    return sys_copy_out(c, ubuf, &s, sizeof s);
}

static int32_t put_statx(struct sysc *c, const struct target *t, uint32_t ubuf)
{
    struct info in;
    info_of(c, t, &in);
    struct linux_statx x;
    memset(&x, 0, sizeof x);
    x.mask = LINUX_STATX_BASIC_STATS;
    x.blksize = in.blksize;
    x.nlink = in.nlink;
    x.mode = (uint16_t)in.mode;
    x.ino = in.ino;
    x.size = in.size;
    x.blocks = in.blocks;
    x.rdev_major = in.rdev_major;
    x.rdev_minor = in.rdev_minor;
    x.dev_major = in.dev_major;
    x.dev_minor = in.dev_minor;
    return sys_copy_out(c, ubuf, &x, sizeof x);
}

/* stat64(path, buf), lstat64(path, buf), fstat64(fd, buf) */
static int32_t stat_path(struct sysc *c, uint32_t at_flags)
{
    struct target t;
    int32_t r = name_at(c, LINUX_AT_FDCWD, c->a[0], at_flags, &t);
    return r ? r : put_stat64(c, &t, c->a[1]);
}

static int32_t sys_stat64(struct sysc *c)
{
    return stat_path(c, 0);
}

static int32_t sys_lstat64(struct sysc *c)
{
    return stat_path(c, LINUX_AT_SYMLINK_NOFOLLOW);
}

static int32_t sys_fstat64(struct sysc *c)
{
    if ((int32_t)c->a[0] == LINUX_AT_FDCWD)
        return -LINUX_EBADF;
    struct target t;
    int32_t r = target_of_fd(c, (int32_t)c->a[0], &t);
    return r ? r : put_stat64(c, &t, c->a[1]);
}

/* fstatat64(dirfd, path, buf, flags) */
static int32_t sys_fstatat64(struct sysc *c)
{
    uint32_t known = LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH | LINUX_AT_NO_AUTOMOUNT;
    if (c->a[3] & ~known)
        return -LINUX_EINVAL;
    struct target t;
    int32_t r = name_at(c, (int32_t)c->a[0], c->a[1], c->a[3], &t);
    return r ? r : put_stat64(c, &t, c->a[2]);
}

/* statx(dirfd, path, flags, mask, buf) */
static int32_t sys_statx(struct sysc *c)
{
    uint32_t known = LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH | LINUX_AT_NO_AUTOMOUNT |
                     LINUX_AT_STATX_SYNC_TYPE;
    if ((c->a[2] & ~known) || (c->a[2] & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE ||
        (c->a[3] & STATX_RESERVED))
        return -LINUX_EINVAL;
    struct target t;
    int32_t r = name_at(c, (int32_t)c->a[0], c->a[1], c->a[2], &t);
    return r ? r : put_statx(c, &t, c->a[4]);
}

/* access's answer for a root process on a read-only file system. */
static int32_t access_at(struct sysc *c, int32_t dirfd, uint32_t upath, uint32_t mode,
                         uint32_t at_flags)
{
    if (mode & ~(uint32_t)(LINUX_R_OK | LINUX_W_OK | LINUX_X_OK))
        return -LINUX_EINVAL;
    struct target t;
    int32_t r = name_at(c, dirfd, upath, at_flags, &t);
    if (r)
        return r;
    if (t.console)
        return (mode & LINUX_X_OK) ? -LINUX_EACCES : 0;
    if (mode & LINUX_W_OK)
        return -LINUX_EROFS;
    struct info in;
    info_of(c, &t, &in);
    return (mode & LINUX_X_OK) && !(in.mode & 0111) ? -LINUX_EACCES : 0;
}

static int32_t sys_access(struct sysc *c)
{
    return access_at(c, LINUX_AT_FDCWD, c->a[0], c->a[1], 0);
}

static int32_t sys_faccessat(struct sysc *c)
{
    return access_at(c, (int32_t)c->a[0], c->a[1], c->a[2], 0);
}

static int32_t sys_faccessat2(struct sysc *c)
{
    uint32_t known = LINUX_AT_EACCESS | LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH;
    if (c->a[3] & ~known)
        return -LINUX_EINVAL;
    return access_at(c, (int32_t)c->a[0], c->a[1], c->a[2], c->a[3]);
}

/* readlinkat(dirfd, path, buf, size): the link's target, not NUL-terminated. */
static int32_t readlink_at(struct sysc *c, int32_t dirfd, uint32_t upath, uint32_t ubuf,
                           int32_t size)
{
    if (size <= 0)
        return -LINUX_EINVAL;
    struct target t;
    int32_t r = name_at(c, dirfd, upath, LINUX_AT_SYMLINK_NOFOLLOW, &t);
    if (r)
        return r;
    if (t.console || t.node.type != MODFS_LINK)
        return -LINUX_EINVAL;
    const char *to = exe_path(c->p);
    if (!to)
        return -LINUX_ENOENT;
    uint32_t n = (uint32_t)strlen(to);
    if (n > (uint32_t)size)
        n = (uint32_t)size;
    return sys_copy_out(c, ubuf, to, n) ? -LINUX_EFAULT : (int32_t)n;
}

static int32_t sys_readlink(struct sysc *c)
{
    return readlink_at(c, LINUX_AT_FDCWD, c->a[0], c->a[1], (int32_t)c->a[2]);
}

static int32_t sys_readlinkat(struct sysc *c)
{
    return readlink_at(c, (int32_t)c->a[0], c->a[1], c->a[2], (int32_t)c->a[3]);
}

/* getcwd(buf, size): "/" always; the length with its NUL, as the system call gives it. */
static int32_t sys_getcwd(struct sysc *c)
{
    if (c->a[1] < 2)
        return -LINUX_ERANGE;
    return sys_copy_out(c, c->a[0], "/", 2) ? -LINUX_EFAULT : 2;
}

/* ---- directories ---------------------------------------------------------------------- */

/* The entry at position pos of dir (0 ".", 1 "..", then fs's names):
 * false at the end; else *next is the position after it. */
static bool dir_entry(const struct modfs_node *dir, uint64_t pos, char *name,
                      struct modfs_node *n, uint64_t *next)
{
    if (pos < 2) {
        struct modfs_node self = *dir;
        int r = pos == 0 ? modfs_lookup(&fs, &self, ".", n) : modfs_lookup(&fs, &self, "..", n);
        str_copy(name, pos == 0 ? "." : "..", 3);
        *next = pos + 1;
        return r == 0;
    }
    if (pos - 2 > fs.count)
        return false;
    uint32_t cookie = (uint32_t)(pos - 2);
    if (!modfs_list(&fs, dir, &cookie, name, n))
        return false;
    *next = cookie + 2u;
    return true;
}

static uint8_t dirent_type(const struct modfs_node *n)
{
    return n->type == MODFS_DIR ? LINUX_DT_DIR : n->type == MODFS_LINK ? LINUX_DT_LNK
                                                                       : LINUX_DT_REG;
}

/* getdents64(fd, buf, count) */
static int32_t sys_getdents64(struct sysc *c)
{
    struct uopen *o = fd_hold(c->p, c->a[0]);
    if (!o)
        return -LINUX_EBADF;
    if (o->kind != UOPEN_DIR) {
        fd_release(c->p, o);
        return -LINUX_ENOTDIR;
    }
    struct modfs_node dir = { .type = MODFS_DIR, .entry = o->entry, .len = o->len };
    uint32_t used = 0, count = c->a[2];
    int32_t r = 0;
    char rec[sizeof(struct linux_dirent64) + MODFS_NAME_MAX + 8];
    struct modfs_node n;
    uint64_t next;
    while (dir_entry(&dir, o->pos, rec + sizeof(struct linux_dirent64), &n, &next)) {
        size_t name_len = strlen(rec + sizeof(struct linux_dirent64));
        uint32_t reclen = (uint32_t)((sizeof(struct linux_dirent64) + name_len + 1 + 7) & ~7u);
        if (reclen > count - used) {
            r = used ? 0 : -LINUX_EINVAL;   /* not even one record fits */
            break;
        }
        struct target t = { .node = n };
        struct info in;
        info_of(c, &t, &in);
        struct linux_dirent64 d = { in.ino, (int64_t)next, (uint16_t)reclen, dirent_type(&n) };
        memcpy(rec, &d, sizeof d);
        memset(rec + sizeof d + name_len, 0, reclen - sizeof d - name_len);
        if (sys_copy_out(c, c->a[1] + used, rec, reclen) != 0) {
            r = used ? 0 : -LINUX_EFAULT;
            break;
        }
        used += reclen;
        o->pos = next;
    }
    fd_release(c->p, o);
    return r ? r : (int32_t)used;
}

/* ---- /proc/self/statm ----------------------------------------------------------------- */

struct statm {
    uint32_t size, resident, text, data;
};

static int count_area(void *ctx, const struct vma *a)
{
    struct statm *m = ctx;
    if (a->kind == VMA_GUARD)
        return 0;
    uint32_t pages = (a->end - a->start) / PAGE_SIZE;
    unsigned backed, written;
    uspace_count(a->start, a->end, &backed, &written);
    m->size += pages;
    m->resident += backed;
    if (a->prot & VMA_EXEC)
        m->text += pages;
    else if (a->prot & VMA_WRITE)
        m->data += pages;
    return 0;
}

/*
 * Linux's seven numbers, in pages: size (every area but guards), resident
 * (pages backed), shared (backed by a module's own frame, not a copy:
 * resident less the frames the process holds), text (executable areas),
 * lib (0), data (writable areas: data, heap, stack, mappings), dt (0).
 */
unsigned sysfile_statm(struct proc *p, char *buf, unsigned size)
{
    struct statm m = { 0, 0, 0, 0 };
    vma_for_each(&p->us.areas, count_area, &m);
    uint32_t shared = m.resident > p->us.frames ? m.resident - p->us.frames : 0;
    int n = format_buf(buf, size, "%u %u %u %u 0 %u 0\n", (unsigned)m.size,
                       (unsigned)m.resident, (unsigned)shared, (unsigned)m.text,
                       (unsigned)m.data);
    return n < 0 ? 0 : (unsigned)n < size ? (unsigned)n : size - 1;
}

const struct sys_entry sys_file_calls[] = {
    { NR_open, sys_open },
    { NR_openat, sys_openat },
    { NR_creat, sys_creat },
    { NR_stat64, sys_stat64 },
    { NR_lstat64, sys_lstat64 },
    { NR_fstat64, sys_fstat64 },
    { NR_fstatat64, sys_fstatat64 },
    { NR_statx, sys_statx },
    { NR_access, sys_access },
    { NR_faccessat, sys_faccessat },
    { NR_faccessat2, sys_faccessat2 },
    { NR_readlink, sys_readlink },
    { NR_readlinkat, sys_readlinkat },
    { NR_getcwd, sys_getcwd },
    { NR_getdents64, sys_getdents64 },
    SYS_END,
};
