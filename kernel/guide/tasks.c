/*
 * tasks.c - goroutines and a channel: each task has a stack of its own that
 * starts with one page and grows to its limit; the heap is one for all.
 */
#include "guide/tasks.h"

#include "atlas/atlas.h"
#include "console/console.h"
#include "console/protocol.h"
#include "guide/report.h"
#include "lib/format.h"
#include "memlayout.h"
#include "mm/kheap.h"
#include "sched/chan.h"
#include "sched/task.h"

#define SIZE_TEXT 16            /* room for format_size's "127.8 MiB" */

/* ---- goroutines: tasks with stacks of their own ----------------------------------------- */

static void show_local(const char *what)
{
    int local = task_current()->id;
    char name[40];
    format_buf(name, sizeof name, "task.%d.local", local);
    proto_symbol(name, &local, region_of(&local));
    format_buf(name, sizeof name, "task.%d.frame", local);
    void *frame = __builtin_frame_address(0);
    proto_symbol(name, frame, region_of(frame));
    kprintf("  task %d (%s): a local at %p, its frame at %p, in %s\n", local, what,
            (void *)&local, frame, region_of(&local));
}

static void worker(void *arg)
{
    show_local("worker");
    task_sleep((uint32_t)(uintptr_t)arg);   /* stay alive while main looks */
}

static volatile unsigned deep_reached;

/* About 1 KiB a frame, on purpose: the stack must grow page by page. */
static unsigned go_deep(unsigned n, unsigned target)
{
    volatile char frame[1000];
    frame[0] = (char)n;
    deep_reached = n;
    if (n >= target)
        return frame[0];
    return go_deep(n + 1, target) + frame[0];
}

static void deep(void *arg)
{
    show_local("deep");
    go_deep(1, (unsigned)(uintptr_t)arg);
    kprintf("  task %d (deep): %u nested calls, about %u KiB of stack, and back\n",
            task_current()->id, deep_reached, deep_reached);
    task_sleep(200);
}

static void overflow(void *arg)
{
    (void)arg;
    show_local("overflow");
    go_deep(1, 0xFFFFFFFF);                 /* runs past the limit */
}

#define GOROUTINES 5
#define OVERFLOWING (GOROUTINES - 1)        /* the last one overflows */

static const struct {
    void (*fn)(void *);
    uintptr_t arg;                          /* ms to sleep, or calls to nest */
    const char *name;
} crew[GOROUTINES] = {
    { worker, 300, "worker" }, { worker, 300, "worker" }, { worker, 300, "worker" },
    { deep, 40, "deep" }, { overflow, 0, "overflow" },
};

/* Joins every task and says how each ended. Holds when all but the last
 * finished and the last was ended by passing its limit; cannot tell when
 * the last was ended before that, for want of a frame to grow with. */
static enum verdict join_all(struct task *t[GOROUTINES], int codes[GOROUTINES])
{
    bool finished = true, overflowed = false;
    for (int i = 0; i < GOROUTINES; i++) {
        int id = t[i]->id;
        bool over;
        codes[i] = task_join_overflowed(t[i], &over);
        proto_task(id, codes[i], over);
        if (i == OVERFLOWING)
            overflowed = codes[i] == -1 && over;
        else
            finished = finished && codes[i] == 0;
    }
    task_flush_events();
    if (finished && !overflowed && codes[OVERFLOWING] == -1)
        return VERDICT_CANNOT_TELL;
    return finished && overflowed ? VERDICT_HOLDS : VERDICT_DIFFERS;
}

