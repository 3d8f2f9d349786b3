/*
 * file_modules.c - what only mematlas answers: its read-only file system
 * of boot modules (docs/processes.md, "Files"). tests/qemu/test_files.py
 * boots it with a data module and checks what it prints.
 *
 *   file_modules NAME PATH    NAME: the data module's short name ("some.txt"),
 *                             PATH: the same module's string as given
 *
 * Each check prints "ok WHAT" or "FAIL WHAT ..."; facts the test compares
 * (inode numbers, listings, /proc/self/exe) are printed as "fact KEY: VALUE".
 * The exit status is the number of failed checks.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define KERNEL_ADDR ((void *)0xC0100000)

static int failures;

static void check(int ok, const char *what)
{
    if (ok) {
        printf("ok %s\n", what);
    } else {
        printf("FAIL %s (errno %s)\n", what, strerrorname_np(errno));
        failures++;
    }
}

/* A call that must fail with errno e. */
static void fails(long r, int e, const char *what)
{
    int got = errno;
    if (r == -1 && got == e) {
        printf("ok %s: %s\n", what, strerrorname_np(e));
    } else {
        printf("FAIL %s: got %ld %s, want %s\n", what, r, r == -1 ? strerrorname_np(got) : "",
               strerrorname_np(e));
        failures++;
    }
}

static void names(const char *name, const char *given)
{
    char cwd[64];
    check(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0, "getcwd is /");
    fails(syscall(SYS_getcwd, cwd, 1), ERANGE, "getcwd into 1 byte");
    char path[256];
    const char *forms[4] = { name, path, "", given };
    snprintf(path, sizeof path, "/modules/%s", name);
    char alias[256];
    snprintf(alias, sizeof alias, "/%s", name);
    forms[2] = alias;
    ino_t ino = 0;
    for (int i = 0; i < 4; i++) {
        struct stat s;
        int fd = open(forms[i], O_RDONLY);
        int ok = fd >= 0 && fstat(fd, &s) == 0 && (i == 0 || s.st_ino == ino);
        if (i == 0 && ok)
            ino = s.st_ino;
        char what[300];
        snprintf(what, sizeof what, "open %s", forms[i]);
        check(ok, what);
        close(fd);
    }
    struct stat s;
    if (stat(name, &s) == 0)
        printf("fact stat: ino %llu dev %u:%u mode %o nlink %u size %lld blksize %ld blocks %lld "
               "uid %u\n", (unsigned long long)s.st_ino, major(s.st_dev), minor(s.st_dev),
               s.st_mode, (unsigned)s.st_nlink, (long long)s.st_size, (long)s.st_blksize,
               (long long)s.st_blocks, (unsigned)s.st_uid);
    struct statx x;
    check(statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &x) == 0 && x.stx_ino == s.st_ino &&
          x.stx_size == (unsigned long long)s.st_size && x.stx_mode == s.st_mode &&
          x.stx_blocks == (unsigned long long)s.st_blocks, "statx agrees with stat");
    if (stat("/proc/self/exe", &s) == 0)
        printf("fact exe: ino %llu mode %o\n", (unsigned long long)s.st_ino, s.st_mode);
    char link[256];
    ssize_t n = readlink("/proc/self/exe", link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    printf("fact readlink: %s\n", link);
    struct stat t;
    check(stat(link, &t) == 0 && t.st_ino == s.st_ino, "the link's target opens as the program");
    check(access("/proc/self/exe", X_OK) == 0, "the program is executable");
    fails(access(name, X_OK), EACCES, "access X_OK on data");
    fails(access(name, W_OK), EROFS, "access W_OK");
    fails(access("/", W_OK), EROFS, "access W_OK on /");
    check(access("/modules", X_OK) == 0, "access X_OK on a directory");
    check(faccessat(AT_FDCWD, name, R_OK, AT_EACCESS) == 0, "faccessat AT_EACCESS");
    fails(syscall(SYS_faccessat2, AT_FDCWD, name, R_OK, 0x8000), EINVAL, "faccessat2 bad flags");
}

