/*
 * test_procimage.c - the initial process stack procimage_build writes, read
 * back word by word from a poisoned buffer at a made-up virtual address:
 * argc, argv[], envp[], every auxv entry, the strings and their order, the
 * padding, the end marker, and that nothing outside [sp, top) was touched.
 * The layout expected here is worked out independently of procimage.c, from
 * Linux's rules (fs/exec.c, create_elf_tables in fs/binfmt_elf.c).
 */
#include "check.h"
#include "sched/procimage.h"

#include <stdint.h>

#define POISON      0xA5
#define TOP         0xBFFFF000u     /* a page-aligned stack top, as Linux's */
#define BUF_SIZE    (300 * 1024)

static uint8_t *buf;                /* stands for [TOP - BUF_SIZE, TOP) */
static uint32_t buf_top, buf_size;

static void fresh(uint32_t top, uint32_t size)
{
    free(buf);
    buf = malloc(size ? size : 1);
    memset(buf, POISON, size);
    buf_top = top;
    buf_size = size;
}

static const uint8_t *byte_at(uint32_t vaddr)
{
    if (vaddr < buf_top - buf_size || vaddr >= buf_top) {
        fprintf(stderr, "0x%x is outside the buffer\n", vaddr);
        abort();
    }
    return buf + (vaddr - (buf_top - buf_size));
}

static uint32_t word_at(uint32_t vaddr)
{
    uint32_t w;
    memcpy(&w, byte_at(vaddr), 4);
    return w;
}

static const char *str_at(uint32_t vaddr)
{
    return (const char *)byte_at(vaddr);
}

static const uint8_t RANDOM[16] = { 0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                    0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f };

static struct procimage_args args_of(int argc, const char *const *argv, int envc,
                                     const char *const *envp)
{
    struct procimage_args a = {
        .argc = argc, .argv = argv, .envc = envc, .envp = envp,
        .execfn = "/bin/prog", .platform = PROCIMAGE_I686,
        .hwcap = 0x178bfbff, .hwcap2 = 2, .minsigstksz = 0xd30,
        .phdr = 0x08048034, .phent = 32, .phnum = 6, .entry = 0x08049000,
        .uid = 1000, .euid = 1001, .gid = 100, .egid = 101, .secure = 0,
        .end_marker = PROCIMAGE_END_MARKER,
    };
    memcpy(a.random, RANDOM, sizeof a.random);
    return a;
}

static uint32_t strings_bytes(int n, const char *const *s)
{
    uint32_t total = 0;
    for (int i = 0; i < n; i++)
        total += (uint32_t)strlen(s[i]) + 1;
    return total;
}

/* Linux's arithmetic, written out once more: the sp the image must have. */
static uint32_t expected_sp(const struct procimage_args *a, uint32_t top)
{
    uint32_t p = top - a->end_marker - ((uint32_t)strlen(a->execfn) + 1) -
                 strings_bytes(a->envc, a->envp) - strings_bytes(a->argc, a->argv);
    p &= ~15u;
    p -= (uint32_t)strlen(a->platform) + 1;
    p -= 16;
    uint32_t words = 1 + (uint32_t)a->argc + 1 + (uint32_t)a->envc + 1 + 2 * 20;
    return (p - 4 * words) & ~15u;
}

