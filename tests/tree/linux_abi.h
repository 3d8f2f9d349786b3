/*
 * linux_abi.h - the checks the linux_abi_*.c files make, each a
 * _Static_assert: they compile when our structure (sched/linux.h) and the
 * headers' agree, and fail naming the field when not. Compiled by
 * tests/tree/test_linux_abi.py with the i386 cross compiler, never run.
 */
#ifndef LINUX_ABI_CHECK_H
#define LINUX_ABI_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define SAME_SIZE(ours, theirs) \
    _Static_assert(sizeof(ours) == sizeof(theirs), \
                   "sizeof(" #ours ") != sizeof(" #theirs ")")

/* The field at the same offset and of the same size. */
#define SAME_FIELD(ours, of, theirs, tf) \
    _Static_assert(offsetof(ours, of) == offsetof(theirs, tf), \
                   "offsetof(" #ours ", " #of ") != offsetof(" #theirs ", " #tf ")"); \
    _Static_assert(sizeof(((ours *)0)->of) == sizeof(((theirs *)0)->tf), \
                   "the size of " #ours "." #of " != that of " #theirs "." #tf)

#define IS_SIGNED(x) ((__typeof__(x))-1 < (__typeof__(x))1)

/* A number: also signed alike. */
#define SAME_NUMBER(ours, of, theirs, tf) \
    SAME_FIELD(ours, of, theirs, tf); \
    _Static_assert(IS_SIGNED(((ours *)0)->of) == IS_SIGNED(((theirs *)0)->tf), \
                   #ours "." #of " and " #theirs "." #tf " differ in signedness")

/* A constant: the same 64-bit value (pointers, such as SIG_DFL, are given
 * as (uintptr_t) by the caller). */
#define SAME_VALUE(ours, theirs, what) \
    _Static_assert((uint64_t)(ours) == (uint64_t)(theirs), #ours " != " what)

#endif
