/*
 * check.h - the small test harness of the host tests.
 *
 * A test file defines void functions, lists them in a table and ends with
 * CHECK_MAIN(table). The program then understands:
 *
 *   test_x              run every test
 *   test_x --list       print the test names, one per line
 *   test_x --run NAME   run one test
 *
 * Each test prints "ok NAME", or one "FAIL NAME: file:line: message" line per
 * failed check; the exit status is non-zero when anything failed. CHECK*
 * macros record a failure and go on; REQUIRE* macros also leave the test
 * (use them where going on would crash). Only for the host: uses stdio.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct check_test {
    const char *name;
    void (*fn)(void);
};

#define TEST(fn) { #fn, fn }

static const char *check_current = "?";
static int check_failures;          /* in the current test */

static void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("FAIL %s: %s:%d: ", check_current, file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    check_failures++;
}

/* Each returns true when the check passed. */
static inline bool check_true(const char *file, int line, bool ok,
                              const char *expr)
{
    if (!ok)
        check_fail(file, line, "CHECK(%s) is false", expr);
    return ok;
}

static inline bool check_int_eq(const char *file, int line, long long a,
                                long long b, const char *ea, const char *eb)
{
    if (a != b)
        check_fail(file, line, "%s == %s: %lld != %lld", ea, eb, a, b);
    return a == b;
}

static inline bool check_hex_eq(const char *file, int line, unsigned long long a,
                                unsigned long long b, const char *ea,
                                const char *eb)
{
    if (a != b)
        check_fail(file, line, "%s == %s: 0x%llx != 0x%llx", ea, eb, a, b);
    return a == b;
}

static inline bool check_str_eq(const char *file, int line, const char *a,
                                const char *b, const char *ea, const char *eb)
{
    bool ok = (a && b) ? strcmp(a, b) == 0 : a == b;
    if (!ok)
        check_fail(file, line, "%s == %s: \"%s\" != \"%s\"", ea, eb,
                   a ? a : "(NULL)", b ? b : "(NULL)");
    return ok;
}

static inline bool check_contains(const char *file, int line, const char *hay,
                                  const char *needle, const char *eh)
{
    bool ok = hay && strstr(hay, needle);
    if (!ok)
        check_fail(file, line, "%s does not contain \"%s\": \"%s\"", eh, needle,
                   hay ? hay : "(NULL)");
    return ok;
}

#define CHECK(c)            check_true(__FILE__, __LINE__, (c), #c)
#define CHECK_INT_EQ(a, b)  check_int_eq(__FILE__, __LINE__, (long long)(a), \
                                         (long long)(b), #a, #b)
#define CHECK_HEX_EQ(a, b)  check_hex_eq(__FILE__, __LINE__, \
                                         (unsigned long long)(a), \
                                         (unsigned long long)(b), #a, #b)
#define CHECK_STR_EQ(a, b)  check_str_eq(__FILE__, __LINE__, (a), (b), #a, #b)
#define CHECK_CONTAINS(h, n) check_contains(__FILE__, __LINE__, (h), (n), #h)

#define REQUIRE(c)           do { if (!CHECK(c)) return; } while (0)
#define REQUIRE_INT_EQ(a, b) do { if (!CHECK_INT_EQ(a, b)) return; } while (0)

/* Runs one test; returns true when it passed. */
static bool check_run_one(const struct check_test *t)
{
    check_current = t->name;
    check_failures = 0;
    t->fn();
    if (!check_failures)
        printf("ok %s\n", t->name);
    fflush(stdout);
    return check_failures == 0;
}

static int check_main(const struct check_test *tests, size_t n, int argc,
                      char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "--run") == 0) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[2]) == 0)
                return check_run_one(&tests[i]) ? 0 : 1;
        fprintf(stderr, "%s: no test named %s\n", argv[0], argv[2]);
        return 2;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--list | --run NAME]\n", argv[0]);
        return 2;
    }
    unsigned failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!check_run_one(&tests[i]))
            failed++;
    printf("%zu tests, %u failed\n", n, failed);
    return failed ? 1 : 0;
}

#define CHECK_MAIN(table) \
    int main(int argc, char **argv) \
    { \
        return check_main(table, sizeof table / sizeof table[0], argc, argv); \
    }

#endif
