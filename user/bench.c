/*
 * bench - what a system call and a thread cost, in time-stamp counter
 * cycles: `bench [CALLS] [THREADS]` makes CALLS getpid calls (through
 * syscall(2), so the C library cannot answer from a cache) and creates and
 * joins THREADS threads one after another, and prints the mean of each.
 *
 * On mematlas `make bench` runs it under QEMU with -icount shift=0,sleep=off,
 * where the counter counts instructions: the figures are the same on every
 * run and every machine. On Linux the counter counts real cycles.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "user.h"

static uint64_t cycles(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void *nothing(void *arg)
{
    return arg;
}

int main(int argc, char **argv)
{
    long calls = argc > 1 ? (long)parse_number("bench", "CALLS", argv[1], 1, 10000000) : 20000;
    long threads = argc > 2 ? (long)parse_number("bench", "THREADS", argv[2], 1, 100000) : 200;

    syscall(SYS_getpid);                        /* the first call pays for nothing */
    uint64_t t0 = cycles();
    for (long i = 0; i < calls; i++)
        syscall(SYS_getpid);
    uint64_t t1 = cycles();
    printf("bench: getpid %ld calls %llu cycles-per-call\n", calls,
           (unsigned long long)((t1 - t0) / (uint64_t)calls));

    uint64_t t2 = cycles();
    for (long i = 0; i < threads; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0) {
            printf("bench: thread %ld could not be created or joined\n", i);
            return 1;
        }
    }
    uint64_t t3 = cycles();
    printf("bench: thread %ld create-join %llu cycles-per-pair\n", threads,
           (unsigned long long)((t3 - t2) / (uint64_t)threads));
    return 0;
}
