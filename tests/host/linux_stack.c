/*
 * linux_stack.c - a static i386 Linux program that prints the stack it was
 * started with, from its first stack pointer up to the top of the stack, so
 * that tests/host/test_procimage_linux.py can hold procimage_build's image
 * against the one the running Linux kernel built.
 *
 * It uses no C library at all (no start files either): its own _start hands
 * the stack pointer to dump() before anything has touched the stack, and it
 * talks to the kernel with int $0x80 only. Output, one item per line:
 *
 *   sp 0xSSSSSSSS
 *   top 0xTTTTTTTT
 *   +0x0000 0xWWWWWWWW        every 32-bit word from sp to top, offsets from sp
 *
 * The top is the end of the stack: the page boundary above the AT_EXECFN
 * string (Linux's filename copy, the highest string); everything between
 * the end of that string and the top must be zero (the end marker), which
 * this program checks before it prints a thing.
 *
 * Built by the test with i686-linux-gnu-gcc -static -nostartfiles -nostdlib.
 */
#include <stdint.h>

#define AT_NULL     0
#define AT_EXECFN   31
#define PAGE        4096u

/* The program's entry: esp points at argc, and dump() gets that address. */
__asm__(".text\n"
        ".globl _start\n"
        "_start:\n"
        "    movl %esp, %eax\n"
        "    subl $12, %esp\n"          /* keep the 16-byte alignment at the call */
        "    pushl %eax\n"
        "    call dump\n"
        "    hlt\n");

void dump(const uint32_t *sp) __attribute__((used, noreturn));

static long sys3(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "0"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static void out(const char *s, uint32_t n)
{
    while (n) {
        long done = sys3(4, 1, (long)s, (long)n);      /* write(1, s, n) */
        if (done <= 0)
            return;
        s += done;
        n -= (uint32_t)done;
    }
}

static __attribute__((noreturn)) void leave(int code)
{
    sys3(252, code, 0, 0);                             /* exit_group */
    for (;;)
        ;
}

static char line[64];

/* Appends "0x" and eight hex digits at p; returns the end. */
static char *hex8(char *p, uint32_t v)
{
    *p++ = '0';
    *p++ = 'x';
    for (int shift = 28; shift >= 0; shift -= 4)
        *p++ = "0123456789abcdef"[(v >> shift) & 15];
    return p;
}

static void say(const char *label, uint32_t v)
{
    char *p = line;
    while (*label)
        *p++ = *label++;
    p = hex8(p, v);
    *p++ = '\n';
    out(line, (uint32_t)(p - line));
}

static void fail(const char *why)
{
    uint32_t n = 0;
    while (why[n])
        n++;
    out(why, n);
    out("\n", 1);
    leave(2);
}

void dump(const uint32_t *sp)
{
    uint32_t argc = sp[0];
    const uint32_t *envp = sp + 1 + argc + 1;
    const uint32_t *auxv = envp;
    while (*auxv)
        auxv++;
    auxv++;
    uint32_t execfn = 0;
    for (const uint32_t *a = auxv; a[0] != AT_NULL; a += 2)
        if (a[0] == AT_EXECFN)
            execfn = a[1];
    if (!execfn)
        fail("no AT_EXECFN in the auxiliary vector");
    const char *end = (const char *)(uintptr_t)execfn;
    while (*end)
        end++;
    end++;
    uint32_t top = ((uint32_t)(uintptr_t)end + PAGE - 1) & ~(PAGE - 1);
    for (const char *z = end; (uint32_t)(uintptr_t)z < top; z++)
        if (*z)
            fail("a byte above the AT_EXECFN string is not zero");
    say("sp ", (uint32_t)(uintptr_t)sp);
    say("top ", top);
    for (uint32_t at = (uint32_t)(uintptr_t)sp; at < top; at += 4) {
        char *p = line;
        *p++ = '+';
        p = hex8(p, at - (uint32_t)(uintptr_t)sp);
        *p++ = ' ';
        p = hex8(p, *(const uint32_t *)(uintptr_t)at);
        *p++ = '\n';
        out(line, (uint32_t)(p - line));
    }
    leave(0);
}
