/*
 * threads_pingpong.c - two threads take turns 1000 times through one mutex
 * and one condition variable; each checks it only ever runs on its turn.
 */
#include <pthread.h>

#include "threads_common.h"

#define ROUNDS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int turn;                        /* 0: ping's, 1: pong's */
static int log_len;
static char log_of_turns[2 * ROUNDS + 1];

static void play(int me)
{
    for (int i = 0; i < ROUNDS; i++) {
        CHECK(pthread_mutex_lock(&lock) == 0);
        while (turn != me)
            CHECK(pthread_cond_wait(&changed, &lock) == 0);
        log_of_turns[log_len++] = me ? 'o' : 'i';
        turn = !me;
        CHECK(pthread_cond_signal(&changed) == 0);
        CHECK(pthread_mutex_unlock(&lock) == 0);
    }
}

static void *pong(void *arg)
{
    (void)arg;
    play(1);
    return 0;
}

int main(void)
{
    pthread_t t;
    CHECK(pthread_create(&t, 0, pong, 0) == 0);
    play(0);
    CHECK(pthread_join(t, 0) == 0);
    int alternating = log_len == 2 * ROUNDS;
    for (int i = 0; i < log_len; i++)
        alternating &= log_of_turns[i] == (i % 2 ? 'o' : 'i');
    printf("rounds=%d turns=%d alternating=%s\n", ROUNDS, log_len, alternating ? "yes" : "no");
    return alternating ? 0 : 1;
}
