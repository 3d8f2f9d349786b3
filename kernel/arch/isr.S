/*
 * isr.S - the first instructions of every exception and interrupt.
 *
 * Each stub makes the stack look the same (an error code, real or a zero,
 * and the vector number), then the common path saves the registers, loads
 * the kernel's data segments and calls trap_dispatch with a pointer to the
 * struct trap_frame it built. The double fault (vector 8) and the page fault
 * (vector 14) do not come here: each goes through a task gate to a task of
 * its own (page_fault_entry and double_fault_entry below; see fault.c). Their
 * stubs stay in the table, unused, so that every vector has one.
 */
#include "arch/gdt.h"
#include "arch/trap.h"

        .macro  STUB_NOERR vector
        .globl  isr\vector
isr\vector:
        pushl   $0
        pushl   $\vector
        jmp     trap_common
        .endm

        .macro  STUB_ERR vector         /* the CPU pushed an error code already */
        .globl  isr\vector
isr\vector:
        pushl   $\vector
        jmp     trap_common
        .endm

        .text
STUB_NOERR 0
STUB_NOERR 1
STUB_NOERR 2
STUB_NOERR 3
STUB_NOERR 4
STUB_NOERR 5
STUB_NOERR 6
STUB_NOERR 7
STUB_ERR   8
STUB_NOERR 9
STUB_ERR   10
STUB_ERR   11
STUB_ERR   12
STUB_ERR   13
STUB_ERR   14
STUB_NOERR 15
STUB_NOERR 16
STUB_ERR   17
STUB_NOERR 18
STUB_NOERR 19
STUB_NOERR 20
STUB_ERR   21
        .irp v, 22,23,24,25,26,27,28,29,30,31
STUB_NOERR \v
        .endr
        .irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
STUB_NOERR \v
        .endr
STUB_NOERR 128                          /* int $0x80: a system call from ring 3 */

        .type   trap_common, @function
trap_common:
        pushal
        pushl   %ds
        pushl   %es
        pushl   %fs
        pushl   %gs
        movw    $GDT_KERNEL_DATA, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %fs
        movw    %ax, %gs
        cld
        pushl   %esp                    /* struct trap_frame * */
        call    trap_dispatch
        addl    $4, %esp
        .globl  trap_exit
trap_exit:                              /* trap_resume enters here too */
        popl    %gs
        popl    %fs
        popl    %es
        popl    %ds
        popal
        addl    $8, %esp                /* vector and error code */
        iret
        .size   trap_common, . - trap_common

/* void trap_resume(struct trap_frame *f): leave the kernel as if f had been
 * built by trap_common - the way a new user thread first enters ring 3. */
        .globl  trap_resume
        .type   trap_resume, @function
trap_resume:
        movl    4(%esp), %esp
        jmp     trap_exit
        .size   trap_resume, . - trap_resume

/* The stubs' addresses, for idt.c. */
        .section .rodata
        .globl  isr_stubs
        .balign 4
isr_stubs:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
        .long   isr\v
        .endr
        .irp v, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
        .long   isr\v
        .endr

/*
 * The page-fault and double-fault tasks start here, each on its own stack,
 * with the CPU's error code pushed. The handler reads the interrupted state
 * from kernel_tss, may change it (to resume somewhere safe), and returns;
 * iret then switches back (the task switch was nested). The next fault of
 * the kind resumes right after that iret, hence the jump back.
 */
        .text
        .globl  page_fault_entry
page_fault_entry:
        call    page_fault_handler      /* the error code is its argument */
        addl    $4, %esp
        iret
        jmp     page_fault_entry

        .globl  double_fault_entry
double_fault_entry:
        call    double_fault_handler
        addl    $4, %esp
        iret
        jmp     double_fault_entry
