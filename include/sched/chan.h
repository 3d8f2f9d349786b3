/*
 * chan.h - a bounded channel of pointers between tasks, like a buffered Go
 * channel: send blocks while it is full, receive blocks while it is empty.
 */
#ifndef CHAN_H
#define CHAN_H

#include "sched/task.h"

struct chan {
    void **slots;
    unsigned capacity, head, count;
    struct wait_queue senders, receivers;
};

struct chan *chan_new(unsigned capacity);   /* NULL when out of memory */
void chan_send(struct chan *c, void *value);
void *chan_recv(struct chan *c);
void chan_free(struct chan *c);             /* nobody may be waiting on it */

#endif
