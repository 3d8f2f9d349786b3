/*
 * test_rtc_decode.c - kernel/arch/rtc_decode.c: the clock's registers in
 * BCD and in binary, 24- and 12-hour forms, the century register trusted
 * only when plausible, and every bad value refused with its error.
 */
#include "check.h"
#include "arch/rtc.h"

#define BCD_24      RTC_B_24HOUR
#define BIN_24      (RTC_B_24HOUR | RTC_B_BINARY)
#define BCD_12      0
#define BIN_12      RTC_B_BINARY

static struct rtc_regs regs(uint8_t s, uint8_t mi, uint8_t h, uint8_t d, uint8_t mo,
                            uint8_t y, uint8_t c, uint8_t b)
{
    return (struct rtc_regs){ s, mi, h, d, mo, y, c, b };
}

/* Decodes r and checks it gives the date and time, then Unix seconds. */
static void expect(const char *file, int line, struct rtc_regs r, int y, unsigned mo,
                   unsigned d, unsigned h, unsigned mi, unsigned s)
{
    struct civil_time t = { 0 };
    int err = rtc_decode(&r, &t);
    if (err != RTC_OK) {
        check_fail(file, line, "rtc_decode failed: %s", rtc_strerror(err));
        return;
    }
    if (t.year != y || t.month != mo || t.day != d || t.hour != h || t.minute != mi ||
        t.second != s)
        check_fail(file, line, "decoded %04d-%02u-%02u %02u:%02u:%02u, expected "
                   "%04d-%02u-%02u %02u:%02u:%02u", t.year, t.month, t.day, t.hour,
                   t.minute, t.second, y, mo, d, h, mi, s);
}
#define EXPECT(r, ...) expect(__FILE__, __LINE__, r, __VA_ARGS__)

static void refuse(const char *file, int line, struct rtc_regs r, int want)
{
    struct civil_time t = { .year = 1234 };
    int err = rtc_decode(&r, &t);
    check_int_eq(file, line, err, want, "rtc_decode", "the expected error");
    check_int_eq(file, line, t.year, 1234, "t.year", "untouched");
}
#define REFUSE(r, want) refuse(__FILE__, __LINE__, r, want)

static void bcd_and_binary(void)
{
    EXPECT(regs(0x37, 0x07, 0x13, 0x26, 0x11, 0x26, 0x20, BCD_24), 2026, 11, 26, 13, 7, 37);
    EXPECT(regs(37, 7, 13, 26, 11, 26, 20, BIN_24), 2026, 11, 26, 13, 7, 37);
    EXPECT(regs(0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x19, BCD_24), 1999, 12, 31, 23, 59, 59);
    EXPECT(regs(0, 0, 0, 1, 1, 0, 20, BIN_24), 2000, 1, 1, 0, 0, 0);
    EXPECT(regs(0x00, 0x00, 0x12, 0x29, 0x02, 0x00, 0x20, BCD_24), 2000, 2, 29, 12, 0, 0);
    EXPECT(regs(8, 14, 3, 19, 1, 38, 20, BIN_24), 2038, 1, 19, 3, 14, 8);

    struct rtc_regs r = regs(0x08, 0x14, 0x03, 0x19, 0x01, 0x38, 0x20, BCD_24);
    struct civil_time t;
    int64_t s;
    REQUIRE_INT_EQ(rtc_decode(&r, &t), RTC_OK);
    CHECK_INT_EQ(calendar_to_unix(&t, &s), 0);
    CHECK_INT_EQ(s, 2147483648LL);
}

