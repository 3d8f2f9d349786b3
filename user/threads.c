/*
 * threads.c - N threads, one shared counter: each thread has its own stack,
 * all of them share one global.
 *
 *   threads [N]        N threads (1..1000, default 4)
 *
 * Each thread adds one to the counter under a mutex and prints
 *
 *   threads: thread I local 0xADDR global 0xADDR
 *
 * (the address of a local of its own and of the shared counter). A test
 * checks the N locals are all different (N stacks) and the global the same.
 * For the locals to be different the threads must be alive at once, as
 * the C library reuses a finished thread's stack for the next one: so each
 * thread, once it has checked in, waits until main has seen all N check in
 * (a condition variable each way). Then main joins them and prints
 *
 *   threads: done N counter=N
 *
 * exiting 0, or 1 if anything failed (each failure printed).
 */
#include <pthread.h>
#include <stdint.h>

#include "user.h"

/* Small stacks: 100 threads of the C library's default 8 MiB would be 800
 * MiB of address space, too much to ask of a small kernel. */
#define THREAD_STACK    (64 * 1024)

static long counter;                    /* the shared global */
static unsigned checked_in;
static int released;                    /* main has seen every thread */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_in = PTHREAD_COND_INITIALIZER;       /* threads -> main */
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;           /* main -> threads */

static void *thread_main(void *arg)
{
    unsigned index = (unsigned)(uintptr_t)arg;
    volatile unsigned local = index;    /* lives on this thread's stack */

    pthread_mutex_lock(&lock);
    counter++;
    checked_in++;
    printf("threads: thread %u local 0x%08lx global 0x%08lx\n", local,
           (unsigned long)(uintptr_t)&local, (unsigned long)(uintptr_t)&counter);
    pthread_cond_signal(&all_in);
    while (!released)
        pthread_cond_wait(&go, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 2)
        usage_error("threads", "usage: threads [N]");
    unsigned n = argc == 2 ? (unsigned)parse_number("threads", "thread count", argv[1], 1, 1000)
                           : 4;
    pthread_t *ids = calloc(n, sizeof *ids);
    pthread_attr_t attr;
    if (!ids || pthread_attr_init(&attr) || pthread_attr_setstacksize(&attr, THREAD_STACK)) {
        printf("threads: failed: setting up\n");
        return 1;
    }

    unsigned started = 0;
    for (; started < n; started++) {
        int e = pthread_create(&ids[started], &attr, thread_main, (void *)(uintptr_t)started);
        if (e) {
            printf("threads: failed: pthread_create of thread %u: %s\n", started, strerror(e));
            break;
        }
    }

    /* Wait for every thread that started, then let them all go. */
    pthread_mutex_lock(&lock);
    while (checked_in < started)
        pthread_cond_wait(&all_in, &lock);
    released = 1;
    pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&lock);

    int failed = started != n;
    for (unsigned i = 0; i < started; i++) {
        int e = pthread_join(ids[i], NULL);
        if (e) {
            printf("threads: failed: pthread_join of thread %u: %s\n", i, strerror(e));
            failed = 1;
        }
    }
    if (counter != (long)n) {
        printf("threads: failed: counter %ld, expected %u\n", counter, n);
        failed = 1;
    }
    printf("threads: done %u counter=%ld\n", started, counter);
    free(ids);
    return failed;
}
