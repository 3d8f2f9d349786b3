/*
 * rtc.c - reading the CMOS real-time clock (see rtc.h).
 *
 * The chip advances its registers once a second, one register after the
 * other; a read in the middle could see 12:59:59 become 13:59:00. Status
 * register A's update-in-progress bit is set from about 244 us before an
 * update to its end, so the registers are read only once it is clear, and
 * then read again until two reads agree: an update can still start
 * between the check and the reads.
 */
#include "arch/rtc.h"

#include <stdbool.h>

#include "arch/irq.h"
#include "arch/ports.h"

#define CMOS_SELECT     0x70    /* bit 7 written as 0: non-maskable interrupts stay on */
#define CMOS_DATA       0x71
/* A port read takes about a microsecond on real hardware: about a second
 * in all, far past the 2 ms an update lasts. */
#define UPDATE_SPINS    1000000
#define READ_TRIES      5

static uint8_t cmos_read(uint8_t reg)
{
    uint32_t flags = irq_save();    /* nothing may select another register in between */
    outb(CMOS_SELECT, reg);
    uint8_t value = inb(CMOS_DATA);
    irq_restore(flags);
    return value;
}

static bool wait_for_update(void)
{
    for (unsigned i = 0; i < UPDATE_SPINS; i++)
        if (!(cmos_read(RTC_STATUS_A) & RTC_A_UPDATING))
            return true;
    return false;
}

static void read_regs(struct rtc_regs *r)
{
    r->second = cmos_read(RTC_SECONDS);
    r->minute = cmos_read(RTC_MINUTES);
    r->hour = cmos_read(RTC_HOURS);
    r->day = cmos_read(RTC_DAY);
    r->month = cmos_read(RTC_MONTH);
    r->year = cmos_read(RTC_YEAR);
    r->century = cmos_read(RTC_CENTURY);
    r->status_b = cmos_read(RTC_STATUS_B);
}

static bool same(const struct rtc_regs *a, const struct rtc_regs *b)
{
    return a->second == b->second && a->minute == b->minute && a->hour == b->hour &&
           a->day == b->day && a->month == b->month && a->year == b->year &&
           a->century == b->century && a->status_b == b->status_b;
}

int rtc_read(struct civil_time *t)
{
    struct rtc_regs last, now;
    if (!wait_for_update())
        return RTC_ERR_BUSY;
    read_regs(&last);
    for (int i = 0; i < READ_TRIES; i++) {
        if (!wait_for_update())
            return RTC_ERR_BUSY;
        read_regs(&now);
        if (same(&last, &now))
            return rtc_decode(&now, t);
        last = now;
    }
    return RTC_ERR_UNSTABLE;
}

int rtc_read_unix(int64_t *seconds)
{
    struct civil_time t;
    int64_t s;
    int err = rtc_read(&t);
    if (err)
        return err;
    if (calendar_to_unix(&t, &s) != 0)
        return RTC_ERR_RANGE;       /* rtc_decode checked it: cannot happen */
    if (s < 0)
        return RTC_ERR_BEFORE_1970;
    *seconds = s;
    return RTC_OK;
}
