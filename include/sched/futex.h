/*
 * futex.h - Linux's fast user-space mutexes: a thread sleeps on a 32-bit
 * word of its process's memory (only if the word still holds what it
 * expects) until another thread wakes that word. The C library builds its
 * mutexes, condition variables and pthread_join on these; Go its locks.
 *
 * A word is named by a key. A private futex (FUTEX_PRIVATE_FLAG) is keyed
 * by (process, address); a shared one by the word's physical address (its
 * frame and offset), so that processes sharing the memory meet on it. As
 * on Linux, a private and a shared operation never meet, even on the same
 * word (a thread's exit wakes its clear_child_tid word as shared, and
 * glibc's pthread_join waits on it as shared).
 *
 * Each operation runs with interrupts off from its check of the word to
 * its sleep, so no wake can come in between and be lost (one CPU).
 */
#ifndef FUTEX_H
#define FUTEX_H

#include <stdbool.h>
#include <stdint.h>

#include "sched/proc.h"

#define FUTEX_BITSET_ANY    0xFFFFFFFFu

/* Sleeps while *uaddr == val until woken by an operation whose bitset
 * shares a bit with `bitset`, the deadline on clock (UCLOCK_FOREVER: none),
 * or an interruption. 0, -EAGAIN (the word differed), -ETIMEDOUT, -EINTR,
 * -EFAULT, -EINVAL (unaligned, bitset 0). */
int32_t futex_wait(struct uthread *ut, uint32_t uaddr, bool shared, uint32_t val,
                   uint32_t bitset, uint32_t clock, uint64_t deadline);
/* Wakes up to n waiters (at least one, as Linux does for n <= 0) whose
 * bitset meets `bitset`; how many, or -errno. */
int32_t futex_wake(struct proc *p, uint32_t uaddr, bool shared, int32_t n, uint32_t bitset);
/* FUTEX_REQUEUE / FUTEX_CMP_REQUEUE (cmp: first -EAGAIN unless *uaddr ==
 * val3): wakes nwake waiters of uaddr and moves up to nmove others to
 * uaddr2; how many were woken or moved, or -errno. */
int32_t futex_requeue(struct proc *p, uint32_t uaddr, uint32_t uaddr2, bool shared,
                      int32_t nwake, int32_t nmove, bool cmp, uint32_t val3);
/* FUTEX_WAKE_OP: changes *uaddr2 by the operation encoded in op, wakes up
 * to nwake waiters of uaddr and, when the old *uaddr2 passes op's
 * comparison, up to nwake2 of uaddr2; how many, or -errno. */
int32_t futex_wake_op(struct proc *p, uint32_t uaddr, uint32_t uaddr2, bool shared,
                      int32_t nwake, int32_t nwake2, uint32_t op);

#endif
