/*
 * pipe.h - pipes and epoll for user processes (sys_pipe.c): what a
 * program's threads use to wake each other and to wait with a timeout, as
 * Go's runtime does for its timers (its netpoller: an epoll instance with
 * one pipe in it).
 */
#ifndef SCHED_PIPE_H
#define SCHED_PIPE_H

#include "sched/syscall.h"

/* read and write on an open pipe end (sys_io.c calls them for UOPEN_PIPE). */
int32_t pipe_read(struct sysc *c, struct uopen *o, uint32_t buf, uint32_t n);
int32_t pipe_write(struct sysc *c, struct uopen *o, uint32_t buf, uint32_t n);
/* The last descriptor of an open pipe end or epoll instance has gone. */
void pipe_open_gone(struct uopen *o);

extern const struct sys_entry sys_pipe_calls[];

#endif
