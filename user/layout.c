/*
 * layout.c - where a program's own things live: the guide's picture of a
 * process, measured from inside one.
 *
 * It prints one line per item, top of the address space first, in the
 * guide's order (arguments and environment, stack, mmap area, heap, bss,
 * data, read-only data, code):
 *
 *   layout: NAME 0xADDRESS REGION
 *
 * where REGION is where the guide says NAME lives. Then the marks the linker
 * and the kernel leave (etext, edata, end, the break at start), then the
 * checks below, ending with "layout: order ok" (exit 0) or
 * "layout: order differs: ..." (exit 1).
 *
 * Which orderings hold on Linux i386 for a static, non-PIE program (what
 * the Makefile builds), and so are asserted:
 *   - environment strings above argument strings above the stack: the
 *     kernel copies argv's strings, then envp's, just under the stack top
 *     and builds main's stack below them;
 *   - stack above mmap: mmap_base is placed a gap below the stack's limit
 *     and grows down (top-down layout); with the legacy layout (ulimit -s
 *     unlimited) it starts at TASK_SIZE/3 and grows up, still far below the
 *     stack;
 *   - mmap above heap: the heap is the brk area just past the program's
 *     bss, far below either mmap base, and a small malloc comes from brk;
 *   - heap above bss, bss above data, data above rodata, rodata above text:
 *     the linker's order inside the file (text; rodata in its own read-only
 *     segment after it; then the writable segment with .data before .bss),
 *     and the kernel starts the break at the end of bss.
 * And what the guide's picture suggests but Linux does not promise, so is
 * not asserted: that neighbours touch. The break starts a random distance
 * (up to 32 MiB) past bss, the mmap area a random gap below the stack, the
 * stack a random distance below the strings.
 *
 * The break at main is not the kernel's first break: before main, the static
 * C library takes its thread-local block with sbrk and malloc sets up its
 * arena, so a small malloc in main is served from below sbrk(0). The
 * program's entry point (layout_entry, -e in the Makefile) therefore asks
 * the kernel for the break before the C library runs; that is brk-start.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "user.h"

extern char **environ;
/* Defined by the linker: the first address past .text, past .data, and past
 * .bss (the traditional names, without the leading underscore). */
extern char etext, edata, end;

int global_initialised = 42;            /* .data */
int global_zero;                        /* .bss */
const int global_constant = 7;          /* .rodata */

int main(int argc, char **argv);        /* the function: .text */

/* The break as the kernel set it, before the C library moved it. */
uintptr_t initial_break;

/* The entry point: brk(0) (system call 45, through int $0x80, which every
 * i386 Linux kernel has) returns the current break without changing it.
 * Then on to the C library's _start with the stack untouched and %eax,
 * %ebx zero again, as the kernel left them (%edx, which _start reads, is
 * not touched). */
__asm__(".text\n"
        ".globl layout_entry\n"
        ".type layout_entry, @function\n"
        "layout_entry:\n"
        "    movl $45, %eax\n"
        "    xorl %ebx, %ebx\n"
        "    int $0x80\n"
        "    movl %eax, initial_break\n"
        "    xorl %eax, %eax\n"
        "    jmp _start\n"
        ".size layout_entry, . - layout_entry\n");

struct item {
    const char *name;
    uintptr_t addr;
    const char *region;
};

/* One ordering the guide promises: every item of region `upper` lies above
 * every item of region `lower`. */
struct rule {
    const char *upper, *lower;
};

static const struct rule rules[] = {
    { "env", "args" }, { "args", "stack" }, { "stack", "mmap" },
    { "mmap", "heap" }, { "heap", "bss" }, { "bss", "data" },
    { "data", "rodata" }, { "rodata", "text" },
};

static int failures;

static void differs(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void differs(const char *fmt, ...)
{
    va_list ap;
    printf("layout: order differs: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    failures++;
}

/* The lowest and highest address of a region's items; false if it has none. */
static int region_span(const struct item *items, size_t n, const char *region,
                       uintptr_t *lo, uintptr_t *hi)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(items[i].region, region) != 0)
            continue;
        if (!found || items[i].addr < *lo)
            *lo = items[i].addr;
        if (!found || items[i].addr > *hi)
            *hi = items[i].addr;
        found = 1;
    }
    return found;
}

