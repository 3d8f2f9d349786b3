/*
 * test_syscall_names.c - kernel/sched/syscall_names.c (generated): names by
 * number for calls whose i386 numbers every static program relies on,
 * NULL for holes and past the table, and no name given twice.
 * (tests/tree/test_syscall_names.py checks the table against the header.)
 */
#include <limits.h>

#include "check.h"
#include "sched/syscalls.h"

static void known_numbers(void)
{
    static const struct { unsigned nr; const char *name; } calls[] = {
        { 0, "restart_syscall" }, { 1, "exit" }, { 3, "read" }, { 4, "write" },
        { 54, "ioctl" }, { 85, "readlink" }, { 120, "clone" }, { 122, "uname" },
        { 125, "mprotect" }, { 162, "nanosleep" }, { 174, "rt_sigaction" },
        { 175, "rt_sigprocmask" }, { 186, "sigaltstack" }, { 192, "mmap2" },
        { 219, "madvise" }, { 221, "fcntl64" }, { 224, "gettid" }, { 240, "futex" },
        { 242, "sched_getaffinity" }, { 243, "set_thread_area" }, { 252, "exit_group" },
        { 265, "clock_gettime" }, { 270, "tgkill" }, { 295, "openat" },
        { 340, "prlimit64" }, { 355, "getrandom" }, { 383, "statx" },
        { 403, "clock_gettime64" }, { 407, "clock_nanosleep_time64" },
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        CHECK_STR_EQ(linux_syscall_name(calls[i].nr), calls[i].name);
    CHECK_INT_EQ(NR_read, 3);
    CHECK_INT_EQ(NR_mmap2, 192);
    CHECK_INT_EQ(NR_set_thread_area, 243);
    CHECK_INT_EQ(NR_exit_group, 252);
    CHECK_INT_EQ(NR_clock_gettime64, 403);
}

static void holes_and_past_the_end(void)
{
    static const unsigned holes[] = { 222, 223, 251, 285 };
    for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
        CHECK(linux_syscall_name(holes[i]) == NULL);
    CHECK(linux_syscall_name(LINUX_SYSCALL_COUNT) == NULL);
    CHECK(linux_syscall_name(LINUX_SYSCALL_COUNT + 1000) == NULL);
    CHECK(linux_syscall_name(UINT_MAX) == NULL);
    CHECK(linux_syscall_name(LINUX_SYSCALL_COUNT - 1) != NULL);  /* the table ends on a call */
    CHECK(LINUX_SYSCALL_COUNT > 440);                           /* Linux 6.1 has 0 to 450 */
}

static void every_name_once(void)
{
    unsigned named = 0, dup = 0;
    for (unsigned i = 0; i < LINUX_SYSCALL_COUNT; i++) {
        const char *a = linux_syscall_name(i);
        if (!a)
            continue;
        named++;
        CHECK(a[0] != '\0');
        for (unsigned j = i + 1; j < LINUX_SYSCALL_COUNT; j++) {
            const char *b = linux_syscall_name(j);
            if (b && strcmp(a, b) == 0 && dup++ < 5)
                CHECK_STR_EQ(a, "a name used once");
        }
    }
    CHECK_INT_EQ(named, LINUX_SYSCALL_NAMED);
    CHECK_INT_EQ(dup, 0);
}

static const struct check_test tests[] = {
    TEST(known_numbers),
    TEST(holes_and_past_the_end),
    TEST(every_name_once),
};

CHECK_MAIN(tests)