/* Everything one image must satisfy, checked against the arguments. */
static void check_image(const struct procimage_args *a, const struct procimage *img)
{
    uint32_t top = buf_top, sp = img->sp;
    CHECK_HEX_EQ(img->top, top);
    CHECK_HEX_EQ(sp, expected_sp(a, top));
    CHECK_INT_EQ(sp % 16, 0);
    CHECK(img->error == NULL);

    /* Nothing below sp was written. */
    for (uint32_t v = top - buf_size; v < sp; v++)
        if (*byte_at(v) != POISON) {
            CHECK_HEX_EQ(v, 0);     /* names the first byte written out of bounds */
            break;
        }

    /* The parts tile [sp, top) in order. */
    CHECK_HEX_EQ(img->part[0].lo, sp);
    for (unsigned p = 0; p + 1 < PROCIMAGE_PARTS; p++)
        CHECK_HEX_EQ(img->part[p].hi, img->part[p + 1].lo);
    CHECK_HEX_EQ(img->part[PROCIMAGE_PARTS - 1].hi, top);

    /* argc, argv[] and envp[] and their NULLs. */
    CHECK_INT_EQ(word_at(sp), a->argc);
    CHECK_HEX_EQ(img->argv, sp + 4);
    uint32_t at = sp + 4, next_string = img->part[PROCIMAGE_ARGS].lo;
    for (int i = 0; i < a->argc; i++, at += 4) {
        CHECK_HEX_EQ(word_at(at), next_string);     /* argv[0] lowest, then upwards */
        CHECK_STR_EQ(str_at(word_at(at)), a->argv[i]);
        next_string += (uint32_t)strlen(a->argv[i]) + 1;
    }
    CHECK_HEX_EQ(word_at(at), 0);
    at += 4;
    CHECK_HEX_EQ(next_string, img->part[PROCIMAGE_ARGS].hi);
    CHECK_HEX_EQ(img->envp, at);
    CHECK_HEX_EQ(img->part[PROCIMAGE_ENV].lo, next_string);     /* env right above args */
    for (int i = 0; i < a->envc; i++, at += 4) {
        CHECK_HEX_EQ(word_at(at), next_string);
        CHECK_STR_EQ(str_at(word_at(at)), a->envp[i]);
        next_string += (uint32_t)strlen(a->envp[i]) + 1;
    }
    CHECK_HEX_EQ(word_at(at), 0);
    at += 4;
    CHECK_HEX_EQ(next_string, img->part[PROCIMAGE_ENV].hi);

    /* The auxiliary vector, entry by entry, in Linux's order. */
    uint32_t execfn = next_string;
    uint32_t align_lo = img->part[PROCIMAGE_ARGS].lo & ~15u;
    uint32_t platform = align_lo - 5, random = platform - 16;
    const uint32_t want[20][2] = {
        { AT_MINSIGSTKSZ, a->minsigstksz }, { AT_HWCAP, a->hwcap }, { AT_PAGESZ, 4096 },
        { AT_CLKTCK, 100 }, { AT_PHDR, a->phdr }, { AT_PHENT, a->phent },
        { AT_PHNUM, a->phnum }, { AT_BASE, 0 }, { AT_FLAGS, 0 }, { AT_ENTRY, a->entry },
        { AT_UID, a->uid }, { AT_EUID, a->euid }, { AT_GID, a->gid }, { AT_EGID, a->egid },
        { AT_SECURE, a->secure }, { AT_RANDOM, random }, { AT_HWCAP2, a->hwcap2 },
        { AT_EXECFN, execfn }, { AT_PLATFORM, platform }, { AT_NULL, 0 },
    };
    CHECK_HEX_EQ(img->auxv, at);
    for (unsigned i = 0; i < 20; i++, at += 8) {
        CHECK_INT_EQ(word_at(at), want[i][0]);
        CHECK_HEX_EQ(word_at(at + 4), want[i][1]);
    }
    CHECK_HEX_EQ(img->part[PROCIMAGE_AUXV].hi, at);

    /* What the auxv points at. */
    CHECK(memcmp(byte_at(random), a->random, 16) == 0);
    CHECK_STR_EQ(str_at(platform), "i686");
    CHECK_STR_EQ(str_at(execfn), a->execfn);
    CHECK_HEX_EQ(img->part[PROCIMAGE_RANDOM].lo, random);
    CHECK_HEX_EQ(img->part[PROCIMAGE_PLATFORM].lo, platform);
    CHECK_HEX_EQ(img->part[PROCIMAGE_EXECFN].lo, execfn);

    /* Padding below the random bytes (< 16: only sp's rounding) and below the
     * strings, and the end marker, are zeros. */
    CHECK(random - at < 16);
    for (uint32_t v = at; v < random; v++)
        CHECK_INT_EQ(*byte_at(v), 0);
    for (uint32_t v = align_lo; v < img->part[PROCIMAGE_ARGS].lo; v++)
        CHECK_INT_EQ(*byte_at(v), 0);
    CHECK_HEX_EQ(execfn + strlen(a->execfn) + 1 + a->end_marker, top);
    for (uint32_t v = top - a->end_marker; v < top; v++)
        CHECK_INT_EQ(*byte_at(v), 0);
    CHECK_INT_EQ(procimage_size(a, top), top - sp);
}