void demo_goroutines(void)
{
    char limit[SIZE_TEXT];
    format_size(limit, sizeof limit, TASK_STACK_LIMIT);
    kprintf("Five tasks, each with its own stack of one page that grows to %s.\n", limit);
    struct task *t[GOROUTINES];
    int spawned = 0;
    while (spawned < GOROUTINES &&
           (t[spawned] = task_spawn(crew[spawned].fn, (void *)crew[spawned].arg,
                                    crew[spawned].name, 0)))
        spawned++;
    if (spawned < GOROUTINES) {
        for (int i = 0; i < spawned; i++)   /* they all end by themselves */
            task_join(t[i]);
        demo_out_of_memory("goroutines", "another task");
        return;
    }
    show_local("main, on the boot stack");
    task_sleep(100);                        /* let them run; all but main sleep */
    kprintf("While they sleep, the tasks and their stacks:\n");
    task_list_print();
    task_print_stacks();
    int codes[GOROUTINES];
    enum verdict v = join_all(t, codes);
    kprintf("The overflowing task was ended (exit %d); the others finished (exit %d %d %d %d).\n",
            codes[OVERFLOWING], codes[0], codes[1], codes[2], codes[3]);
    char detail[200];
    format_buf(detail, sizeof detail, "each task had its own stack in its own slot, "
               "starting with one page; the deep one grew page by page; the one that "
               "passed %s was ended, the rest finished", limit);
    if (v == VERDICT_CANNOT_TELL)
        format_buf(detail, sizeof detail, "the overflowing task was ended before its "
                   "%s limit: no frame was left to grow its stack (out of memory)", limit);
    claim_verdict("goroutines", v, detail);
}

/* ---- a channel: the heap is shared by every task ------------------------------------- */

#define MESSAGES 8
#define MESSAGE_INTS 4              /* a message block: its index, its sender, room */
#define CHANNEL_CAPACITY 2

/* Sends its blocks, then NULL for the end; exits with how many it sent. */
static void producer(void *arg)
{
    struct chan *c = arg;
    int sent = 0;
    for (int i = 0; i < MESSAGES; i++) {
        int *msg = kmalloc(sizeof *msg * MESSAGE_INTS);
        if (!msg) {
            demo_out_of_memory("channel", "a message block");
            break;
        }
        msg[0] = i;
        msg[1] = task_current()->id;
        kprintf("  producer (task %d): sends #%d, a heap block at %p (%s)\n", msg[1], i,
                (void *)msg, region_of(msg));
        chan_send(c, msg);
        sent++;
    }
    chan_send(c, 0);                        /* the end */
    task_exit(sent);
}

static void consumer(void *arg)
{
    struct chan *c = arg;
    int got = 0;
    for (;;) {
        int *msg = chan_recv(c);
        if (!msg)
            break;
        kprintf("  consumer (task %d): got #%d from task %d at %p, frees it\n",
                task_current()->id, msg[0], msg[1], (void *)msg);
        proto_message(msg[0], msg, region_of(msg), msg[1], task_current()->id);
        kfree(msg);
        got++;
    }
    task_exit(got);
}

/* Without a consumer, main takes the producer's blocks so that it can end. */
static void drain(struct chan *c)
{
    void *msg;
    while ((msg = chan_recv(c)))
        kfree(msg);
}

void demo_channel(void)
{
    struct heap_stats before, after;
    heap_get_stats(&kernel_heap, &before);
    struct chan *c = chan_new(CHANNEL_CAPACITY);
    if (!c) {
        demo_out_of_memory("channel", "the channel");
        return;
    }
    kprintf("A producer task allocates %d blocks and sends them through a channel of %d;\n"
            "a consumer task receives and frees them. One heap serves both.\n", MESSAGES,
            CHANNEL_CAPACITY);
    struct task *p = task_spawn(producer, c, "producer", 0);
    struct task *q = p ? task_spawn(consumer, c, "consumer", 0) : 0;
    if (!q) {
        if (p) {
            drain(c);
            task_join(p);
        }
        chan_free(c);
        demo_out_of_memory("channel", p ? "the consumer task" : "the producer task");
        return;
    }
    int sent = task_join(p);
    int got = task_join(q);
    chan_free(c);
    heap_get_stats(&kernel_heap, &after);
    proto_channel(sent, got, before.used, after.used);
}
