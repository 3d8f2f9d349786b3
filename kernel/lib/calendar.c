/*
 * calendar.c - Gregorian dates to Unix seconds and back (see calendar.h).
 *
 * Days are counted from 0001-01-01 (day 0) with the Gregorian leap rule
 * carried back before 1582, as POSIX and ISO 8601 do; Unix day 0 is
 * 1970-01-01. Everything is exact integer arithmetic in 64 bits: the
 * largest value, 9999-12-31 23:59:59, is about 2.5e11 seconds.
 */
#include "lib/calendar.h"

#define SECONDS_PER_DAY     86400
#define DAYS_PER_400_YEARS  146097      /* 400 * 365 + 97 leap days */
#define DAYS_PER_100_YEARS  36524       /* 100 * 365 + 24 */
#define DAYS_PER_4_YEARS    1461        /* 4 * 365 + 1 */

/* Days before the first of each month in a common year. */
static const unsigned short days_before_month[12] = {
    0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
};

bool calendar_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned calendar_month_days(int year, unsigned month)
{
    static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (month < 1 || month > 12)
        return 0;
    return days[month - 1] + (month == 2 && calendar_is_leap(year));
}

bool calendar_valid(const struct civil_time *t)
{
    return t->year >= CALENDAR_YEAR_MIN && t->year <= CALENDAR_YEAR_MAX &&
           t->month >= 1 && t->month <= 12 &&
           t->day >= 1 && t->day <= calendar_month_days(t->year, t->month) &&
           t->hour < 24 && t->minute < 60 && t->second < 60;
}

/* Days from 0001-01-01 to the first of January of year (year >= 1). */
static int64_t days_before_year(int year)
{
    int64_t y = year - 1;
    return 365 * y + y / 4 - y / 100 + y / 400;
}

int calendar_to_unix(const struct civil_time *t, int64_t *seconds)
{
    if (!calendar_valid(t))
        return -1;
    int64_t days = days_before_year(t->year) - days_before_year(1970) +
                   days_before_month[t->month - 1] +
                   (t->month > 2 && calendar_is_leap(t->year)) + (t->day - 1);
    *seconds = days * SECONDS_PER_DAY + t->hour * 3600 + t->minute * 60 + t->second;
    return 0;
}

/* Splits n, days since 0001-01-01, into a year and the day of that year. */
static int year_of_day(int64_t n, unsigned *day_of_year)
{
    int year = 1 + 400 * (int)(n / DAYS_PER_400_YEARS);
    n %= DAYS_PER_400_YEARS;
    int64_t c = n / DAYS_PER_100_YEARS;
    if (c == 4)
        c = 3;                          /* the last day of a 400-year cycle */
    n -= c * DAYS_PER_100_YEARS;
    int64_t q = n / DAYS_PER_4_YEARS;
    n -= q * DAYS_PER_4_YEARS;
    int64_t r = n / 365;
    if (r == 4)
        r = 3;                          /* the leap day ending a 4-year cycle */
    n -= r * 365;
    *day_of_year = (unsigned)n;
    return year + (int)(100 * c + 4 * q + r);
}

int calendar_from_unix(int64_t seconds, struct civil_time *t)
{
    const int64_t first = -days_before_year(1970) * SECONDS_PER_DAY;
    const int64_t end = (days_before_year(CALENDAR_YEAR_MAX + 1) - days_before_year(1970)) *
                        SECONDS_PER_DAY;
    if (seconds < first || seconds >= end)
        return -1;
    int64_t since_first = seconds - first;      /* >= 0: plain division */
    int64_t n = since_first / SECONDS_PER_DAY;
    unsigned in_day = (unsigned)(since_first % SECONDS_PER_DAY), yday;
    int year = year_of_day(n, &yday);
    unsigned month = 1;
    while (month < 12 && yday >= calendar_month_days(year, month)) {
        yday -= calendar_month_days(year, month);
        month++;
    }
    t->year = year;
    t->month = month;
    t->day = yday + 1;
    t->hour = in_day / 3600;
    t->minute = in_day / 60 % 60;
    t->second = in_day % 60;
    return 0;
}