static bool build(const struct procimage_args *a, struct procimage *img)
{
    int r = procimage_build(buf, buf_top, buf_size, a, img);
    if (r != 0)
        printf("refused: %s\n", img->error ? img->error : "(no reason)");
    return r == 0;
}

static void a_small_command_line(void)
{
    const char *argv[] = { "prog", "one", "two words" };
    const char *envp[] = { "GOGC=100", "EMPTY=", "X=a b" };
    struct procimage_args a = args_of(3, argv, 3, envp);
    struct procimage img;
    fresh(TOP, 8192);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    /* The strings from the bottom: args, env, execfn, the marker. */
    CHECK(memcmp(str_at(img.part[PROCIMAGE_ARGS].lo),
                 "prog\0one\0two words\0GOGC=100\0EMPTY=\0X=a b\0/bin/prog\0\0\0\0\0",
                 5 + 4 + 10 + 9 + 7 + 6 + 10 + 4) == 0);
}

static void no_arguments_and_no_environment(void)
{
    struct procimage_args a = args_of(0, NULL, 0, NULL);
    struct procimage img;
    fresh(TOP, 4096);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    CHECK_INT_EQ(img.part[PROCIMAGE_ARGS].hi - img.part[PROCIMAGE_ARGS].lo, 0);
    CHECK_INT_EQ(img.part[PROCIMAGE_ENV].hi - img.part[PROCIMAGE_ENV].lo, 0);
    CHECK_HEX_EQ(word_at(img.sp + 4), 0);           /* argv[0] is the NULL */
    CHECK_HEX_EQ(word_at(img.sp + 8), 0);           /* and envp[0] */
    CHECK_HEX_EQ(img.auxv, img.sp + 12);
}

static void empty_strings_each_take_their_nul(void)
{
    const char *argv[] = { "", "", "x", "" };
    const char *envp[] = { "", "" };
    struct procimage_args a = args_of(4, argv, 2, envp);
    a.execfn = "";
    struct procimage img;
    fresh(TOP, 4096);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    CHECK_INT_EQ(img.part[PROCIMAGE_ARGS].hi - img.part[PROCIMAGE_ARGS].lo, 5);
    CHECK_INT_EQ(img.part[PROCIMAGE_ENV].hi - img.part[PROCIMAGE_ENV].lo, 2);
    CHECK_INT_EQ(img.part[PROCIMAGE_EXECFN].hi - img.part[PROCIMAGE_EXECFN].lo, 1);
}

static void many_arguments(void)
{
    enum { N = 3000 };
    static char words[N][16];
    static const char *argv[N], *envp[N / 3];
    for (int i = 0; i < N; i++) {
        snprintf(words[i], sizeof words[i], "w%d", i);
        argv[i] = words[i];
    }
    for (int i = 0; i < N / 3; i++)
        envp[i] = words[N - 1 - i];
    struct procimage_args a = args_of(N, argv, N / 3, envp);
    struct procimage img;
    fresh(TOP, BUF_SIZE);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
}

