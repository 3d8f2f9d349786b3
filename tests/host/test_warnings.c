/*
 * test_warnings.c - kernel/lib/warnings.c: messages are formatted into the
 * list in order, cut to WARNING_LEN, and dropped once the list is full.
 */
#include "check.h"
#include "lib/warnings.h"

#define LIST_MAX 3

struct list {
    unsigned count;
    char text[LIST_MAX + 1][WARNING_LEN];   /* one more: a canary slot */
};

static void in_order(void)
{
    struct list l = { .count = 0 };
    warnings_add(l.text, &l.count, LIST_MAX, "first %d", 1);
    warnings_add(l.text, &l.count, LIST_MAX, "second %s", "two");
    CHECK_INT_EQ(l.count, 2);
    CHECK_STR_EQ(l.text[0], "first 1");
    CHECK_STR_EQ(l.text[1], "second two");
}

static void full_list_drops(void)
{
    struct list l = { .count = 0 };
    memset(l.text[LIST_MAX], '#', WARNING_LEN);
    for (int i = 0; i < LIST_MAX + 2; i++)
        warnings_add(l.text, &l.count, LIST_MAX, "number %d", i);
    CHECK_INT_EQ(l.count, LIST_MAX);
    CHECK_STR_EQ(l.text[LIST_MAX - 1], "number 2");     /* the first ones stay */
    for (int i = 0; i < WARNING_LEN; i++)
        if (!CHECK(l.text[LIST_MAX][i] == '#'))         /* nothing past max */
            break;
}

static void long_message_cut(void)
{
    struct list l = { .count = 0 };
    memset(l.text[1], '#', WARNING_LEN);
    char longer[2 * WARNING_LEN];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    warnings_add(l.text, &l.count, LIST_MAX, "%s", longer);
    CHECK_INT_EQ(l.count, 1);
    CHECK_INT_EQ(strlen(l.text[0]), WARNING_LEN - 1);
    CHECK(l.text[1][0] == '#');                         /* the next slot untouched */
}

static const struct check_test tests[] = {
    TEST(in_order),
    TEST(full_list_drops),
    TEST(long_message_cut),
};

CHECK_MAIN(tests)
