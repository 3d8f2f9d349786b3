/*
 * threads_many.c - 100 threads alive at once, each returning a value of its
 * own, all joined; then 100 more, one after the other (glibc reuses their
 * stacks). Every frame must come back to the kernel afterwards.
 */
#include <pthread.h>

#include "threads_common.h"

#define THREADS 100

static volatile int started;

static void *work(void *arg)
{
    uintptr_t i = (uintptr_t)arg;
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    return (void *)(i * i + 1);
}

int main(void)
{
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], 0, work, (void *)i) == 0);
    unsigned long sum = 0;
    int joined = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        CHECK(pthread_join(t[i], &r) == 0);
        CHECK((uintptr_t)r == (uintptr_t)i * i + 1);
        sum += (uintptr_t)r;
        joined++;
    }
    printf("together: created=%d joined=%d started=%d sum=%lu\n", THREADS, joined, started, sum);
    sum = 0;
    for (uintptr_t i = 0; i < THREADS; i++) {
        pthread_t one;
        void *r;
        CHECK(pthread_create(&one, 0, work, (void *)i) == 0);
        CHECK(pthread_join(one, &r) == 0);
        sum += (uintptr_t)r;
    }
    printf("one by one: created=%d started=%d sum=%lu\n", THREADS, started, sum);
    return 0;
}
