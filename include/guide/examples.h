/*
 * examples.h - the examples of the Go memory guide, written in C so that
 * their addresses can be shown on the real machine.
 */
#ifndef EXAMPLES_H
#define EXAMPLES_H

extern int globalCount;         /* var globalCount int = 100: the data segment */
extern int zeroCount;           /* a global left at zero: .bss */

int add(int a, int b);          /* func add(a, b int) int */
/* func createSlice() *[]int: three ints that outlive the call, on the heap;
 * NULL when the heap is out of memory. */
int *createSlice(void);

#endif
