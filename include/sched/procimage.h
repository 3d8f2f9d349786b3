/*
 * procimage.h - the System V i386 process image at the top of a stack:
 * what a program finds above its stack pointer when it starts.
 *
 *   top      argument strings, the last one highest (as Linux places them)
 *            environment strings, likewise
 *            padding to 16 bytes
 *            auxv pairs ... AT_NULL
 *            envp[] ... NULL
 *            argv[] ... NULL
 *   sp ->    argc
 */
#ifndef PROCIMAGE_H
#define PROCIMAGE_H

#include <stdint.h>

/* Auxiliary vector entries (System V i386 ABI). */
#define AT_NULL     0
#define AT_PAGESZ   6

/* Where the parts of one image are: each range is [lo, hi). */
struct procimage {
    uint32_t sp;                /* points at argc */
    uint32_t args_lo, args_hi;  /* the argument strings */
    uint32_t env_lo, env_hi;    /* the environment strings */
    uint32_t vec_lo, vec_hi;    /* argc, argv[], envp[], auxv[] */
};

/* Bytes the image of these arguments and environment takes, padding included. */
uint32_t procimage_size(int argc, const char *const *argv, int envc,
                        const char *const *envp);
/* Writes the image just below top, which must have procimage_size() mapped
 * bytes below it, and says where its parts are. */
void procimage_build(uint32_t top, int argc, const char *const *argv, int envc,
                     const char *const *envp, struct procimage *img);

#endif
