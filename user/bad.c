/*
 * bad.c - one forbidden thing per run, for the kernel to stop.
 *
 *   bad WHAT
 *
 * It prints "bad: trying WHAT" (flushed, so a test sees how far it got),
 * then does it. On Linux each ends the program with a signal (the table
 * below says which); a kernel that lets one through gets
 * "bad: WHAT survived" and exit status 1. The exception is
 * bad-syscall-pointer, which must not crash: system calls given pointers
 * the program may not use must fail with EFAULT; it prints each result and
 * exits 0 if all were EFAULT, 1 otherwise.
 *
 * Without NX (32-bit paging has no execute bit) data-exec and stack-exec
 * only fault if the kernel limits the code segment; surviving them is then
 * expected, not a kernel bug.
 *
 * Addresses and values pass through volatile variables so that the
 * compiler, which may assume no program dereferences NULL or divides by
 * zero, emits the real access instead of its own trap or nothing.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user.h"

/* A kernel address on mematlas and on 32-bit Linux (3 GiB split): just
 * above where the kernel image starts. */
#define KERNEL_ADDR     0xC0100000u
#define KERNEL_BASE     0xC0000000u

static volatile uintptr_t addr_hide;    /* read back so the compiler cannot know it */

static volatile int *pointer_to(uintptr_t a)
{
    addr_hide = a;
    return (volatile int *)addr_hide;
}

const int read_only_value = 1;          /* .rodata */
unsigned char data_code[16] = { 0xc3 }; /* .data: ret */

typedef void (*code_fn)(void);

static void do_null(void) { (void)*pointer_to(0); }
static void do_null_write(void) { *pointer_to(0) = 1; }
static void do_kernel_read(void) { (void)*pointer_to(KERNEL_ADDR); }
static void do_kernel_write(void) { *pointer_to(KERNEL_ADDR) = 1; }
static void do_text_write(void) { *pointer_to((uintptr_t)&do_null) = 0xc3c3c3c3; }
static void do_rodata_write(void) { *pointer_to((uintptr_t)&read_only_value) = 2; }

static void do_data_exec(void)
{
    addr_hide = (uintptr_t)data_code;
    ((code_fn)addr_hide)();
}

static void do_stack_exec(void)
{
    volatile unsigned char code[16] = { 0xc3 };
    addr_hide = (uintptr_t)code;
    ((code_fn)addr_hide)();
}

/* Each frame holds 64 KiB and uses it after the call, so the calls neither
 * shrink nor turn into a loop; `forever`, which the compiler cannot see
 * change, keeps it from proving the recursion endless. */
static volatile int forever = 1;

static unsigned recurse(unsigned depth)
{
    volatile char frame[64 * 1024];
    frame[0] = (char)depth;
    if (!forever)
        return depth;
    return recurse(depth + 1) + (unsigned)frame[0];
}

static void do_stack_overflow(void) { (void)recurse(0); }

static void do_divide(void)
{
    volatile int zero = 0, one = 1;
    one = one / zero;
}

static void do_invalid_opcode(void) { __asm__ volatile("ud2"); }

/* hlt needs ring 0 whatever IOPL is (cli would pass with IOPL 3). */
static void do_privileged(void) { __asm__ volatile("hlt"); }

/* One system call, then whether it failed with EFAULT. */
static int expect_efault(const char *what, long result)
{
    int e = errno;
    int ok = result == -1 && e == EFAULT;
    printf("bad: %s returned %ld errno %s: %s\n", what, result, result == -1 ? errno_name(e) : "-",
           ok ? "ok" : "NOT EFAULT");
    return ok;
}

static int do_bad_syscall_pointer(void)
{
    int ok = 1;
    errno = 0;
    ok &= expect_efault("write from kernel memory", write(1, (void *)KERNEL_BASE, 10));

    /* Something to read: the program's own file (on mematlas, its module). */
    int fd = open("/proc/self/exe", O_RDONLY);
    if (fd < 0) {
        printf("bad: open /proc/self/exe: %s\n", strerror(errno));
        return 0;
    }
    errno = 0;
    ok &= expect_efault("read into kernel memory", read(fd, (void *)KERNEL_BASE, 1));

    void *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (ro == MAP_FAILED) {
        printf("bad: mmap of a read-only page: %s\n", strerror(errno));
        return 0;
    }
    errno = 0;
    ok &= expect_efault("read into a read-only page", read(fd, ro, 1));
    return ok;
}

struct bad {
    const char *name;
    void (*fn)(void);
    const char *linux_signal;   /* how Linux ends it (documentation and usage) */
};

static const struct bad bads[] = {
    { "null", do_null, "SIGSEGV" },
    { "null-write", do_null_write, "SIGSEGV" },
    { "kernel-read", do_kernel_read, "SIGSEGV" },
    { "kernel-write", do_kernel_write, "SIGSEGV" },
    { "text-write", do_text_write, "SIGSEGV" },
    { "rodata-write", do_rodata_write, "SIGSEGV" },
    { "data-exec", do_data_exec, "SIGSEGV (with NX)" },
    { "stack-exec", do_stack_exec, "SIGSEGV (with NX)" },
    { "stack-overflow", do_stack_overflow, "SIGSEGV" },
    { "bad-syscall-pointer", NULL, "none: EFAULT, exit 0" },
    { "divide", do_divide, "SIGFPE" },
    { "invalid-opcode", do_invalid_opcode, "SIGILL" },
    { "privileged", do_privileged, "SIGSEGV" },
};

static void usage(void)
{
    fprintf(stderr, "usage: bad WHAT, WHAT one of:\n");
    for (size_t i = 0; i < ARRAY_LEN(bads); i++)
        fprintf(stderr, "  %-20s Linux: %s\n", bads[i].name, bads[i].linux_signal);
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        usage();
    const struct bad *b = NULL;
    for (size_t i = 0; i < ARRAY_LEN(bads); i++)
        if (strcmp(argv[1], bads[i].name) == 0)
            b = &bads[i];
    if (!b) {
        fprintf(stderr, "bad: unknown WHAT '%s'\n", argv[1]);
        usage();
    }

    printf("bad: trying %s\n", b->name);
    fflush(stdout);
    if (!b->fn)
        return do_bad_syscall_pointer() ? 0 : 1;
    b->fn();
    printf("bad: %s survived\n", b->name);
    return 1;
}
