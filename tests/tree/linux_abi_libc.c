/*
 * linux_abi_libc.c - sched/linux.h against the i386 C library's headers
 * (glibc, as Debian's libc6-dev-i386-cross installs it), the way a static
 * program built with them sees the ABI: with _GNU_SOURCE, and the 32-bit
 * time_t and off_t of a plain i386 build. The C library's structures that
 * are the kernel's are compared here; the ones it changes (struct
 * sigaction, struct termios) in the other files. The constants' checks
 * are generated from linux.h by test_linux_abi.py: ABI_CONSTANTS names
 * the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <dirent.h>
#include <termios.h>
#include <unistd.h>

#include "linux_abi.h"
#include "sched/linux.h"

_Static_assert(sizeof(time_t) == 4 && sizeof(long) == 4, "not a plain i386 build");

SAME_SIZE(struct linux_timespec32, struct timespec);
SAME_NUMBER(struct linux_timespec32, sec, struct timespec, tv_sec);
SAME_NUMBER(struct linux_timespec32, nsec, struct timespec, tv_nsec);

SAME_SIZE(struct linux_timeval, struct timeval);
SAME_NUMBER(struct linux_timeval, sec, struct timeval, tv_sec);
SAME_NUMBER(struct linux_timeval, usec, struct timeval, tv_usec);

SAME_SIZE(struct linux_iovec, struct iovec);
SAME_FIELD(struct linux_iovec, base, struct iovec, iov_base);
SAME_NUMBER(struct linux_iovec, len, struct iovec, iov_len);

SAME_SIZE(struct linux_rlimit, struct rlimit);
SAME_NUMBER(struct linux_rlimit, cur, struct rlimit, rlim_cur);
SAME_NUMBER(struct linux_rlimit, max, struct rlimit, rlim_max);
SAME_SIZE(struct linux_rlimit64, struct rlimit64);
SAME_NUMBER(struct linux_rlimit64, cur, struct rlimit64, rlim_cur);
SAME_NUMBER(struct linux_rlimit64, max, struct rlimit64, rlim_max);

SAME_SIZE(struct linux_utsname, struct utsname);
SAME_FIELD(struct linux_utsname, sysname, struct utsname, sysname);
SAME_FIELD(struct linux_utsname, nodename, struct utsname, nodename);
SAME_FIELD(struct linux_utsname, release, struct utsname, release);
SAME_FIELD(struct linux_utsname, version, struct utsname, version);
SAME_FIELD(struct linux_utsname, machine, struct utsname, machine);
SAME_FIELD(struct linux_utsname, domainname, struct utsname, domainname);

SAME_SIZE(struct linux_stack_t, stack_t);
SAME_FIELD(struct linux_stack_t, sp, stack_t, ss_sp);
SAME_NUMBER(struct linux_stack_t, flags, stack_t, ss_flags);
SAME_NUMBER(struct linux_stack_t, size, stack_t, ss_size);

SAME_SIZE(struct linux_winsize, struct winsize);
SAME_NUMBER(struct linux_winsize, row, struct winsize, ws_row);
SAME_NUMBER(struct linux_winsize, col, struct winsize, ws_col);
SAME_NUMBER(struct linux_winsize, xpixel, struct winsize, ws_xpixel);
SAME_NUMBER(struct linux_winsize, ypixel, struct winsize, ws_ypixel);

#include ABI_CONSTANTS
