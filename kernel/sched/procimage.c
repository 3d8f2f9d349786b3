/*
 * procimage.c - builds the initial stack of an i386 Linux process
 * (procimage.h) the way Linux's exec does for a static ELF program. First
 * a plan: where every part goes below the top, from the top down as Linux
 * allocates them; then, if the caller's buffer holds it all, the bytes.
 * Padding is written as zeros (Linux's are zero because its stack pages
 * are new), so an image is the same bytes whatever was in the buffer.
 */
#include "sched/procimage.h"

#include <stddef.h>

#include "lib/string.h"

#define WORD    4u              /* an i386 pointer, an auxv half */

static const char *const part_names[PROCIMAGE_PARTS] = {
    [PROCIMAGE_ARGC] = "argc",
    [PROCIMAGE_ARGV] = "argv",
    [PROCIMAGE_ENVP] = "envp",
    [PROCIMAGE_AUXV] = "auxv",
    [PROCIMAGE_PAD] = "sp.pad",
    [PROCIMAGE_RANDOM] = "random",
    [PROCIMAGE_PLATFORM] = "platform",
    [PROCIMAGE_ALIGN] = "strings.pad",
    [PROCIMAGE_ARGS] = "args",
    [PROCIMAGE_ENV] = "env",
    [PROCIMAGE_EXECFN] = "execfn",
    [PROCIMAGE_END] = "end.marker",
};

const char *procimage_part_name(enum procimage_part p)
{
    return (unsigned)p < PROCIMAGE_PARTS ? part_names[p] : "?";
}

enum procimage_part procimage_part_at(const struct procimage *img, uint32_t addr)
{
    for (unsigned p = 0; p < PROCIMAGE_PARTS; p++)
        if (addr >= img->part[p].lo && addr < img->part[p].hi)
            return (enum procimage_part)p;
    return PROCIMAGE_PARTS;
}

/* ---- the plan ------------------------------------------------------------------------ */

/* Adds the bytes of n strings, NULs included, to *total, which may not pass
 * PROCIMAGE_STRINGS_MAX; reads no string further than that. */
static const char *count_strings(int n, const char *const *s, uint32_t *total,
                                 uint32_t *bytes, const char *what)
{
    *bytes = 0;
    if (n > 0 && !s)
        return what;
    for (int i = 0; i < n; i++) {
        if (!s[i])
            return what;
        uint32_t room = PROCIMAGE_STRINGS_MAX - *total;
        uint32_t len = (uint32_t)strnlen(s[i], room);
        if (len >= room)
            return "the argument, environment and execfn strings pass 32 pages";
        *total += len + 1;
        *bytes += len + 1;
    }
    return 0;
}

static void set_part(struct procimage *img, enum procimage_part p, int64_t lo, int64_t hi)
{
    img->part[p].lo = (uint32_t)lo;
    img->part[p].hi = (uint32_t)hi;
}

static int64_t round_down_16(int64_t x)
{
    return x - (x & 15);
}

/* Where everything goes for an image whose top is at top; NULL, or why not. */
static const char *plan(const struct procimage_args *a, uint32_t top, struct procimage *img)
{
    if (!a)
        return "no arguments";
    if (a->argc < 0 || a->envc < 0)
        return "a negative argc or envc";
    if (a->end_marker != 4 && a->end_marker != 8)
        return "the end marker is neither 4 nor 8 bytes";
    if (!a->platform)
        return "no platform string";
    uint32_t total = 0, args, env, execfn;
    const char *why = count_strings(a->argc, a->argv, &total, &args,
                                    "a NULL where an argument should be");
    if (!why)
        why = count_strings(a->envc, a->envp, &total, &env,
                            "a NULL where an environment string should be");
    if (!why)
        why = count_strings(1, &a->execfn, &total, &execfn, "no execfn string");
    if (why)
        return why;
    uint32_t platform = (uint32_t)strnlen(a->platform, 64) + 1;
    if (platform > 64)
        return "a platform string over 63 bytes";

    /* fs/exec.c: the end marker, then the strings, each below the last. */
    int64_t p = top;
    img->top = top;
    set_part(img, PROCIMAGE_END, p - a->end_marker, p);
    p -= a->end_marker;
    set_part(img, PROCIMAGE_EXECFN, p - execfn, p);
    p -= execfn;
    set_part(img, PROCIMAGE_ENV, p - env, p);
    p -= env;
    set_part(img, PROCIMAGE_ARGS, p - args, p);
    p -= args;
    /* create_elf_tables: arch_align_stack rounds down to 16 (a random
     * shift first, unless randomisation is off: mematlas has none). */
    set_part(img, PROCIMAGE_ALIGN, round_down_16(p), p);
    p = round_down_16(p);
    set_part(img, PROCIMAGE_PLATFORM, p - platform, p);
    p -= platform;
    set_part(img, PROCIMAGE_RANDOM, p - PROCIMAGE_RANDOM_BYTES, p);
    p -= PROCIMAGE_RANDOM_BYTES;
    /* STACK_ROUND: argc, argv[], envp[] and the auxv go as high as they can
     * with sp a multiple of 16; the bytes left over are the padding. */
    int64_t vector_words = 1 + ((int64_t)a->argc + 1) + ((int64_t)a->envc + 1) +
                           2 * PROCIMAGE_AUXV_PAIRS;
    int64_t sp = round_down_16(p - vector_words * WORD);
    if (sp < 0)
        return "the image does not fit below its top";
    int64_t argv = sp + WORD, envp = argv + ((int64_t)a->argc + 1) * WORD;
    int64_t auxv = envp + ((int64_t)a->envc + 1) * WORD;
    int64_t auxv_end = auxv + 2 * PROCIMAGE_AUXV_PAIRS * WORD;
    set_part(img, PROCIMAGE_PAD, auxv_end, p);
    set_part(img, PROCIMAGE_AUXV, auxv, auxv_end);
    set_part(img, PROCIMAGE_ENVP, envp, auxv);
    set_part(img, PROCIMAGE_ARGV, argv, envp);
    set_part(img, PROCIMAGE_ARGC, sp, argv);
    img->sp = (uint32_t)sp;
    img->argv = (uint32_t)argv;
    img->envp = (uint32_t)envp;
    img->auxv = (uint32_t)auxv;
    return 0;
}

