/*
 * file_basic.c - reading a file as any Linux program does, with answers
 * that do not depend on where the file lives: tests/qemu/test_files.py
 * runs it under mematlas (the file is a boot module) and on the host (the
 * same file in a temporary directory) and compares what the two print.
 *
 *   file_basic NAME     NAME: a file of text more than two pages long
 *
 * The descriptor limit is set to mematlas's, 32, first. Covers open,
 * read, lseek (SEEK_SET/CUR/END/DATA/HOLE), pread, fstat and stat,
 * dup/dup2/dup3/fcntl, fopen+fgets, mmap (private, copy on write, shared),
 * readlink of /proc/self/exe, access, and the errors: ENOENT, ENOTDIR,
 * EBADF, EFAULT, EINVAL, ESPIPE, ENAMETOOLONG, EMFILE, EACCES.
 * The exit status is the number of checks that failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_FILE    65536

static int failures;
static char data[MAX_FILE];
static size_t size;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s (errno %s)\n", what, strerrorname_np(errno));
        failures++;
    }
}

/* A call's result as text: the value, or the errno's name. */
static const char *res(long r)
{
    static char buf[64];
    if (r < 0)
        snprintf(buf, sizeof buf, "-1 %s", strerrorname_np(errno));
    else
        snprintf(buf, sizeof buf, "%ld", r);
    return buf;
}

