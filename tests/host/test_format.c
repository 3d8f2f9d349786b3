/*
 * test_format.c - kernel/lib/format.c: every conversion, flag, width, length and
 * precision format_v knows, the snprintf-like truncation of format_buf, and
 * the human sizes of format_size.
 */
#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "check.h"
#include "lib/format.h"

#define OUT_MAX 256
#define GUARD   16

/* A sink that collects into a fixed buffer, for format() / format_v(). */
struct collect {
    char buf[OUT_MAX];
    size_t len;
};

static void collect_sink(void *ctx, char c)
{
    struct collect *k = ctx;
    if (k->len + 1 < sizeof k->buf)
        k->buf[k->len] = c;
    k->len++;
}

/*
 * Formats twice, through format_buf_v and through format_v with a sink, and
 * checks both the text and the returned length against `want`; also checks
 * that format_buf_v wrote nothing past the size it was given.
 */
static void fmt_check(const char *file, int line, const char *want,
                      const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);

    char buf[OUT_MAX + GUARD];
    memset(buf, '#', sizeof buf);
    int n = format_buf_v(buf, OUT_MAX, fmt, ap);
    check_str_eq(file, line, buf, want, fmt, "expected");
    check_int_eq(file, line, n, (long long)strlen(want), "returned length",
                 "strlen(expected)");
    for (size_t i = OUT_MAX; i < sizeof buf; i++)
        if (buf[i] != '#') {
            check_fail(file, line, "format_buf wrote past its size at %zu", i);
            break;
        }

    struct collect k = { .len = 0 };
    int m = format_v(collect_sink, &k, fmt, ap2);
    k.buf[k.len < sizeof k.buf ? k.len : sizeof k.buf - 1] = '\0';
    va_end(ap2);
    check_str_eq(file, line, k.buf, want, "format_v sink", "expected");
    check_int_eq(file, line, m, (long long)k.len, "format_v result",
                 "characters sent to the sink");
}

/* Checked by the compiler like printf. */
static void fmt_eq(const char *file, int line, const char *want,
                   const char *fmt, ...) PRINTF_LIKE(4, 5);
static void fmt_eq(const char *file, int line, const char *want,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_check(file, line, want, fmt, ap);
    va_end(ap);
}

/* Not checked: for formats that printf would reject but format_v handles. */
static void fmt_eq_raw(const char *file, int line, const char *want,
                       const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_check(file, line, want, fmt, ap);
    va_end(ap);
}

#define FMT_EQ(want, ...)     fmt_eq(__FILE__, __LINE__, want, __VA_ARGS__)
#define FMT_EQ_RAW(want, ...) fmt_eq_raw(__FILE__, __LINE__, want, __VA_ARGS__)

static void plain_text(void)
{
    FMT_EQ("", "%s", "");
    FMT_EQ("hello, world", "hello, world");
    FMT_EQ("tab\there\n", "tab\there\n");
    FMT_EQ("100%", "100%%");
    FMT_EQ("%%", "%%%%");
    FMT_EQ("a%b", "a%%b");
}

static void signed_decimal(void)
{
    FMT_EQ("0", "%d", 0);
    FMT_EQ("42", "%d", 42);
    FMT_EQ("-42", "%d", -42);
    FMT_EQ("7 -7", "%i %i", 7, -7);
    FMT_EQ("2147483647", "%d", INT_MAX);
    FMT_EQ("-2147483648", "%d", INT_MIN);
    FMT_EQ("-2147483648", "%i", INT_MIN);
}

static void unsigned_decimal(void)
{
    FMT_EQ("0", "%u", 0u);
    FMT_EQ("4294967295", "%u", UINT_MAX);
    /* A negative int seen as unsigned. */
    FMT_EQ("4294967295", "%u", (unsigned)-1);
    FMT_EQ("3000000000", "%u", 3000000000u);
}