static void long_strings_up_to_the_limit(void)
{
    /* All the strings together may have 32 pages, NULs included. */
    uint32_t execfn = (uint32_t)strlen("/bin/prog") + 1;
    char *big = malloc(PROCIMAGE_STRINGS_MAX);
    memset(big, 'a', PROCIMAGE_STRINGS_MAX);
    big[PROCIMAGE_STRINGS_MAX - execfn - 2 - 1] = '\0';    /* and "E" and its NUL */
    const char *argv[] = { big };
    const char *envp[] = { "E" };
    struct procimage_args a = args_of(1, argv, 1, envp);
    struct procimage img;
    fresh(TOP, BUF_SIZE);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    CHECK_INT_EQ(img.part[PROCIMAGE_EXECFN].hi - img.part[PROCIMAGE_ARGS].lo,
                 PROCIMAGE_STRINGS_MAX);

    /* One byte more is refused, and the buffer left alone. */
    envp[0] = "E=";
    fresh(TOP, BUF_SIZE);
    CHECK_INT_EQ(procimage_build(buf, TOP, BUF_SIZE, &a, &img), -1);
    CHECK_CONTAINS(img.error, "32 pages");
    CHECK_INT_EQ(procimage_size(&a, TOP), 0);
    for (uint32_t i = 0; i < BUF_SIZE; i++)
        if (buf[i] != POISON) {
            CHECK_HEX_EQ(i, BUF_SIZE);
            break;
        }
    /* So is a string past the limit, which is not read further: this one
     * has no NUL at all, and ASan stops the test at a read past its end. */
    char *huge = malloc(PROCIMAGE_STRINGS_MAX);
    memset(huge, 'b', PROCIMAGE_STRINGS_MAX);
    argv[0] = huge;
    CHECK_INT_EQ(procimage_build(buf, TOP, BUF_SIZE, &a, &img), -1);
    CHECK_CONTAINS(img.error, "32 pages");
    free(huge);
    free(big);
}

static void an_eight_byte_end_marker_as_a_64_bit_kernel_leaves(void)
{
    const char *argv[] = { "/tmp/x", "a" };
    const char *envp[] = { "A=1" };
    struct procimage_args a = args_of(2, argv, 1, envp);
    a.end_marker = 8;
    struct procimage img;
    fresh(TOP, 4096);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    CHECK_HEX_EQ(img.part[PROCIMAGE_END].lo, TOP - 8);
}

/* Linux's tops are page aligned; the arithmetic holds for any top. */
static void every_top_alignment(void)
{
    const char *argv[] = { "p", "qq", "rrr" };
    const char *envp[] = { "S=ssss" };
    for (int argc = 0; argc <= 3; argc++)
        for (uint32_t shift = 0; shift < 32; shift++) {
            struct procimage_args a = args_of(argc, argv, 1, envp);
            a.end_marker = shift & 1 ? 8 : 4;
            struct procimage img;
            fresh(TOP - shift, 1024);
            REQUIRE(build(&a, &img));
            check_image(&a, &img);
        }
}

static void a_buffer_just_big_enough(void)
{
    const char *argv[] = { "prog", "x" };
    struct procimage_args a = args_of(2, argv, 0, NULL);
    uint32_t size = procimage_size(&a, TOP);
    REQUIRE(size > 0);
    struct procimage img;
    fresh(TOP, size);
    REQUIRE(build(&a, &img));
    check_image(&a, &img);
    CHECK_HEX_EQ(img.sp, TOP - size);

    fresh(TOP, size - 1);
    CHECK_INT_EQ(procimage_build(buf, TOP, size - 1, &a, &img), -1);
    CHECK_CONTAINS(img.error, "larger than the buffer");
    for (uint32_t i = 0; i < size - 1; i++)
        CHECK_INT_EQ(buf[i], POISON);
}

