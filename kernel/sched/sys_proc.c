/*
 * sys_proc.c - the system calls about the process itself: ending, who it
 * is, its limits, what machine it runs on.
 */
#include "lib/string.h"
#include "sched/syscall.h"

static int32_t sys_exit(struct sysc *c)
{
    /* Only this thread ends; when it is the last one, with this status. */
    if (c->p->thread_count == 1 && !c->p->exiting)
        c->p->exit_status = (int)(c->a[0] & 0xFF);
    proc_thread_exit();
}

static int32_t sys_exit_group(struct sysc *c)
{
    proc_exit_group((int)c->a[0], 0);
}

static int32_t sys_getpid(struct sysc *c)
{
    return c->p->pid;
}

static int32_t sys_gettid(struct sysc *c)
{
    return c->ut->tid;
}

static int32_t sys_zero(struct sysc *c)
{
    (void)c;
    return 0;                           /* getppid (the kernel started it), the ids: root */
}

static int32_t sys_set_tid_address(struct sysc *c)
{
    c->ut->clear_child_tid = c->a[0];
    return c->ut->tid;
}

static int32_t sys_set_robust_list(struct sysc *c)
{
    if (c->a[1] != 12)                  /* sizeof(struct robust_list_head) on i386 */
        return -LINUX_EINVAL;
    c->ut->robust_list = c->a[0];
    return 0;
}

static int32_t sys_uname(struct sysc *c)
{
    struct linux_utsname u;
    memset(&u, 0, sizeof u);
    str_copy(u.sysname, "Linux", sizeof u.sysname);     /* the interface it offers */
    str_copy(u.nodename, "mematlas", sizeof u.nodename);
    str_copy(u.release, "6.1.0-mematlas", sizeof u.release);
    str_copy(u.version, "#1 mematlas (a map of memory, not Linux)", sizeof u.version);
    str_copy(u.machine, "i686", sizeof u.machine);
    str_copy(u.domainname, "(none)", sizeof u.domainname);
    return sys_copy_out(c, c->a[0], &u, sizeof u);
}

/* The limits a process has here: its stack's, the files it may open; the
 * rest unlimited. Setting one is accepted and changes nothing. */
static void limit_of(uint32_t resource, uint64_t *cur, uint64_t *max)
{
    *cur = *max = ~0ull;
    if (resource == LINUX_RLIMIT_STACK)
        *cur = USER_STACK_MAX;
    else if (resource == LINUX_RLIMIT_NOFILE)
        *cur = *max = PROC_FDS_MAX;
}

static int32_t sys_prlimit64(struct sysc *c)
{
    if (c->a[0] && c->a[0] != (uint32_t)c->p->pid)
        return -LINUX_ESRCH;
    if (c->a[1] >= 16)
        return -LINUX_EINVAL;
    if (c->a[3]) {
        struct linux_rlimit64 old;
        limit_of(c->a[1], &old.cur, &old.max);
        return sys_copy_out(c, c->a[3], &old, sizeof old);
    }
    return 0;
}

static int32_t sys_ugetrlimit(struct sysc *c)
{
    if (c->a[0] >= 16)
        return -LINUX_EINVAL;
    uint64_t cur, max;
    limit_of(c->a[0], &cur, &max);
    struct linux_rlimit r = {
        cur > LINUX_RLIM_INFINITY ? LINUX_RLIM_INFINITY : (uint32_t)cur,
        max > LINUX_RLIM_INFINITY ? LINUX_RLIM_INFINITY : (uint32_t)max,
    };
    return sys_copy_out(c, c->a[1], &r, sizeof r);
}

static int32_t sys_sched_getaffinity(struct sysc *c)
{
    if (c->a[1] < 4 || (c->a[1] & 3))
        return -LINUX_EINVAL;
    uint32_t one_cpu = 1;
    int32_t r = sys_copy_out(c, c->a[2], &one_cpu, sizeof one_cpu);
    return r ? r : 4;                   /* bytes of the mask written */
}

static int32_t sys_sched_yield(struct sysc *c)
{
    (void)c;
    task_yield();
    return 0;
}

const struct sys_entry sys_proc_calls[] = {
    { NR_exit, sys_exit },
    { NR_exit_group, sys_exit_group },
    { NR_getpid, sys_getpid },
    { NR_gettid, sys_gettid },
    { NR_getppid, sys_zero },
    { NR_getuid, sys_zero }, { NR_geteuid, sys_zero },
    { NR_getgid, sys_zero }, { NR_getegid, sys_zero },
    { NR_getuid32, sys_zero }, { NR_geteuid32, sys_zero },
    { NR_getgid32, sys_zero }, { NR_getegid32, sys_zero },
    { NR_set_tid_address, sys_set_tid_address },
    { NR_set_robust_list, sys_set_robust_list },
    { NR_uname, sys_uname },
    { NR_prlimit64, sys_prlimit64 },
    { NR_ugetrlimit, sys_ugetrlimit },
    { NR_getrlimit, sys_ugetrlimit },
    { NR_sched_getaffinity, sys_sched_getaffinity },
    { NR_sched_yield, sys_sched_yield },
    SYS_END,
};
