/*
 * seed.c - the guide's examples as C, kept apart so that their symbols are
 * easy to find with nm and in the atlas.
 */
#include "seed.h"

int globalCount = 100;
int zeroCount;

/* noinline: the demo wants a real call, with a real frame on the stack. */
__attribute__((noinline)) int add(int a, int b)
{
    int result = a + b;
    return result;
}
