/*
 * calendar.h - dates and times of day in the proleptic Gregorian calendar,
 * to and from Unix time (seconds since 1970-01-01 00:00:00 UTC, leap
 * seconds not counted, as POSIX defines it). Pure C: the kernel turns the
 * real-time clock's reading into seconds with it, the host tests check it.
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#define CALENDAR_YEAR_MIN   1
#define CALENDAR_YEAR_MAX   9999

/* A date and a time of day, UTC; month and day count from 1. */
struct civil_time {
    int year;                   /* CALENDAR_YEAR_MIN to CALENDAR_YEAR_MAX */
    unsigned month;             /* 1 to 12 */
    unsigned day;               /* 1 to the length of the month */
    unsigned hour;              /* 0 to 23 */
    unsigned minute;            /* 0 to 59 */
    unsigned second;            /* 0 to 59: Unix time has no leap seconds */
};

bool calendar_is_leap(int year);
/* Days in a month of a year; 0 for a month outside 1 to 12. */
unsigned calendar_month_days(int year, unsigned month);
/* True when every field of t is in its range and the day exists. */
bool calendar_valid(const struct civil_time *t);

/* Seconds since the epoch (negative before 1970). Returns 0, or -1 with
 * *seconds untouched when t is not valid. */
int calendar_to_unix(const struct civil_time *t, int64_t *seconds);
/* The inverse. Returns 0, or -1 when the time falls outside the years
 * CALENDAR_YEAR_MIN to CALENDAR_YEAR_MAX. */
int calendar_from_unix(int64_t seconds, struct civil_time *t);

#endif