static void twelve_hour_forms(void)
{
    EXPECT(regs(0, 0, 0x12, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 0, 0, 0);    /* 12 AM */
    EXPECT(regs(0, 0, 0x01, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 1, 0, 0);
    EXPECT(regs(0, 0, 0x11, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 11, 0, 0);
    EXPECT(regs(0, 0, 0x92, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 12, 0, 0);   /* 12 PM */
    EXPECT(regs(0, 0, 0x81, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 13, 0, 0);
    EXPECT(regs(0, 0, 0x91, 1, 1, 0x24, 0x20, BCD_12), 2024, 1, 1, 23, 0, 0);
    EXPECT(regs(0, 0, 12, 1, 1, 24, 20, BIN_12), 2024, 1, 1, 0, 0, 0);
    EXPECT(regs(0, 0, 0x80 | 12, 1, 1, 24, 20, BIN_12), 2024, 1, 1, 12, 0, 0);
    EXPECT(regs(0, 0, 0x80 | 11, 1, 1, 24, 20, BIN_12), 2024, 1, 1, 23, 0, 0);
    REFUSE(regs(0, 0, 0x00, 1, 1, 0x24, 0x20, BCD_12), RTC_ERR_RANGE);   /* no hour 0 */
    REFUSE(regs(0, 0, 0x13, 1, 1, 0x24, 0x20, BCD_12), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0x80, 1, 1, 24, 20, BIN_12), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0x8A, 1, 1, 0x24, 0x20, BCD_12), RTC_ERR_BCD);
    /* In 24-hour mode the top bit is no PM flag: 0x81 is hour 81. */
    REFUSE(regs(0, 0, 0x81, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
}

static void century_register(void)
{
    EXPECT(regs(0, 0, 0, 1, 1, 0x24, 0x00, BCD_24), 2024, 1, 1, 0, 0, 0);  /* absent */
    EXPECT(regs(0, 0, 0, 1, 1, 0x24, 0xFF, BCD_24), 2024, 1, 1, 0, 0, 0);  /* absent */
    EXPECT(regs(0, 0, 0, 1, 1, 0x24, 0x1A, BCD_24), 2024, 1, 1, 0, 0, 0);  /* not BCD */
    EXPECT(regs(0, 0, 0, 1, 1, 0x24, 0x18, BCD_24), 2024, 1, 1, 0, 0, 0);  /* implausible */
    EXPECT(regs(0, 0, 0, 1, 1, 24, 0x20, BIN_24), 2024, 1, 1, 0, 0, 0);    /* 32: implausible */
    EXPECT(regs(0, 0, 0, 1, 1, 24, 200, BIN_24), 2024, 1, 1, 0, 0, 0);
    EXPECT(regs(0, 0, 0, 1, 1, 24, 21, BIN_24), 2124, 1, 1, 0, 0, 0);
    EXPECT(regs(0, 0, 0, 1, 1, 0x24, 0x30, BCD_24), 2024, 1, 1, 0, 0, 0);  /* 3024: implausible */
    EXPECT(regs(0, 0, 0, 1, 3, 0x00, 0x21, BCD_24), 2100, 3, 1, 0, 0, 0);
    EXPECT(regs(0, 0, 0, 1, 1, 0x70, 0x19, BCD_24), 1970, 1, 1, 0, 0, 0);
}

static void bad_values_refused(void)
{
    REFUSE(regs(0x5A, 0, 0, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_BCD);
    REFUSE(regs(0, 0xA0, 0, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_BCD);
    REFUSE(regs(0, 0, 0, 0x1F, 1, 0x24, 0x20, BCD_24), RTC_ERR_BCD);
    REFUSE(regs(0, 0, 0, 1, 0x0A, 0x24, 0x20, BCD_24), RTC_ERR_BCD);
    REFUSE(regs(0, 0, 0, 1, 1, 0xFF, 0x20, BCD_24), RTC_ERR_BCD);
    REFUSE(regs(0x60, 0, 0, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0x60, 0, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0x24, 1, 1, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 0x00, 1, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 0x31, 0x04, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 0x29, 0x02, 0x00, 0x21, BCD_24), RTC_ERR_RANGE);  /* 2100 */
    REFUSE(regs(0, 0, 0, 0x29, 0x02, 0x23, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 1, 0x00, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 1, 0x13, 0x24, 0x20, BCD_24), RTC_ERR_RANGE);
    REFUSE(regs(0, 0, 0, 1, 1, 100, 20, BIN_24), RTC_ERR_RANGE);
    REFUSE(regs(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, BIN_24), RTC_ERR_RANGE);
    REFUSE(regs(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), RTC_ERR_RANGE);
    CHECK_CONTAINS(rtc_strerror(RTC_ERR_BCD), "digit");
    CHECK_CONTAINS(rtc_strerror(RTC_ERR_RANGE), "does not exist");
    CHECK_CONTAINS(rtc_strerror(-99), "unknown");
}

/* Every register value in every mode: decoding never reads or writes out
 * of bounds, and what it accepts is a valid date. */
static void every_byte_of_each_register(void)
{
    static const uint8_t modes[] = { BCD_24, BIN_24, BCD_12, BIN_12 };
    unsigned accepted = 0, bad = 0;
    for (unsigned m = 0; m < 4; m++)
        for (unsigned field = 0; field < 7; field++)
            for (unsigned v = 0; v < 256; v++) {
                struct rtc_regs r = regs(0x30, 0x30, 0x10, 0x15, 0x06, 0x50, 0x20, modes[m]);
                ((uint8_t *)&r)[field] = (uint8_t)v;     /* the fields in order */
                struct civil_time t;
                if (rtc_decode(&r, &t) == RTC_OK) {
                    accepted++;
                    bad += !calendar_valid(&t);
                }
            }
    CHECK_INT_EQ(bad, 0);
    CHECK(accepted > 500);
}

static const struct check_test tests[] = {
    TEST(bcd_and_binary),
    TEST(twelve_hour_forms),
    TEST(century_register),
    TEST(bad_values_refused),
    TEST(every_byte_of_each_register),
};

CHECK_MAIN(tests)
