/*
 * threads_exitgroup.c - one thread ends the whole process (exit, which is
 * exit_group) while the others are blocked: two in futex waits nobody will
 * end, one in a 100-second nanosleep, one in pthread_cond_wait, one
 * spinning in ring 3. The process must end at once, with status 0. With
 * the argument "fault" the thread writes to address 0 instead: SIGSEGV ends
 * the process just as promptly.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>

#include "threads_common.h"

static volatile uint32_t never;         /* nobody wakes it */
static volatile int blocking;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nothing = PTHREAD_COND_INITIALIZER;

static void about_to_block(void)
{
    __atomic_add_fetch(&blocking, 1, __ATOMIC_SEQ_CST);
}

static void *futex_forever(void *arg)
{
    about_to_block();
    futex_raw(&never, arg ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, 0, 0, 0, 0);
    printf("FAILED: a futex wait returned\n");
    return 0;
}

static void *sleep_long(void *arg)
{
    (void)arg;
    struct timespec t = { 100, 0 };
    about_to_block();
    nanosleep(&t, 0);
    printf("FAILED: the sleep ended\n");
    return 0;
}

static void *cond_forever(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    about_to_block();
    for (;;)
        pthread_cond_wait(&nothing, &lock);
    return 0;
}

static void *spin(void *arg)
{
    (void)arg;
    about_to_block();
    for (volatile unsigned long i = 0;; i++)
        ;
    return 0;
}

static void *ender(void *arg)
{
    bool fault = arg != 0;
    while (blocking < 5)
        sched_yield();
    struct timespec t = { 0, 100000000 };  /* time for them to block */
    nanosleep(&t, 0);
    printf("all blocked; one thread ends the process%s\n", fault ? " with a fault" : "");
    fflush(stdout);
    if (fault)
        *(volatile int *)0 = 1;
    exit(0);
}

int main(int argc, char **argv)
{
    bool fault = argc > 1 && strcmp(argv[1], "fault") == 0;
    setvbuf(stdout, 0, _IOLBF, 0);
    void *(*const fns[])(void *) = { futex_forever, futex_forever, sleep_long, cond_forever,
                                     spin, ender };
    pthread_t t;
    for (unsigned i = 0; i < sizeof fns / sizeof fns[0]; i++)
        CHECK(pthread_create(&t, 0, fns[i], i == 1 || (fns[i] == ender && fault) ? (void *)1
                                                                                   : 0) == 0);
    pthread_join(t, 0);                 /* the ender: never returns */
    printf("FAILED: the ender was joined\n");
    return 1;
}
