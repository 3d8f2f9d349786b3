/*
 * rtc.h - the battery-backed real-time clock of the PC (the MC146818 in
 * the CMOS chip): the date and time of day, to the second. Read through
 * ports 0x70 (select a register) and 0x71 (its value).
 *
 * rtc_decode is pure C (host-tested): it turns the raw registers into a
 * date, whatever mode the firmware left the chip in. rtc_read reads the
 * chip itself. The time is taken to be UTC, as QEMU's default clock and
 * Linux systems keep it; a machine whose clock runs on local time will be
 * off by its time zone.
 */
#ifndef RTC_H
#define RTC_H

#include <stdint.h>

#include "lib/calendar.h"

/* The clock's registers, as read. */
#define RTC_SECONDS     0x00
#define RTC_MINUTES     0x02
#define RTC_HOURS       0x04
#define RTC_DAY         0x07    /* day of the month */
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09    /* two digits */
#define RTC_STATUS_A    0x0A
#define RTC_STATUS_B    0x0B
#define RTC_CENTURY     0x32    /* the IBM PC's place for it, where most firmware keeps it */

#define RTC_A_UPDATING  0x80    /* the clock is being advanced: registers may be torn */
#define RTC_B_24HOUR    0x02    /* else 12-hour, the hour's top bit saying PM */
#define RTC_B_BINARY    0x04    /* else binary-coded decimal */
#define RTC_HOUR_PM     0x80

struct rtc_regs {
    uint8_t second, minute, hour, day, month, year, century, status_b;
};

enum rtc_error {
    RTC_OK = 0,
    RTC_ERR_BCD = -1,       /* a BCD register held a digit over 9 */
    RTC_ERR_RANGE = -2,     /* a field is out of its range, or the date does not exist */
    RTC_ERR_BUSY = -3,      /* the update-in-progress flag never cleared */
    RTC_ERR_UNSTABLE = -4,  /* two reads in a row never agreed */
    RTC_ERR_BEFORE_1970 = -5, /* a date Unix time in an unsigned clock cannot hold */
};

/* The date in regs. The century register is used when it is plausible
 * (19 to 29 once decoded); else the year is taken to be 20xx. */
int rtc_decode(const struct rtc_regs *regs, struct civil_time *t);
/* Words for an rtc_error. */
const char *rtc_strerror(int error);

/* Reads the chip: waits for an update to finish, reads every register
 * twice until two reads agree, and decodes. Takes at most a few
 * milliseconds (an update lasts under 2 ms). */
int rtc_read(struct civil_time *t);
/* rtc_read as seconds since 1970 (UTC assumed). */
int rtc_read_unix(int64_t *seconds);

#endif