static void read_only(const char *name)
{
    char path[256];
    fails(open(name, O_WRONLY), EROFS, "open O_WRONLY");
    fails(open(name, O_RDWR), EROFS, "open O_RDWR");
    fails(open(name, O_RDONLY | O_TRUNC), EROFS, "open O_TRUNC");
    fails(open(name, O_WRONLY | O_CREAT, 0644), EROFS, "open O_CREAT on a file that exists");
    fails(open(name, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, "open O_CREAT|O_EXCL");
    fails(open("new.txt", O_WRONLY | O_CREAT, 0644), EROFS, "create in /");
    fails(open("/modules/new.txt", O_WRONLY | O_CREAT, 0644), EROFS, "create in /modules");
    fails(open("nodir/new.txt", O_WRONLY | O_CREAT, 0644), ENOENT, "create in no directory");
    snprintf(path, sizeof path, "%s/new.txt", name);
    fails(open(path, O_WRONLY | O_CREAT, 0644), ENOTDIR, "create under a file");
    fails(creat("made.txt", 0644), EROFS, "creat");
    errno = 0;
    FILE *f = fopen(name, "w");
    fails(f ? 0 : -1, EROFS, "fopen w");
    f = fopen(name, "a");
    fails(f ? 0 : -1, EROFS, "fopen a");
    fails(open("/", O_WRONLY), EISDIR, "open / for writing");
    fails(open("/", O_RDONLY | O_CREAT, 0644), EISDIR, "open / O_CREAT");
    fails(open("/", O_RDWR | O_TMPFILE, 0600), EROFS, "O_TMPFILE");
    fails(open("/proc/self/exe", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a link");
    fails(open("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY), ENOENT,
          "what Go looks for");
    fails(open("/dev/null", O_RDONLY), ENOENT, "/dev/null");
}

static void directories(const char *name)
{
    int root = open("/", O_RDONLY | O_DIRECTORY);
    check(root >= 0, "open / O_DIRECTORY");
    char buf[64];
    fails(read(root, buf, sizeof buf), EISDIR, "read a directory");
    int mods = open("/modules", O_RDONLY | O_DIRECTORY);
    int fd = openat(mods, name, O_RDONLY);
    check(fd >= 0, "openat from /modules");
    fails(openat(fd, "x", O_RDONLY), ENOTDIR, "openat from a file");
    fails(openat(99, "x", O_RDONLY), EBADF, "openat from a closed descriptor");
    int abs = openat(99, "/modules", O_RDONLY);
    check(abs >= 0, "openat ignores the descriptor for an absolute path");
    fails(openat(1, "x", O_RDONLY), ENOTDIR, "openat from the console");
    struct stat s;
    check(fstatat(mods, name, &s, 0) == 0 && S_ISREG(s.st_mode), "fstatat from /modules");
    check(stat("/modules", &s) == 0 && S_ISDIR(s.st_mode) && (s.st_mode & 0777) == 0555,
          "/modules is a directory");
    check(fstat(root, &s) == 0 && S_ISDIR(s.st_mode), "fstat /");
    fails(lseek(root, 0, SEEK_END), EINVAL, "SEEK_END on a directory");
    fails(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, root, 0) == MAP_FAILED ? -1 : 0, ENODEV,
          "mmap a directory");
    fails(syscall(SYS_getdents64, root, buf, 8), EINVAL, "getdents64 into 8 bytes");
    fails(syscall(SYS_getdents64, root, KERNEL_ADDR, 4096), EFAULT, "getdents64 to the kernel");
    close(fd);
    close(abs);
    close(mods);
    close(root);
    const char *dirs[] = { "/", "/modules", "/proc/self", "/proc/self/..", "/modules/.." };
    for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d) {
            check(0, dirs[i]);
            continue;
        }
        printf("fact ls %s:", dirs[i]);
        struct dirent *e;
        while ((e = readdir(d)))
            printf(" %s%s", e->d_name, e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : "");
        printf("\n");
        closedir(d);
    }
    fails(opendir("/nothing") ? 0 : -1, ENOENT, "opendir nothing");
    fails(opendir(name) ? 0 : -1, ENOTDIR, "opendir a file");
}

static void terminal(const char *name)
{
    check(isatty(1), "the console is a terminal");
    struct termios t;
    check(tcgetattr(0, &t) == 0 && (t.c_lflag & ICANON) && (t.c_lflag & ECHO) &&
          (t.c_oflag & ONLCR) && t.c_cc[VINTR] == 3, "tcgetattr: cooked mode");
    check(tcsetattr(1, TCSANOW, &t) == 0, "tcsetattr is accepted");
    struct winsize w;
    check(ioctl(1, TIOCGWINSZ, &w) == 0 && w.ws_row == 25 && w.ws_col == 80, "TIOCGWINSZ 80x25");
    fails(ioctl(1, TCGETS, KERNEL_ADDR), EFAULT, "TCGETS to the kernel");
    fails(ioctl(1, 0x1234, 0), ENOTTY, "an unknown ioctl");
    int fd = open(name, O_RDONLY);
    errno = 0;
    fails(isatty(fd) ? 0 : -1, ENOTTY, "isatty on a file");
    close(fd);
    struct stat s;
    check(fstat(1, &s) == 0 && S_ISCHR(s.st_mode) && major(s.st_rdev) == 136,
          "the console is a pseudo-terminal");
    char c;
    check(read(0, &c, 1) == 0, "reading the console gives end-of-file");
    fails(pread(0, &c, 1, 0), ESPIPE, "pread on the console");
    fails(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 0, 0) == MAP_FAILED ? -1 : 0, ENODEV,
          "mmap the console");
    check((fcntl(1, F_GETFL) & O_ACCMODE) == O_RDWR, "the console is open read-write");
    int d = fcntl(1, F_DUPFD, 5);
    check(d == 5 && write(d, "", 0) == 0, "F_DUPFD of the console");
    close(d);
}

