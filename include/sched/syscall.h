/*
 * syscall.h - the Linux i386 system-call interface: int $0x80 with the
 * number in eax and the arguments in ebx, ecx, edx, esi, edi, ebp; the
 * result, or -errno, back in eax.
 *
 * The calls live in groups (sys_*.c), each a table of {number, function};
 * syscall.c puts them into one table indexed by number. A number nobody
 * implements returns -ENOSYS and is reported once per process by name.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>

#include "arch/trap.h"
#include "sched/proc.h"
#include "sched/syscalls.h"

/* One call: its arguments, where it came from, and who made it. */
struct sysc {
    uint32_t a[6];
    struct trap_frame *f;
    struct uthread *ut;
    struct proc *p;
};

typedef int32_t (*sys_fn)(struct sysc *c);

struct sys_entry {
    unsigned nr;
    sys_fn fn;
};
#define SYS_END { 0, 0 }

/* The groups, each ending with SYS_END. */
extern const struct sys_entry sys_proc_calls[];
extern const struct sys_entry sys_io_calls[];
extern const struct sys_entry sys_file_calls[];
extern const struct sys_entry sys_mem_calls[];
extern const struct sys_entry sys_thread_calls[];
extern const struct sys_entry sys_time_calls[];
extern const struct sys_entry sys_futex_calls[];
extern const struct sys_entry sys_signal_calls[];

/* Sets one of ut's TLS slots from d (*entry -1: the first free one, and
 * *entry says which); 0 or -errno. set_thread_area and clone use it. */
int32_t sys_set_tls(struct uthread *ut, const struct linux_user_desc *d, uint32_t *entry);

/* The gate's handler (trap.h). */
void syscall_entry(struct trap_frame *f);
/* On every way back to ring 3, after the process layer's own checks. */
void syscall_before_user(struct trap_frame *f);
/* A thread is ending: its clear_child_tid word is cleared and woken. */
void syscall_thread_gone(struct uthread *ut);

/* A new process's descriptors: 0, 1 and 2 on the console (sys_io.c). */
void sys_fds_init(struct proc *p);
/* Builds the names of the file system programs see, once, after the
 * module window (sys_file.c). */
void sys_files_init(void);

/* For mmap of a file: fills a's kind and file fields from descriptor fd
 * at page pgoff (mmap's flags say whether the view is shared); 0 or -errno. */
int32_t sys_file_area(struct sysc *c, uint32_t fd, uint32_t pgoff, uint32_t map_flags,
                      struct vma *a);

/* Helpers for the calls: user memory, as -EFAULT when it is bad. */
int32_t sys_copy_in(struct sysc *c, void *dst, uint32_t src, uint32_t n);
int32_t sys_copy_out(struct sysc *c, uint32_t dst, const void *src, uint32_t n);

#endif
