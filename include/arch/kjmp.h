/*
 * kjmp.h - setjmp and longjmp for the kernel (kernel/arch/kjmp.S).
 */
#ifndef KJMP_H
#define KJMP_H

#include <stdint.h>

struct kjmp {
    uint32_t ebx, esi, edi, ebp, esp, eip;
};

/* Returns 0 when called, and again (non-zero) each time kjmp_jump lands here. */
__attribute__((returns_twice)) int kjmp_set(struct kjmp *j);
__attribute__((noreturn)) void kjmp_jump(struct kjmp *j, int value);

#endif