uint32_t procimage_size(const struct procimage_args *a, uint32_t top)
{
    struct procimage img;
    return plan(a, top, &img) ? 0 : top - img.sp;
}

/* ---- the bytes ----------------------------------------------------------------------- */

struct writer {
    uint8_t *buf;
    uint32_t base;              /* the virtual address of buf[0] */
};

static uint8_t *at(const struct writer *w, uint32_t vaddr)
{
    return w->buf + (vaddr - w->base);
}

static void put_word(const struct writer *w, uint32_t *vaddr, uint32_t value)
{
    memcpy(at(w, *vaddr), &value, WORD);
    *vaddr += WORD;
}

static void put_zeros(const struct writer *w, const struct procimage_range *r)
{
    memset(at(w, r->lo), 0, r->hi - r->lo);
}

/* Copies n strings upwards from lo, the first lowest; each one's address
 * goes into its vector slot at *slot. */
static void put_strings(const struct writer *w, uint32_t lo, int n, const char *const *s,
                        uint32_t *slot)
{
    for (int i = 0; i < n; i++) {
        uint32_t len = (uint32_t)strlen(s[i]) + 1;
        memcpy(at(w, lo), s[i], len);
        put_word(w, slot, lo);
        lo += len;
    }
    put_word(w, slot, 0);
}

/* The auxiliary vector in create_elf_tables's order (ARCH_DLINFO's
 * AT_MINSIGSTKSZ first on x86). */
static void put_auxv(const struct writer *w, uint32_t at_addr, const struct procimage_args *a,
                     const struct procimage *img)
{
    const uint32_t pairs[PROCIMAGE_AUXV_PAIRS][2] = {
        { AT_MINSIGSTKSZ, a->minsigstksz },
        { AT_HWCAP, a->hwcap },
        { AT_PAGESZ, 4096 },
        { AT_CLKTCK, PROCIMAGE_CLKTCK },
        { AT_PHDR, a->phdr },
        { AT_PHENT, a->phent },
        { AT_PHNUM, a->phnum },
        { AT_BASE, 0 },                 /* no interpreter: a static program */
        { AT_FLAGS, 0 },
        { AT_ENTRY, a->entry },
        { AT_UID, a->uid },
        { AT_EUID, a->euid },
        { AT_GID, a->gid },
        { AT_EGID, a->egid },
        { AT_SECURE, a->secure },
        { AT_RANDOM, img->part[PROCIMAGE_RANDOM].lo },
        { AT_HWCAP2, a->hwcap2 },
        { AT_EXECFN, img->part[PROCIMAGE_EXECFN].lo },
        { AT_PLATFORM, img->part[PROCIMAGE_PLATFORM].lo },
        { AT_NULL, 0 },
    };
    for (unsigned i = 0; i < PROCIMAGE_AUXV_PAIRS; i++) {
        put_word(w, &at_addr, pairs[i][0]);
        put_word(w, &at_addr, pairs[i][1]);
    }
}

int procimage_build(uint8_t *buf, uint32_t top, uint32_t size,
                    const struct procimage_args *a, struct procimage *img)
{
    if (!img)
        return -1;
    memset(img, 0, sizeof *img);
    img->error = plan(a, top, img);
    if (!img->error && (size > top || top - img->sp > size))
        img->error = size > top ? "the buffer reaches below address 0"
                                : "the image is larger than the buffer";
    if (!img->error && !buf)
        img->error = "no buffer";
    if (img->error)
        return -1;
    struct writer w = { buf, top - size };
    const struct procimage_range *part = img->part;

    put_zeros(&w, &part[PROCIMAGE_END]);
    memcpy(at(&w, part[PROCIMAGE_EXECFN].lo), a->execfn,
           part[PROCIMAGE_EXECFN].hi - part[PROCIMAGE_EXECFN].lo);
    uint32_t slot = img->sp;
    put_word(&w, &slot, (uint32_t)a->argc);
    put_strings(&w, part[PROCIMAGE_ARGS].lo, a->argc, a->argv, &slot);
    put_strings(&w, part[PROCIMAGE_ENV].lo, a->envc, a->envp, &slot);
    put_zeros(&w, &part[PROCIMAGE_ALIGN]);
    memcpy(at(&w, part[PROCIMAGE_PLATFORM].lo), a->platform,
           part[PROCIMAGE_PLATFORM].hi - part[PROCIMAGE_PLATFORM].lo);
    memcpy(at(&w, part[PROCIMAGE_RANDOM].lo), a->random, PROCIMAGE_RANDOM_BYTES);
    put_zeros(&w, &part[PROCIMAGE_PAD]);
    put_auxv(&w, slot, a, img);
    return 0;
}