static unsigned sum(const char *p, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

static int open_it(const char *name)
{
    int fd = open(name, O_RDONLY);
    check(fd >= 3, "open");
    return fd;
}

static void reading(const char *name)
{
    int fd = open_it(name);
    int reads = 0;
    ssize_t r;
    while ((r = read(fd, data + size, 7)) > 0 && size < MAX_FILE - 7) {
        size += (size_t)r;
        reads++;
    }
    check(r == 0, "read ends with 0 at the end of the file");
    printf("read %zu bytes in %d reads, sum %08x\n", size, reads, sum(data, size));
    printf("read at the end: %s\n", res(read(fd, data + size, 10)));
    check(size > 8192, "the file is more than two pages long");
    close(fd);
}

static void seeking(const char *name)
{
    int fd = open_it(name);
    char buf[16];
    printf("lseek end: %s\n", res(lseek(fd, 0, SEEK_END)));
    printf("lseek -5 end: %s\n", res(lseek(fd, -5, SEEK_END)));
    check(read(fd, buf, 16) == 5 && memcmp(buf, data + size - 5, 5) == 0, "the last 5 bytes");
    printf("lseek 10 set: %s\n", res(lseek(fd, 10, SEEK_SET)));
    printf("lseek 3 cur: %s\n", res(lseek(fd, 3, SEEK_CUR)));
    check(read(fd, buf, 4) == 4 && memcmp(buf, data + 13, 4) == 0, "4 bytes at 13");
    printf("lseek -100000 cur: %s\n", res(lseek(fd, -100000, SEEK_CUR)));
    printf("lseek cur after a failed lseek: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    printf("lseek whence 9: %s\n", res(lseek(fd, 0, 9)));
    printf("lseek past the end: %s\n", res(lseek(fd, (off_t)size + 100, SEEK_SET)));
    printf("read past the end: %s\n", res(read(fd, buf, 4)));
    printf("lseek64 8 GiB: %lld\n", (long long)lseek64(fd, 1ll << 33, SEEK_SET));
    printf("read at 8 GiB: %s\n", res(read(fd, buf, 4)));
    printf("seek data 100: %s\n", res(lseek(fd, 100, SEEK_DATA)));
    printf("seek hole 100: %s\n", res(lseek(fd, 100, SEEK_HOLE)));
    printf("seek data at the end: %s\n", res(lseek(fd, (off_t)size, SEEK_DATA)));
    printf("raw lseek end: %s\n", res(syscall(SYS_lseek, fd, 0, SEEK_END)));
    /* pread leaves the position alone. */
    lseek(fd, 7, SEEK_SET);
    check(pread(fd, buf, 10, 5000) == 10 && memcmp(buf, data + 5000, 10) == 0, "pread at 5000");
    printf("position after pread: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    printf("pread -1: %s\n", res(pread(fd, buf, 1, -1)));
    printf("pread past the end: %s\n", res(pread(fd, buf, 1, (off_t)size)));
    printf("lseek console: %s\n", res(lseek(1, 0, SEEK_CUR)));
    close(fd);
}

static void information(const char *name)
{
    int fd = open_it(name);
    struct stat s;
    check(fstat(fd, &s) == 0, "fstat");
    printf("fstat: regular %d size %lld\n", S_ISREG(s.st_mode), (long long)s.st_size);
    check(stat(name, &s) == 0, "stat");
    printf("stat: regular %d size %lld\n", S_ISREG(s.st_mode), (long long)s.st_size);
    check(lstat(name, &s) == 0, "lstat");
    printf("lstat: regular %d size %lld\n", S_ISREG(s.st_mode), (long long)s.st_size);
    check(fstatat(AT_FDCWD, name, &s, 0) == 0 && (size_t)s.st_size == size, "fstatat");
    struct statx x;
    check(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &x) == 0 && x.stx_size == size,
          "statx on the descriptor");
    check(statx(AT_FDCWD, name, 0, STATX_BASIC_STATS, &x) == 0 && x.stx_size == size,
          "statx by name");
    printf("stat nothing: %s\n", res(stat("nothing-here", &s)));
    printf("access R_OK: %s\n", res(access(name, R_OK)));
    printf("access X_OK: %s\n", res(access(name, X_OK)));
    printf("access mode 8: %s\n", res(access(name, 8)));
    printf("access nothing: %s\n", res(access("nothing-here", F_OK)));
    printf("F_GETFL accmode: %d\n", fcntl(fd, F_GETFL) & O_ACCMODE);
    close(fd);
}

static void duplicates(const char *name)
{
    int fd = open_it(name);
    char buf[8];
    read(fd, buf, 5);
    int d = dup(fd);
    printf("dup: %s\n", res(d));
    check(read(d, buf, 5) == 5 && memcmp(buf, data + 5, 5) == 0, "a dup shares the position");
    lseek(d, 0, SEEK_SET);
    printf("position through the other: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    printf("dup2 10: %s\n", res(dup2(fd, 10)));
    printf("F_GETFD 10: %s\n", res(fcntl(10, F_GETFD)));
    printf("dup3 11 cloexec: %s\n", res(dup3(fd, 11, O_CLOEXEC)));
    printf("F_GETFD 11: %s\n", res(fcntl(11, F_GETFD)));
    printf("dup2 onto itself: %s\n", res(dup2(fd, fd) == fd));
    printf("dup3 onto itself: %s\n", res(dup3(fd, fd, 0)));
    printf("dup3 bad flags: %s\n", res(dup3(fd, 12, 1)));
    printf("dup2 32: %s\n", res(dup2(fd, 32)));
    printf("F_DUPFD 20: %s\n", res(fcntl(fd, F_DUPFD, 20)));
    printf("F_DUPFD_CLOEXEC 20: %s\n", res(fcntl(fd, F_DUPFD_CLOEXEC, 20)));
    printf("F_GETFD 21: %s\n", res(fcntl(21, F_GETFD)));
    /* dup2 over an open descriptor closes it first. */
    printf("dup2 over 10: %s\n", res(dup2(d, 10)));
    for (int i = 10; i <= 21; i++)
        close(i);
    close(d);
    printf("dup of a closed descriptor: %s\n", res(dup(d)));
    printf("close it again: %s\n", res(close(d)));
    close(fd);
}

static void through_stdio(const char *name)
{
    FILE *f = fopen(name, "r");
    check(f != NULL, "fopen");
    if (!f)
        return;
    char line[256];
    int n = 0;
    size_t total = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        total += strlen(line);
        if (n <= 3 || n % 60 == 0)
            printf("line %d (%zu bytes): %s", n, strlen(line), line);
    }
    printf("fgets: %d lines, %zu bytes, eof %d\n", n, total, feof(f));
    check(total == size, "fgets saw every byte");
    fclose(f);
}

static void mapping(const char *name)
{
    int fd = open_it(name);
    const char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    check(p != MAP_FAILED, "mmap private read-only");
    printf("private read-only map holds the file: %d\n", memcmp(p, data, size) == 0);
    printf("and zeroes after it: %d\n", p[size] == 0 && p[(size | 4095)] == 0);
    const char *q = mmap(NULL, size - 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
    printf("map at offset 4096: %d\n", q != MAP_FAILED && memcmp(q, data + 4096, size - 4096) == 0);
    char *w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    check(w != MAP_FAILED, "mmap private writable");
    w[0] = 'X';
    w[5000] = 'Y';
    char c0, c1;
    pread(fd, &c0, 1, 0);
    pread(fd, &c1, 1, 5000);
    printf("copy on write: map %c%c, file %d%d, read-only map %d\n", w[0], w[5000],
           c0 == data[0], c1 == data[5000], p[0] == data[0] && p[5000] == data[5000]);
    void *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("shared writable map: %s\n", res(s == MAP_FAILED ? -1 : 0));
    const char *r = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    printf("shared read-only map: %d\n", r != MAP_FAILED && memcmp(r, data, size) == 0);
    void *bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 99, 0);
    printf("map a closed descriptor: %s\n", res(bad == MAP_FAILED ? -1 : 0));
    munmap((void *)p, size);
    munmap((void *)q, size - 4096);
    munmap(w, size);
    munmap((void *)r, size);
    close(fd);
}

static void links(const char *name)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    check(n > 0, "readlink /proc/self/exe");
    buf[n > 0 ? n : 0] = 0;
    const char *base = strrchr(buf, '/');
    printf("readlink /proc/self/exe: absolute %d, ends with /%s\n", buf[0] == '/',
           base ? base + 1 : "?");
    printf("readlink into 3 bytes: %s\n", res(readlink("/proc/self/exe", buf, 3)));
    printf("readlink a file: %s\n", res(readlink(name, buf, sizeof buf)));
    printf("readlink nothing: %s\n", res(readlink("nothing-here", buf, sizeof buf)));
    printf("readlink size 0: %s\n", res(syscall(SYS_readlink, "/proc/self/exe", buf, 0)));
    struct stat s;
    printf("stat /proc/self/exe regular: %d\n", stat("/proc/self/exe", &s) == 0 && S_ISREG(s.st_mode));
    printf("lstat /proc/self/exe link: %d\n", lstat("/proc/self/exe", &s) == 0 && S_ISLNK(s.st_mode));
}

static void errors(const char *name)
{
    char buf[64], path[5000];
    snprintf(path, sizeof path, "%s/", name);
    printf("open nothing: %s\n", res(open("nothing-here", O_RDONLY)));
    printf("open nothing/x: %s\n", res(open("nothing-here/x", O_RDONLY)));
    printf("open name/: %s\n", res(open(path, O_RDONLY)));
    snprintf(path, sizeof path, "%s/x", name);
    printf("open name/x: %s\n", res(open(path, O_RDONLY)));
    printf("open O_DIRECTORY: %s\n", res(open(name, O_RDONLY | O_DIRECTORY)));
    printf("open empty: %s\n", res(open("", O_RDONLY)));
    printf("open bad pointer: %s\n", res(open((const char *)16, O_RDONLY)));
    memset(path, 'a', sizeof path);
    path[sizeof path - 1] = 0;
    printf("open 5000-byte path: %s\n", res(open(path, O_RDONLY)));
    path[300] = 0;
    printf("open 300-byte name: %s\n", res(open(path, O_RDONLY)));
    printf("read fd 99: %s\n", res(read(99, buf, 1)));
    printf("close fd 99: %s\n", res(close(99)));
    printf("fstat fd 99: %s\n", res(fstat(99, (struct stat *)buf)));
    printf("lseek fd 99: %s\n", res(lseek(99, 0, SEEK_SET)));
    printf("read fd -1: %s\n", res(read(-1, buf, 1)));
    int fd = open_it(name);
    printf("write to a read-only file: %s\n", res(write(fd, "x", 1)));
    printf("read NULL: %s\n", res(syscall(SYS_read, fd, NULL, 10)));
    char *ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("read into read-only memory: %s\n", res(read(fd, ro, 10)));
    char *rw = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(rw + 4096, 4096);
    lseek(fd, 0, SEEK_SET);
    printf("read across into an unmapped page: %s\n", res(read(fd, rw + 4096 - 100, 1000)));
    check(memcmp(rw + 4096 - 100, data, 100) == 0, "the part before the hole");
    printf("position after: %s\n", res(lseek(fd, 0, SEEK_CUR)));
    printf("fstat to a bad pointer: %s\n", res(syscall(SYS_fstat64, fd, ro)));
    printf("statx to a bad pointer: %s\n", res(syscall(SYS_statx, fd, "", AT_EMPTY_PATH,
                                                          STATX_BASIC_STATS, ro)));
    printf("stat to a bad pointer: %s\n", res(syscall(SYS_stat64, name, 16)));
    printf("getdents64 on a file: %s\n", res(syscall(SYS_getdents64, fd, buf, sizeof buf)));
    close(fd);
    munmap(ro, 8192);
    munmap(rw, 4096);
}

static void too_many(const char *name)
{
    int fds[64], n = 0, fd;
    while (n < 64 && (fd = open(name, O_RDONLY)) >= 0)
        fds[n++] = fd;
    printf("open until it fails: %s after %d\n", res(-1), n);
    printf("dup when full: %s\n", res(dup(0)));
    while (n > 0)
        close(fds[--n]);
    printf("open again: %d\n", (fd = open(name, O_RDONLY)) >= 3);
    close(fd);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "some.txt";
    /* mematlas's limit, so that EMFILE and dup2's EBADF come at the same place. */
    struct rlimit lim = { 32, 32 };
    check(setrlimit(RLIMIT_NOFILE, &lim) == 0, "setrlimit");
    reading(name);
    seeking(name);
    information(name);
    duplicates(name);
    through_stdio(name);
    mapping(name);
    links(name);
    errors(name);
    too_many(name);
    printf("failures: %d\n", failures);
    return failures;
}