static void hexadecimal(void)
{
    FMT_EQ("0", "%x", 0u);
    FMT_EQ("ff FF", "%x %X", 255u, 255u);
    FMT_EQ("deadbeef", "%x", 0xdeadbeefu);
    FMT_EQ("DEADBEEF", "%X", 0xdeadbeefu);
    FMT_EQ("0000beef", "%08x", 0xbeefu);
    FMT_EQ("0x000b8000", "0x%08x", 0xb8000u);
    FMT_EQ("100000000", "%llx", 0x100000000ULL);
    FMT_EQ("FFFFFFFFFFFFFFFF", "%llX", ULLONG_MAX);
    FMT_EQ("ffffffff", "%x", UINT_MAX);
}

static void pointer(void)
{
    char want[64];
    int digits = (int)(2 * sizeof(void *));
    /* All the digits of the address, zero-filled, with 0x. */
    snprintf(want, sizeof want, "0x%0*llx", digits, 0x1234ULL);
    FMT_EQ(want, "%p", (void *)0x1234);
    snprintf(want, sizeof want, "0x%0*llx", digits, 0ULL);
    FMT_EQ(want, "%p", (void *)0);
    snprintf(want, sizeof want, "0x%0*llx", digits, (unsigned long long)UINTPTR_MAX);
    FMT_EQ(want, "%p", (void *)UINTPTR_MAX);

    /* A width pads with spaces on either side, never with zeros. */
    snprintf(want, sizeof want, "%*s0x%0*llx", 40 - 2 - digits, "", digits, 0xabcULL);
    FMT_EQ(want, "%40p", (void *)0xabc);
    snprintf(want, sizeof want, "0x%0*llx%*s|", digits, 0xabcULL, 40 - 2 - digits, "");
    FMT_EQ(want, "%-40p|", (void *)0xabc);
}

static void string(void)
{
    FMT_EQ("abc", "%s", "abc");
    FMT_EQ("[abc]", "[%s]", "abc");
    /* NULL is defined here (printf leaves it undefined, so unchecked). */
    FMT_EQ_RAW("(null)", "%s", (const char *)NULL);
    FMT_EQ_RAW("  (null)", "%8s", (const char *)NULL);
    FMT_EQ_RAW("(nu", "%.3s", (const char *)NULL);
    FMT_EQ("  abc", "%5s", "abc");
    FMT_EQ("abc  |", "%-5s|", "abc");
    FMT_EQ("abcdef", "%3s", "abcdef");     /* a width never cuts */
    FMT_EQ("x y", "%s %s", "x", "y");
}

static void string_precision(void)
{
    FMT_EQ("ab", "%.2s", "abcdef");
    FMT_EQ("", "%.0s", "abcdef");
    FMT_EQ("abc", "%.10s", "abc");
    FMT_EQ("     abc", "%8.3s", "abcdef");
    FMT_EQ("abc     |", "%-8.3s|", "abcdef");
    FMT_EQ("abc", "%.*s", 3, "abcdef");
    FMT_EQ("", "%.*s", 0, "abcdef");
    /* A negative precision from * means no precision at all. */
    FMT_EQ("abcdef", "%.*s", -1, "abcdef");
    FMT_EQ("  abc", "%*.*s", 5, 3, "abcdef");

    /* With a precision the array needs no NUL: nothing past it is read. */
    char *exact = malloc(3);
    REQUIRE(exact != NULL);
    memcpy(exact, "xyz", 3);
    FMT_EQ("xyz", "%.3s", exact);
    FMT_EQ("xy", "%.*s", 2, exact);
    free(exact);
}

static void character(void)
{
    FMT_EQ("A", "%c", 'A');
    FMT_EQ("  A", "%3c", 'A');
    FMT_EQ("A  |", "%-3c|", 'A');
    FMT_EQ("a-b", "%c%c%c", 'a', '-', 'b');
    FMT_EQ("\xc3", "%c", 0xC3);
    FMT_EQ("%", "%c", '%');
}

