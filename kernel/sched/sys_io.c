/*
 * sys_io.c - the system calls on file descriptors. Descriptors 0, 1 and 2
 * are the console: what a program writes appears as it is, on the screen
 * and the serial port; reading it gives end-of-file (there is no keyboard
 * input for programs yet).
 */
#include "console/console.h"
#include "lib/string.h"
#include "mm/modwin.h"
#include "sched/syscall.h"

#define CHUNK       256         /* bytes copied from the program at a time */
#define IOV_MAX     1024

static struct ufile *file_of(struct sysc *c, uint32_t fd)
{
    if (fd >= PROC_FDS_MAX || !c->p->files[fd].used)
        return 0;
    return &c->p->files[fd];
}

/* Writes n bytes from the program's buf to f; bytes written or -errno. */
static int32_t write_file(struct sysc *c, struct ufile *f, uint32_t buf, uint32_t n)
{
    if (!f->console)
        return -LINUX_EBADF;            /* modules are read-only */
    if (n > 0x7FFFF000)
        n = 0x7FFFF000;                 /* Linux's cap on one transfer */
    char tmp[CHUNK];
    uint32_t done = 0;
    while (done < n) {
        uint32_t k = n - done < CHUNK ? n - done : CHUNK;
        if (sys_copy_in(c, tmp, buf + done, k) != 0)
            return done ? (int32_t)done : -LINUX_EFAULT;
        console_write(tmp, k);
        done += k;
    }
    return (int32_t)done;
}

static int32_t sys_write(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    return f ? write_file(c, f, c->a[1], c->a[2]) : -LINUX_EBADF;
}

static int32_t sys_writev(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    if (!f)
        return -LINUX_EBADF;
    if (c->a[2] > IOV_MAX)
        return -LINUX_EINVAL;
    int32_t total = 0;
    for (uint32_t i = 0; i < c->a[2]; i++) {
        struct linux_iovec v;
        if (sys_copy_in(c, &v, c->a[1] + i * sizeof v, sizeof v) != 0)
            return total ? total : -LINUX_EFAULT;
        int32_t r = write_file(c, f, v.base, v.len);
        if (r < 0)
            return total ? total : r;
        total += r;
    }
    return total;
}

static int32_t sys_read(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    if (!f)
        return -LINUX_EBADF;
    if (f->console)
        return 0;                       /* end of file: no input for programs yet */
    return -LINUX_EBADF;
}

static int32_t sys_close(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    if (!f)
        return -LINUX_EBADF;
    memset(f, 0, sizeof *f);
    return 0;
}

static int32_t sys_ioctl(struct sysc *c)
{
    if (!file_of(c, c->a[0]))
        return -LINUX_EBADF;
    return -LINUX_ENOTTY;               /* the console is not a terminal a program can set */
}

static int32_t sys_fcntl64(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    if (!f)
        return -LINUX_EBADF;
    switch (c->a[1]) {
    case LINUX_F_GETFD:
        return (int32_t)f->fd_flags;
    case LINUX_F_SETFD:
        f->fd_flags = c->a[2] & 1;
        return 0;
    case LINUX_F_GETFL:
        return (int32_t)(f->console ? 2 : 0);   /* O_RDWR for the console, O_RDONLY for files */
    case LINUX_F_SETFL:
        return 0;
    default:
        return -LINUX_EINVAL;
    }
}

static void stat_console(struct linux_stat64 *s)
{
    memset(s, 0, sizeof *s);
    s->mode = LINUX_S_IFCHR | 0620;
    s->rdev = (136 << 8);               /* a pseudo-terminal's numbers, as under a terminal */
    s->blksize = 1024;
    s->nlink = 1;
}

static int32_t sys_fstat64(struct sysc *c)
{
    struct ufile *f = file_of(c, c->a[0]);
    if (!f)
        return -LINUX_EBADF;
    struct linux_stat64 s;
    stat_console(&s);
    return sys_copy_out(c, c->a[1], &s, sizeof s);
}

static int32_t sys_statx(struct sysc *c)
{
    /* statx(dirfd, path, flags, mask, buf): only an empty path on a descriptor. */
    char first;
    if (sys_copy_in(c, &first, c->a[1], 1) != 0)
        return -LINUX_EFAULT;
    if (first || !(c->a[2] & LINUX_AT_EMPTY_PATH))
        return -LINUX_ENOENT;
    if (!file_of(c, c->a[0]))
        return -LINUX_EBADF;
    struct linux_statx x;
    memset(&x, 0, sizeof x);
    x.mask = LINUX_STATX_BASIC_STATS;
    x.blksize = 1024;
    x.nlink = 1;
    x.mode = LINUX_S_IFCHR | 0620;
    x.rdev_major = 136;
    return sys_copy_out(c, c->a[4], &x, sizeof x);
}

int32_t sys_file_area(struct sysc *c, uint32_t fd, uint32_t pgoff, struct vma *a)
{
    struct ufile *f = file_of(c, fd);
    if (!f)
        return -LINUX_EBADF;
    uint32_t size, offset;
    if (f->console || !modwin_module(f->module, &size, &offset))
        return -LINUX_ENODEV;
    if (a->prot & VMA_WRITE && !(c->a[3] & LINUX_MAP_PRIVATE))
        return -LINUX_EACCES;           /* a shared writable view of a read-only file */
    uint64_t start = (uint64_t)pgoff << PAGE_SHIFT;
    a->kind = VMA_FILE;
    a->file_base = offset + (uint32_t)(start < size ? start : size);
    a->file_size = start < size ? size - (uint32_t)start : 0;
    str_copy(a->name, "file", sizeof a->name);
    return 0;
}

const struct sys_entry sys_io_calls[] = {
    { NR_write, sys_write },
    { NR_writev, sys_writev },
    { NR_read, sys_read },
    { NR_close, sys_close },
    { NR_ioctl, sys_ioctl },
    { NR_fcntl64, sys_fcntl64 },
    { NR_fstat64, sys_fstat64 },
    { NR_statx, sys_statx },
    SYS_END,
};