static void bad_arguments_are_refused_with_a_reason(void)
{
    const char *argv[] = { "prog", NULL };
    const char *envp[] = { "A=1", NULL };
    struct procimage img;
    fresh(TOP, 4096);
    struct procimage_args a = args_of(2, argv, 0, NULL);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "NULL where an argument");
    a = args_of(1, argv, 2, envp);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "NULL where an environment");
    a = args_of(1, NULL, 0, NULL);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    a = args_of(-1, argv, 0, NULL);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "negative");
    a = args_of(1, argv, -5, envp);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    a = args_of(1, argv, 0, NULL);
    a.execfn = NULL;
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "execfn");
    a = args_of(1, argv, 0, NULL);
    a.platform = NULL;
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "platform");
    a = args_of(1, argv, 0, NULL);
    a.end_marker = 0;
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, &img), -1);
    CHECK_CONTAINS(img.error, "end marker");
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, NULL, &img), -1);
    CHECK(img.error != NULL);
    a = args_of(1, argv, 0, NULL);
    CHECK_INT_EQ(procimage_build(NULL, TOP, 4096, &a, &img), -1);
    CHECK_INT_EQ(procimage_build(buf, TOP, 4096, &a, NULL), -1);
    for (uint32_t i = 0; i < 4096; i++)
        CHECK_INT_EQ(buf[i], POISON);
}

static void an_image_that_would_pass_address_zero(void)
{
    const char *argv[] = { "prog" };
    struct procimage_args a = args_of(1, argv, 0, NULL);
    struct procimage img;
    fresh(200, 200);
    CHECK_INT_EQ(procimage_build(buf, 200, 200, &a, &img), -1);
    CHECK_CONTAINS(img.error, "does not fit below its top");
    CHECK_INT_EQ(procimage_size(&a, 200), 0);
    fresh(TOP, 4096);
    CHECK_INT_EQ(procimage_build(buf, 2000, 4096, &a, &img), -1);  /* fits, but not the buffer */
    CHECK_CONTAINS(img.error, "below address 0");
}

static void parts_have_names_and_addresses_find_them(void)
{
    const char *argv[] = { "prog", "x" };
    const char *envp[] = { "A=1" };
    struct procimage_args a = args_of(2, argv, 1, envp);
    struct procimage img;
    fresh(TOP, 4096);
    REQUIRE(build(&a, &img));
    for (unsigned p = 0; p < PROCIMAGE_PARTS; p++) {
        const char *name = procimage_part_name((enum procimage_part)p);
        CHECK(strlen(name) > 0 && strlen(name) <= 23);
        CHECK(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._") == strlen(name));
        for (unsigned q = 0; q < p; q++)
            CHECK(strcmp(name, procimage_part_name((enum procimage_part)q)) != 0);
        if (img.part[p].hi > img.part[p].lo) {
            CHECK_INT_EQ(procimage_part_at(&img, img.part[p].lo), p);
            CHECK_INT_EQ(procimage_part_at(&img, img.part[p].hi - 1), p);
        }
    }
    CHECK_STR_EQ(procimage_part_name(PROCIMAGE_ARGS), "args");
    CHECK_STR_EQ(procimage_part_name(PROCIMAGE_ENV), "env");
    CHECK_STR_EQ(procimage_part_name(PROCIMAGE_AUXV), "auxv");
    CHECK_STR_EQ(procimage_part_name(PROCIMAGE_PARTS), "?");
    CHECK_INT_EQ(procimage_part_at(&img, img.sp - 1), PROCIMAGE_PARTS);
    CHECK_INT_EQ(procimage_part_at(&img, TOP), PROCIMAGE_PARTS);
    CHECK_INT_EQ(procimage_part_at(&img, word_at(img.sp + 4)), PROCIMAGE_ARGS);
    CHECK_INT_EQ(procimage_part_at(&img, word_at(img.envp)), PROCIMAGE_ENV);
}

static const struct check_test tests[] = {
    TEST(a_small_command_line),
    TEST(no_arguments_and_no_environment),
    TEST(empty_strings_each_take_their_nul),
    TEST(many_arguments),
    TEST(long_strings_up_to_the_limit),
    TEST(an_eight_byte_end_marker_as_a_64_bit_kernel_leaves),
    TEST(every_top_alignment),
    TEST(a_buffer_just_big_enough),
    TEST(bad_arguments_are_refused_with_a_reason),
    TEST(an_image_that_would_pass_address_zero),
    TEST(parts_have_names_and_addresses_find_them),
};

CHECK_MAIN(tests)
