/*
 * linux_abi_uapi.c - sched/linux.h against the kernel's own user-space
 * headers for i386 (<asm/...> and <linux/...>, from Debian's
 * linux-libc-dev-i386-cross): the structures exactly as the system calls
 * read and write them. The bit fields of struct user_desc have no offsets
 * to compare: the probe at the end is read back from the object file by
 * test_linux_abi.py. The constants' checks are generated (ABI_CONSTANTS).
 */
#include <asm/errno.h>
#include <asm/ioctls.h>
#include <asm/ldt.h>
#include <asm/mman.h>
#include <asm/signal.h>
#include <asm/stat.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <asm-generic/siginfo.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/limits.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/signal.h>
#include <linux/stat.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>

#include "linux_abi.h"
#include "sched/linux.h"

SAME_SIZE(struct linux_stat64, struct stat64);
SAME_NUMBER(struct linux_stat64, dev, struct stat64, st_dev);
SAME_FIELD(struct linux_stat64, pad0, struct stat64, __pad0);
SAME_NUMBER(struct linux_stat64, ino32, struct stat64, __st_ino);
SAME_NUMBER(struct linux_stat64, mode, struct stat64, st_mode);
SAME_NUMBER(struct linux_stat64, nlink, struct stat64, st_nlink);
SAME_NUMBER(struct linux_stat64, uid, struct stat64, st_uid);
SAME_NUMBER(struct linux_stat64, gid, struct stat64, st_gid);
SAME_NUMBER(struct linux_stat64, rdev, struct stat64, st_rdev);
SAME_FIELD(struct linux_stat64, pad3, struct stat64, __pad3);
SAME_NUMBER(struct linux_stat64, size, struct stat64, st_size);
SAME_NUMBER(struct linux_stat64, blksize, struct stat64, st_blksize);
SAME_NUMBER(struct linux_stat64, blocks, struct stat64, st_blocks);
SAME_NUMBER(struct linux_stat64, atime, struct stat64, st_atime);
SAME_NUMBER(struct linux_stat64, atime_nsec, struct stat64, st_atime_nsec);
SAME_NUMBER(struct linux_stat64, mtime, struct stat64, st_mtime);
SAME_NUMBER(struct linux_stat64, mtime_nsec, struct stat64, st_mtime_nsec);
SAME_NUMBER(struct linux_stat64, ctime, struct stat64, st_ctime);
SAME_NUMBER(struct linux_stat64, ctime_nsec, struct stat64, st_ctime_nsec);
SAME_NUMBER(struct linux_stat64, ino, struct stat64, st_ino);

SAME_SIZE(struct linux_statx_timestamp, struct statx_timestamp);
SAME_NUMBER(struct linux_statx_timestamp, sec, struct statx_timestamp, tv_sec);
SAME_NUMBER(struct linux_statx_timestamp, nsec, struct statx_timestamp, tv_nsec);
SAME_NUMBER(struct linux_statx_timestamp, reserved, struct statx_timestamp, __reserved);

SAME_SIZE(struct linux_statx, struct statx);
SAME_NUMBER(struct linux_statx, mask, struct statx, stx_mask);
SAME_NUMBER(struct linux_statx, blksize, struct statx, stx_blksize);
SAME_NUMBER(struct linux_statx, attributes, struct statx, stx_attributes);
SAME_NUMBER(struct linux_statx, nlink, struct statx, stx_nlink);
SAME_NUMBER(struct linux_statx, uid, struct statx, stx_uid);
SAME_NUMBER(struct linux_statx, gid, struct statx, stx_gid);
SAME_NUMBER(struct linux_statx, mode, struct statx, stx_mode);
SAME_FIELD(struct linux_statx, spare0, struct statx, __spare0);
SAME_NUMBER(struct linux_statx, ino, struct statx, stx_ino);
SAME_NUMBER(struct linux_statx, size, struct statx, stx_size);
SAME_NUMBER(struct linux_statx, blocks, struct statx, stx_blocks);
SAME_NUMBER(struct linux_statx, attributes_mask, struct statx, stx_attributes_mask);
SAME_FIELD(struct linux_statx, atime, struct statx, stx_atime);
SAME_FIELD(struct linux_statx, btime, struct statx, stx_btime);
SAME_FIELD(struct linux_statx, ctime, struct statx, stx_ctime);
SAME_FIELD(struct linux_statx, mtime, struct statx, stx_mtime);
SAME_NUMBER(struct linux_statx, rdev_major, struct statx, stx_rdev_major);
SAME_NUMBER(struct linux_statx, rdev_minor, struct statx, stx_rdev_minor);
SAME_NUMBER(struct linux_statx, dev_major, struct statx, stx_dev_major);
SAME_NUMBER(struct linux_statx, dev_minor, struct statx, stx_dev_minor);
SAME_NUMBER(struct linux_statx, mnt_id, struct statx, stx_mnt_id);
SAME_NUMBER(struct linux_statx, dio_mem_align, struct statx, stx_dio_mem_align);
SAME_NUMBER(struct linux_statx, dio_offset_align, struct statx, stx_dio_offset_align);
SAME_FIELD(struct linux_statx, spare3, struct statx, __spare3);

