/*
 * kjmp.S - a kernel setjmp/longjmp: how a demo that faults on purpose is
 * abandoned and the kernel carries on from where the demo started.
 *
 * struct kjmp { ebx, esi, edi, ebp, esp, eip } - the registers the i386
 * System V ABI says a function must preserve, plus where to resume.
 */
        .text
        .globl  kjmp_set
        .type   kjmp_set, @function
kjmp_set:                               /* int kjmp_set(struct kjmp *) */
        movl    4(%esp), %eax
        movl    %ebx, 0(%eax)
        movl    %esi, 4(%eax)
        movl    %edi, 8(%eax)
        movl    %ebp, 12(%eax)
        leal    4(%esp), %ecx           /* the caller's esp after we return */
        movl    %ecx, 16(%eax)
        movl    (%esp), %ecx            /* our return address */
        movl    %ecx, 20(%eax)
        xorl    %eax, %eax
        ret
        .size   kjmp_set, . - kjmp_set

        .globl  kjmp_jump
        .type   kjmp_jump, @function
kjmp_jump:                              /* void kjmp_jump(struct kjmp *, int) */
        movl    4(%esp), %edx
        movl    8(%esp), %eax
        testl   %eax, %eax              /* kjmp_set must look like it returned */
        jnz     1f                      /* a non-zero value */
        incl    %eax
1:      movl    0(%edx), %ebx
        movl    4(%edx), %esi
        movl    8(%edx), %edi
        movl    12(%edx), %ebp
        movl    16(%edx), %esp
        jmp     *20(%edx)
        .size   kjmp_jump, . - kjmp_jump
