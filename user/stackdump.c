/*
 * stackdump.c - the stack a program starts with, exactly as the kernel
 * built it, word by word.
 *
 *   stackdump [ARGS...]
 *
 * The entry point (stackdump_entry: -e in the Makefile) saves %esp before
 * the C library has run, then jumps to the C library's own _start with
 * every register as the kernel left it. main then reads that stack.
 *
 * What Linux builds for an i386 program (fs/exec.c and create_elf_tables in
 * fs/binfmt_elf.c, checked by running this program on Linux 6.18), from
 * the stack pointer up:
 *
 *   sp ->  argc                              16-byte aligned
 *          argv[0] .. argv[argc-1], NULL
 *          envp[0] .. envp[envc-1], NULL
 *          auxv: (type, value) pairs, ending with AT_NULL (0, 0)
 *          0..15 bytes of padding: the vectors are placed so that sp ends
 *            up 16-byte aligned, the padding falls above them
 *          16 random bytes                   AT_RANDOM points here
 *          the platform string, "i686"       AT_PLATFORM points here; the
 *            random bytes end where it starts
 *          a gap: Linux moves the stack down a random 0..8 KiB (rounded to
 *            16 bytes) below the strings when randomizing, zeros
 *          the argument strings, back to back, in order
 *          the environment strings, back to back, in order, right after
 *          the file name execve was given      AT_EXECFN points here
 *          one zero pointer (4 bytes on a 32-bit kernel; 8 on a 64-bit
 *            kernel running this program), then the end of the stack's
 *            mapping, a page boundary
 *
 * The auxv's order, as Linux 6.18 writes it for this program: AT_SYSINFO
 * and AT_SYSINFO_EHDR (the vDSO) and AT_MINSIGSTKSZ first (the
 * architecture's entries), then AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_BASE (0: no interpreter), AT_FLAGS, AT_ENTRY,
 * AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP2,
 * AT_EXECFN, AT_PLATFORM, AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN, AT_NULL.
 * Nothing in it is aligned beyond 4 bytes but sp: AT_RANDOM's address is
 * often odd, as the platform string above it has any length.
 *
 * Every string the kernel copies ends below the top in that order, so the
 * highest string end (execfn's) locates the top of the stack: the
 * top-offsets line gives each part's start as a distance below it.
 *
 * Output (each line starting "stackdump: "):
 *   sp 0xADDR, argc N, argv I 0xADDR "string", envp I 0xADDR "string",
 *   auxv TYPE NAME 0xVALUE, random 0xADDR BYTES, execfn 0xADDR "string",
 *   platform 0xADDR "string", top 0xADDR page-end 0xADDR,
 *   top-offsets NAME=BYTES..., padding NAME-NAME=BYTES...,
 *   word +OFFSET 0xVALUE (every word from sp to the page end; four or more
 *   zero words in a row as zero-words +OFFSET COUNT),
 *   check NAME ok|differs (the layout above, one property per line), and
 *   last "layout linux-like" (exit 0) or "layout differs: N" (exit 1).
 * Strings are printed in double quotes, with \\, \" and \xNN escapes.
 */
#include <elf.h>
#include <stdint.h>

#include "user.h"

#define PAGE            4096u
#define ARGS_MAX        100000u     /* more is taken as a broken stack */
#define AUXV_MAX        256u

uint32_t *initial_sp;                   /* set before the C library runs */
void stackdump_entry(void);
extern const Elf32_Ehdr __ehdr_start;   /* the linker: our own ELF header */

__asm__(".text\n"
        ".globl stackdump_entry\n"
        ".type stackdump_entry, @function\n"
        "stackdump_entry:\n"
        "    movl %esp, initial_sp\n"
        "    jmp _start\n"
        ".size stackdump_entry, . - stackdump_entry\n");

/* What the stack holds, found by walking it. */
struct stack {
    uint32_t *sp;
    uint32_t argc, envc, auxc;          /* auxc: pairs before AT_NULL */
    char **argv, **envp;
    uint32_t *auxv;
    uintptr_t random, execfn, platform; /* 0: the auxv has none */
};