SAME_SIZE(struct linux_user_desc, struct user_desc);
SAME_NUMBER(struct linux_user_desc, entry_number, struct user_desc, entry_number);
SAME_NUMBER(struct linux_user_desc, base_addr, struct user_desc, base_addr);
SAME_NUMBER(struct linux_user_desc, limit, struct user_desc, limit);

SAME_SIZE(struct linux_stack_t, stack_t);
SAME_FIELD(struct linux_stack_t, sp, stack_t, ss_sp);
SAME_NUMBER(struct linux_stack_t, flags, stack_t, ss_flags);
SAME_NUMBER(struct linux_stack_t, size, stack_t, ss_size);

SAME_SIZE(struct linux_timespec64, struct __kernel_timespec);
SAME_NUMBER(struct linux_timespec64, sec, struct __kernel_timespec, tv_sec);
SAME_NUMBER(struct linux_timespec64, nsec, struct __kernel_timespec, tv_nsec);
SAME_SIZE(struct linux_timespec32, struct __kernel_old_timespec);
SAME_NUMBER(struct linux_timespec32, sec, struct __kernel_old_timespec, tv_sec);
SAME_NUMBER(struct linux_timespec32, nsec, struct __kernel_old_timespec, tv_nsec);
SAME_SIZE(struct linux_timeval, struct __kernel_old_timeval);
SAME_NUMBER(struct linux_timeval, sec, struct __kernel_old_timeval, tv_sec);
SAME_NUMBER(struct linux_timeval, usec, struct __kernel_old_timeval, tv_usec);

SAME_SIZE(struct linux_rlimit, struct rlimit);
SAME_NUMBER(struct linux_rlimit, cur, struct rlimit, rlim_cur);
SAME_NUMBER(struct linux_rlimit, max, struct rlimit, rlim_max);
SAME_SIZE(struct linux_rlimit64, struct rlimit64);
SAME_NUMBER(struct linux_rlimit64, cur, struct rlimit64, rlim_cur);
SAME_NUMBER(struct linux_rlimit64, max, struct rlimit64, rlim_max);

SAME_SIZE(struct linux_utsname, struct new_utsname);
SAME_FIELD(struct linux_utsname, sysname, struct new_utsname, sysname);
SAME_FIELD(struct linux_utsname, nodename, struct new_utsname, nodename);
SAME_FIELD(struct linux_utsname, release, struct new_utsname, release);
SAME_FIELD(struct linux_utsname, version, struct new_utsname, version);
SAME_FIELD(struct linux_utsname, machine, struct new_utsname, machine);
SAME_FIELD(struct linux_utsname, domainname, struct new_utsname, domainname);

SAME_SIZE(struct linux_iovec, struct iovec);
SAME_FIELD(struct linux_iovec, base, struct iovec, iov_base);
SAME_NUMBER(struct linux_iovec, len, struct iovec, iov_len);

SAME_SIZE(struct linux_robust_list_head, struct robust_list_head);
SAME_FIELD(struct linux_robust_list_head, list, struct robust_list_head, list);
SAME_NUMBER(struct linux_robust_list_head, futex_offset, struct robust_list_head, futex_offset);
SAME_FIELD(struct linux_robust_list_head, list_op_pending, struct robust_list_head,
           list_op_pending);

SAME_SIZE(struct linux_termios, struct termios);
SAME_NUMBER(struct linux_termios, iflag, struct termios, c_iflag);
SAME_NUMBER(struct linux_termios, oflag, struct termios, c_oflag);
SAME_NUMBER(struct linux_termios, cflag, struct termios, c_cflag);
SAME_NUMBER(struct linux_termios, lflag, struct termios, c_lflag);
SAME_NUMBER(struct linux_termios, line, struct termios, c_line);
SAME_FIELD(struct linux_termios, cc, struct termios, c_cc);

SAME_SIZE(struct linux_winsize, struct winsize);
SAME_NUMBER(struct linux_winsize, row, struct winsize, ws_row);
SAME_NUMBER(struct linux_winsize, col, struct winsize, ws_col);
SAME_NUMBER(struct linux_winsize, xpixel, struct winsize, ws_xpixel);
SAME_NUMBER(struct linux_winsize, ypixel, struct winsize, ws_ypixel);

/* struct user_desc with one bit field set at a time (all bits of
 * `contents`), and the mask of each in linux.h: the test reads both from
 * the object file's .abi_probe section, 6 x 16 bytes then 6 x 4. */
union user_desc_probe {
    struct user_desc desc;
    uint32_t words[4];
};

__attribute__((used, section(".abi_probe")))
const struct {
    union user_desc_probe probe[6];
    uint32_t mask[6];
} user_desc_bits = {
    .probe = {
        { .desc = { .seg_32bit = 1 } },
        { .desc = { .contents = 3 } },
        { .desc = { .read_exec_only = 1 } },
        { .desc = { .limit_in_pages = 1 } },
        { .desc = { .seg_not_present = 1 } },
        { .desc = { .useable = 1 } },
    },
    .mask = {
        LINUX_UD_SEG_32BIT, LINUX_UD_CONTENTS_MASK, LINUX_UD_READ_EXEC_ONLY,
        LINUX_UD_LIMIT_IN_PAGES, LINUX_UD_SEG_NOT_PRESENT, LINUX_UD_USEABLE,
    },
};

#include ABI_CONSTANTS
