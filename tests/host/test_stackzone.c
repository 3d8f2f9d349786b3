/*
 * test_stackzone.c - the arithmetic of task stack slots: which slot an
 * address is in, where a stack's top is, and what a fault there means.
 */
#include "check.h"
#include "sched/stackzone.h"

#define SLOT_BASE(s) (TASK_STACKS_VIRT + (uint32_t)(s) * TASK_STACK_SLOT)

static void slots_tile_the_zone(void)
{
    CHECK(!stackzone_contains(TASK_STACKS_VIRT - 1));
    CHECK(stackzone_contains(TASK_STACKS_VIRT));
    uint32_t end = TASK_STACKS_VIRT + TASK_STACK_SLOTS * TASK_STACK_SLOT;
    CHECK(stackzone_contains(end - 1));
    CHECK(!stackzone_contains(end));
    for (unsigned s = 0; s < TASK_STACK_SLOTS; s += 37) {
        CHECK_INT_EQ(stackzone_slot_of(SLOT_BASE(s)), s);
        CHECK_INT_EQ(stackzone_slot_of(stackzone_top(s) - 1), s);
        CHECK_INT_EQ(stackzone_top(s), SLOT_BASE(s + 1));
        CHECK_INT_EQ(stackzone_top(s) % PAGE_SIZE, 0);
    }
    CHECK(end <= SCRATCH_VIRT);     /* the zone stays clear of the scratch page */
}

static void limits_are_whole_pages_within_a_slot(void)
{
    CHECK_INT_EQ(stackzone_limit(0), TASK_STACK_LIMIT);
    CHECK_INT_EQ(stackzone_limit(1), PAGE_SIZE);
    CHECK_INT_EQ(stackzone_limit(PAGE_SIZE), PAGE_SIZE);
    CHECK_INT_EQ(stackzone_limit(PAGE_SIZE + 1), 2 * PAGE_SIZE);
    CHECK_INT_EQ(stackzone_limit(0xFFFFFFFF), TASK_STACK_LIMIT_MAX);
    /* Whatever the limit, a guard page stays between the stack and the slot below. */
    CHECK(TASK_STACK_LIMIT_MAX + PAGE_SIZE <= TASK_STACK_SLOT);
}

static void classify_grow_overflow_mapped(void)
{
    unsigned s = 5;
    uint32_t top = stackzone_top(s), limit = 16 * PAGE_SIZE;
    uint32_t mapped_low = top - 2 * PAGE_SIZE;          /* two pages mapped */
    CHECK_INT_EQ(stackzone_classify(top - 4, s, limit, mapped_low), STACK_ALREADY_MAPPED);
    CHECK_INT_EQ(stackzone_classify(mapped_low, s, limit, mapped_low), STACK_ALREADY_MAPPED);
    CHECK_INT_EQ(stackzone_classify(mapped_low - 1, s, limit, mapped_low), STACK_GROW);
    CHECK_INT_EQ(stackzone_classify(top - limit, s, limit, mapped_low), STACK_GROW);
    CHECK_INT_EQ(stackzone_classify(top - limit - 1, s, limit, mapped_low), STACK_OVERFLOW);
    CHECK_INT_EQ(stackzone_classify(SLOT_BASE(s), s, limit, mapped_low), STACK_OVERFLOW);
    /* The next slot down, or up, is not this stack's business. */
    CHECK_INT_EQ(stackzone_classify(SLOT_BASE(s) - 1, s, limit, mapped_low),
                 STACK_NOT_A_STACK);
    CHECK_INT_EQ(stackzone_classify(top, s, limit, mapped_low), STACK_NOT_A_STACK);
    CHECK_INT_EQ(stackzone_classify(0x1000, s, limit, mapped_low), STACK_NOT_A_STACK);
}

static void a_big_frame_far_below_is_still_growth_within_the_limit(void)
{
    unsigned s = 0;
    uint32_t top = stackzone_top(s), limit = TASK_STACK_LIMIT;
    /* A 20 KB local array: the first touch lands five pages down. */
    CHECK_INT_EQ(stackzone_classify(top - 5 * PAGE_SIZE - 8, s, limit, top - PAGE_SIZE),
                 STACK_GROW);
}

static const struct check_test tests[] = {
    TEST(slots_tile_the_zone),
    TEST(limits_are_whole_pages_within_a_slot),
    TEST(classify_grow_overflow_mapped),
    TEST(a_big_frame_far_below_is_still_growth_within_the_limit),
};

CHECK_MAIN(tests)
