/*
 * test_calendar.c - kernel/lib/calendar.c: known dates to Unix seconds
 * (the expected values come from Python's calendar.timegm and, for
 * 2038-01-19 03:14:08, from 2^31), leap years, invalid dates refused, and
 * every day of the years 1 to 9999 taken there and back.
 */
#include <stdint.h>

#include "check.h"
#include "lib/calendar.h"

static struct civil_time at(int y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
    return (struct civil_time){ y, mo, d, h, mi, s };
}

static void known_dates(void)
{
    static const struct { struct civil_time t; int64_t seconds; } cases[] = {
        { { 1970, 1, 1, 0, 0, 0 }, 0 },
        { { 1969, 12, 31, 23, 59, 59 }, -1 },
        { { 1972, 2, 29, 0, 0, 0 }, 68169600 },         /* the first leap day after 1970 */
        { { 1972, 3, 1, 0, 0, 0 }, 68256000 },
        { { 2000, 2, 29, 12, 0, 0 }, 951825600 },       /* 2000: divisible by 400, leap */
        { { 2038, 1, 19, 3, 14, 8 }, 2147483648LL },    /* 2^31: a signed 32-bit time_t ends */
        { { 2100, 3, 1, 0, 0, 0 }, 4107542400LL },      /* 2100 is not leap */
        { { 2026, 11, 26, 13, 7, 37 }, 1795698457LL },
        { { 2024, 2, 29, 23, 59, 59 }, 1709251199LL },
        { { 1600, 2, 29, 0, 0, 0 }, -11670998400LL },
        { { 1, 1, 1, 0, 0, 0 }, -62135596800LL },
        { { 9999, 12, 31, 23, 59, 59 }, 253402300799LL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t s = 12345;
        CHECK_INT_EQ(calendar_to_unix(&cases[i].t, &s), 0);
        CHECK_INT_EQ(s, cases[i].seconds);
        struct civil_time back = { 0 };
        CHECK_INT_EQ(calendar_from_unix(cases[i].seconds, &back), 0);
        CHECK(memcmp(&back, &cases[i].t, sizeof back) == 0);
    }
}

static void leap_years(void)
{
    CHECK(calendar_is_leap(2000) && calendar_is_leap(2024) && calendar_is_leap(1600));
    CHECK(!calendar_is_leap(1900) && !calendar_is_leap(2100) && !calendar_is_leap(2023));
    CHECK_INT_EQ(calendar_month_days(2024, 2), 29);
    CHECK_INT_EQ(calendar_month_days(2100, 2), 28);
    CHECK_INT_EQ(calendar_month_days(2023, 4), 30);
    CHECK_INT_EQ(calendar_month_days(2023, 12), 31);
    CHECK_INT_EQ(calendar_month_days(2023, 0), 0);
    CHECK_INT_EQ(calendar_month_days(2023, 13), 0);
}

static void invalid_dates_refused(void)
{
    const struct civil_time bad[] = {
        at(2100, 2, 29, 0, 0, 0), at(1900, 2, 29, 0, 0, 0), at(2000, 2, 30, 0, 0, 0),
        at(2023, 4, 31, 0, 0, 0), at(2023, 0, 1, 0, 0, 0), at(2023, 13, 1, 0, 0, 0),
        at(2023, 1, 0, 0, 0, 0), at(2023, 1, 32, 0, 0, 0), at(2023, 1, 1, 24, 0, 0),
        at(2023, 1, 1, 0, 60, 0), at(2023, 1, 1, 0, 0, 60), at(0, 1, 1, 0, 0, 0),
        at(10000, 1, 1, 0, 0, 0), at(-5, 1, 1, 0, 0, 0), at(2023, 1, 1, 0, 0, 0xFFFFFFFFu),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s = 777;
        CHECK(!calendar_valid(&bad[i]));
        CHECK_INT_EQ(calendar_to_unix(&bad[i], &s), -1);
        CHECK_INT_EQ(s, 777);                          /* untouched */
    }
    struct civil_time t = at(7, 7, 7, 7, 7, 7);
    CHECK_INT_EQ(calendar_from_unix(-62135596801LL, &t), -1);    /* 0000-12-31 */
    CHECK_INT_EQ(calendar_from_unix(253402300800LL, &t), -1);    /* 10000-01-01 */
    CHECK_INT_EQ(calendar_from_unix(INT64_MIN, &t), -1);
    CHECK_INT_EQ(calendar_from_unix(INT64_MAX, &t), -1);
    CHECK_INT_EQ(t.year, 7);
}

/* Walks every day from 0001-01-01 to 9999-12-31 by hand and checks that
 * each is 86400 seconds after the one before, both ways. */
static void every_day_there_and_back(void)
{
    struct civil_time d = at(1, 1, 1, 0, 0, 0);
    int64_t expect = -62135596800LL;
    unsigned bad = 0;
    for (;;) {
        int64_t s;
        struct civil_time back;
        if (calendar_to_unix(&d, &s) != 0 || s != expect ||
            calendar_from_unix(s + 86399, &back) != 0 || back.year != d.year ||
            back.month != d.month || back.day != d.day || back.hour != 23 ||
            back.minute != 59 || back.second != 59) {
            if (bad++ < 5)
                CHECK(!"day did not go there and back");
        }
        if (d.year == 9999 && d.month == 12 && d.day == 31)
            break;
        expect += 86400;
        if (++d.day > calendar_month_days(d.year, d.month)) {
            d.day = 1;
            if (++d.month > 12) {
                d.month = 1;
                d.year++;
            }
        }
    }
    CHECK_INT_EQ(bad, 0);
    CHECK_INT_EQ(expect, 253402300800LL - 86400);
}

static const struct check_test tests[] = {
    TEST(known_dates),
    TEST(leap_years),
    TEST(invalid_dates_refused),
    TEST(every_day_there_and_back),
};

CHECK_MAIN(tests)