/* One part of the stack: [start, end); strings: copied by the kernel. */
struct part {
    const char *name;
    uintptr_t start, end;
    int strings;
};

static int differences;

static void check(const char *name, int ok)
{
    printf("stackdump: check %s %s\n", name, ok ? "ok" : "differs");
    if (!ok)
        differences++;
}

static void print_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static const char *aux_name(uint32_t type)
{
    static const struct { uint32_t type; const char *name; } names[] = {
        { 0, "AT_NULL" }, { 1, "AT_IGNORE" }, { 2, "AT_EXECFD" }, { 3, "AT_PHDR" },
        { 4, "AT_PHENT" }, { 5, "AT_PHNUM" }, { 6, "AT_PAGESZ" }, { 7, "AT_BASE" },
        { 8, "AT_FLAGS" }, { 9, "AT_ENTRY" }, { 10, "AT_NOTELF" }, { 11, "AT_UID" },
        { 12, "AT_EUID" }, { 13, "AT_GID" }, { 14, "AT_EGID" }, { 15, "AT_PLATFORM" },
        { 16, "AT_HWCAP" }, { 17, "AT_CLKTCK" }, { 23, "AT_SECURE" },
        { 24, "AT_BASE_PLATFORM" }, { 25, "AT_RANDOM" }, { 26, "AT_HWCAP2" },
        { 27, "AT_RSEQ_FEATURE_SIZE" }, { 28, "AT_RSEQ_ALIGN" }, { 29, "AT_HWCAP3" },
        { 30, "AT_HWCAP4" }, { 31, "AT_EXECFN" }, { 32, "AT_SYSINFO" },
        { 33, "AT_SYSINFO_EHDR" }, { 51, "AT_MINSIGSTKSZ" },
    };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (names[i].type == type)
            return names[i].name;
    return "AT_UNKNOWN";
}

/* Walks argc, argv, envp and auxv; false (after saying why) if they run on
 * past any sane size, as a broken stack would. */
static int walk(struct stack *st)
{
    uint32_t *w = st->sp = initial_sp;
    st->argc = w[0];
    if (st->argc > ARGS_MAX) {
        printf("stackdump: broken: argc %u\n", st->argc);
        return 0;
    }
    st->argv = (char **)(w + 1);
    if (st->argv[st->argc] != NULL) {
        printf("stackdump: broken: argv[argc] is not NULL\n");
        return 0;
    }
    st->envp = st->argv + st->argc + 1;
    for (st->envc = 0; st->envp[st->envc]; st->envc++)
        if (st->envc == ARGS_MAX) {
            printf("stackdump: broken: no end to envp\n");
            return 0;
        }
    st->auxv = (uint32_t *)(st->envp + st->envc + 1);
    for (st->auxc = 0; st->auxv[2 * st->auxc] != AT_NULL; st->auxc++) {
        if (st->auxc == AUXV_MAX) {
            printf("stackdump: broken: no AT_NULL in the auxv\n");
            return 0;
        }
        uint32_t type = st->auxv[2 * st->auxc], value = st->auxv[2 * st->auxc + 1];
        if (type == AT_RANDOM)
            st->random = value;
        else if (type == AT_EXECFN)
            st->execfn = value;
        else if (type == AT_PLATFORM)
            st->platform = value;
    }
    return 1;
}

