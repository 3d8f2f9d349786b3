/*
 * threads_stacks.c - four threads each report where a local variable of
 * theirs and the one global live: four different stacks (glibc maps each
 * in the mmap area), one global for all. The addresses go to '~' lines.
 */
#include <pthread.h>
#include <string.h>

#include "threads_common.h"

#define THREADS 4

static int shared_global = 42;

struct seen {
    uintptr_t local, global;
    int value;
};

static void *report(void *arg)
{
    struct seen *s = arg;
    volatile int local = 7;
    s->local = (uintptr_t)&local;
    s->global = (uintptr_t)&shared_global;
    s->value = shared_global + local;
    return s;
}

int main(void)
{
    pthread_t t[THREADS];
    struct seen seen[THREADS];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], 0, report, &seen[i]) == 0);
    for (int i = 0; i < THREADS; i++) {
        void *back;
        CHECK(pthread_join(t[i], &back) == 0);
        CHECK(back == &seen[i]);
    }
    volatile int main_local = 0;
    int distinct = 1, same_global = 1;
    for (int i = 0; i < THREADS; i++) {
        printf("~thread %d local=0x%08lx global=0x%08lx main_local=0x%08lx\n", i,
               (unsigned long)seen[i].local, (unsigned long)seen[i].global,
               (unsigned long)(uintptr_t)&main_local);
        same_global &= seen[i].global == (uintptr_t)&shared_global && seen[i].value == 49;
        for (int j = 0; j < i; j++) {
            uintptr_t d = seen[i].local > seen[j].local ? seen[i].local - seen[j].local
                                                        : seen[j].local - seen[i].local;
            distinct &= d >= 65536;     /* stacks of their own, not frames of one */
        }
        uintptr_t m = (uintptr_t)&main_local;
        distinct &= (seen[i].local > m ? seen[i].local - m : m - seen[i].local) >= 65536;
    }
    printf("threads=%d distinct_stacks=%s same_global=%s\n", THREADS, distinct ? "yes" : "no",
           same_global ? "yes" : "no");
    return distinct && same_global ? 0 : 1;
}