static void width_and_flags(void)
{
    FMT_EQ("   42", "%5d", 42);
    FMT_EQ("42   |", "%-5d|", 42);
    FMT_EQ("00042", "%05d", 42);
    FMT_EQ("  -42", "%5d", -42);
    FMT_EQ("-0042", "%05d", -42);      /* zeros go after the sign */
    FMT_EQ("-42  |", "%-5d|", -42);
    FMT_EQ("12345", "%3d", 12345);     /* too narrow: nothing is cut */
    FMT_EQ("0000000255", "%010u", 255u);
    FMT_EQ("       0xff", "%11s", "0xff");
    FMT_EQ("00000000000000000001", "%020llu", 1ULL);
    /* - wins over 0 (printf would warn, format_v just obeys). */
    FMT_EQ_RAW("42   |", "%-05d|", 42);
    FMT_EQ_RAW("42   |", "%0-5d|", 42);
    /* A precision is accepted on integers and ignored. */
    FMT_EQ("42", "%.5d", 42);
}

static void star_width(void)
{
    FMT_EQ("   42", "%*d", 5, 42);
    FMT_EQ("42   |", "%*d|", -5, 42);     /* negative: left-aligned */
    FMT_EQ("42   |", "%-*d|", 5, 42);
    FMT_EQ("00042", "%0*d", 5, 42);
    FMT_EQ_RAW("42   |", "%0*d|", -5, 42); /* left: no zero padding */
    FMT_EQ("  ab", "%*s", 4, "ab");
    FMT_EQ("ab  |", "%*s|", -4, "ab");
    FMT_EQ("x", "%*s", 0, "x");
    /* The width argument is consumed before the value. */
    FMT_EQ("   7 8", "%*d %d", 4, 7, 8);
}

static void lengths(void)
{
    FMT_EQ("-9223372036854775808", "%lld", LLONG_MIN);
    FMT_EQ("9223372036854775807", "%lld", LLONG_MAX);
    FMT_EQ("-9223372036854775808", "%lli", LLONG_MIN);
    FMT_EQ("18446744073709551615", "%llu", ULLONG_MAX);
    FMT_EQ("ffffffffffffffff", "%llx", ULLONG_MAX);
    FMT_EQ("4294967296", "%llu", 0x100000000ULL);

    char want[64];
    snprintf(want, sizeof want, "%ld", LONG_MIN);
    FMT_EQ(want, "%ld", LONG_MIN);
    snprintf(want, sizeof want, "%lu", ULONG_MAX);
    FMT_EQ(want, "%lu", ULONG_MAX);
    snprintf(want, sizeof want, "%lx", ULONG_MAX);
    FMT_EQ(want, "%lx", ULONG_MAX);
    FMT_EQ("-1", "%li", -1L);

    snprintf(want, sizeof want, "%zu", SIZE_MAX);
    FMT_EQ(want, "%zu", SIZE_MAX);
    snprintf(want, sizeof want, "%zx", SIZE_MAX);
    FMT_EQ(want, "%zx", SIZE_MAX);
    FMT_EQ("4096", "%zu", (size_t)4096);
    FMT_EQ("-5", "%zd", (ssize_t)-5);
    FMT_EQ("123", "%zd", (ssize_t)123);

    /* Each length takes an argument of its own size: the next one is right. */
    FMT_EQ("1 2 3 4", "%lld %d %llu %d", 1LL, 2, 3ULL, 4);
    FMT_EQ("1 2 3", "%zu %ld %d", (size_t)1, 2L, 3);
}

static void unknown_conversion(void)
{
    FMT_EQ_RAW("%q", "%q");
    FMT_EQ_RAW("a%yb", "a%yb");
    /* An unknown conversion takes no argument: the next one gets it. */
    FMT_EQ_RAW("%q 7", "%q %d", 7);
    /* A lone % at the very end is printed and the scan stops there. */
    FMT_EQ_RAW("50%", "50%");
    FMT_EQ_RAW("%", "%");
    FMT_EQ_RAW("x%", "x%-");
    FMT_EQ_RAW("x%", "x%ll");
}

