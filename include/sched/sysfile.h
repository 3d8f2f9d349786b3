/*
 * sysfile.h - what the system calls on files share: sys_io.c keeps the
 * descriptors and reads, sys_file.c names files (open, stat, readlink,
 * getdents64...) through the read-only file system of boot modules
 * (modfs.h; docs/processes.md says how programs see it).
 *
 * A descriptor (struct ufile) points at an open file (struct uopen) that
 * dup'd descriptors share. A call that works on an open file holds it
 * (fd_hold) so that a close by another thread cannot free it under the
 * call; fd_release lets it go.
 */
#ifndef SCHED_SYSFILE_H
#define SCHED_SYSFILE_H

#include "sched/modfs.h"
#include "sched/syscall.h"

/* Ids of the entries that are not modules (modules are their index). */
#define SYSFILE_ID_STATM    0x100       /* /proc/self/statm */
#define SYSFILE_ID_EXE      0x101       /* /proc/self/exe, a link to the program */

/* sys_io.c: the open file behind descriptor fd, held; NULL when fd is not open. */
struct uopen *fd_hold(struct proc *p, uint32_t fd);
void fd_release(struct proc *p, struct uopen *o);
/* A new descriptor, the lowest free one at or above min, on a new open
 * file like *o: the descriptor, or -EMFILE. */
int32_t fd_install(struct proc *p, const struct uopen *o, uint32_t min, uint32_t fd_flags);

/* Closes descriptor fd: 0 or -EBADF. */
int32_t sys_close_fd(struct proc *p, uint32_t fd);
/* Closes every descriptor (the process is ending). */
void sys_close_all(struct proc *p);

/* sys_file.c: the names of the modules and /proc/self. */
const struct modfs *sysfile_fs(void);
/* The text of /proc/self/statm for p, in buf; its length. */
unsigned sysfile_statm(struct proc *p, char *buf, unsigned size);

#endif
