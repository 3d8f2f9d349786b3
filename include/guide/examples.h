/*
 * seed.h - the examples of the Go memory guide (shared/seed), written in C
 * so that their addresses can be shown on the real machine.
 */
#ifndef SEED_H
#define SEED_H

extern int globalCount;         /* var globalCount int = 100: the data segment */
extern int zeroCount;           /* a global left at zero: .bss */

int add(int a, int b);          /* func add(a, b int) int */
/* func createSlice() *[]int: three ints that outlive the call, on the heap. */
int *createSlice(void);

#endif
