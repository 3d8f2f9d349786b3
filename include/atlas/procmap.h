/*
 * procmap.h - the atlas of one process: every region of its address space
 * (space=user records, with how many pages are reserved, backed and
 * written) and the guide's drawing of a program's memory, made from it.
 */
#ifndef PROCMAP_H
#define PROCMAP_H

#include "sched/proc.h"

/* Prints p's regions and drawing; p's address space must be the live one
 * (the process layer's hooks run in its own thread). when: "start", "exit". */
void procmap_print(struct proc *p, const char *when);

#endif
