/*
 * chan.c - bounded channels. One CPU: interrupts off is the lock.
 */
#include "sched/chan.h"

#include "arch/irq.h"
#include "mm/kheap.h"

struct chan *chan_new(unsigned capacity)
{
    struct chan *c = kcalloc(1, sizeof *c);
    if (!c)
        return 0;
    c->slots = kcalloc(capacity ? capacity : 1, sizeof *c->slots);
    if (!c->slots) {
        kfree(c);
        return 0;
    }
    c->capacity = capacity ? capacity : 1;
    return c;
}

void chan_send(struct chan *c, void *value)
{
    uint32_t flags = irq_save();
    while (c->count == c->capacity)
        task_block_on(&c->senders);
    c->slots[(c->head + c->count) % c->capacity] = value;
    c->count++;
    task_wake_one(&c->receivers);
    irq_restore(flags);
}

void *chan_recv(struct chan *c)
{
    uint32_t flags = irq_save();
    while (c->count == 0)
        task_block_on(&c->receivers);
    void *value = c->slots[c->head];
    c->head = (c->head + 1) % c->capacity;
    c->count--;
    task_wake_one(&c->senders);
    irq_restore(flags);
    return value;
}

void chan_free(struct chan *c)
{
    if (c) {
        kfree(c->slots);
        kfree(c);
    }
}
