/*
 * rtc_decode.c - the real-time clock's registers to a date (see rtc.h).
 * Pure C, built for the host tests too.
 *
 * Status register B says how the other registers are written: in binary
 * or in binary-coded decimal (a digit per nibble), and the hour in 24- or
 * 12-hour form. Whatever the form, every value is checked: the chip's
 * contents come from firmware and a battery, and either can be wrong.
 */
#include "arch/rtc.h"

#include <stdbool.h>

#define CENTURY_DEFAULT 20
/* Years 1900 to 2999: anything else in the century register is garbage
 * (an absent register reads 0x00 or 0xFF). */
#define CENTURY_MIN     19
#define CENTURY_MAX     29

/* One register's value: in BCD both nibbles must be decimal digits. */
static bool rtc_value(uint8_t raw, bool binary, unsigned *out)
{
    if (binary) {
        *out = raw;
        return true;
    }
    if ((raw & 0x0F) > 9 || (raw >> 4) > 9)
        return false;
    *out = (raw >> 4) * 10 + (raw & 0x0F);
    return true;
}

/* The hour, 0 to 23; 12-hour mode writes 12 AM (midnight) as 12 and sets
 * the top bit of the register for PM, outside the number itself. */
static int rtc_hour(uint8_t raw, uint8_t status_b, unsigned *hour)
{
    bool binary = status_b & RTC_B_BINARY;
    if (status_b & RTC_B_24HOUR) {
        if (!rtc_value(raw, binary, hour))
            return RTC_ERR_BCD;
        return *hour <= 23 ? RTC_OK : RTC_ERR_RANGE;
    }
    bool pm = raw & RTC_HOUR_PM;
    unsigned h;
    if (!rtc_value(raw & (uint8_t)~RTC_HOUR_PM, binary, &h))
        return RTC_ERR_BCD;
    if (h < 1 || h > 12)
        return RTC_ERR_RANGE;
    *hour = h % 12 + (pm ? 12 : 0);
    return RTC_OK;
}

int rtc_decode(const struct rtc_regs *regs, struct civil_time *t)
{
    bool binary = regs->status_b & RTC_B_BINARY;
    unsigned sec, min, hour, day, month, year, century;
    if (!rtc_value(regs->second, binary, &sec) || !rtc_value(regs->minute, binary, &min) ||
        !rtc_value(regs->day, binary, &day) || !rtc_value(regs->month, binary, &month) ||
        !rtc_value(regs->year, binary, &year))
        return RTC_ERR_BCD;
    int err = rtc_hour(regs->hour, regs->status_b, &hour);
    if (err)
        return err;
    if (year > 99)
        return RTC_ERR_RANGE;
    if (!rtc_value(regs->century, binary, &century) || century < CENTURY_MIN ||
        century > CENTURY_MAX)
        century = CENTURY_DEFAULT;
    struct civil_time c = {
        .year = (int)(century * 100 + year), .month = month, .day = day,
        .hour = hour, .minute = min, .second = sec,
    };
    if (!calendar_valid(&c))
        return RTC_ERR_RANGE;
    *t = c;
    return RTC_OK;
}

const char *rtc_strerror(int error)
{
    switch (error) {
    case RTC_OK:
        return "no error";
    case RTC_ERR_BCD:
        return "a decimal register of the real-time clock holds a digit over 9";
    case RTC_ERR_RANGE:
        return "the real-time clock holds a date or time that does not exist";
    case RTC_ERR_BUSY:
        return "the real-time clock never finished its update";
    case RTC_ERR_UNSTABLE:
        return "the real-time clock gave a different time on every read";
    case RTC_ERR_BEFORE_1970:
        return "the real-time clock holds a date before 1970";
    default:
        return "unknown real-time clock error";
    }
}