static void bad_pointers(const char *name)
{
    int fd = open(name, O_RDONLY);
    struct stat s;
    fails(read(fd, KERNEL_ADDR, 10), EFAULT, "read into the kernel");
    fails(read(fd, (void *)0xFFFFF000, 10), EFAULT, "read into the top page");
    fails(read(fd, (void *)&bad_pointers, 10), EFAULT, "read into the program's text");
    fails(syscall(SYS_read, fd, (void *)0xBFFFFFF0, 0x100), EFAULT, "read across 0xC0000000");
    fails(write(1, KERNEL_ADDR, 10), EFAULT, "write from the kernel");
    fails(open(KERNEL_ADDR, O_RDONLY), EFAULT, "open a kernel path");
    fails(syscall(SYS_stat64, name, KERNEL_ADDR), EFAULT, "stat64 to the kernel");
    fails(syscall(SYS_lstat64, name, KERNEL_ADDR), EFAULT, "lstat64 to the kernel");
    fails(syscall(SYS_fstat64, fd, KERNEL_ADDR), EFAULT, "fstat64 to the kernel");
    fails(syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, KERNEL_ADDR), EFAULT,
          "statx to the kernel");
    fails(syscall(SYS_statx, AT_FDCWD, KERNEL_ADDR, 0, STATX_BASIC_STATS, &s), EFAULT,
          "statx of a kernel path");
    fails(syscall(SYS_readlink, "/proc/self/exe", KERNEL_ADDR, 64), EFAULT,
          "readlink to the kernel");
    fails(syscall(SYS_getcwd, KERNEL_ADDR, 64), EFAULT, "getcwd to the kernel");
    fails(syscall(SYS__llseek, fd, 0, 0, KERNEL_ADDR, SEEK_SET), EFAULT,
          "_llseek's result to the kernel");
    fails(syscall(SYS_pread64, fd, KERNEL_ADDR, 10, 0, 0), EFAULT, "pread into the kernel");
    fails(syscall(SYS_access, KERNEL_ADDR, R_OK), EFAULT, "access of a kernel path");
    char big[5000];
    memset(big, '/', sizeof big);
    big[sizeof big - 1] = 0;
    fails(open(big, O_RDONLY), ENAMETOOLONG, "a path of 4999 slashes");
    big[4096] = 0;
    fails(open(big, O_RDONLY), ENAMETOOLONG, "a path of 4096 bytes (PATH_MAX with its NUL)");
    big[4095] = 0;
    int root = open(big, O_RDONLY | O_DIRECTORY);
    check(root >= 0, "a path of 4095 slashes is /");
    close(root);
    close(fd);
}