static void print_vectors(const struct stack *st)
{
    printf("stackdump: sp 0x%08lx\n", (unsigned long)(uintptr_t)st->sp);
    printf("stackdump: argc %u\n", st->argc);
    for (uint32_t i = 0; i < st->argc; i++) {
        printf("stackdump: argv %u 0x%08lx ", i, (unsigned long)(uintptr_t)st->argv[i]);
        print_string(st->argv[i]);
        putchar('\n');
    }
    for (uint32_t i = 0; i < st->envc; i++) {
        printf("stackdump: envp %u 0x%08lx ", i, (unsigned long)(uintptr_t)st->envp[i]);
        print_string(st->envp[i]);
        putchar('\n');
    }
    for (uint32_t i = 0; i <= st->auxc; i++) {
        uint32_t type = st->auxv[2 * i], value = st->auxv[2 * i + 1];
        printf("stackdump: auxv %u %s 0x%08x\n", type, aux_name(type), value);
    }
    if (st->random) {
        printf("stackdump: random 0x%08lx ", (unsigned long)st->random);
        for (int i = 0; i < 16; i++)
            printf("%02x", ((const unsigned char *)st->random)[i]);
        putchar('\n');
    }
    if (st->execfn) {
        printf("stackdump: execfn 0x%08lx ", (unsigned long)st->execfn);
        print_string((const char *)st->execfn);
        putchar('\n');
    }
    if (st->platform) {
        printf("stackdump: platform 0x%08lx ", (unsigned long)st->platform);
        print_string((const char *)st->platform);
        putchar('\n');
    }
}

/* The span of strings s[0..n-1]: from the lowest start to the highest end
 * (past the NUL). False when n is 0. */
static int strings_span(char **s, uint32_t n, struct part *p)
{
    for (uint32_t i = 0; i < n; i++) {
        uintptr_t a = (uintptr_t)s[i], e = a + strlen(s[i]) + 1;
        if (i == 0 || a < p->start)
            p->start = a;
        if (i == 0 || e > p->end)
            p->end = e;
    }
    return n > 0;
}

static uintptr_t string_end(uintptr_t s)
{
    return s + strlen((const char *)s) + 1;
}

/* The parts of the stack, lowest first (the order Linux uses; the padding
 * line shows whether another kernel's parts follow each other the same
 * way). Returns how many there are; the highest string end is *top. */
static size_t find_parts(const struct stack *st, struct part *parts, uintptr_t *top)
{
    size_t n = 0;
    uintptr_t sp = (uintptr_t)st->sp;
    parts[n++] = (struct part){ "argc", sp, sp + 4, 0 };
    parts[n++] = (struct part){ "argv", (uintptr_t)st->argv,
                                (uintptr_t)(st->argv + st->argc + 1), 0 };
    parts[n++] = (struct part){ "envp", (uintptr_t)st->envp,
                                (uintptr_t)(st->envp + st->envc + 1), 0 };
    parts[n++] = (struct part){ "auxv", (uintptr_t)st->auxv,
                                (uintptr_t)(st->auxv + 2 * st->auxc + 2), 0 };
    if (st->random)
        parts[n++] = (struct part){ "random", st->random, st->random + 16, 0 };
    if (st->platform)
        parts[n++] = (struct part){ "platform", st->platform, string_end(st->platform), 1 };
    parts[n] = (struct part){ "argv-strings", 0, 0, 1 };
    n += strings_span(st->argv, st->argc, &parts[n]);
    parts[n] = (struct part){ "env-strings", 0, 0, 1 };
    n += strings_span(st->envp, st->envc, &parts[n]);
    if (st->execfn)
        parts[n++] = (struct part){ "execfn", st->execfn, string_end(st->execfn), 1 };
    *top = 0;
    for (size_t i = 0; i < n; i++)
        if (parts[i].strings && parts[i].end > *top)
            *top = parts[i].end;
    if (*top == 0)                      /* no strings at all: the highest part */
        for (size_t i = 0; i < n; i++)
            if (parts[i].end > *top)
                *top = parts[i].end;
    return n;
}

static void print_parts(const struct part *parts, size_t n, uintptr_t top, uintptr_t page_end)
{
    printf("stackdump: top 0x%08lx page-end 0x%08lx\n", (unsigned long)top,
           (unsigned long)page_end);
    printf("stackdump: top-offsets");
    for (size_t i = n; i-- > 0;)
        printf(" %s=%ld", parts[i].name, (long)(top - parts[i].start));
    printf("\nstackdump: padding");
    for (size_t i = 0; i + 1 < n; i++)
        printf(" %s-%s=%ld", parts[i].name, parts[i + 1].name,
               (long)(parts[i + 1].start - parts[i].end));
    printf(" %s-page-end=%ld\n", parts[n - 1].name, (long)(page_end - parts[n - 1].end));
}

