/*
 * sys_thread.c - the system calls of threads: their thread-local storage
 * (set_thread_area: a GDT slot of the thread's own, which %gs names).
 */
#include "arch/gdt.h"
#include "lib/string.h"
#include "sched/syscall.h"

/* Linux's descriptor from a user_desc: a ring-3 segment, accessed bit set. */
static uint64_t descriptor_of(const struct linux_user_desc *d)
{
    uint32_t f = d->flags;
    unsigned contents = (f & LINUX_UD_CONTENTS_MASK) >> 1;
    unsigned type = 1 | ((f & LINUX_UD_READ_EXEC_ONLY) ? 0 : 2) | (contents << 2);
    return gdt_user_descriptor(d->base_addr, d->limit, type, !(f & LINUX_UD_SEG_NOT_PRESENT),
                               f & LINUX_UD_LIMIT_IN_PAGES, f & LINUX_UD_SEG_32BIT,
                               f & LINUX_UD_USEABLE);
}

/* A descriptor that asks for its slot to be cleared (Linux's LDT_empty). */
static bool is_empty(const struct linux_user_desc *d)
{
    return d->base_addr == 0 && d->limit == 0 &&
           (d->flags & ~(uint32_t)LINUX_UD_USEABLE) ==
               (LINUX_UD_READ_EXEC_ONLY | LINUX_UD_SEG_NOT_PRESENT);
}

int32_t sys_set_tls(struct uthread *ut, const struct linux_user_desc *d, uint32_t *entry)
{
    int slot = -1;
    if (*entry == 0xFFFFFFFFu) {
        for (int i = 0; i < GDT_TLS_ENTRIES && slot < 0; i++)
            if (!ut->tls[i])
                slot = i;
        if (slot < 0)
            return -LINUX_ESRCH;
        *entry = (uint32_t)(GDT_TLS_FIRST_INDEX + slot);
    } else if (*entry >= GDT_TLS_FIRST_INDEX && *entry < GDT_TLS_FIRST_INDEX + GDT_TLS_ENTRIES) {
        slot = (int)(*entry - GDT_TLS_FIRST_INDEX);
    } else {
        return -LINUX_EINVAL;
    }
    ut->tls[slot] = is_empty(d) ? 0 : descriptor_of(d);
    if (ut == uthread_current())
        gdt_load_tls(ut->tls);
    return 0;
}

static int32_t sys_set_thread_area(struct sysc *c)
{
    struct linux_user_desc d;
    if (sys_copy_in(c, &d, c->a[0], sizeof d) != 0)
        return -LINUX_EFAULT;
    uint32_t entry = d.entry_number;
    int32_t r = sys_set_tls(c->ut, &d, &entry);
    if (r == 0 && entry != d.entry_number)
        r = sys_copy_out(c, c->a[0], &entry, sizeof entry);    /* the slot it got */
    return r;
}

const struct sys_entry sys_thread_calls[] = {
    { NR_set_thread_area, sys_set_thread_area },
    SYS_END,
};