/* What a specification holds but a conversion does not use. */
static void unused_parts(void)
{
    /* Only numbers are zero-padded: strings, characters and pointers get
     * spaces (printf leaves 0 with them undefined, so unchecked). */
    FMT_EQ_RAW("   ab", "%05s", "ab");
    FMT_EQ_RAW("  A", "%03c", 'A');
    char want[64];
    int digits = (int)(2 * sizeof(void *));
    snprintf(want, sizeof want, "%*s0x%0*llx", 40 - 2 - digits, "", digits, 0xabcULL);
    FMT_EQ_RAW(want, "%040p", (void *)0xabc);
    /* %% takes no width. */
    FMT_EQ_RAW("%|", "%5%|");
    FMT_EQ_RAW("%|", "%-5%|");
    /* An unknown conversion is shown without its flags and width. */
    FMT_EQ_RAW("%q|", "%-08q|");
    /* A precision with no digits is zero. */
    FMT_EQ("|", "%.s|", "abc");
    FMT_EQ("  |", "%2.s|", "abc");
    /* A '*' precision on an integer is ignored, but its argument is taken. */
    FMT_EQ("42 7", "%.*d %d", 5, 42, 7);
    FMT_EQ("  42 7", "%*.*d %d", 4, 5, 42, 7);
    /* h is not a length format_v knows: "%h" is shown, and the d after it
     * is plain text; no argument is taken. */
    FMT_EQ_RAW("%hd 5", "%hd %d", 5);
}

/* Agrees with the C library on a grid of integer formats and values. */
static void matches_libc(void)
{
    static const char *const int_formats[] = {
        "%d", "%i", "%1d", "%5d", "%-5d|", "%05d", "%12d", "%-12d|", "%012d",
    };
    static const int ints[] = { 0, 1, -1, 9, -9, 10, 99, -100, 12345, -123456,
                                INT_MAX, INT_MIN, INT_MAX - 1, INT_MIN + 1 };
    static const char *const ull_formats[] = {
        "%llu", "%llx", "%llX", "%20llu", "%-20llx|", "%020llX", "%3llx",
    };
    static const unsigned long long ulls[] = {
        0, 1, 15, 16, 255, 0xfff, 0x1000, 0xffffffffULL, 0x100000000ULL,
        0xfedcba9876543210ULL, ULLONG_MAX, ULLONG_MAX - 1,
    };
    char want[64];
    for (size_t f = 0; f < sizeof int_formats / sizeof *int_formats; f++)
        for (size_t v = 0; v < sizeof ints / sizeof *ints; v++) {
            snprintf(want, sizeof want, int_formats[f], ints[v]);
            FMT_EQ_RAW(want, int_formats[f], ints[v]);
        }
    for (size_t f = 0; f < sizeof ull_formats / sizeof *ull_formats; f++)
        for (size_t v = 0; v < sizeof ulls / sizeof *ulls; v++) {
            snprintf(want, sizeof want, ull_formats[f], ulls[v]);
            FMT_EQ_RAW(want, ull_formats[f], ulls[v]);
        }
}

static void buf_truncation(void)
{
    char buf[32];

    /* Cut to size - 1 characters, NUL-terminated, full length returned. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 4, "hello"), 5);
    CHECK_STR_EQ(buf, "hel");
    CHECK(buf[4] == '#');

    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 8, "%d-%s", 12345, "abcdef"), 12);
    CHECK_STR_EQ(buf, "12345-a");
    CHECK(buf[8] == '#');

    /* Exactly the room needed, and one byte short of it. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 6, "hello"), 5);
    CHECK_STR_EQ(buf, "hello");
    CHECK(buf[6] == '#');
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 5, "hello"), 5);
    CHECK_STR_EQ(buf, "hell");
    CHECK(buf[5] == '#');

    /* Size 1: only the NUL. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 1, "%s", "hello"), 5);
    CHECK_INT_EQ(buf[0], '\0');
    CHECK(buf[1] == '#');

    /* Size 0: nothing at all is written, not even a NUL. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 0, "%s %d", "hello", 42), 8);
    for (size_t i = 0; i < sizeof buf; i++)
        if (!CHECK(buf[i] == '#'))
            break;
    CHECK_INT_EQ(format_buf(NULL, 0, "%08x", 1u), 8);

    /* Empty output still terminates. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, sizeof buf, "%s", ""), 0);
    CHECK_INT_EQ(buf[0], '\0');

    /* Padding counts towards the length and is cut like the rest. */
    memset(buf, '#', sizeof buf);
    CHECK_INT_EQ(format_buf(buf, 4, "%10d", 7), 10);
    CHECK_STR_EQ(buf, "   ");
}