/* Every word from sp up to the end of the page holding the top: all of it
 * is the stack's mapping, as the top's page is mapped. */
static void print_words(const uint32_t *sp, uintptr_t page_end)
{
    const uint32_t *w = sp, *end = (const uint32_t *)page_end;
    while (w < end) {
        const uint32_t *run = w;
        while (run < end && *run == 0)
            run++;
        if (run - w >= 4) {
            printf("stackdump: zero-words +0x%04lx %ld\n",
                   (unsigned long)((uintptr_t)w - (uintptr_t)sp), (long)(run - w));
            w = run;
            continue;
        }
        printf("stackdump: word +0x%04lx 0x%08x\n",
               (unsigned long)((uintptr_t)w - (uintptr_t)sp), *w);
        w++;
    }
}

/* Strings s[0..n-1] follow each other with nothing between, in order. */
static int back_to_back(char **s, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i++)
        if (s[i + 1] != s[i] + strlen(s[i]) + 1)
            return 0;
    return 1;
}

static const struct part *part_named(const struct part *parts, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(parts[i].name, name) == 0)
            return &parts[i];
    return NULL;
}

static uint32_t aux_value(const struct stack *st, uint32_t type)
{
    for (uint32_t i = 0; i < st->auxc; i++)
        if (st->auxv[2 * i] == type)
            return st->auxv[2 * i + 1];
    return 0;
}

/* The layout described at the top, one property at a time. */
static void check_layout(const struct stack *st, const struct part *parts, size_t n,
                         int argc, char **argv)
{
    const struct part *auxv = part_named(parts, n, "auxv");
    const struct part *args = part_named(parts, n, "argv-strings");
    const struct part *env = part_named(parts, n, "env-strings");
    check("main-gets-this-argc-and-argv", (uint32_t)argc == st->argc && argv == st->argv);
    check("sp-16-byte-aligned", ((uintptr_t)st->sp & 15) == 0);
    check("argv-strings-back-to-back", back_to_back(st->argv, st->argc));
    check("env-strings-back-to-back", back_to_back(st->envp, st->envc));
    check("env-strings-right-after-argv-strings", !args || !env || env->start == args->end);
    uintptr_t strings_end = env ? env->end : args ? args->end : 0;
    check("execfn-right-after-the-strings", st->execfn && st->execfn == strings_end);
    check("random-below-platform", st->random && st->platform &&
          st->random + 16 == st->platform);
    check("random-within-16-bytes-above-auxv", st->random >= auxv->end &&
          st->random - auxv->end < 16);
    check("platform-below-argv-strings", st->platform && args &&
          string_end(st->platform) <= args->start);
    check("auxv-pagesz-4096", aux_value(st, AT_PAGESZ) == PAGE);
    check("auxv-entry-is-entry-point", aux_value(st, AT_ENTRY) == (uintptr_t)&stackdump_entry);
    check("auxv-phdr-is-program-headers", aux_value(st, AT_PHDR) ==
          (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
    check("auxv-phnum-phent", aux_value(st, AT_PHNUM) == __ehdr_start.e_phnum &&
          aux_value(st, AT_PHENT) == sizeof(Elf32_Phdr));
}

/* Zero from the top string's end to the end of its page (Linux: the zero
 * pointer at the very top, nothing else). */
static int zero_above(uintptr_t top, uintptr_t page_end)
{
    for (const unsigned char *p = (const unsigned char *)top; (uintptr_t)p < page_end; p++)
        if (*p)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    struct stack st = { 0 };
    if (!walk(&st))
        return 1;
    print_vectors(&st);

    struct part parts[10];
    uintptr_t top;
    size_t n = find_parts(&st, parts, &top);
    uintptr_t page_end = (top + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    print_parts(parts, n, top, page_end);
    print_words(st.sp, page_end);

    check_layout(&st, parts, n, argc, argv);
    check("only-zeros-above-the-top", zero_above(top, page_end));
    if (differences) {
        printf("stackdump: layout differs: %d\n", differences);
        return 1;
    }
    printf("stackdump: layout linux-like\n");
    return 0;
}
