/*
 * abi_signal.c - sched/linux.h's and sched/sigframe.h's signal ABI held
 * against Linux's own i386 uapi headers (linux-libc-dev-i386-cross, which
 * the i386 C library's package brings): every check is a _Static_assert, so
 * compiling this with the i386 cross compiler is the test
 * (tests/host/test_abi.py). Never linked into anything.
 */
#include <stddef.h>

#include <asm/sigcontext.h>
#include <asm/siginfo.h>
#include <asm/signal.h>
#include <asm/ucontext.h>
#include <linux/signal.h>

#include "sched/sigframe.h"

#define SAME_SIZE(ours, theirs) \
    _Static_assert(sizeof(ours) == sizeof(theirs), #ours " is " #theirs)
#define SAME_AT(ours, f, theirs, g) \
    _Static_assert(offsetof(ours, f) == offsetof(theirs, g), #ours "." #f " is " #theirs "." #g)
#define SAME(a, b) _Static_assert((a) == (b), #a " is " #b)

/* struct sigcontext, field by field. */
SAME_SIZE(struct linux_sigcontext, struct sigcontext);
SAME_AT(struct linux_sigcontext, gs, struct sigcontext, gs);
SAME_AT(struct linux_sigcontext, ds, struct sigcontext, ds);
SAME_AT(struct linux_sigcontext, edi, struct sigcontext, edi);
SAME_AT(struct linux_sigcontext, eax, struct sigcontext, eax);
SAME_AT(struct linux_sigcontext, trapno, struct sigcontext, trapno);
SAME_AT(struct linux_sigcontext, err, struct sigcontext, err);
SAME_AT(struct linux_sigcontext, eip, struct sigcontext, eip);
SAME_AT(struct linux_sigcontext, cs, struct sigcontext, cs);
SAME_AT(struct linux_sigcontext, eflags, struct sigcontext, eflags);
SAME_AT(struct linux_sigcontext, esp_at_signal, struct sigcontext, esp_at_signal);
SAME_AT(struct linux_sigcontext, ss, struct sigcontext, ss);
SAME_AT(struct linux_sigcontext, fpstate, struct sigcontext, fpstate);
SAME_AT(struct linux_sigcontext, oldmask, struct sigcontext, oldmask);
SAME_AT(struct linux_sigcontext, cr2, struct sigcontext, cr2);

/* struct ucontext (its uc_sigmask is one word in the uapi view: the offset counts). */
SAME_AT(struct linux_ucontext, flags, struct ucontext, uc_flags);
SAME_AT(struct linux_ucontext, link, struct ucontext, uc_link);
SAME_AT(struct linux_ucontext, stack, struct ucontext, uc_stack);
SAME_AT(struct linux_ucontext, mcontext, struct ucontext, uc_mcontext);
SAME_AT(struct linux_ucontext, sigmask, struct ucontext, uc_sigmask);
SAME_SIZE(struct linux_stack_t, stack_t);
SAME_AT(struct linux_stack_t, sp, stack_t, ss_sp);
SAME_AT(struct linux_stack_t, flags, stack_t, ss_flags);
SAME_AT(struct linux_stack_t, size, stack_t, ss_size);

/* siginfo_t */
SAME_SIZE(struct linux_siginfo, siginfo_t);
SAME_AT(struct linux_siginfo, code, siginfo_t, si_code);
SAME_AT(struct linux_siginfo, f.kill.pid, siginfo_t, si_pid);
SAME_AT(struct linux_siginfo, f.kill.uid, siginfo_t, si_uid);
SAME_AT(struct linux_siginfo, f.fault.addr, siginfo_t, si_addr);

/* The FPU image: the legacy header, then fxsave's, as struct _fpstate_32. */
SAME(sizeof(struct linux_fsave_env) + SIGFRAME_FX_SIZE, sizeof(struct _fpstate_32));
SAME_AT(struct linux_fsave_env, st, struct _fpstate_32, _st);
SAME_AT(struct linux_fsave_env, status, struct _fpstate_32, status);
SAME_AT(struct linux_fsave_env, magic, struct _fpstate_32, magic);
SAME(sizeof(struct linux_fsave_env), offsetof(struct _fpstate_32, _fxsr_env));
SAME(sizeof(struct linux_fsave_env) + SIGFRAME_FX_MXCSR, offsetof(struct _fpstate_32, mxcsr));
SAME(sizeof(struct linux_fsave_env) + SIGFRAME_FX_SW_BYTES,
     offsetof(struct _fpstate_32, sw_reserved));
SAME(sizeof(((struct linux_sigframe *)0)->fpstate_unused), sizeof(struct _fpstate_32));
SAME(SIGFRAME_FX_MAGIC, X86_FXSR_MAGIC);

/* Numbers. */
SAME(LINUX_SA_SIGINFO, SA_SIGINFO);
SAME(LINUX_SA_ONSTACK, SA_ONSTACK);
SAME(LINUX_SA_RESTORER, SA_RESTORER);
SAME(LINUX_SA_RESTART, SA_RESTART);
SAME(LINUX_SA_NODEFER, SA_NODEFER);
SAME(LINUX_SA_RESETHAND, SA_RESETHAND);
SAME(LINUX_SA_NOCLDSTOP, SA_NOCLDSTOP);
SAME(LINUX_SA_NOCLDWAIT, SA_NOCLDWAIT);
SAME(LINUX_SA_UNSUPPORTED, SA_UNSUPPORTED);
SAME(LINUX_SA_EXPOSE_TAGBITS, SA_EXPOSE_TAGBITS);
SAME(LINUX_SS_ONSTACK, SS_ONSTACK);
SAME(LINUX_SS_DISABLE, SS_DISABLE);
SAME(LINUX_SS_AUTODISARM, SS_AUTODISARM);
SAME(LINUX_MINSIGSTKSZ, MINSIGSTKSZ);
SAME(LINUX_SIG_BLOCK, SIG_BLOCK);
SAME(LINUX_SIG_UNBLOCK, SIG_UNBLOCK);
SAME(LINUX_SIG_SETMASK, SIG_SETMASK);
SAME(LINUX_SIGSTKFLT, SIGSTKFLT);
SAME(LINUX_SIGURG, SIGURG);
SAME(LINUX_SIGWINCH, SIGWINCH);
SAME(LINUX_SIGPWR, SIGPWR);
SAME(LINUX_SIGSYS, SIGSYS);
SAME(LINUX_SIGRTMIN, SIGRTMIN);
SAME(LINUX_SI_USER, SI_USER);
SAME(LINUX_SI_KERNEL, SI_KERNEL);
SAME(LINUX_SI_QUEUE, SI_QUEUE);
SAME(LINUX_SI_TKILL, SI_TKILL);
SAME(LINUX_SEGV_MAPERR, SEGV_MAPERR);
SAME(LINUX_SEGV_ACCERR, SEGV_ACCERR);
SAME(LINUX_BUS_ADRALN, BUS_ADRALN);
SAME(LINUX_ILL_ILLOPN, ILL_ILLOPN);
SAME(LINUX_FPE_INTDIV, FPE_INTDIV);
SAME(LINUX_FPE_FLTDIV, FPE_FLTDIV);
SAME(LINUX_FPE_FLTOVF, FPE_FLTOVF);
SAME(LINUX_FPE_FLTUND, FPE_FLTUND);
SAME(LINUX_FPE_FLTRES, FPE_FLTRES);
SAME(LINUX_FPE_FLTINV, FPE_FLTINV);
