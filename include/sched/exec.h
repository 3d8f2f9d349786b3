/*
 * exec.h - building a process's first image from its program: the areas of
 * its ELF segments, the heap's start, the stack with the arguments,
 * environment and auxiliary vector Linux puts there, and the first entry
 * into ring 3.
 */
#ifndef EXEC_H
#define EXEC_H

#include "sched/proc.h"

#define EXEC_PIE_BASE   0x00400000  /* where a static-pie goes (Linux's ELF_ET_DYN_BASE for i386) */

/* What a segment holds, by its permissions: "text", "data", "rodata", or
 * "headers" for the read-only one that starts the file. */
const char *exec_segment_name(const struct elf_load *l);
/* Checks that the program in module `module` can be placed (p->elf is
 * parsed already): 0, or -1 with a reason. */
int exec_prepare(struct proc *p, unsigned module, char *why, unsigned why_size);
/* The first thread's task function: builds the image in the live (new)
 * address space and enters the program. On failure the process exits
 * with status 127 and the reason on the console. */
void exec_start(void *uthread);

#endif
