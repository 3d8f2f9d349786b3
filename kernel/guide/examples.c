/*
 * examples.c - the guide's examples as C, kept apart so that their symbols
 * are easy to find with nm and in the atlas.
 */
#include "guide/examples.h"

#include "mm/kheap.h"

int globalCount = 100;
int zeroCount;

/* noinline: the demo wants a real call, with a real frame on the stack. */
__attribute__((noinline)) int add(int a, int b)
{
    int result = a + b;
    return result;
}

/* In Go, nums escapes because its address is returned; in C the choice is
 * the programmer's: a local array would die with the frame, so it must be
 * kmalloc'd, and the caller kfrees it. (gc_new, the kernel's collected
 * heap, would free it by itself: demo=gc.) */
int *createSlice(void)
{
    int *nums = kmalloc(3 * sizeof *nums);
    if (nums) {
        nums[0] = 1;
        nums[1] = 2;
        nums[2] = 3;
    }
    return nums;
}