static void check_rules(const struct item *items, size_t n)
{
    for (size_t r = 0; r < ARRAY_LEN(rules); r++) {
        uintptr_t ulo, uhi, llo, lhi;
        if (!region_span(items, n, rules[r].upper, &ulo, &uhi) ||
            !region_span(items, n, rules[r].lower, &llo, &lhi))
            continue;   /* e.g. no environment at all */
        if (ulo <= lhi)
            differs("%s (from 0x%08lx) is not above %s (up to 0x%08lx)",
                    rules[r].upper, (unsigned long)ulo, rules[r].lower,
                    (unsigned long)lhi);
    }
}

/* The items against the linker's marks and the break: each global in its
 * own section, the malloc block inside the break's range. */
static void check_marks(uintptr_t brk_now, uintptr_t heap)
{
    uintptr_t brk_start = initial_break;
    uintptr_t text = (uintptr_t)&main, rodata = (uintptr_t)&global_constant;
    uintptr_t data = (uintptr_t)&global_initialised, bss = (uintptr_t)&global_zero;
    if (text >= (uintptr_t)&etext)
        differs("main (0x%08lx) is not below etext", (unsigned long)text);
    if (rodata < (uintptr_t)&etext || rodata >= data)
        differs("the constant (0x%08lx) is not between etext and .data",
                (unsigned long)rodata);
    if (data >= (uintptr_t)&edata)
        differs("the initialised global (0x%08lx) is not below edata",
                (unsigned long)data);
    if (bss < (uintptr_t)&edata || bss >= (uintptr_t)&end)
        differs("the zero global (0x%08lx) is not between edata and end",
                (unsigned long)bss);
    if (brk_start < (uintptr_t)&end)
        differs("the break at start (0x%08lx) is below end", (unsigned long)brk_start);
    if (heap < brk_start || heap >= brk_now)
        differs("the malloc block (0x%08lx) is not in the brk heap [0x%08lx, 0x%08lx)",
                (unsigned long)heap, (unsigned long)brk_start, (unsigned long)brk_now);
}

int main(int argc, char **argv)
{
    uintptr_t brk_main = (uintptr_t)sbrk(0);
    int local = argc;
    void *heap = malloc(32);
    void *map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uintptr_t brk_now = (uintptr_t)sbrk(0);
    if (heap == NULL || map == MAP_FAILED) {
        printf("layout: order differs: %s failed\n", heap ? "mmap" : "malloc");
        return 1;
    }

    struct item items[9];
    size_t n = 0;
    if (environ && environ[0])
        items[n++] = (struct item){ "envstr", (uintptr_t)environ[0], "env" };
    if (argc > 0)
        items[n++] = (struct item){ "argv0", (uintptr_t)argv[0], "args" };
    items[n++] = (struct item){ "local", (uintptr_t)&local, "stack" };
    items[n++] = (struct item){ "mmap", (uintptr_t)map, "mmap" };
    items[n++] = (struct item){ "malloc", (uintptr_t)heap, "heap" };
    items[n++] = (struct item){ "zero-global", (uintptr_t)&global_zero, "bss" };
    items[n++] = (struct item){ "global", (uintptr_t)&global_initialised, "data" };
    items[n++] = (struct item){ "constant", (uintptr_t)&global_constant, "rodata" };
    items[n++] = (struct item){ "function", (uintptr_t)&main, "text" };

    for (size_t i = 0; i < n; i++)
        printf("layout: %s 0x%08lx %s\n", items[i].name, (unsigned long)items[i].addr,
               items[i].region);
    printf("layout: brk-start 0x%08lx heap-start\n", (unsigned long)initial_break);
    printf("layout: brk-main 0x%08lx break-at-main\n", (unsigned long)brk_main);
    printf("layout: end 0x%08lx bss-end\n", (unsigned long)(uintptr_t)&end);
    printf("layout: edata 0x%08lx data-end\n", (unsigned long)(uintptr_t)&edata);
    printf("layout: etext 0x%08lx text-end\n", (unsigned long)(uintptr_t)&etext);

    check_rules(items, n);
    check_marks(brk_now, (uintptr_t)heap);
    if (failures)
        return 1;
    printf("layout: order ok\n");
    /* The malloc block and the mmap block stay until exit, so that the
     * kernel's atlas of this process, drawn as it ends, still shows them. */
    (void)heap;
    (void)map;
    return 0;
}
