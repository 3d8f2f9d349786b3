/*
 * cpuid.h - what the kernel asks CPUID, and the EFLAGS bit that says CPUID
 * exists (it can be toggled only on a CPU that has the instruction). Plain
 * numbers, which boot/cpucheck.S reads too, and for C the instruction.
 */
#ifndef CPUID_H
#define CPUID_H

#define EFLAGS_ID           0x00200000  /* toggles only when CPUID exists */
#define CPUID_FEATURES      1           /* leaf 1: feature bits in EDX and ECX */
#define CPUID_EDX_PSE       0x00000008  /* 4 MiB pages */
#define CPUID_EDX_TSC       0x00000010  /* rdtsc */
#define CPUID_EDX_FPU       0x00000001  /* an x87 on the chip */
#define CPUID_EDX_CMOV      0x00008000  /* cmov: what "i686" code takes for granted */
#define CPUID_EDX_FXSR      0x01000000  /* fxsave/fxrstor */
#define CPUID_EDX_SSE       0x02000000
#define CPUID_ECX_RDRAND    0x40000000  /* rdrand: random numbers from the CPU */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

/* CPUID leaf `leaf`, subleaf 0. The CPU has the instruction: boot/cpucheck.S
 * refuses one without. Ask leaf 0 first: its eax is the highest leaf. */
static inline struct cpuid_regs cpuid(uint32_t leaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(0));
    return r;
}

/* CPUID leaf 1's EDX: the feature bits Linux hands a process as AT_HWCAP. */
static inline uint32_t cpuid_features_edx(void)
{
    return cpuid(CPUID_FEATURES).edx;
}
#endif

#endif