static void emfile(const char *name)
{
    int n = 0, fd;
    while ((fd = open(name, O_RDONLY)) >= 0)
        n++;
    fails(fd, EMFILE, "open when every descriptor is used");
    printf("fact opened: %d\n", n);
    fails(dup(0), EMFILE, "dup when full");
    fails(fcntl(0, F_DUPFD, 0), EMFILE, "F_DUPFD when full");
    fails(fcntl(0, F_DUPFD, 32), EINVAL, "F_DUPFD 32");
    for (int i = 3; i < 32; i++)
        close(i);
}

/* /proc/self/statm's resident and shared pages. */
static void statm(long *resident, long *shared)
{
    char buf[128];
    int fd = open("/proc/self/statm", O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    long size = 0;
    *resident = *shared = -1;
    sscanf(buf, "%ld %ld %ld", &size, resident, shared);
}

static void sharing(void)
{
    long r0, s0, r1, s1, r2, s2;
    statm(&r0, &s0);
    statm(&r0, &s0);                    /* everything statm needs is backed now */
    int fd = open("/proc/self/exe", O_RDONLY);
    struct stat st;
    fstat(fd, &st);
    long pages = st.st_size / 4096 - 1;
    if (pages > 64)
        pages = 64;
    volatile const char *p = mmap(NULL, (size_t)pages * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    check(p != MAP_FAILED, "map the program read-only");
    statm(&r1, &s1);
    unsigned sum = 0;
    for (long i = 0; i < pages; i++)
        sum += (unsigned char)p[i * 4096];
    statm(&r2, &s2);
    printf("fact sharing: pages %ld resident +%ld shared +%ld own +%ld\n", pages, r2 - r1,
           s2 - s1, (r2 - s2) - (r1 - s1));
    check(p[0] == 0x7F && p[1] == 'E', "the map shows the ELF header");
    /* A writable private map gets frames of its own, and the module stays as it was. */
    volatile char *w = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    statm(&r1, &s1);
    for (int i = 0; i < 4; i++)
        w[i * 4096] = 'W';
    statm(&r2, &s2);
    printf("fact copies: pages 4 own +%ld\n", (r2 - s2) - (r1 - s1));
    check(p[0] == 0x7F, "writing a private copy leaves the module alone");
    char c;
    check(pread(fd, &c, 1, 0) == 1 && c == 0x7F, "and read() agrees");
    munmap((void *)p, (size_t)pages * 4096);
    munmap((void *)w, 4 * 4096);
    close(fd);
    (void)sum;
    (void)r0;
    (void)s0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: file_modules NAME PATH\n");
        return 2;
    }
    names(argv[1], argv[2]);
    read_only(argv[1]);
    directories(argv[1]);
    terminal(argv[1]);
    bad_pointers(argv[1]);
    emfile(argv[1]);
    sharing();
    printf("failures: %d\n", failures);
    return failures;
}
