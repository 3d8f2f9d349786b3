/*
 * procimage.c - builds the System V i386 process image (procimage.h) at the
 * top of a task's stack: strings first, from the top down, then the vectors
 * that point at them, argc lowest, 16-byte aligned as the ABI asks.
 */
#include "sched/procimage.h"

#include "lib/string.h"
#include "memlayout.h"

#define ALIGN_DOWN_16(x)    ((x) & ~(uint32_t)15)
#define AUXV_WORDS          4       /* AT_PAGESZ and AT_NULL, two words each */

static uint32_t strings_size(int n, const char *const *s)
{
    uint32_t bytes = 0;
    for (int i = 0; i < n; i++)
        bytes += (uint32_t)strlen(s[i]) + 1;
    return bytes;
}

/* argc, argv[] and its NULL, envp[] and its NULL, the auxiliary vector. */
static uint32_t vectors_size(int argc, int envc)
{
    return 4 * (1 + (uint32_t)argc + 1 + (uint32_t)envc + 1 + AUXV_WORDS);
}

uint32_t procimage_size(int argc, const char *const *argv, int envc,
                        const char *const *envp)
{
    /* Up to 15 bytes of padding each time the image is aligned, twice. */
    return strings_size(argc, argv) + strings_size(envc, envp) + 2 * 15 +
           vectors_size(argc, envc);
}

/* Copies n strings below *p, the last one highest; records where each went. */
static void put_strings(char **p, int n, const char *const *s, uint32_t *where)
{
    for (int i = n - 1; i >= 0; i--) {
        size_t len = strlen(s[i]) + 1;
        *p -= len;
        memcpy(*p, s[i], len);
        where[i] = (uint32_t)(uintptr_t)*p;
    }
}

void procimage_build(uint32_t top, int argc, const char *const *argv, int envc,
                     const char *const *envp, struct procimage *img)
{
    char *p = (char *)(uintptr_t)top;
    uint32_t arg_at[CMDLINE_WORDS_MAX + 2], env_at[CMDLINE_WORDS_MAX + 1];
    img->args_hi = top;
    put_strings(&p, argc, argv, arg_at);
    img->args_lo = img->env_hi = (uint32_t)(uintptr_t)p;
    put_strings(&p, envc, envp, env_at);
    img->env_lo = (uint32_t)(uintptr_t)p;

    img->vec_hi = ALIGN_DOWN_16(img->env_lo);
    uint32_t *w = (uint32_t *)(uintptr_t)ALIGN_DOWN_16(img->vec_hi - vectors_size(argc, envc));
    img->vec_lo = img->sp = (uint32_t)(uintptr_t)w;
    *w++ = (uint32_t)argc;
    for (int i = 0; i < argc; i++)
        *w++ = arg_at[i];
    *w++ = 0;
    for (int i = 0; i < envc; i++)
        *w++ = env_at[i];
    *w++ = 0;
    *w++ = AT_PAGESZ;
    *w++ = PAGE_SIZE;
    *w++ = AT_NULL;
    *w++ = 0;
}
