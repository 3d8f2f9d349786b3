/*
 * stackzone.c - the arithmetic of task stack slots (see stackzone.h).
 */
#include "sched/stackzone.h"

uint32_t stackzone_limit(uint32_t requested)
{
    if (requested == 0)
        return TASK_STACK_LIMIT;
    if (requested > TASK_STACK_LIMIT_MAX)
        return TASK_STACK_LIMIT_MAX;
    uint32_t pages = (requested + PAGE_SIZE - 1) / PAGE_SIZE;
    return pages * PAGE_SIZE;
}

enum stack_fault stackzone_classify(uint32_t addr, unsigned slot, uint32_t limit,
                                    uint32_t mapped_low)
{
    if (!stackzone_contains(addr) || stackzone_slot_of(addr) != slot)
        return STACK_NOT_A_STACK;
    uint32_t top = stackzone_top(slot);
    if (addr >= mapped_low && addr < top)
        return STACK_ALREADY_MAPPED;
    if (addr >= top - limit)
        return STACK_GROW;
    return STACK_OVERFLOW;
}
