/*
 * cpucheck.S - the one thing checked before anything else runs: that this
 * CPU can run the kernel. The kernel is built for a Pentium (-march=pentium:
 * no cmov) and needs CPUID, the time-stamp counter (rdtsc: the canary,
 * timings) and 4 MiB pages (the boot page directory). On an older CPU the
 * first compiled instruction could raise an exception with no handler yet,
 * and the machine would reset; instead this says what is missing, on the
 * screen and on COM1, and halts.
 *
 * Runs from _start with paging off: data is reached at physical addresses.
 */
#include "memlayout.h"
#include "arch/cpuid.h"
#include "console/uart.h"

#define PHYS(sym)       ((sym) - KERNEL_VIRT_BASE)
#define MESSAGE_ATTR    0x4F            /* white on red */

        .section .rodata
no_cpuid:   .asciz "mematlas needs a Pentium or later: this CPU has no CPUID instruction."
no_tsc:     .asciz "mematlas needs a Pentium or later: this CPU has no time-stamp counter (rdtsc)."
no_pse:     .asciz "mematlas needs a Pentium or later: this CPU has no 4 MiB pages (PSE)."

        .section .text.entry, "ax"
/* Returns when the CPU will do; clobbers eax, ebx, ecx, edx, esi, edi. */
        .globl  cpu_check
cpu_check:
        /* CPUID exists when the ID flag of EFLAGS can be flipped. */
        pushfl
        popl    %eax
        movl    %eax, %ecx
        xorl    $EFLAGS_ID, %eax
        pushl   %eax
        popfl
        pushfl
        popl    %eax
        pushl   %ecx
        popfl                                   /* EFLAGS as they were */
        xorl    %ecx, %eax
        movl    $PHYS(no_cpuid), %esi
        testl   $EFLAGS_ID, %eax
        jz      refuse

        xorl    %eax, %eax                      /* leaf 0: the highest leaf there is */
        cpuid
        movl    $PHYS(no_tsc), %esi
        cmpl    $CPUID_FEATURES, %eax
        jb      refuse                          /* no feature leaf: nothing to rely on */
        movl    $CPUID_FEATURES, %eax
        cpuid
        testl   $CPUID_EDX_TSC, %edx
        jz      refuse
        movl    $PHYS(no_pse), %esi
        testl   $CPUID_EDX_PSE, %edx
        jz      refuse
        ret

/* Writes the string at esi, then CR LF, to the top row of the screen and to
 * COM1, and halts. */
refuse:
        movl    $VGA_TEXT_PHYS, %edi
1:      movb    (%esi), %al
        testb   %al, %al
        jz      2f
        movb    $MESSAGE_ATTR, %ah
        movw    %ax, (%edi)
        addl    $2, %edi
        call    uart_put
        incl    %esi
        jmp     1b
2:      movb    $'\r', %al
        call    uart_put
        movb    $'\n', %al
        call    uart_put
3:      cli
        hlt
        jmp     3b

/* Sends al to COM1 once it has room; clobbers edx and ah. */
uart_put:
        movb    %al, %ah
        movw    $(COM1 + UART_LSR), %dx
4:      inb     %dx, %al
        testb   $LSR_TX_EMPTY, %al
        jz      4b
        movb    %ah, %al
        movw    $(COM1 + UART_DATA), %dx
        outb    %al, %dx
        ret