/* format() hands every character to the sink, and counts them. */
static void sink_output(void)
{
    struct collect k = { .len = 0 };
    int n = format(collect_sink, &k, "%s=%d%c", "x", -3, '!');
    CHECK_INT_EQ(n, 5);
    CHECK_INT_EQ(k.len, 5);
    k.buf[k.len] = '\0';
    CHECK_STR_EQ(k.buf, "x=-3!");

    /* A %c of NUL is a character like any other. */
    k.len = 0;
    n = format(collect_sink, &k, "a%cb", 0);
    CHECK_INT_EQ(n, 3);
    CHECK_INT_EQ(k.len, 3);
    CHECK(memcmp(k.buf, "a\0b", 3) == 0);
}

static void size_eq(const char *file, int line, unsigned long long bytes,
                    const char *want)
{
    char buf[12];   /* the least format_size promises to need */
    memset(buf, '#', sizeof buf);
    char *r = format_size(buf, sizeof buf, bytes);
    if (r != buf)
        check_fail(file, line, "format_size did not return its buffer");
    char what[48];
    snprintf(what, sizeof what, "format_size(%llu)", bytes);
    check_str_eq(file, line, buf, want, what, "expected");
}

#define SIZE_EQ(bytes, want) size_eq(__FILE__, __LINE__, bytes, want)

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

static void human_sizes(void)
{
    SIZE_EQ(0, "0 B");
    SIZE_EQ(1, "1 B");
    SIZE_EQ(1023, "1023 B");
    SIZE_EQ(1024, "1 KiB");
    SIZE_EQ(1025, "1 KiB");
    SIZE_EQ(1536, "1.5 KiB");
    SIZE_EQ(2047, "1.9 KiB");           /* truncated, never rounded up */
    SIZE_EQ(16 * KiB, "16 KiB");
    SIZE_EQ(16 * KiB + 512, "16.5 KiB");
    SIZE_EQ(640 * KiB, "640 KiB");
    SIZE_EQ(1 * MiB, "1 MiB");
    SIZE_EQ(3 * MiB / 2, "1.5 MiB");
    SIZE_EQ(99 * MiB + 922 * KiB, "99.9 MiB");
    /* QEMU's -m 128M less the first MiB's holes: more than 100 units still
     * shows its tenth, like the atlas's "127.8 MiB". */
    SIZE_EQ(0x7fe0000, "127.8 MiB");
    SIZE_EQ(127 * MiB + 820 * KiB, "127.8 MiB");
    SIZE_EQ(127 * MiB + 819 * KiB, "127.7 MiB");
    SIZE_EQ(128 * MiB, "128 MiB");
    SIZE_EQ(999 * MiB + 95 * MiB / 100, "999.9 MiB");
    SIZE_EQ(1023 * MiB, "1023 MiB");
    SIZE_EQ(3 * GiB, "3 GiB");
    SIZE_EQ(3 * GiB + GiB / 4, "3.2 GiB");
    SIZE_EQ(4 * GiB, "4 GiB");
    SIZE_EQ(4 * GiB + 1, "4 GiB");
    SIZE_EQ(4 * GiB + GiB / 2, "4.5 GiB");
    SIZE_EQ(64 * GiB, "64 GiB");
    SIZE_EQ(1 * TiB, "1 TiB");
    SIZE_EQ(1024 * TiB, "1 PiB");
    SIZE_EQ(1ULL << 60, "1 EiB");
    SIZE_EQ(ULLONG_MAX, "15.9 EiB");
}

static const struct check_test tests[] = {
    TEST(plain_text),
    TEST(signed_decimal),
    TEST(unsigned_decimal),
    TEST(hexadecimal),
    TEST(pointer),
    TEST(string),
    TEST(string_precision),
    TEST(character),
    TEST(width_and_flags),
    TEST(star_width),
    TEST(lengths),
    TEST(unknown_conversion),
    TEST(unused_parts),
    TEST(matches_libc),
    TEST(buf_truncation),
    TEST(sink_output),
    TEST(human_sizes),
};

CHECK_MAIN(tests)
