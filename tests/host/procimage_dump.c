/*
 * procimage_dump.c - builds one process image with procimage_build and
 * prints it the way tests/host/linux_stack.c prints the stack Linux built,
 * so that tests/host/test_procimage_linux.py can compare the two. Host only.
 *
 *   procimage_dump top=0x... marker=8 hwcap=0x... hwcap2=2 minsigstksz=0xd30
 *                  phdr=0x... phent=32 phnum=6 entry=0x... uid=0 euid=0 gid=0
 *                  egid=0 secure=0 random=<32 hex digits> execfn=PATH
 *                  platform=i686 argc=N ARG... envc=M ENV...
 *
 * Every key before argc= is required. Output: "sp", "top", one
 * "part NAME 0xLO 0xHI" line per part, then "+0xOFFSET 0xWORD" for every
 * word from sp to top. A refused image prints "refused: why", exit 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/procimage.h"

#define KEYS 17

static const char *const keys[KEYS] = {
    "top", "marker", "hwcap", "hwcap2", "minsigstksz", "phdr", "phent", "phnum", "entry",
    "uid", "euid", "gid", "egid", "secure", "random", "execfn", "platform",
};

static void usage(const char *why)
{
    fprintf(stderr, "procimage_dump: %s\n", why);
    exit(2);
}

static uint32_t number(const char *s)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || *end || !*s || v > 0xFFFFFFFFul)
        usage("a value is not a 32-bit number");
    return (uint32_t)v;
}

static void hex_bytes(const char *s, uint8_t *out, size_t n)
{
    if (strlen(s) != 2 * n)
        usage("random= needs 32 hex digits");
    for (size_t i = 0; i < n; i++) {
        char pair[3] = { s[2 * i], s[2 * i + 1], 0 };
        char *end;
        out[i] = (uint8_t)strtoul(pair, &end, 16);
        if (*end)
            usage("random= needs 32 hex digits");
    }
}

/* Reads "key=value" words into value[]; returns the index of "argc=". */
static int read_keys(int argc, char **argv, const char *value[KEYS])
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "argc=", 5) != 0; i++) {
        const char *eq = strchr(argv[i], '=');
        int k = 0;
        while (eq && k < KEYS && (strlen(keys[k]) != (size_t)(eq - argv[i]) ||
                                  strncmp(argv[i], keys[k], strlen(keys[k])) != 0))
            k++;
        if (!eq || k == KEYS)
            usage("an unknown key");
        value[k] = eq + 1;
    }
    for (int k = 0; k < KEYS; k++)
        if (!value[k])
            usage("a key is missing");
    if (i == argc)
        usage("no argc=");
    return i;
}

static void print_image(const uint8_t *buf, uint32_t size, const struct procimage *img)
{
    printf("sp 0x%08x\ntop 0x%08x\n", img->sp, img->top);
    for (unsigned p = 0; p < PROCIMAGE_PARTS; p++)
        printf("part %s 0x%08x 0x%08x\n", procimage_part_name((enum procimage_part)p),
               img->part[p].lo, img->part[p].hi);
    for (uint32_t at = img->sp; at < img->top; at += 4) {
        uint32_t w;
        memcpy(&w, buf + (at - (img->top - size)), 4);
        printf("+0x%08x 0x%08x\n", at - img->sp, w);
    }
}

int main(int argc, char **argv)
{
    const char *v[KEYS] = { 0 };
    int i = read_keys(argc, argv, v);
    struct procimage_args a = { 0 };
    uint32_t top = number(v[0]);
    a.end_marker = number(v[1]);
    a.hwcap = number(v[2]);
    a.hwcap2 = number(v[3]);
    a.minsigstksz = number(v[4]);
    a.phdr = number(v[5]);
    a.phent = number(v[6]);
    a.phnum = number(v[7]);
    a.entry = number(v[8]);
    a.uid = number(v[9]);
    a.euid = number(v[10]);
    a.gid = number(v[11]);
    a.egid = number(v[12]);
    a.secure = number(v[13]);
    hex_bytes(v[14], a.random, sizeof a.random);
    a.execfn = v[15];
    a.platform = v[16];

    uint32_t n = number(argv[i] + 5);
    if (n >= (uint32_t)(argc - i) || strncmp(argv[i + 1 + n], "envc=", 5) != 0)
        usage("argc= does not count the words up to envc=");
    a.argc = (int)n;
    a.argv = (const char *const *)&argv[i + 1];
    i += 1 + a.argc;
    n = number(argv[i] + 5);
    if (n != (uint32_t)(argc - i - 1))
        usage("envc= does not count the words after it");
    a.envc = (int)n;
    a.envp = (const char *const *)&argv[i + 1];

    uint32_t size = procimage_size(&a, top);
    uint8_t *buf = calloc(1, size ? size : 1);
    struct procimage img;
    if (!buf || procimage_build(buf, top, size, &a, &img) != 0) {
        printf("refused: %s\n", buf ? img.error : "out of memory");
        free(buf);
        return 1;
    }
    print_image(buf, size, &img);
    free(buf);
    return 0;
}
