/*
 * cpuid.h - what the kernel asks CPUID, and the EFLAGS bit that says CPUID
 * exists (it can be toggled only on a CPU that has the instruction). Plain
 * numbers: boot/cpucheck.S reads them too.
 */
#ifndef CPUID_H
#define CPUID_H

#define EFLAGS_ID           0x00200000  /* toggles only when CPUID exists */
#define CPUID_FEATURES      1           /* leaf 1: feature bits in EDX */
#define CPUID_EDX_PSE       0x00000008  /* 4 MiB pages */
#define CPUID_EDX_TSC       0x00000010  /* rdtsc */
#define CPUID_EDX_FPU       0x00000001  /* an x87 on the chip */
#define CPUID_EDX_FXSR      0x01000000  /* fxsave/fxrstor */
#define CPUID_EDX_SSE       0x02000000

#ifndef __ASSEMBLER__
#include <stdint.h>

/* CPUID leaf 1's EDX: the feature bits Linux hands a process as AT_HWCAP.
 * Every CPU mematlas runs on has the leaf (boot/cpucheck.S makes sure). */
static inline uint32_t cpuid_features_edx(void)
{
    uint32_t a = CPUID_FEATURES, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return d;
}
#endif

#endif
