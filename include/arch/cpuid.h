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

#endif
