/*
 * linux_abi_sigaction.c - struct linux_sigaction against the kernel's.
 *
 * rt_sigaction reads the kernel's struct sigaction: handler, flags,
 * restorer, then a 64-bit mask. No i386 header spells it: the C library's
 * has a 1024-bit mask in second place, and x86's <asm/signal.h> gives
 * i386 programs the old sigaction's layout (for the sigaction call, 67).
 * The kernel builds rt_sigaction's from the generic definition, which
 * <asm-generic/signal.h> holds; with SA_RESTORER defined, as x86 defines
 * it, that is the layout checked here. ABI_CONSTANTS has the constants
 * that only this header can answer (the kernel's _NSIG, sigset_t's size).
 */
#include <asm/bitsperlong.h>
#include <linux/types.h>

#define SA_RESTORER 0x04000000          /* as <asm/signal.h> has it for x86 */
#include <asm-generic/signal.h>

#include "linux_abi.h"
#include "sched/linux.h"

SAME_SIZE(struct linux_sigaction, struct sigaction);
SAME_FIELD(struct linux_sigaction, handler, struct sigaction, sa_handler);
SAME_NUMBER(struct linux_sigaction, flags, struct sigaction, sa_flags);
SAME_FIELD(struct linux_sigaction, restorer, struct sigaction, sa_restorer);
SAME_FIELD(struct linux_sigaction, mask, struct sigaction, sa_mask);

#include ABI_CONSTANTS
